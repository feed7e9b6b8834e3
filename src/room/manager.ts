/**
 * The rooms of this JupyterLab page: one per session, docked beside the
 * notebook it belongs to, and the report tabs.
 *
 * Where the room goes: the main area, split to the right of its notebook
 * (`split-right` with the notebook as reference), not the right sidebar.
 * The sidebar is narrow, holds one panel at a time and is shared with the
 * property inspector, the debugger and others; the room needs the width of
 * a column (statement, results table, conversation) and must stay in view
 * beside the code for the whole interview. In the main area it is a tab
 * like any other: the candidate can drag it, resize the split, or put it
 * in a tab of its own.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { DockPanel, Widget } from '@lumino/widgets';

import { IVoiceSwitch } from '../voice/control';
import { fetchReportHtml, fetchSession } from './api';
import { IRoomBundle } from './model';
import { downloadHtml, ReportView, reportWidget } from './report';
import { RoomWidget } from './widget';

/** The class of a notebook panel that has a room (the shortcuts' scope). */
export const HAS_ROOM_CLASS = 'mil-has-room';

/** A cell the candidate's solution is in. */
const SOLUTION_MAGIC = /^\s*%%solution\b/;

export class RoomManager {
  constructor(
    private readonly _app: JupyterFrontEnd,
    private readonly _rendermime: IRenderMimeRegistry | null,
    private readonly _voiceSwitch: IVoiceSwitch,
    notebooks: INotebookTracker | null
  ) {
    // A room restored with the page finds its notebook when that opens
    // (whether or not its output was saved).
    notebooks?.widgetAdded.connect((_, panel) => {
      void panel.context.ready.then(() => this._adopt(panel));
    });
  }

  /** The open rooms, for the layout restorer (a reload reopens them). */
  readonly tracker = new WidgetTracker<RoomWidget>({
    namespace: 'mock-interviewer-room'
  });

  /**
   * What the restorer keeps of a room: its bundle and its notebook's path.
   */
  restoreArgs(room: RoomWidget): {
    bundle: IRoomBundle;
    path: string;
  } {
    const panel = this._notebooks.get(room.sessionId);
    return {
      bundle: room.model.bundle,
      path: panel?.context.path ?? this._paths.get(room.sessionId) ?? ''
    };
  }

  /**
   * Reopen a room the page had (the restorer's command).
   */
  restore(bundle: IRoomBundle, path: string): RoomWidget {
    if (path) {
      this._paths.set(bundle.session_id, path);
    }
    const room = this.show(bundle, null, false);
    for (const widget of this._app.shell.widgets('main')) {
      if (widget instanceof NotebookPanel) {
        this._adopt(widget);
      }
    }
    return room;
  }

  /** The room of a session, if open. */
  room(sessionId: string): RoomWidget | undefined {
    return this._rooms.get(sessionId);
  }

  /**
   * The room commands act on: the one in focus, else the current
   * notebook's, else the last one opened.
   */
  current(notebook: NotebookPanel | null): RoomWidget | null {
    const shellCurrent = this._app.shell.currentWidget;
    if (shellCurrent instanceof RoomWidget) {
      return shellCurrent;
    }
    if (notebook) {
      for (const [sessionId, panel] of this._notebooks) {
        if (panel === notebook && this._rooms.has(sessionId)) {
          return this._rooms.get(sessionId) ?? null;
        }
      }
    }
    const rooms = [...this._rooms.values()];
    return rooms.length ? rooms[rooms.length - 1] : null;
  }

  /**
   * Open the room of `bundle` beside `notebook`, or reveal it when it is
   * open already (one room per session). `activate` moves the focus into
   * it (a click on "Show the room"); otherwise the focus stays where the
   * candidate is typing.
   */
  show(
    bundle: IRoomBundle,
    notebook: NotebookPanel | null,
    activate: boolean
  ): RoomWidget {
    const sessionId = bundle.session_id;
    if (notebook) {
      this._bind(sessionId, notebook);
    }
    let room = this._rooms.get(sessionId);
    if (!room || room.isDisposed) {
      room = this._create(bundle);
    }
    if (!room.isAttached) {
      const ref = this._notebooks.get(sessionId);
      this._app.shell.add(room, 'main', {
        mode: 'split-right',
        ref: ref && ref.isAttached ? ref.id : null,
        activate
      });
    } else if (activate) {
      this._app.shell.activateById(room.id);
    } else if (!room.isVisible) {
      reveal(room);
    }
    return room;
  }

  /**
   * Open the room unless its interview has ended (a notebook opened days
   * later does not pop up old rooms); an open room is revealed.
   */
  async showIfLive(
    bundle: IRoomBundle,
    notebook: NotebookPanel | null
  ): Promise<boolean> {
    if (this._rooms.has(bundle.session_id)) {
      this.show(bundle, notebook, false);
      return true;
    }
    try {
      const view = await fetchSession(
        this._app.serviceManager.serverSettings,
        bundle.session_id
      );
      if (view.state.ended) {
        if (notebook) {
          this._bind(bundle.session_id, notebook);
        }
        return false;
      }
    } catch {
      // The room says what is wrong.
    }
    this.show(bundle, notebook, false);
    return true;
  }

  /**
   * The report's tab (opened at the end, or by "Open the report").
   */
  async openReport(sessionId: string, title: string): Promise<void> {
    const open = this._reports.get(sessionId);
    if (open && !open.isDisposed) {
      this._app.shell.activateById(open.id);
      return;
    }
    const html = await fetchReportHtml(
      this._app.serviceManager.serverSettings,
      sessionId
    );
    const widget = reportWidget(sessionId, title, html);
    this._reports.set(sessionId, widget);
    widget.disposed.connect(() => {
      if (this._reports.get(sessionId) === widget) {
        this._reports.delete(sessionId);
      }
    });
    const room = this._rooms.get(sessionId);
    this._app.shell.add(widget, 'main', {
      mode: 'tab-after',
      ref: room && room.isAttached ? room.id : null
    });
  }

