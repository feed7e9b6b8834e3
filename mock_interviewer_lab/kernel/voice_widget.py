"""The voice widget: the browser's microphone and speaker in the interview panel.

The widget's view (``src/voice/``, registered with the ipywidgets manager
by the JupyterLab plugin as the module ``mock-interviewer-lab``) opens the
voice WebSocket ``<base_url>mock-interviewer/api/sessions/{id}/voice``
itself: audio never passes through the kernel. The kernel only tells it
which session to join, whether the microphone may be used, and the noise
threshold; the browser reports back its ``status`` and the ``partial``
hypothesis of the utterance under way. Finished utterances reach the panel's
transcript through the session's own WebSocket, as every other line does.

Voice needs the server extension: in embedded mode (plain IPython, VS Code)
no one can use a microphone, so the panel has no voice row at all.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]
from traitlets import Bool, Float, Unicode

from mock_interviewer_lab.settings import Settings, SettingsError, load_settings

#: The ipywidgets module of the JupyterLab plugin: package.json's name and
#: version (src/voice/version.ts registers the same pair).
MODULE_NAME = "mock-interviewer-lab"
MODULE_VERSION = "0.1.0"
#: Any 0.1.x front end understands this model.
MODULE_RANGE = f"^{MODULE_VERSION}"

#: The server extension's API root, relative to the server's base URL
#: (server/openapi.py's API_PREFIX; not imported, to keep jupyter_server out
#: of the kernel).
API_PATH = "mock-interviewer/api/"

class VoiceWidget(widgets.DOMWidget):  # type: ignore[misc]
    """Microphone button, calibration, live partial transcript, coach playback."""

    _model_name = Unicode("VoiceModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_RANGE).tag(sync=True)
    _view_name = Unicode("VoiceView").tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_RANGE).tag(sync=True)

    #: The session the microphone talks to.
    session_id = Unicode("").tag(sync=True)
    #: The API root relative to the server's base URL (the browser knows the base).
    api_path = Unicode(API_PATH).tag(sync=True)
    #: False turns the microphone off and greys the button (the interview ended).
    enabled = Bool(True).tag(sync=True)
    #: stt.noise_threshold: the level (RMS, 0..1 of PCM16 full scale) above
    #: which the browser hears the candidate talking over the coach.
    noise_threshold = Float(0.03).tag(sync=True)
    #: Set by the browser: off, starting, listening, calibrating or stopping.
    status = Unicode("off").tag(sync=True)
    #: Set by the browser: the hypothesis of the utterance under way.
    partial = Unicode("").tag(sync=True)


def _settings_or_defaults(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    try:
        return load_settings()
    except SettingsError:
        # The server reads the same file and says what is wrong with it; the
        # panel must not fail over it.
        return Settings()


def voice_part(backend: Any, session_id: str, *,
               settings: Settings | None = None) -> Any | None:
    """What the panel shows for voice: a :class:`VoiceWidget` for a session
    on the server extension; nothing (no row) in embedded mode, where there
    is no server to hear the microphone, nor when ``stt.engine = "none"``.

    The JupyterLab ``voice`` setting is the browser's: the widget's view
    hides itself while it is off.
    """
    from mock_interviewer_lab.kernel.backend import ServerBackend

    if not isinstance(backend, ServerBackend):
        return None
    stt = _settings_or_defaults(settings).stt
    if stt.engine == "none":
        return None
    return VoiceWidget(session_id=session_id, noise_threshold=stt.noise_threshold)
