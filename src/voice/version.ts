/**
 * The ipywidgets module this package registers, and its version.
 *
 * They must equal package.json's "name" and "version" and the
 * `_model_module`/`_model_module_version` of the Python `VoiceWidget`
 * (mock_interviewer_lab/kernel/voice_widget.py); tests/test_voice_widget.py
 * checks all three agree.
 */
export const MODULE_NAME = 'mock-interviewer-lab';
export const MODULE_VERSION = '0.1.0';
