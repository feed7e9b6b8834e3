/**
 * The voice widget: an ipywidgets model and view that the Python
 * `VoiceWidget` (mock_interviewer_lab/kernel/voice_widget.py) puts in the
 * interview panel.
 *
 * The view hosts the microphone row of control.ts (shared with the docked
 * room) and tells the kernel its `status` and `partial`.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  ISerializers
} from '@jupyter-widgets/base';

import {
  DEFAULT_NOISE_THRESHOLD,
  IVoiceSwitch,
  statusName,
  VoiceControl
} from './control';
import { IVoiceState } from './state';
import { MODULE_NAME, MODULE_VERSION } from './version';

export type { IVoiceSwitch } from './control';
export { statusName } from './control';

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
    this._control = new VoiceControl(
      this.el,
      {
        sessionId: () => String(this.model.get('session_id') ?? ''),
        apiPath: () => String(this.model.get('api_path') ?? ''),
        enabled: () => Boolean(this.model.get('enabled')),
        voiceSwitch: this.voiceSwitch,
        changed: state => this._sync(state),
        buttonClass: 'jupyter-widgets jupyter-button widget-button'
      },
      Number(this.model.get('noise_threshold'))
    );
    this.listenTo(this.model, 'change:enabled', () =>
      this._control?.enabledChanged()
    );
    this.listenTo(this.model, 'change:noise_threshold', () =>
      this._control?.setNoiseThreshold(
        Number(this.model.get('noise_threshold'))
      )
    );
  }

  remove(): any {
    this._control?.dispose();
    this._control = null;
    return super.remove();
  }

  // What the kernel sees: `status` and `partial`.
  private _sync(state: IVoiceState): void {
    const status = statusName(state);
    const partial = state.partial;
    if (
      this.model.get('status') !== status ||
      this.model.get('partial') !== partial
    ) {
      this.model.set({ status, partial });
      this.model.save_changes();
    }
  }

  private _control: VoiceControl | null = null;
}
