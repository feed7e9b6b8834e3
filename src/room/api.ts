/**
 * The calls the room makes to the server extension (docs/api.md), all
 * through `ServerConnection` with the application's server settings, so
 * jupyter-server's own auth (token or cookie) and XSRF come with them and
 * the URLs start at the server's base URL (a JupyterHub user's prefix).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_ROOT, requestAPI, requestText } from '../request';
import { sessionSocketUrl } from '../voice/protocol';

/** The API root as the voice control takes it (relative, ending in /). */
export const API_PATH = `${API_ROOT}/`;

export interface ISessionView {
  session: { id: string; problem: string; status: string };
  state: Record<string, unknown>;
}

export interface IEventAnswer {
  actions: unknown[];
  state: Record<string, unknown>;
}

/** An event the room posts (the candidate's own). */
export type RoomEvent =
  | { type: 'said'; text: string }
  | { type: 'hint' }
  | { type: 'typing' }
  | { type: 'end'; reason: 'candidate' };

function sessionPath(sessionId: string, ...rest: string[]): string {
  return URLExt.join('sessions', encodeURIComponent(sessionId), ...rest);
}

export function fetchSession(
  settings: ServerConnection.ISettings,
  sessionId: string
): Promise<ISessionView> {
  return requestAPI<ISessionView>(sessionPath(sessionId), settings);
}

export function fetchProblem(
  settings: ServerConnection.ISettings,
  ref: string
): Promise<Record<string, unknown>> {
  return requestAPI<Record<string, unknown>>(
    URLExt.join('problems', encodeURIComponent(ref)),
    settings
  );
}

export function postEvent(
  settings: ServerConnection.ISettings,
  sessionId: string,
  event: RoomEvent
): Promise<IEventAnswer> {
  return requestAPI<IEventAnswer>(sessionPath(sessionId, 'events'), settings, {
    method: 'POST',
    body: JSON.stringify(event)
  });
}

/**
 * The session's report as an HTML page (a whole document).
 */
export function fetchReportHtml(
  settings: ServerConnection.ISettings,
  sessionId: string
): Promise<string> {
  return requestText(
    `${sessionPath(sessionId, 'report')}?format=html`,
    settings
  );
}

/**
 * `<wsUrl>mock-interviewer/api/sessions/<id>/ws`, with the token when the
 * settings say so (as src/voice does for its socket).
 */
export function roomSocketUrl(
  settings: ServerConnection.ISettings,
  sessionId: string
): string {
  return sessionSocketUrl(settings, API_PATH, sessionId, 'ws');
}
