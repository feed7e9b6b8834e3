/**
 * The voice widget: an ipywidgets model and view that the Python
 * `VoiceWidget` (mock_interviewer_lab/kernel/voice_widget.py) puts in the
 * interview panel.
 *
 * The view is the imperative shell around state.ts: it owns the
 * microphone, the voice WebSocket and the speaker, feeds what they report
 * to `step`, and carries out the effects `step` returns. The candidate's
 * finished utterances are not shown here: the server posts them to the
 * session, and they reach the panel's transcript through the session's own
 * socket.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  ISerializers
} from '@jupyter-widgets/base';
import { ServerConnection } from '@jupyterlab/services';

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
import { MODULE_NAME, MODULE_VERSION } from './version';

/**
 * Whether the candidate turned voice on (the plugin's `voice` setting),
 * and a way to hear when that changes.
 */
export interface IVoiceSwitch {
  isOn(): boolean;
  onChange(listener: () => void): () => void;
}

const DEFAULT_NOISE_THRESHOLD = 0.03;

/** At most one typing message per this many milliseconds. */
const TYPING_EVERY_MS = 3000;

/**
 * The model's traits, as the Python side declares them.
 */
export class VoiceModel extends DOMWidgetModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: VoiceModel.model_name,
      _model_module: VoiceModel.model_module,
      _model_module_version: VoiceModel.model_module_version,
      _view_name: VoiceModel.view_name,
      _view_module: VoiceModel.view_module,
      _view_module_version: VoiceModel.view_module_version,
      session_id: '',
      api_path: 'mock-interviewer/api/',
      enabled: true,
      noise_threshold: DEFAULT_NOISE_THRESHOLD,
      status: 'off',
      partial: ''
    };
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers
  };

  static model_name = 'VoiceModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'VoiceView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

/**
 * The exports of the ipywidgets module: the model, and a view that follows
 * `voiceSwitch`.
 */
export function voiceWidgetExports(voiceSwitch: IVoiceSwitch): {
  VoiceModel: typeof VoiceModel;
  VoiceView: typeof DOMWidgetView;
} {
  class VoiceView extends BaseVoiceView {
    protected get voiceSwitch(): IVoiceSwitch {
      return voiceSwitch;
    }
  }
  return { VoiceModel, VoiceView };
}

abstract class BaseVoiceView extends DOMWidgetView {
  protected abstract get voiceSwitch(): IVoiceSwitch;

  render(): void {
    super.render();
    this.el.classList.add('mil-voice');
    this._state = initialState(this._modelThreshold());

    const controls = document.createElement('div');
    controls.className = 'mil-voice-controls';
    this._micButton = button('mil-voice-mic', () =>
      this._dispatch({ kind: 'toggle' })
    );
    this._calibrateButton = button('mil-voice-calibrate', () =>
      this._dispatch({ kind: 'calibrate' })
    );
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
    this.el.append(
      controls,
      this._partialNode,
      this._noteNode,
      this._errorNode
    );

    this.listenTo(this.model, 'change:enabled', () => {
      if (!this.model.get('enabled')) {
        this._dispatch({ kind: 'disable' });
      }
      this._draw();
    });
    this.listenTo(this.model, 'change:noise_threshold', () => {
      if (this._state.mic === 'off') {
        this._state = {
          ...this._state,
          noiseThreshold: this._modelThreshold()
        };
      }
    });
    this._unfollowSwitch = this.voiceSwitch.onChange(() => {
      if (!this.voiceSwitch.isOn()) {
        this._dispatch({ kind: 'disable' });
      }
      this._draw();
    });
    // Capture phase: the notebook editor may stop the event's propagation.
    document.addEventListener('keydown', this._onKeydown, true);
    this._draw();
  }

  remove(): any {
    document.removeEventListener('keydown', this._onKeydown, true);
    this._unfollowSwitch?.();
    this._unfollowSwitch = null;
    this._dispatch({ kind: 'disable' });
    this._closeMic();
    this._closeSocket();
    this._speaker?.stop();
    this._speaker = null;
    void this._context?.close().catch(() => undefined);
    this._context = null;
    return super.remove();
  }

  // --------------------------------------------------------------- core

  private _dispatch(input: VoiceInput): void {
    const result = step(this._state, input);
    this._state = result.state;
    for (const effect of result.effects) {
      this._run(effect);
    }
    this._draw();
    this._sync();
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
          this._dispatch({ kind: 'stop_grace_over' });
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
  // context make sound) and kept for the view's life.
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
      this._dispatch({
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
        this._dispatch({ kind: 'mic_failed', message });
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
    const sessionId = String(this.model.get('session_id') ?? '');
    const apiPath = String(this.model.get('api_path') ?? '');
    if (!sessionId) {
      window.setTimeout(() =>
        this._dispatch({
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
        ServerConnection.makeSettings(),
        apiPath,
        sessionId
      );
      socket = new WebSocket(url);
    } catch (error) {
      const reason = String(error);
      window.setTimeout(() =>
        this._dispatch({ kind: 'socket_closed', code: 0, reason })
      );
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this._socket === socket) {
        this._dispatch({ kind: 'socket_open' });
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this._socket !== socket || typeof event.data !== 'string') {
        return;
      }
      const message = parseServerMessage(event.data);
      if (message) {
        this._dispatch({ kind: 'server', message });
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this._socket === socket) {
        this._socket = null;
        this._dispatch({
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
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      if (
        socket.readyState === WebSocket.OPEN ||
        socket.readyState === WebSocket.CONNECTING
      ) {
        socket.close(1000, 'microphone off');
      }
    }
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
          this._draw();
        },
        message => {
          this._state = { ...this._state, error: oneLine(message) };
          this._draw();
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
      this._draw();
      return;
    }
    this._speaker.enqueue(id, wav);
  }

  // ------------------------------------------------------------ drawing

  private _draw(): void {
    if (!this._micButton) {
      return;
    }
    const state = this._state;
    const visible = this.voiceSwitch.isOn();
    this.el.classList.toggle('mil-voice-hidden', !visible);
    const enabled = Boolean(this.model.get('enabled')) && visible;
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
      Boolean(this.model.get('enabled'))
    );
    this._partialNode.textContent = state.partial;
    this._noteNode.textContent = state.note;
    this._errorNode.textContent = state.error;
    this._errorNode.title = state.error; // the whole line when it is cut
  }

  // What the kernel sees: `status` and `partial`.
  private _sync(): void {
    const status = statusName(this._state);
    const partial = this._state.partial;
    if (
      this.model.get('status') !== status ||
      this.model.get('partial') !== partial
    ) {
      this.model.set({ status, partial });
      this.model.save_changes();
    }
  }

  private _modelThreshold(): number {
    const value = Number(this.model.get('noise_threshold'));
    return Number.isFinite(value) && value > 0
      ? value
      : DEFAULT_NOISE_THRESHOLD;
  }

  private _state: IVoiceState = initialState(DEFAULT_NOISE_THRESHOLD);
  private _micButton!: HTMLButtonElement;
  private _calibrateButton!: HTMLButtonElement;
  private _statusNode!: HTMLElement;
  private _partialNode!: HTMLElement;
  private _noteNode!: HTMLElement;
  private _errorNode!: HTMLElement;
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
}

function button(className: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = `jupyter-widgets jupyter-button widget-button ${className}`;
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
