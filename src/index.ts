import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Contents } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import {
  DEFAULT_SETTINGS,
  IInterviewSettings,
  interviewCellSources,
  normaliseSettings,
  problemRef
} from './interview';
import { pickInterview } from './picker';
import {
  fetchProblems,
  IProblemSummary,
  ServerExtensionError
} from './request';
import { countdownWidgetExports } from './countdown';
import { isBehavioral } from './room/behavioral';
import { HAS_ROOM_CLASS, RoomManager } from './room/manager';
import { parseRoomBundle } from './room/model';
import { ROOM_RANK, roomRendererFactory } from './room/renderer';
import { MODULE_NAME, MODULE_VERSION } from './voice/version';
import { IVoiceSwitch, voiceWidgetExports } from './voice/widget';

const PLUGIN_ID = 'mock-interviewer-lab:plugin';
const COMMAND_NEW = 'mock-interviewer:new';
const COMMAND_HINT = 'mock-interviewer:hint';
const COMMAND_SEND = 'mock-interviewer:send';
const COMMAND_RUN = 'mock-interviewer:run-solution';
const COMMAND_SHOW = 'mock-interviewer:show-room';
const COMMAND_OPEN = 'mock-interviewer:open-room';
const CATEGORY = 'Mock Interviewer';
// The launcher's sections: Notebook 0, Console 20, Other 100; ours comes
// second, so the card is in view without scrolling on a laptop screen.
const LAUNCHER_CATEGORY_RANK = 10;
// Where the room's shortcuts work: in the room, and in a notebook that has
// one (Alt+Shift+letter is free in JupyterLab 4 and in CodeMirror's keys).
const ROOM_SELECTORS = ['.mil-room', `.${HAS_ROOM_CLASS}`];

const interviewIcon = new LabIcon({
  name: 'mock-interviewer-lab:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' +
    '<path class="jp-icon3" fill="#616161" d="M4 3h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-4 4v-4H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm3 5v2h2V8H7zm4 0v2h2V8h-2zm4 0v2h2V8h-2z"/>' +
    '</svg>'
});

/**
 * The launcher card and command palette entry that start a mock interview
 * in a new notebook.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Start a mock coding interview in a new notebook from the launcher or the command palette, and dock its room beside the notebook.',
  autoStart: true,
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ILauncher,
    ITranslator,
    IJupyterWidgetRegistry,
    IRenderMimeRegistry,
    INotebookTracker,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    translator: ITranslator | null,
    widgetRegistry: IJupyterWidgetRegistry | null,
    rendermime: IRenderMimeRegistry | null,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load('mock_interviewer_lab');
    const settings = trackSettings(settingRegistry);

    app.commands.addCommand(COMMAND_NEW, {
      label: trans.__('New mock interview'),
      caption: trans.__(
        'Pick a problem and start a mock interview in a new notebook'
      ),
      icon: args => (args['isPalette'] ? undefined : interviewIcon),
      execute: args =>
        startInterview(
          app,
          settings.current,
          trans,
          typeof args['cwd'] === 'string' ? args['cwd'] : ''
        )
    });
    palette?.addItem({ command: COMMAND_NEW, category: trans.__(CATEGORY) });
    launcher?.add({
      command: COMMAND_NEW,
      category: trans.__(CATEGORY),
      rank: 1,
      categoryRank: LAUNCHER_CATEGORY_RANK
    } as ILauncher.IItemOptions);

    // The voice widget and the countdown of the interview panel: without the
    // ipywidgets manager there is no panel to put them in, and the launcher
    // still works.
    widgetRegistry?.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: {
        ...voiceWidgetExports(voiceSwitch(settings)),
        // The panel's countdown ticks here, not in the kernel.
        ...countdownWidgetExports
      }
    });

    // The room: the `%interview` output's bundle renders as a compact line
    // and docks the room beside the notebook.
    const rooms = new RoomManager(
      app,
      rendermime,
      voiceSwitch(settings),
      notebooks
    );
    rendermime?.addFactory(roomRendererFactory(rooms), ROOM_RANK);
    addRoomCommands(app, rooms, notebooks, palette, trans);
    // A reload reopens the rooms the page had, where they were.
    app.commands.addCommand(COMMAND_OPEN, {
      label: trans.__('Open an interview room'),
      execute: args => {
        const bundle = parseRoomBundle(args['bundle']);
        if (bundle) {
          rooms.restore(bundle, String(args['path'] ?? ''));
        }
      }
    });
    void restorer?.restore(rooms.tracker, {
      command: COMMAND_OPEN,
      args: room => ({ ...rooms.restoreArgs(room) }) as any,
      name: room => room.sessionId
    });
  }
};

/**
 * "Ask for a hint", "Send message", "Run my solution" and "Show the
 * interview room", in the palette, with shortcuts in and beside a room.
 */
