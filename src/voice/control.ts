/**
 * The microphone row: a button, calibration, the live partial transcript
 * and the coach's voice, in plain DOM.
 *
 * The imperative shell around state.ts: it owns the microphone, the voice
 * WebSocket and the speaker, feeds what they report to `step`, and carries
 * out the effects `step` returns. Two hosts use it: the ipywidgets view of
 * the notebook panel (widget.ts, where there is no room) and the docked
 * room (src/room/). The candidate's finished utterances are not shown
 * here: the server posts them to the session, and they reach the
 * transcript through the session's own socket.
 */
import { ServerConnection } from '@jupyterlab/services';

import { closeQuietly } from '../socket';
import { IFrame, Microphone, MicrophoneError } from './capture';
import { Speaker } from './playback';
import {
  decodeBase64,
  parseServerMessage,
  playbackMessage,
  startMessage,
  typingMessage,
  voiceSocketUrl
} from './protocol';
import {
  BargeInDetector,
  CALIBRATION_SECONDS,
  initialState,
  IVoiceState,
  oneLine,
  step,
  streaming,
  VoiceEffect,
  VoiceInput
} from './state';

/**
 * Whether the candidate turned voice on (the plugin's `voice` setting),
 * and a way to hear when that changes.
 */
export interface IVoiceSwitch {
  isOn(): boolean;
  onChange(listener: () => void): () => void;
}

export const DEFAULT_NOISE_THRESHOLD = 0.03;

/** At most one typing message per this many milliseconds. */
const TYPING_EVERY_MS = 3000;

/**
 * What the host tells the control, read when needed (the ipywidgets model
 * may change them at any time).
 */
export interface IVoiceHost {
  /** The session the microphone talks to ('' = none yet). */
  sessionId(): string;
  /** The API root relative to the server's base URL. */
  apiPath(): string;
  /** False: the interview ended; the microphone is off and greyed. */
  enabled(): boolean;
  /** The plugin's `voice` setting. */
  voiceSwitch: IVoiceSwitch;
  /** Server settings (the page's by default). */
  serverSettings?: ServerConnection.ISettings;
  /** Called after every change of the state (status and partial). */
  changed?(state: IVoiceState): void;
  /** The class of the buttons (the ipywidgets look in the panel). */
  buttonClass?: string;
}

export class VoiceControl {
  /**
   * Build the row inside `node` (which gets the `mil-voice` class).
   */
  constructor(
    readonly node: HTMLElement,
    private readonly _host: IVoiceHost,
    noiseThreshold: number = DEFAULT_NOISE_THRESHOLD
  ) {
    this._state = initialState(validThreshold(noiseThreshold));
    node.classList.add('mil-voice');

    const controls = document.createElement('div');
    controls.className = 'mil-voice-controls';
    const buttonClass = _host.buttonClass ?? '';
    this._micButton = button(`${buttonClass} mil-voice-mic`, () =>
      this.dispatch({ kind: 'toggle' })
    );
    this._micButton.dataset.testid = 'mil-voice-mic';
    this._calibrateButton = button(`${buttonClass} mil-voice-calibrate`, () =>
      this.dispatch({ kind: 'calibrate' })
    );
    this._calibrateButton.dataset.testid = 'mil-voice-calibrate';
    this._calibrateButton.textContent = `Calibrate (${CALIBRATION_SECONDS} s of silence)`;
    this._calibrateButton.title =
      'Stay quiet while the microphone measures the room: speech is what is louder.';
    this._statusNode = document.createElement('span');
    this._statusNode.className = 'mil-voice-status';
    controls.append(this._micButton, this._calibrateButton, this._statusNode);

    this._partialNode = document.createElement('div');
    this._partialNode.className = 'mil-voice-partial';
    this._partialNode.setAttribute('aria-live', 'polite');
    this._noteNode = document.createElement('div');
    this._noteNode.className = 'mil-voice-note';
    this._errorNode = document.createElement('div');
    this._errorNode.className = 'mil-voice-error';
    this._errorNode.setAttribute('role', 'alert');
    node.append(controls, this._partialNode, this._noteNode, this._errorNode);

    this._unfollowSwitch = _host.voiceSwitch.onChange(() => {
      if (!_host.voiceSwitch.isOn()) {
        this.dispatch({ kind: 'disable' });
      }
      this.draw();
    });
    // Capture phase: the notebook editor may stop the event's propagation.
    document.addEventListener('keydown', this._onKeydown, true);
    this.draw();
  }

  get state(): IVoiceState {
    return this._state;
  }

  /** Whether the row is shown (the `voice` setting is on). */
  get visible(): boolean {
    return this._host.voiceSwitch.isOn();
  }

