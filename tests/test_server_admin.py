"""What an administrator configures (jupyter_server_config, z2jh's
``singleuser.extraFiles``): every section of settings.toml as an option of
the extension, validated with the option and field named, shown by
``jupyter mock-interviewer --help-all``; and a user's own settings.toml
cannot undo what the administrator decided."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from traitlets import Dict, TraitError
from traitlets.config import Config

from mock_interviewer_lab.interview.session import settings_with_llm
from mock_interviewer_lab.server.app import MockInterviewerApp
from mock_interviewer_lab.settings import (
    SECTIONS,
    AdminSettings,
    SettingsError,
    load_settings,
    section_model,
)

from .jupyter_process import JUPYTER, private_environment, start_server

#: A user who wants more than the administrator allows.
GREEDY_USER = """\
[harness]
memory_mb = 4096
cpu_seconds = 600
allow_network = true
measure_growth = true
[llm]
model = "openai/gpt-4o"
api_base = "https://api.example.com/v1"
[privacy]
local_only = false
[coach]
personality = "challenging"
[coach.timing]
coding_duration_s = 60
"""

ADMIN = {"harness": {"memory_mb": 256, "allow_network": False, "measure_growth": False,
                     "idle_stop_s": 120},
         "llm": {"model": "ollama/qwen2.5-coder", "api_base": "http://127.0.0.1:11434"},
         "privacy": {"local_only": True},
         "coach": {"timing": {"coding_duration_s": 1200}}}


def _greedy(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(GREEDY_USER, encoding="utf-8")
    return path


def test_every_section_of_settings_is_an_option() -> None:
    options = MockInterviewerApp.class_traits(config=True)
    for section in SECTIONS:
        assert isinstance(options.get(section), Dict), section
        # its help names every key, so --help-all documents them
        for key in section_model(section).model_fields:
            assert key in (options[section].help or ""), (section, key)
    for named in ("session_db", "default_minutes", "harness_workers", "settings_file",
                  "user_settings_sections"):
        assert named in options


def test_admin_values_win_over_the_users_file_key_by_key(tmp_path: Path) -> None:
    settings = load_settings(_greedy(tmp_path), admin=AdminSettings(values=ADMIN))
    assert settings.harness.memory_mb == 256
    assert settings.harness.allow_network is False
    assert settings.harness.measure_growth is False
    assert settings.harness.idle_stop_s == 120
    assert (settings.llm.model, settings.llm.api_base) == ("ollama/qwen2.5-coder",
                                                           "http://127.0.0.1:11434")
    assert settings.privacy.local_only is True
    assert settings.coach.timing.coding_duration_s == 1200
    # what the administrator left alone stays the user's
    assert settings.harness.cpu_seconds == 600
    assert settings.coach.personality == "challenging"
    assert set(settings.not_applied) == {
        "harness.memory_mb", "harness.allow_network", "harness.measure_growth",
        "llm.model", "llm.api_base", "privacy.local_only", "coach.timing.coding_duration_s"}


def test_user_settings_sections_leaves_the_rest_to_the_administrator(tmp_path: Path) -> None:
    admin = AdminSettings(values={"harness": {"memory_mb": 256}},
                          user_sections=frozenset({"coach", "stt", "tts", "calibration"}))
    settings = load_settings(_greedy(tmp_path), admin=admin)
    assert settings.harness.cpu_seconds == 20  # the default, not the user's 600
    assert settings.harness.allow_network is False
    assert settings.llm.model == ""
    assert settings.privacy.local_only is True
    assert settings.coach.personality == "challenging"
    assert settings.is_locked("harness.cpu_seconds") and settings.is_locked("llm.model")
    assert not settings.is_locked("coach.personality")
    assert {"harness", "llm", "privacy"} <= set(settings.not_applied)


def test_a_sessions_own_model_cannot_replace_the_administrators(tmp_path: Path) -> None:
    settings = load_settings(_greedy(tmp_path), admin=AdminSettings(
        values={"llm": {"model": "ollama/qwen2.5-coder"}}))
    chosen = settings_with_llm(settings, {"model": "openai/gpt-4o", "api_base": "http://x"})
    assert chosen.llm.model == "ollama/qwen2.5-coder"
    assert chosen.llm.api_base == "http://x"  # not decided by the administrator


@pytest.mark.parametrize(("section", "value", "message"), [
    ("harness", {"memory_mb": "lots"},
     "MockInterviewerApp.harness: memory_mb = 'lots': input should be a valid integer"),
    ("harness", {"memory_mbs": 256}, "MockInterviewerApp.harness: memory_mbs: unknown key"),
    ("harness", {"memory_mb": 1}, "MockInterviewerApp.harness: memory_mb = 1: input should be "
                                  "greater than or equal to 16"),
    ("coach", {"timing": {"coding_duration_s": -1}},
     "MockInterviewerApp.coach: timing.coding_duration_s = -1"),
    ("llm", {"temperature": "hot"}, "MockInterviewerApp.llm: temperature = 'hot'"),
])
def test_a_bad_option_is_refused_naming_the_option_and_field(
        section: str, value: dict[str, Any], message: str) -> None:
    with pytest.raises(TraitError) as refused:
        MockInterviewerApp(config=Config({"MockInterviewerApp": {section: value}}))
    assert message in str(refused.value)


def test_an_unknown_user_section_is_refused() -> None:
    with pytest.raises(TraitError, match="user_settings_sections: no section 'harnes'"):
        MockInterviewerApp(config=Config(
            {"MockInterviewerApp": {"user_settings_sections": ["harnes"]}}))


def test_help_all_lists_every_option_and_key() -> None:
    shown = subprocess.run([JUPYTER, "mock-interviewer", "--help-all"], capture_output=True,
                           text=True, timeout=120, check=True).stdout
    for name in MockInterviewerApp.class_own_traits(config=True):
        assert f"--MockInterviewerApp.{name}=" in shown, name
    for key in ("memory_mb", "allow_network", "measure_growth", "idle_stop_s",
                "run_queue_size", "session_db", "api_base", "local_only"):
        assert key in shown, key


def test_a_real_server_takes_the_administrators_config_over_the_users_file(
        tmp_path: Path) -> None:
    """The admin's jupyter_server_config.json wins: the user's settings.toml
    asks for 4096 MB, the code under test gets 256 MB."""
    env = private_environment(tmp_path, MOCK_INTERVIEWER_SETTINGS=str(_greedy(tmp_path)))
    server = start_server(tmp_path, env=env, server_config={"MockInterviewerApp": {
        **ADMIN, "app": {"session_db": str(tmp_path / "admin-store" / "sessions.db")}}})
    try:
        sid = server.call("POST", "sessions", {"problem": "two_sum"})["session"]["id"]
        hog = ("def two_sum(nums, target):\n    block = bytearray(600 * 1024 * 1024)\n"
               "    return [0, 1]\n")
        answer = server.call("POST", f"sessions/{sid}/events", {"type": "code", "code": hog})
    finally:
        server.stop()
    results = next(a for a in answer["actions"] if a["type"] == "show_results")["data"]
    assert results["passed"] == 0
    assert "MemoryError" in json.dumps(results), results
    assert (tmp_path / "admin-store" / "sessions.db").is_file()
    log = server.log()
    assert "not used, the server's configuration decides" in log
    assert "harness.memory_mb" in log


def test_a_real_server_with_a_bad_option_serves_a_503_that_says_why(tmp_path: Path) -> None:
    server = start_server(tmp_path, server_config={"MockInterviewerApp": {
        "harness": {"memory_mb": "lots"}}}, ready_code=503)
    try:
        refused = server.call("GET", "problems", expect=503)
    finally:
        server.stop()
    assert "MockInterviewerApp.harness: memory_mb = 'lots'" in refused["error"]
    assert "administrator" in refused["error"]


def test_a_bad_admin_value_given_directly_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_greedy(tmp_path),
                      admin=AdminSettings(values={"harness": {"cpu_seconds": 0}}))
    assert "harness.cpu_seconds = 0" in str(refused.value)


def test_the_jupyterhub_guide_names_every_option() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "jupyterhub.md").read_text(
        encoding="utf-8")
    for name in MockInterviewerApp.class_own_traits(config=True):
        assert f".{name}" in guide or f"`{name}`" in guide, name
    for key in section_model("harness").model_fields:
        if key not in ("language", "workers"):
            assert f"`{key}`" in guide, key
