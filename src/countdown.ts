/**
 * The interview panel's countdown, ticking in the browser.
 *
 * The kernel sets the time left (and the phase's) when it learns it, on
 * events; the view counts down from there with its own timer. Nothing goes
 * to the kernel or the server each second, so an abandoned tab does not
 * keep the server "active" for JupyterHub's idle culler.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  ISerializers
} from '@jupyter-widgets/base';

import { MODULE_NAME, MODULE_VERSION } from './voice/version';

/**
 * `mm:ss`, as the kernel's `panel.mmss` writes it (`--:--` when unknown).
 */
export function mmss(seconds: number | null): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return '--:--';
  }
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

/**
 * The countdown's line, as the kernel's `Panel.countdown_text` writes it.
 */
export function countdownText(
  timeLeft: number | null,
  phaseLeft: number | null,
  suffix: string,
  goneSeconds: number
): string {
  const left = timeLeft === null ? null : timeLeft - goneSeconds;
  let phase = phaseLeft === null ? null : phaseLeft - goneSeconds;
  if (phase !== null && left !== null) {
    phase = Math.min(phase, left); // a phase never outlasts the interview
  }
  let text = `${mmss(left)} left`;
  if (phase !== null) {
    text += ` · this phase ${mmss(phase)}`;
  }
  return text + suffix;
}

export class CountdownModel extends DOMWidgetModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: CountdownModel.model_name,
      _model_module: CountdownModel.model_module,
      _model_module_version: CountdownModel.model_module_version,
      _view_name: CountdownModel.view_name,
      _view_module: CountdownModel.view_module,
      _view_module_version: CountdownModel.view_module_version,
      time_left_s: null,
      phase_left_s: null,
      suffix: '',
      running: false
    };
  }

  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers
  };

  static model_name = 'CountdownModel';
  static model_module = MODULE_NAME;
  static model_module_version = MODULE_VERSION;
  static view_name = 'CountdownView';
  static view_module = MODULE_NAME;
  static view_module_version = MODULE_VERSION;
}

export class CountdownView extends DOMWidgetView {
  render(): void {
    this.el.classList.add('mil-countdown');
    this._text = document.createElement('b');
    this.el.appendChild(this._text);
    this.model.on('change', this._restart, this);
    this._restart();
  }

  remove(): void {
    this._stop();
    super.remove();
  }

  /** The kernel said something new: count from now. */
  private _restart(): void {
    this._anchor = performance.now();
    this._stop();
    this._draw();
    if (this.model.get('running')) {
      this._timer = window.setInterval(() => this._draw(), 1000);
    }
  }

  private _stop(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    }
  }

  private _draw(): void {
    const gone = this.model.get('running')
      ? (performance.now() - this._anchor) / 1000
      : 0;
    this._text.textContent = countdownText(
      this.model.get('time_left_s'),
      this.model.get('phase_left_s'),
      this.model.get('suffix') ?? '',
      gone
    );
  }

  private _text!: HTMLElement;
  private _anchor = 0;
  private _timer: number | null = null;
}

export const countdownWidgetExports = { CountdownModel, CountdownView };
