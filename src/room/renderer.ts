/**
 * The `%interview` cell's output in JupyterLab: a compact line (the title,
 * the session id, "Show the room") instead of the ipywidgets panel, and
 * the room docked beside the notebook.
 *
 * The kernel displays one bundle with the room's MIME type, the panel's
 * widget view and a text line; this renderer's rank beats the widget
 * view's (-10, @jupyter-widgets/jupyterlab-manager), so JupyterLab shows
 * this, and every other front end (classic notebook, VS Code, nbclient)
 * the panel.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { RoomManager, notebookOf } from './manager';
import { IRoomBundle, parseRoomBundle, ROOM_MIME } from './model';

/** Lower wins: the widget view's is -10. */
export const ROOM_RANK = -20;

export class RoomLink extends Widget implements IRenderMime.IRenderer {
  constructor(
    private readonly _manager: RoomManager,
    options: IRenderMime.IRendererOptions
  ) {
    super();
    this.addClass('mil-room-link');
    this.node.dataset.testid = 'mil-room-link';
    this._mimeType = options.mimeType;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const bundle = parseRoomBundle(model.data[this._mimeType]);
    this._bundle = bundle;
    this.node.textContent = '';
    if (!bundle) {
      this.node.textContent = String(model.data['text/plain'] ?? '');
      return;
    }
    const line = document.createElement('span');
    line.className = 'mil-room-link-text';
    const title = document.createElement('strong');
    title.textContent = bundle.title || bundle.problem;
    const id = document.createElement('code');
    id.textContent = bundle.session_id;
    this._state = document.createElement('span');
    this._state.className = 'mil-room-link-state';
    this._state.textContent = ' — the room is on the right.';
    line.append('Interview ', id, ': ', title, this._state);

    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'mil-mod-primary mil-room-show';
    button.dataset.testid = 'mil-room-show';
    button.textContent = 'Show the room';
    button.setAttribute(
      'aria-label',
      `Show the room of interview ${bundle.session_id}`
    );
    button.addEventListener('click', () => {
      this._manager.show(bundle, notebookOf(this), true);
      this._state.textContent = ' — the room is on the right.';
    });
    this.node.append(line, button);
    if (this.isAttached) {
      this._autoShow();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._autoShow();
  }

  // Once per output: a new `%interview` (or one re-run while it runs)
  // opens or reveals the room; an ended interview's output only says so.
  private _autoShow(): void {
    const bundle = this._bundle;
    if (!bundle || this._shown) {
      return;
    }
    this._shown = true;
    void this._manager.showIfLive(bundle, notebookOf(this)).then(open => {
      if (!open && this._bundle === bundle) {
        this._state.textContent = ' — this interview has ended.';
      }
    });
  }

  private readonly _mimeType: string;
  private _bundle: IRoomBundle | null = null;
  private _shown = false;
  private _state: HTMLElement = document.createElement('span');
}

/**
 * The renderer factory to add to the rendermime registry.
 */
export function roomRendererFactory(
  manager: RoomManager
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [ROOM_MIME],
    defaultRank: ROOM_RANK,
    createRenderer: options => new RoomLink(manager, options)
  };
}