  /** The host's `enabled` changed. */
  enabledChanged(): void {
    if (!this._host.enabled()) {
      this.dispatch({ kind: 'disable' });
    }
    this.draw();
  }

  /** A new threshold from the host; it applies while the mic is off. */
  setNoiseThreshold(value: number): void {
    if (this._state.mic === 'off') {
      this._state = {
        ...this._state,
        noiseThreshold: validThreshold(value)
      };
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    document.removeEventListener('keydown', this._onKeydown, true);
    this._unfollowSwitch?.();
    this._unfollowSwitch = null;
    this.dispatch({ kind: 'disable' });
    this._closeMic();
    this._closeSocket();
    this._speaker?.stop();
    this._speaker = null;
    void this._context?.close().catch(() => undefined);
    this._context = null;
  }

  // --------------------------------------------------------------- core

  dispatch(input: VoiceInput): void {
    const result = step(this._state, input);
    this._state = result.state;
    for (const effect of result.effects) {
      this._run(effect);
    }
    this.draw();
    this._host.changed?.(this._state);
  }

  private _run(effect: VoiceEffect): void {
    switch (effect.kind) {
      case 'open_mic':
        this._openMic();
        break;
      case 'close_mic':
        this._closeMic();
        break;
      case 'open_socket':
        this._openSocket();
        break;
      case 'send_start':
        this._send(startMessage(this._clientId));
        break;
      case 'send':
        this._send(effect.text);
        break;
      case 'close_socket':
        this._closeSocket();
        break;
      case 'close_socket_later':
        this._clearCloseTimer();
        this._closeTimer = window.setTimeout(() => {
          this._closeTimer = null;
          this.dispatch({ kind: 'stop_grace_over' });
        }, effect.ms);
        break;
      case 'stop_playback':
        this._speaker?.stop();
        break;
      case 'play':
        this._play(effect.id, effect.audioB64);
        break;
    }
  }

  // --------------------------------------------------------- microphone

  // Created on the first click (a user gesture: browsers let only such a
  // context make sound) and kept for the control's life.
  private _audioContext(): AudioContext {
    if (!this._context) {
      this._context = new AudioContext({ latencyHint: 'interactive' });
    }
    return this._context;
  }

  private _openMic(): void {
    const attempt = ++this._micAttempt;
    let context: AudioContext;
    try {
      context = this._audioContext();
    } catch (error) {
      this.dispatch({
        kind: 'mic_failed',
        message: `The browser refused to start audio (${String(error)}); you can keep typing.`
      });
      return;
    }
    Microphone.open(context, frame => this._onFrame(frame))
      .then(mic => {
        if (attempt !== this._micAttempt || this._state.mic === 'off') {
          mic.close(); // stopped while the browser was asking
          return;
        }
        this._mic = mic;
      })
      .catch(error => {
        if (attempt !== this._micAttempt) {
          return;
        }
        const message =
          error instanceof MicrophoneError
            ? error.message
            : `The microphone could not be opened (${String(error)}); you can keep typing.`;
        this.dispatch({ kind: 'mic_failed', message });
      });
  }

  /**
   * Keys pressed anywhere in JupyterLab while the mic streams: the candidate
   * is writing code, which ends a silence as speech does. Throttled, since
   * the server only needs to know that it happened.
   */
  private readonly _onKeydown = (): void => {
    const now = Date.now();
    if (
      now - this._lastTyping < TYPING_EVERY_MS ||
      !streaming(this._state) ||
      !this._socket ||
      this._socket.readyState !== WebSocket.OPEN
    ) {
      return;
    }
    this._lastTyping = now;
    this._socket.send(typingMessage());
  };

  private _closeMic(): void {
    this._micAttempt += 1;
    this._mic?.close();
    this._mic = null;
  }

  private _onFrame(frame: IFrame): void {
    const socket = this._socket;
    if (
      streaming(this._state) &&
      socket &&
      socket.readyState === WebSocket.OPEN
    ) {
      socket.send(frame.pcm);
    }
    const speaker = this._speaker;
    if (
      speaker &&
      this._bargeIn.feed(frame.rms, this._state.noiseThreshold, speaker.playing)
    ) {
      speaker.stop(); // the candidate talks over the coach
    }
  }

  // ------------------------------------------------------------- socket

  private _openSocket(): void {
    this._closeSocket();
    const sessionId = this._host.sessionId();
    const apiPath = this._host.apiPath();
    if (!sessionId) {
      window.setTimeout(() =>
        this.dispatch({
          kind: 'socket_closed',
          code: 0,
          reason: 'this panel has no session id'
        })
      );
      return;
    }
    let socket: WebSocket;
    try {
      const url = voiceSocketUrl(
        this._host.serverSettings ?? ServerConnection.makeSettings(),
        apiPath,
        sessionId
      );
      socket = new WebSocket(url);
    } catch (error) {
      const reason = String(error);
      window.setTimeout(() =>
        this.dispatch({ kind: 'socket_closed', code: 0, reason })
      );
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this._socket === socket) {
        this.dispatch({ kind: 'socket_open' });
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this._socket !== socket || typeof event.data !== 'string') {
        return;
      }
      const message = parseServerMessage(event.data);
      if (message) {
        this.dispatch({ kind: 'server', message });
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this._socket === socket) {
        this._socket = null;
        this.dispatch({
          kind: 'socket_closed',
          code: event.code,
          reason: oneLine(event.reason)
        });
      }
    };
    this._socket = socket;
  }