function addRoomCommands(
  app: JupyterFrontEnd,
  rooms: RoomManager,
  notebooks: INotebookTracker | null,
  palette: ICommandPalette | null,
  trans: TranslationBundle
): void {
  const current = () => rooms.current(notebooks?.currentWidget ?? null);
  const live = () => {
    const room = current();
    return room !== null && !room.model.ended;
  };
  // Hints and Run my solution are the coding interview's: greyed out in a
  // behavioural room (Send goes to its answer box).
  const coding = () => {
    const room = current();
    return live() && room !== null && !isBehavioral(room.model.bundle);
  };
  const codingOnly = new Set([COMMAND_HINT, COMMAND_RUN]);
  const commands: Array<[string, string, string, string[], () => unknown]> = [
    [
      COMMAND_HINT,
      trans.__('Ask for a hint'),
      trans.__('Ask the interviewer for the next hint'),
      ['Alt Shift H'],
      () => current()?.hint()
    ],
    [
      COMMAND_SEND,
      trans.__('Send message'),
      trans.__(
        "Send the room's message box to the interviewer (empty: go to the box)"
      ),
      ['Alt Shift M'],
      () => {
        const room = current();
        if (room) {
          app.shell.activateById(room.id);
          return room.send();
        }
      }
    ],
    [
      COMMAND_RUN,
      trans.__('Run my solution'),
      trans.__("Run the notebook's %%solution cell against the tests"),
      ['Alt Shift R'],
      () => current()?.runSolution()
    ]
  ];
  for (const [id, label, caption, keys, execute] of commands) {
    app.commands.addCommand(id, {
      label,
      caption,
      isEnabled: codingOnly.has(id) ? coding : live,
      execute
    });
    for (const selector of ROOM_SELECTORS) {
      app.commands.addKeyBinding({ command: id, keys, selector });
    }
    palette?.addItem({ command: id, category: trans.__(CATEGORY) });
  }
  app.commands.addCommand(COMMAND_SHOW, {
    label: trans.__('Show the interview room'),
    caption: trans.__("Bring the current interview's room into view"),
    isEnabled: () => current() !== null,
    execute: () => {
      const room = current();
      if (room) {
        app.shell.activateById(room.id);
      }
    }
  });
  palette?.addItem({ command: COMMAND_SHOW, category: trans.__(CATEGORY) });
}

/**
 * The `voice` setting as the voice widget follows it.
 */
function voiceSwitch(settings: ISettingsHolder): IVoiceSwitch {
  return {
    isOn: () => settings.current.voice,
    onChange: listener => {
      settings.listeners.add(listener);
      return () => settings.listeners.delete(listener);
    }
  };
}

interface ISettingsHolder {
  current: IInterviewSettings;
  listeners: Set<() => void>;
}

/**
 * The plugin settings, kept current as the user edits them.
 */
function trackSettings(registry: ISettingRegistry | null): ISettingsHolder {
  const holder: ISettingsHolder = {
    current: DEFAULT_SETTINGS,
    listeners: new Set()
  };
  if (!registry) {
    return holder;
  }
  registry
    .load(PLUGIN_ID)
    .then(loaded => {
      const update = () => {
        holder.current = normaliseSettings(loaded.composite);
        holder.listeners.forEach(listener => listener());
      };
      update();
      loaded.changed.connect(update);
    })
    .catch(reason => {
      console.error(`${PLUGIN_ID}: could not load the settings`, reason);
    });
  return holder;
}

async function startInterview(
  app: JupyterFrontEnd,
  settings: IInterviewSettings,
  trans: TranslationBundle,
  cwd: string
): Promise<NotebookPanel | undefined> {
  const serverSettings = app.serviceManager.serverSettings;
  let problems: IProblemSummary[];
  try {
    problems = await fetchProblems(serverSettings);
  } catch (error) {
    await showServerError(error, trans);
    return undefined;
  }
  if (problems.length === 0) {
    await showDialog({
      title: trans.__('No problems'),
      body: trans.__(
        'The Mock Interviewer server has no problems to offer: add a problem pack and try again.'
      ),
      buttons: [Dialog.okButton()]
    });
    return undefined;
  }
  const pick = await pickInterview(problems, settings, serverSettings, trans);
  if (!pick) {
    return undefined;
  }
  const sources = interviewCellSources(problemRef(pick.problem, problems), {
    ...settings,
    coachLevel: pick.coachLevel,
    minutes: pick.minutes
  });
  const panel = await openNewNotebook(
    app,
    cwd,
    `interview-${pick.problem.id}`,
    sources
  );
  await panel.context.ready;
  await panel.sessionContext.ready;
  await NotebookActions.runAll(panel.content, panel.sessionContext);
  await editStub(panel);
  return panel;
}

