import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The root of the server extension's REST API, relative to the server's base URL.
 */
export const API_ROOT = 'mock-interviewer/api';

/**
 * One entry of `GET problems` (see docs/api.md).
 */
export interface IProblemSummary {
  id: string;
  qualified_id: string;
  title: string;
  difficulty: string;
  pack: string;
  visible_cases: number;
  hidden_cases: number;
}

/**
 * The server extension did not answer, or answered with an error.
 *
 * `status` is the HTTP status, or `null` when no answer came back at all.
 */
export class ServerExtensionError extends Error {
  constructor(
    message: string,
    readonly status: number | null
  ) {
    super(message);
    this.name = 'ServerExtensionError';
  }
}

/**
 * Call the server extension and return its JSON answer.
 *
 * The request goes through `ServerConnection.makeRequest` with the
 * application's server settings, so jupyter-server's own auth (token or
 * cookie) and XSRF header come with it.
 */
export async function requestAPI<T>(
  endPoint: string,
  serverSettings: ServerConnection.ISettings,
  init: RequestInit = {}
): Promise<T> {
  const { url, response, body } = await request(endPoint, serverSettings, init);
  const data = parseJson(body);
  if (!response.ok) {
    throw new ServerExtensionError(
      errorMessage(response, data, url),
      response.status
    );
  }
  if (data === undefined) {
    throw new ServerExtensionError(
      `${url} answered with something that is not JSON`,
      response.status
    );
  }
  return data as T;
}

/**
 * Call the server extension and return its answer as text (a report in
 * HTML or Markdown), with the same auth and errors as `requestAPI`.
 */
export async function requestText(
  endPoint: string,
  serverSettings: ServerConnection.ISettings,
  init: RequestInit = {}
): Promise<string> {
  const { url, response, body } = await request(endPoint, serverSettings, init);
  if (!response.ok) {
    throw new ServerExtensionError(
      errorMessage(response, parseJson(body), url),
      response.status
    );
  }
  return body;
}

async function request(
  endPoint: string,
  serverSettings: ServerConnection.ISettings,
  init: RequestInit
): Promise<{ url: string; response: Response; body: string }> {
  const url = URLExt.join(serverSettings.baseUrl, API_ROOT, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, serverSettings);
  } catch (error) {
    throw new ServerExtensionError(
      `no answer from ${url}: ${String(error)}`,
      null
    );
  }
  return { url, response, body: await response.text() };
}

/**
 * The problems the server offers, in the server's order.
 */
export async function fetchProblems(
  serverSettings: ServerConnection.ISettings
): Promise<IProblemSummary[]> {
  const answer = await requestAPI<{ problems?: IProblemSummary[] }>(
    'problems',
    serverSettings
  );
  if (!Array.isArray(answer.problems)) {
    throw new ServerExtensionError(
      'the problem list has no "problems" array',
      200
    );
  }
  return answer.problems;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

// The server's errors are `{"error": "<message for a person>"}`; anything
// else (jupyter-server's HTML 404 page when the extension is not enabled)
// gets the status line instead.
function errorMessage(response: Response, data: unknown, url: string): string {
  if (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as { error?: unknown }).error === 'string'
  ) {
    return (data as { error: string }).error;
  }
  return `${url} answered ${response.status} ${response.statusText}`.trim();
}