  private _send(text: string): void {
    const socket = this._socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(text);
    }
  }

  private _closeSocket(): void {
    this._clearCloseTimer();
    const socket = this._socket;
    this._socket = null;
    closeQuietly(socket, 'microphone off');
  }

  private _clearCloseTimer(): void {
    if (this._closeTimer !== null) {
      window.clearTimeout(this._closeTimer);
      this._closeTimer = null;
    }
  }

  // ------------------------------------------------------------ speaker

  private _play(id: number, audioB64: string): void {
    if (!this._speaker) {
      this._speaker = new Speaker(
        this._audioContext(),
        (state, playedId) => {
          this._send(playbackMessage(state, playedId));
          this.draw();
        },
        message => {
          this._state = { ...this._state, error: oneLine(message) };
          this.draw();
        }
      );
    }
    let wav: ArrayBuffer;
    try {
      wav = decodeBase64(audioB64);
    } catch {
      this._state = {
        ...this._state,
        error:
          "The coach's reply came as broken audio; it is in the transcript."
      };
      this.draw();
      return;
    }
    this._speaker.enqueue(id, wav);
  }

  // ------------------------------------------------------------ drawing

  draw(): void {
    const state = this._state;
    const visible = this.visible;
    this.node.classList.toggle('mil-voice-hidden', !visible);
    const hostEnabled = this._host.enabled();
    const enabled = hostEnabled && visible;
    const on = state.mic !== 'off';
    this._micButton.textContent = on ? 'Stop microphone' : 'Start microphone';
    this._micButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    this._micButton.classList.toggle('mod-active', on);
    this._micButton.disabled = !enabled || state.mic === 'stopping';
    this._calibrateButton.disabled =
      !enabled ||
      state.calibrating ||
      state.calibratePending ||
      state.mic === 'stopping';
    this._statusNode.textContent = statusText(
      state,
      Boolean(this._speaker?.playing),
      hostEnabled
    );
    this._partialNode.textContent = state.partial;
    this._noteNode.textContent = state.note;
    this._errorNode.textContent = state.error;
    this._errorNode.title = state.error; // the whole line when it is cut
  }

  private _state: IVoiceState;
  private readonly _micButton: HTMLButtonElement;
  private readonly _calibrateButton: HTMLButtonElement;
  private readonly _statusNode: HTMLElement;
  private readonly _partialNode: HTMLElement;
  private readonly _noteNode: HTMLElement;
  private readonly _errorNode: HTMLElement;
  private _context: AudioContext | null = null;
  private _mic: Microphone | null = null;
  private _micAttempt = 0;
  private _socket: WebSocket | null = null;
  private _closeTimer: number | null = null;
  private _speaker: Speaker | null = null;
  private _bargeIn = new BargeInDetector();
  private _unfollowSwitch: (() => void) | null = null;
  private readonly _clientId = clientId();
  private _lastTyping = 0;
  private _disposed = false;
}

function validThreshold(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_NOISE_THRESHOLD;
}

function button(className: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = className.trim();
  node.addEventListener('click', onClick);
  return node;
}

/**
 * The `status` trait: off, starting, listening, calibrating or stopping.
 */
export function statusName(state: IVoiceState): string {
  if (state.mic === 'on') {
    return state.calibrating ? 'calibrating' : 'listening';
  }
  return state.mic;
}

function statusText(
  state: IVoiceState,
  coachSpeaking: boolean,
  enabled: boolean
): string {
  switch (state.mic) {
    case 'off':
      return enabled ? 'Voice is off.' : 'Voice is off: the interview ended.';
    case 'starting':
      return 'Starting the microphone…';
    case 'stopping':
      return 'Stopping…';
    case 'on':
      if (state.calibrating) {
        return `Calibrating: stay quiet for ${CALIBRATION_SECONDS} s…`;
      }
      return coachSpeaking
        ? 'The coach is speaking (talk to interrupt).'
        : `Listening (${state.engine || 'speech recognition'}).`;
  }
}

function clientId(): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `lab-${random}`;
}
