/**
 * The room's line to the server: the session view and the problem on open
 * (REST), then the session socket (`sessions/{id}/ws`), reopened when it
 * drops; the candidate's events go out by POST.
 *
 * Everything that comes in goes to the RoomModel; a reload or a second
 * view of the same session reads the same things, so it shows the same
 * state.
 */
import { ServerConnection } from '@jupyterlab/services';

import { ServerExtensionError } from '../request';
import { closeQuietly } from '../socket';
import {
  fetchProblem,
  fetchSession,
  ISessionView,
  postEvent,
  RoomEvent,
  roomSocketUrl
} from './api';
import { problemView, RoomModel } from './model';

/** Waits between reconnection attempts, in ms (the last one repeats). */
const RECONNECT_MS = [500, 1000, 2000, 5000, 10000];

/** How many times the session view is asked for on open. */
const LOAD_ATTEMPTS = 3;

/** The state is read again this long after actions stop coming, in ms. */
const REFRESH_AFTER_MS = 250;

export class RoomConnection {
  constructor(
    private readonly _model: RoomModel,
    private readonly _settings: ServerConnection.ISettings
  ) {}

  get sessionId(): string {
    return this._model.bundle.session_id;
  }

  /**
   * Load what the room shows, then follow the socket.
   */
  async start(): Promise<void> {
    const view = await this._loadSession();
    // A behavioural interview has no problem to show (its questions come
    // as actions: behavioral.ts).
    const ref =
      this._model.bundle.kind === 'behavioral'
        ? ''
        : this._model.bundle.problem || view?.session.problem || '';
    if (ref && !this._model.problem && !this._disposed) {
      try {
        this._model.setProblem(
          problemView(await fetchProblem(this._settings, ref))
        );
      } catch (error) {
        this._model.setNotice(
          `The problem could not be loaded: ${message(error)}`
        );
      }
    }
    this._open();
  }

  /**
   * Post the candidate's event; its actions are shown at once (the socket
   * brings them too: the model shows each once).
   */
  async post(event: RoomEvent): Promise<void> {
    const answer = await postEvent(this._settings, this.sessionId, event);
    for (const action of answer.actions ?? []) {
      this._model.applyAction(action);
    }
    this._model.setState(answer.state);
  }

  dispose(): void {
    this._disposed = true;
    if (this._retryTimer !== null) {
      window.clearTimeout(this._retryTimer);
    }
    if (this._refreshTimer !== null) {
      window.clearTimeout(this._refreshTimer);
    }
    this._close();
  }

  // The session view. On open a failure is said (after a retry: a session
  // just started may not be readable yet); a refresh that fails leaves the
  // state as it was, since the socket goes on.
  private async _loadSession(refresh = false): Promise<ISessionView | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const view = await fetchSession(this._settings, this.sessionId);
        this._model.setState(view.state);
        return view;
      } catch (error) {
        if (refresh || this._disposed) {
          return null;
        }
        if (attempt < LOAD_ATTEMPTS) {
          await new Promise(resolve => window.setTimeout(resolve, 500));
          continue;
        }
        this._model.setNotice(
          error instanceof ServerExtensionError && error.status === 404
            ? `There is no session ${this.sessionId} on this server.`
            : `The session could not be loaded: ${message(error)}`
        );
        return null;
      }
    }
  }

  private _open(): void {
    if (this._disposed) {
      return;
    }
    this._model.setConnection('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(roomSocketUrl(this._settings, this.sessionId));
    } catch (error) {
      this._retry();
      return;
    }
    socket.onopen = () => {
      this._attempt = 0;
      this._model.setConnection('open');
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') {
        this._receive(event.data);
      }
    };
    socket.onclose = () => {
      if (this._socket !== socket) {
        return;
      }
      this._socket = null;
      if (!this._disposed) {
        this._model.setConnection('lost');
        this._retry();
      }
    };
    this._socket = socket;
  }

  private _receive(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message?.type) {
      case 'snapshot':
        this._model.applySnapshot(message);
        break;
      case 'action': {
        const action = message.action as { type?: unknown } | undefined;
        this._model.applyAction(action);
        // Actions carry no state: the phase's time left, the hint level
        // and the end are read again once they stop coming.
        if (action?.type !== 'coach_partial') {
          this._refreshSoon();
        }
        break;
      }
      case 'event':
        this._model.applyEvent(message.event);
        break;
      case 'state':
        // A server that pushes its state (the clock's ticks) saves a GET.
        this._model.setState(message.state);
        break;
    }
  }

  private _refreshSoon(): void {
    if (this._refreshTimer !== null) {
      window.clearTimeout(this._refreshTimer);
    }
    this._refreshTimer = window.setTimeout(() => {
      this._refreshTimer = null;
      void this._loadSession(true);
    }, REFRESH_AFTER_MS);
  }

  private _retry(): void {
    if (this._disposed || this._retryTimer !== null) {
      return;
    }
    const wait = RECONNECT_MS[Math.min(this._attempt, RECONNECT_MS.length - 1)];
    this._attempt += 1;
    this._retryTimer = window.setTimeout(() => {
      this._retryTimer = null;
      this._open();
    }, wait);
  }

  private _close(): void {
    const socket = this._socket;
    this._socket = null;
    closeQuietly(socket, 'room closed');
  }

  private _socket: WebSocket | null = null;
  private _attempt = 0;
  private _retryTimer: number | null = null;
  private _refreshTimer: number | null = null;
  private _disposed = false;
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
