/**
 * The voice WebSocket's messages (docs/voice.md and the server's
 * mock_interviewer_lab/server/sockets.py) and the socket's address.
 *
 * Pure: nothing here touches the network, the microphone or the DOM.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The one sample rate and format every engine is fed.
 */
export const SAMPLE_RATE = 16000;

/**
 * The largest binary frame the server takes (1 s of PCM16).
 */
export const MAX_FRAME_BYTES = 32000;

/**
 * The error codes the server sends.
 */
export type VoiceErrorCode =
  | 'bad_frame'
  | 'bad_rate'
  | 'busy'
  | 'engine_failed'
  | 'no_engine'
  | 'tts_failed';

/**
 * A message of the server, checked field by field.
 */
export type ServerMessage =
  | {
      type: 'ready';
      engine: string;
      model: string;
      tts: string | null;
      sampleRate: number;
    }
  | { type: 'speech_start' }
  | { type: 'partial'; text: string }
  | { type: 'final'; text: string; seq: number | null }
  | { type: 'speak'; id: number; text: string; mime: string; audioB64: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'calibrated'; noiseThreshold: number };

/**
 * The server's message, or undefined for anything that is not one of the
 * contract's (a newer server may send more kinds: they are ignored).
 */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object') {
    return undefined;
  }
  const data = raw as Record<string, unknown>;
  const str = (key: string): string =>
    typeof data[key] === 'string' ? (data[key] as string) : '';
  const num = (key: string): number | null =>
    typeof data[key] === 'number' && Number.isFinite(data[key])
      ? (data[key] as number)
      : null;
  switch (data.type) {
    case 'ready':
      return {
        type: 'ready',
        engine: str('engine'),
        model: str('model'),
        tts: typeof data.tts === 'string' ? data.tts : null,
        sampleRate: num('sample_rate') ?? SAMPLE_RATE
      };
    case 'speech_start':
      return { type: 'speech_start' };
    case 'partial':
      return { type: 'partial', text: str('text') };
    case 'final':
      return { type: 'final', text: str('text'), seq: num('seq') };
    case 'speak': {
      const id = num('id');
      const audioB64 = str('audio_b64');
      if (id === null || audioB64 === '') {
        return undefined;
      }
      return {
        type: 'speak',
        id,
        text: str('text'),
        mime: str('mime') || 'audio/wav',
        audioB64
      };
    }
    case 'error':
      return {
        type: 'error',
        code: str('code') || 'error',
        message: str('message') || 'the voice service failed'
      };
    case 'calibrated': {
      const noiseThreshold = num('noise_threshold');
      return noiseThreshold === null
        ? undefined
        : { type: 'calibrated', noiseThreshold };
    }
    default:
      return undefined;
  }
}

/**
 * The first message on the socket.
 */
export function startMessage(clientId: string): string {
  return JSON.stringify({
    type: 'start',
    sample_rate: SAMPLE_RATE,
    format: 'pcm16',
    client: clientId
  });
}

export function stopMessage(): string {
  return JSON.stringify({ type: 'stop' });
}

export function calibrateMessage(seconds: number): string {
  return JSON.stringify({ type: 'calibrate', seconds });
}

/** The candidate is typing (sent at most every few seconds while the mic
 * is on), so that coding in silence is not taken for being stuck. */
export function typingMessage(): string {
  return JSON.stringify({ type: 'typing' });
}

export function playbackMessage(
  state: 'started' | 'ended',
  id: number
): string {
  return JSON.stringify({ type: 'playback', state, id });
}

/**
 * `<wsUrl><apiPath>sessions/<id>/voice`, with the token as a query
 * parameter when the server settings say so, as JupyterLab's own kernel
 * sockets do (a browser cannot set headers on a WebSocket; the cookie
 * covers the usual case).
 */
export function voiceSocketUrl(
  settings: ServerConnection.ISettings,
  apiPath: string,
  sessionId: string
): string {
  return sessionSocketUrl(settings, apiPath, sessionId, 'voice');
}

/**
 * `<wsUrl><apiPath>sessions/<id>/<kind>`: one of a session's two sockets
 * (`ws`, the session's actions; `voice`), with the token as for the voice.
 */
export function sessionSocketUrl(
  settings: ServerConnection.ISettings,
  apiPath: string,
  sessionId: string,
  kind: 'ws' | 'voice'
): string {
  const url = URLExt.join(
    settings.wsUrl,
    apiPath,
    'sessions',
    encodeURIComponent(sessionId),
    kind
  );
  const token = settings.token;
  return settings.appendToken && token !== ''
    ? `${url}?token=${encodeURIComponent(token)}`
    : url;
}

/**
 * Base64 (the `speak` message's audio) to bytes.
 */
export function decodeBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes.buffer;
}