  /** Download the HTML report. */
  async exportReport(sessionId: string, problem: string): Promise<void> {
    const html = await fetchReportHtml(
      this._app.serviceManager.serverSettings,
      sessionId
    );
    const name = (problem || 'interview').replace(/[^A-Za-z0-9_-]+/g, '_');
    downloadHtml(html, `interview-${name}-${sessionId}-report.html`);
  }

  /**
   * Run the `%%solution` cell of the session's notebook: the active cell
   * if it is one, else the last one.
   */
  async runSolution(sessionId: string): Promise<string> {
    const panel = this._notebooks.get(sessionId);
    if (!panel || panel.isDisposed) {
      return 'The notebook of this interview is not open: open it to run your solution.';
    }
    const notebook = panel.content;
    const solutions = notebook.widgets.filter(
      cell =>
        cell.model.type === 'code' &&
        SOLUTION_MAGIC.test(cell.model.sharedModel.getSource())
    );
    if (!solutions.length) {
      return `There is no %%solution cell in ${panel.context.path}: write your function in a cell that starts with %%solution.`;
    }
    const active = notebook.activeCell;
    const cell: Cell =
      active && solutions.includes(active)
        ? active
        : solutions[solutions.length - 1];
    const index = notebook.widgets.indexOf(cell);
    await panel.sessionContext.ready;
    const actions = NotebookActions as unknown as {
      runCells?: typeof NotebookActions.runCells;
    };
    if (actions.runCells) {
      await actions.runCells(notebook, [cell], panel.sessionContext);
    } else {
      notebook.activeCellIndex = index;
      notebook.deselectAll();
      await NotebookActions.run(notebook, panel.sessionContext);
    }
    return `Ran cell ${index + 1} (%%solution) of ${panel.context.path}.`;
  }

  private _create(bundle: IRoomBundle): RoomWidget {
    const sessionId = bundle.session_id;
    const room: RoomWidget = new RoomWidget({
      bundle,
      serverSettings: this._app.serviceManager.serverSettings,
      rendermime: this._rendermime,
      voiceSwitch: this._voiceSwitch,
      runSolution: () => this.runSolution(sessionId),
      openReport: () => {
        this.openReport(sessionId, room.model.problem?.title ?? bundle.title)
          .then(() => undefined)
          .catch(error =>
            room.model.setNotice(
              `The report could not be opened: ${String(error?.message ?? error)}`
            )
          );
      },
      exportReport: (): Promise<void> =>
        this.exportReport(sessionId, room.model.problem?.id ?? bundle.problem)
    });
    this._rooms.set(sessionId, room);
    void this.tracker.add(room);
    room.disposed.connect(() => {
      if (this._rooms.get(sessionId) === room) {
        this._rooms.delete(sessionId);
      }
      this._notebooks.get(sessionId)?.removeClass(HAS_ROOM_CLASS);
    });
    room.start();
    return room;
  }

  // The notebook a session's room belongs to ("Run my solution", the
  // split). Closing it closes the room; opening it again re-renders the
  // output, which opens the room again.
  private _bind(sessionId: string, notebook: NotebookPanel): void {
    const bound = this._notebooks.get(sessionId);
    if (bound === notebook) {
      return;
    }
    if (bound && !bound.isDisposed) {
      return; // the first view stays the room's notebook while it is open
    }
    this._notebooks.set(sessionId, notebook);
    notebook.addClass(HAS_ROOM_CLASS);
    // Keys typed in a cell's editor: the candidate is coding (the room
    // throttles what it posts).
    const typing = (event: KeyboardEvent): void => {
      const target = event.target as Element | null;
      if (
        this._notebooks.get(sessionId) === notebook &&
        target?.closest?.('.jp-Cell .cm-editor')
      ) {
        this._rooms.get(sessionId)?.noteTyping();
      }
    };
    notebook.node.addEventListener('keydown', typing, true);
    notebook.disposed.connect(() => {
      notebook.node.removeEventListener('keydown', typing, true);
      if (this._notebooks.get(sessionId) !== notebook) {
        return;
      }
      this._notebooks.delete(sessionId);
      this._rooms.get(sessionId)?.close();
    });
  }

  // A notebook opened after its room was restored.
  private _adopt(panel: NotebookPanel): void {
    for (const [sessionId, path] of this._paths) {
      if (panel.context.path === path && !panel.isDisposed) {
        this._bind(sessionId, panel);
      }
    }
  }

  private _rooms = new Map<string, RoomWidget>();
  private _paths = new Map<string, string>();
  private _notebooks = new Map<string, NotebookPanel>();
  private _reports = new Map<string, MainAreaWidget<ReportView>>();
}

/**
 * Make `widget` the current tab of its dock area without taking the focus.
 */
function reveal(widget: Widget): void {
  let parent = widget.parent;
  while (parent && !(parent instanceof DockPanel)) {
    parent = parent.parent;
  }
  if (parent instanceof DockPanel) {
    parent.selectWidget(widget);
  }
}

/**
 * The notebook panel a widget (a cell's output) is in, if any.
 */
export function notebookOf(widget: Widget): NotebookPanel | null {
  let parent = widget.parent;
  while (parent) {
    if (parent instanceof NotebookPanel) {
      return parent;
    }
    parent = parent.parent;
  }
  return null;
}
