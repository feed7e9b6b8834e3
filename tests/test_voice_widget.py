"""The kernel side of the browser voice widget: the ipywidgets model the
JupyterLab plugin registers, when the panel shows it, and that it agrees
with the TypeScript side on names and versions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from jupyter_core.paths import jupyter_path

from mock_interviewer_lab.kernel.backend import EmbeddedBackend, ServerBackend
from mock_interviewer_lab.kernel.magics import InterviewMagics
from mock_interviewer_lab.kernel.panel import Panel
from mock_interviewer_lab.kernel.voice_widget import (
    API_PATH,
    MODULE_NAME,
    MODULE_VERSION,
    VoiceWidget,
    voice_part,
)
from mock_interviewer_lab.server.openapi import API_PREFIX
from mock_interviewer_lab.settings import parse_settings

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = {"id": "two_sum", "title": "Two Sum", "difficulty": "easy", "statement": "Add."}


def settings_with(**stt: Any) -> Any:
    return parse_settings({"stt": stt}, "test")


# ------------------------------------------------------ names and versions


def test_module_name_and_version_are_package_json_and_the_typescript_ones() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    assert (package["name"], package["version"]) == (MODULE_NAME, MODULE_VERSION)
    version_ts = (ROOT / "src" / "voice" / "version.ts").read_text()
    assert f"MODULE_NAME = '{MODULE_NAME}'" in version_ts
    assert f"MODULE_VERSION = '{MODULE_VERSION}'" in version_ts
    assert API_PATH == API_PREFIX


def test_the_model_names_its_module_and_the_views_class() -> None:
    state = VoiceWidget(session_id="s-1").get_state()
    assert state["_model_module"] == state["_view_module"] == "mock-interviewer-lab"
    assert state["_model_module_version"] == state["_view_module_version"] == "^0.1.0"
    assert (state["_model_name"], state["_view_name"]) == ("VoiceModel", "VoiceView")
    assert {"session_id": "s-1", "api_path": "mock-interviewer/api/", "enabled": True,
            "status": "off", "partial": ""}.items() <= state.items()
    # The TypeScript model's defaults name the same traits.
    widget_ts = (ROOT / "src" / "voice" / "widget.ts").read_text()
    for trait in ("session_id", "api_path", "enabled", "noise_threshold", "status", "partial"):
        assert re.search(rf"\b{trait}: ", widget_ts), trait


def test_the_widget_base_is_shared_with_the_installed_widget_manager() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    shared = package["jupyterlab"]["sharedPackages"]["@jupyter-widgets/base"]
    # Not bundled: the view classes must extend the manager's own copy.
    assert shared == {"bundled": False, "singleton": True}
    wanted = package["dependencies"]["@jupyter-widgets/base"]
    managers = [Path(folder) / "@jupyter-widgets" / "jupyterlab-manager" / "package.json"
                for folder in jupyter_path("labextensions")]
    manager = next(path for path in managers if path.is_file())
    provided = json.loads(manager.read_text())["dependencies"]["@jupyter-widgets/base"]
    # Caret ranges of the same major version overlap.
    assert wanted.startswith("^") and provided.startswith("^")
    assert wanted[1:].split(".")[0] == provided[1:].split(".")[0]


# ---------------------------------------------------- when the panel shows it


def test_a_server_session_gets_the_widget_with_the_noise_threshold() -> None:
    backend = ServerBackend("http://127.0.0.1:9/mock-interviewer/api/", "t")
    part = voice_part(backend, "abc", settings=settings_with(engine="pocketsphinx",
                                                              noise_threshold=0.05))
    assert isinstance(part, VoiceWidget)
    assert (part.session_id, part.noise_threshold, part.enabled) == ("abc", 0.05, True)


def test_embedded_mode_and_engine_none_get_no_voice_row() -> None:
    embedded = EmbeddedBackend.__new__(EmbeddedBackend)  # no store, no harness
    # No server to hear a microphone: nothing to use, so nothing shown.
    assert voice_part(embedded, "abc", settings=settings_with(engine="vosk")) is None
    server = ServerBackend("http://127.0.0.1:9/mock-interviewer/api/", "t")
    assert voice_part(server, "abc", settings=settings_with(engine="none")) is None
    assert voice_part(embedded, "abc", settings=settings_with(engine="none")) is None


def test_a_bad_settings_file_still_gives_the_widget(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "settings.toml"
    bad.write_text("[stt]\nengine = 'whisper'\n")
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(bad))
    server = ServerBackend("http://127.0.0.1:9/mock-interviewer/api/", "t")
    assert isinstance(voice_part(server, "abc"), VoiceWidget)


def test_the_panel_shows_the_widget_and_turns_it_off_when_the_interview_ends() -> None:
    panel = Panel(PROBLEM)
    widget = VoiceWidget(session_id="abc")
    assert panel.voice_box.layout.display == "none"  # no voice, no row
    panel.attach_voice(widget)
    assert panel.voice_box.children == (widget,)
    assert panel.voice_box in panel.widget.children
    assert panel.voice_box.layout.display == ""
    panel.set_state({"phase": "coding", "ended": False})
    assert widget.enabled
    panel.apply({"type": "report_ready", "seq": 7, "data": {}})
    assert not widget.enabled
    panel.attach_voice(None)
    assert panel.voice_box.children == () and panel.voice_box.layout.display == "none"


def test_a_widget_attached_to_an_ended_interview_is_off_from_the_start() -> None:
    panel = Panel(PROBLEM)
    panel.set_state({"phase": "done", "ended": True})
    widget = VoiceWidget(session_id="abc")
    panel.attach_voice(widget)
    assert not widget.enabled


class ScriptedServer(ServerBackend):
    """A ServerBackend whose answers are canned (no HTTP)."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9/mock-interviewer/api/", "t")

    def start(self, problem: str, minutes: float = 45, mode: str = "normal",
              coach: dict[str, Any] | None = None) -> dict[str, Any]:
        self.session_id = "srv-1"
        return {"session": {"id": "srv-1"}, "problem": {**PROBLEM, "signature": ""},
                "state": {"phase": "intro", "ended": False}, "actions": []}

    def subscribe(self, callback: Any) -> None:
        self._callbacks.append(callback)


def test_interview_on_the_server_puts_the_sessions_widget_in_the_panel(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[stt]\nengine = "pocketsphinx"\nnoise_threshold = 0.02\n')
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings))
    magics = InterviewMagics(InteractiveShell.instance(), backend_factory=ScriptedServer)
    magics.show_panels = False
    magics._cmd_start(["two_sum"])
    assert magics.panel is not None
    voice = magics.panel.voice
    assert isinstance(voice, VoiceWidget)
    assert (voice.session_id, voice.noise_threshold) == ("srv-1", 0.02)