/**
 * A notebook of `sources` saved as `<cwd>/<stem>.ipynb` (`<stem>-2.ipynb`
 * and so on when taken), opened with the default kernel so no kernel
 * picker interrupts the start.
 */
async function openNewNotebook(
  app: JupyterFrontEnd,
  cwd: string,
  stem: string,
  sources: string[]
): Promise<NotebookPanel> {
  const { contents, kernelspecs } = app.serviceManager;
  await kernelspecs.ready;
  const kernelName = kernelspecs.specs?.default ?? '';
  const spec = kernelName ? kernelspecs.specs?.kernelspecs[kernelName] : null;
  const path = await freePath(contents, cwd, stem, '.ipynb');
  await contents.save(path, {
    type: 'notebook',
    format: 'json',
    content: {
      cells: sources.map(source => ({
        cell_type: 'code',
        source,
        metadata: {},
        outputs: [],
        execution_count: null
      })),
      metadata: spec
        ? {
            kernelspec: {
              name: spec.name,
              display_name: spec.display_name,
              language: spec.language
            }
          }
        : {},
      nbformat: 4,
      nbformat_minor: 5
    }
  });
  return (await app.commands.execute('docmanager:open', {
    path,
    factory: 'Notebook',
    kernel: kernelName ? { name: kernelName } : undefined
  })) as NotebookPanel;
}

/**
 * The first of `<cwd>/<stem><ext>`, `<cwd>/<stem>-2<ext>`, … that the
 * folder does not hold.
 */
export async function freePath(
  contents: Contents.IManager,
  cwd: string,
  stem: string,
  ext: string
): Promise<string> {
  const folder = cwd.replace(/\/+$/, '');
  const safeStem = stem.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const listing = await contents.get(folder, { content: true });
  const taken = new Set(
    Array.isArray(listing.content)
      ? (listing.content as Contents.IModel[]).map(item => item.name)
      : []
  );
  let index = 1;
  const name = () => `${safeStem}${index === 1 ? '' : `-${index}`}${ext}`;
  while (taken.has(name())) {
    index += 1;
  }
  return folder ? `${folder}/${name()}` : name();
}

/** How long the kernel may take to put the stub below `%interview`. */
const STUB_WAIT_MS = 15000;

/**
 * The cursor in the `%%solution` stub the kernel put below `%interview`,
 * in edit mode, with the stub's `...` selected so typing replaces it.
 */
async function editStub(panel: NotebookPanel): Promise<void> {
  const notebook = panel.content;
  const started = Date.now();
  let index = -1;
  while (index < 0 && Date.now() - started < STUB_WAIT_MS) {
    index = notebook.widgets.findIndex(cell =>
      /^\s*%%solution\b/.test(cell.model.sharedModel.getSource())
    );
    if (index < 0) {
      await new Promise(resolve => window.setTimeout(resolve, 100));
    }
  }
  if (index < 0) {
    index = notebook.widgets.length - 1;
  }
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  notebook.mode = 'edit';
  const cell = notebook.widgets[index];
  await cell.ready;
  const editor = cell.editor;
  if (!editor) {
    return;
  }
  const lines = cell.model.sharedModel.getSource().split('\n');
  let body = lines.length - 1;
  while (body > 0 && lines[body].trim() === '') {
    body -= 1;
  }
  const ellipsis = lines[body].indexOf('...');
  if (lines[body].trim() === '...') {
    editor.setSelection({
      start: { line: body, column: ellipsis },
      end: { line: body, column: ellipsis + 3 }
    });
  } else {
    editor.setCursorPosition({ line: body, column: lines[body].length });
  }
  editor.focus();
}

async function showServerError(
  error: unknown,
  trans: TranslationBundle
): Promise<void> {
  const detail =
    error instanceof ServerExtensionError
      ? error.message
      : String(error ?? 'unknown error');
  const notEnabled =
    error instanceof ServerExtensionError &&
    (error.status === null || error.status === 404);
  const advice = notEnabled
    ? trans.__(
        'Is the server extension enabled? `jupyter server extension list` should show mock_interviewer_lab.server as enabled; `jupyter server extension enable mock_interviewer_lab.server` enables it, then restart JupyterLab.'
      )
    : trans.__('See the JupyterLab server log for details.');
  await showDialog({
    title: trans.__('Mock Interviewer server did not answer'),
    body: paragraphs([
      trans.__('Could not get the problem list: %1', detail),
      advice
    ]),
    buttons: [Dialog.okButton()]
  });
}

// A dialog body of separate paragraphs (a plain string body loses its line
// breaks).
function paragraphs(texts: string[]): Widget {
  const node = document.createElement('div');
  for (const text of texts) {
    const paragraph = document.createElement('p');
    paragraph.textContent = text;
    node.appendChild(paragraph);
  }
  return new Widget({ node });
}

export default plugin;
