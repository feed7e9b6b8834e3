/**
 * What the voice widget is doing, as a pure step function: an input (a
 * click, the microphone or the socket reporting, a server message) and the
 * current state give the next state and the effects the view must carry
 * out. The view (widget.ts) owns the microphone, the socket and the
 * speaker; nothing here touches them.
 */
import { calibrateMessage, ServerMessage, stopMessage } from './protocol';

/**
 * The microphone as the candidate sees it.
 */
export type MicPhase = 'off' | 'starting' | 'on' | 'stopping';

export interface IVoiceState {
  mic: MicPhase;
  /**
   * The socket is open and the server said `ready`: audio may flow.
   */
  ready: boolean;
  engine: string;
  tts: string | null;
  /**
   * The hypothesis of the utterance under way, '' between utterances.
   */
  partial: string;
  /**
   * One line for the candidate, '' when all is well.
   */
  error: string;
  /**
   * A passing remark (the calibration's result), '' when none.
   */
  note: string;
  calibrating: boolean;
  /**
   * Calibration asked for before the server was ready: sent on `ready`.
   */
  calibratePending: boolean;
  /**
   * The RMS (0..1 of PCM16 full scale) above which sound is speech; the
   * server's `stt.noise_threshold`, then what calibration measured.
   */
  noiseThreshold: number;
}

export const CALIBRATION_SECONDS = 3;

/**
 * How long after `stop` the socket stays open for the last final.
 */
export const STOP_GRACE_MS = 3000;

export function initialState(noiseThreshold: number): IVoiceState {
  return {
    mic: 'off',
    ready: false,
    engine: '',
    tts: null,
    partial: '',
    error: '',
    note: '',
    calibrating: false,
    calibratePending: false,
    noiseThreshold
  };
}

export type VoiceInput =
  | { kind: 'toggle' }
  | { kind: 'calibrate' }
  | { kind: 'disable' }
  | { kind: 'mic_failed'; message: string }
  | { kind: 'socket_open' }
  | { kind: 'socket_closed'; code: number; reason: string }
  | { kind: 'stop_grace_over' }
  | { kind: 'server'; message: ServerMessage };

export type VoiceEffect =
  | { kind: 'open_mic' }
  | { kind: 'close_mic' }
  | { kind: 'open_socket' }
  | { kind: 'send_start' }
  | { kind: 'send'; text: string }
  | { kind: 'close_socket' }
  | { kind: 'close_socket_later'; ms: number }
  | { kind: 'stop_playback' }
  | { kind: 'play'; id: number; audioB64: string };

export interface IStep {
  state: IVoiceState;
  effects: VoiceEffect[];
}

/**
 * Audio frames go to the server only in this state.
 */
export function streaming(state: IVoiceState): boolean {
  return state.mic === 'on' && state.ready;
}

/**
 * The next state and what to do, for one input.
 */
export function step(state: IVoiceState, input: VoiceInput): IStep {
  switch (input.kind) {
    case 'toggle':
      return state.mic === 'off' ? start(state) : stop(state);
    case 'calibrate':
      return calibrate(state);
    case 'disable':
      return state.mic === 'off' ? { state, effects: [] } : stop(state);
    case 'mic_failed':
      return shutDown(state, input.message);
    case 'socket_open':
      return { state, effects: [{ kind: 'send_start' }] };
    case 'socket_closed':
      return socketClosed(state, input.code, input.reason);
    case 'stop_grace_over':
      return state.mic === 'stopping'
        ? shutDown(state, state.error)
        : { state, effects: [] };
    case 'server':
      return serverMessage(state, input.message);
  }
}

function start(state: IVoiceState): IStep {
  return {
    state: {
      ...state,
      mic: 'starting',
      ready: false,
      error: '',
      note: '',
      partial: ''
    },
    effects: [{ kind: 'open_mic' }, { kind: 'open_socket' }]
  };
}

// The mic closes at once; the socket stays a little longer so the server
// can send the final of the utterance that was under way.
function stop(state: IVoiceState): IStep {
  const effects: VoiceEffect[] = [{ kind: 'close_mic' }];
  if (state.ready) {
    effects.push(
      { kind: 'send', text: stopMessage() },
      { kind: 'close_socket_later', ms: STOP_GRACE_MS }
    );
    return {
      state: {
        ...state,
        mic: 'stopping',
        calibrating: false,
        calibratePending: false
      },
      effects
    };
  }
  effects.push({ kind: 'close_socket' }, { kind: 'stop_playback' });
  return { state: off(state, state.error), effects };
}

function calibrate(state: IVoiceState): IStep {
  if (state.calibrating || state.calibratePending) {
    return { state, effects: [] };
  }
  if (state.mic === 'off' || state.mic === 'stopping') {
    // Calibration needs the microphone: start it and calibrate on `ready`.
    const started = start(state);
    return {
      state: { ...started.state, calibratePending: true },
      effects: started.effects
    };
  }
  if (!state.ready) {
    return { state: { ...state, calibratePending: true }, effects: [] };
  }
  return {
    state: { ...state, calibrating: true, note: '', error: '' },
    effects: [
      { kind: 'send', text: calibrateMessage(CALIBRATION_SECONDS) },
      { kind: 'stop_playback' }
    ]
  };
}

function socketClosed(state: IVoiceState, code: number, reason: string): IStep {
  if (state.mic === 'off') {
    return { state, effects: [] };
  }
  if (state.mic === 'stopping' || state.error !== '') {
    // Asked for, or the server already said why.
    return shutDown(state, state.error);
  }
  const why = reason ? `: ${reason}` : code ? ` (code ${code})` : '';
  if (!state.ready) {
    return shutDown(
      state,
      `Could not open the voice connection${why}; is the Mock Interviewer server extension enabled? You can keep typing.`
    );
  }
  return shutDown(
    state,
    `The voice connection closed${why}. You can keep typing, or start the microphone again.`
  );
}

function shutDown(state: IVoiceState, error: string): IStep {
  return {
    state: off(state, error),
    effects: [
      { kind: 'close_mic' },
      { kind: 'close_socket' },
      { kind: 'stop_playback' }
    ]
  };
}

function off(state: IVoiceState, error: string): IVoiceState {
  return {
    ...state,
    mic: 'off',
    ready: false,
    partial: '',
    calibrating: false,
    calibratePending: false,
    error
  };
}

function serverMessage(state: IVoiceState, message: ServerMessage): IStep {
  switch (message.type) {
    case 'ready': {
      if (state.mic !== 'starting') {
        return { state, effects: [] };
      }
      const ready: IVoiceState = {
        ...state,
        mic: 'on',
        ready: true,
        engine: message.engine,
        tts: message.tts
      };
      return ready.calibratePending
        ? calibrate({ ...ready, calibratePending: false })
        : { state: ready, effects: [] };
    }
    case 'speech_start':
      // Barge-in: the candidate talks over the coach.
      return { state, effects: [{ kind: 'stop_playback' }] };
    case 'partial':
      return { state: { ...state, partial: message.text }, effects: [] };
    case 'final': {
      // The final reaches the transcript through the session's own socket.
      const next = { ...state, partial: '' };
      return state.mic === 'stopping'
        ? shutDown(next, state.error)
        : { state: next, effects: [] };
    }
    case 'speak':
      return state.mic === 'on'
        ? {
            state,
            effects: [
              { kind: 'play', id: message.id, audioB64: message.audioB64 }
            ]
          }
        : { state, effects: [] };
    case 'calibrated':
      return {
        state: {
          ...state,
          calibrating: false,
          noiseThreshold: message.noiseThreshold,
          note: `Noise threshold set to ${message.noiseThreshold.toFixed(3)} and saved.`
        },
        effects: []
      };
    case 'error':
      return serverError(state, message.code, message.message);
  }
}

// busy and no_engine end the voice session (the server closes the socket);
// the others leave it open: a dropped frame or a failed reply to speak
// costs one line, not the microphone.
function serverError(state: IVoiceState, code: string, text: string): IStep {
  const line = oneLine(text);
  if (code === 'busy' || code === 'no_engine' || code === 'bad_rate') {
    return shutDown(state, line);
  }
  return {
    state: { ...state, error: line, calibrating: false },
    effects: []
  };
}

/**
 * A message on one line (the widget has room for no more).
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Barge-in heard in the browser: the microphone's level stays above the
 * noise threshold for a few frames while the coach is speaking. The server
 * says `speech_start` too, but a round trip later.
 */
export class BargeInDetector {
  constructor(readonly framesNeeded = 3) {}

  /**
   * Feed one frame's RMS; true when playback must stop now.
   */
  feed(rms: number, threshold: number, playing: boolean): boolean {
    if (!playing || rms < threshold) {
      this._loudFrames = 0;
      return false;
    }
    this._loudFrames += 1;
    return this._loudFrames >= this.framesNeeded;
  }

  private _loudFrames = 0;
}
