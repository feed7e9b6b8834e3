"""``config show / validate / path / init`` through click, in a private config folder."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from mock_interviewer_lab.cli._common import Context
from mock_interviewer_lab.cli.config import (
    check_settings_file,
    config,
    default_settings_file,
    settings_to_toml,
)
from mock_interviewer_lab.cli.settings_option import settings_option
from mock_interviewer_lab.protocol import SETTINGS_ENV
from mock_interviewer_lab.settings import (
    CalibrationSettings,
    CoachSettings,
    LlmSettings,
    ProblemsSettings,
    Settings,
    TtsSettings,
    parse_settings,
)


@click.group()
@settings_option()
@click.pass_context
def root(ctx: click.Context) -> None:
    """Stands in for ``mock-interviewer``: the same option and context object."""
    ctx.obj = Context()


root.add_command(config)


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    return tmp_path / "xdg" / "mock-interviewer"


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args))


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


def values(settings: Settings) -> dict[str, Any]:
    """Every setting, without where it came from."""
    return settings.model_dump()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GENTLE = '[coach]\nhelpfulness = "gentle"\n\n[tts]\nrate_wpm = 150\n'


# ------------------------------------------------------------------ show

def test_show_defaults_when_no_file(config_dir: Path) -> None:
    result = run("config", "show")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# built-in defaults")
    assert "[coach.timing]" in result.stdout and "# default:" not in result.stdout
    assert values(parse_settings(tomllib.loads(result.stdout))) == values(Settings())


def test_show_marks_what_differs_and_names_the_file(config_dir: Path, tmp_path: Path) -> None:
    mine = write(tmp_path / "mine.toml", GENTLE)
    result = run("--settings", str(mine), "config", "show")
    assert result.exit_code == 0, result.output
    assert f"# settings from {mine}" in result.stdout
    assert 'helpfulness = "gentle"  # default: "balanced"' in result.stdout
    assert "rate_wpm = 150  # default: 180" in result.stdout
    shown = parse_settings(tomllib.loads(result.stdout))
    assert shown.coach.helpfulness == "gentle" and shown.tts.rate_wpm == 150

    as_json = json.loads(run("--settings", str(mine), "config", "show", "--json").stdout)
    assert as_json["source"] == str(mine)
    assert as_json["settings"]["coach"]["helpfulness"] == "gentle"
    assert "source" not in as_json["settings"]

    defaults = json.loads(run("--settings", str(mine), "config", "show", "--json",
                              "--defaults").stdout)
    assert defaults["source"] == "defaults"
    assert defaults["settings"] == Settings().model_dump(mode="json")


def test_show_follows_the_environment_and_the_user_folder(
        config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(config_dir / "settings.toml", '[tts]\nrate_wpm = 200\n')
    assert json.loads(run("config", "show", "--json").stdout)["settings"]["tts"]["rate_wpm"] == 200
    monkeypatch.setenv(SETTINGS_ENV, str(write(tmp_path / "env.toml", GENTLE)))
    data = json.loads(run("config", "show", "--json").stdout)
    assert data["source"] == str(tmp_path / "env.toml")
    assert data["settings"]["tts"]["rate_wpm"] == 150


def test_show_with_a_broken_file_is_one_message(config_dir: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[coach]\nhelpfulness = "harsh"\n')
    result = run("--settings", str(bad), "config", "show")
    no_traceback(result)
    assert result.exit_code == 2
    assert "coach.helpfulness = 'harsh'" in result.stderr and "config validate" in result.stderr


# -------------------------------------------------------------- validate

def test_validate_good_file_and_defaults(config_dir: Path, tmp_path: Path) -> None:
    good = write(tmp_path / "good.toml", GENTLE)
    result = run("config", "validate", str(good))
    assert (result.exit_code, result.stdout) == (0, f"ok: {good}\n")
    nothing = run("config", "validate")
    assert nothing.exit_code == 0 and nothing.stdout.startswith("ok: defaults")
    in_force = run("--settings", str(good), "config", "validate")
    assert (in_force.exit_code, in_force.stdout) == (0, f"ok: {good}\n")


def test_validate_lists_every_problem(config_dir: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml",
                '[coach]\nhelpfulness = "harsh"\ncolour = "blue"\n\n[tts]\nrate_wpm = 10\n')
    result = run("config", "validate", str(bad))
    no_traceback(result)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{bad}: coach.helpfulness = 'harsh': allowed values are 'gentle', 'balanced'" in out
    assert f"{bad}: coach.colour: unknown key" in out
    assert f"{bad}: tts.rate_wpm = 10: input should be greater than or equal to 60" in out
    assert "3 problem(s)" in out

    data = json.loads(run("config", "validate", str(bad), "--json").stdout)
    assert data["ok"] is False and data["path"] == str(bad) and len(data["problems"]) == 3


def test_validate_bad_toml_shows_the_line(config_dir: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[coach]\nhelpfulness = "gentle"\nnudge_interval_s = \n')
    result = run("config", "validate", str(bad))
    no_traceback(result)
    assert result.exit_code == 1
    assert "not valid TOML" in result.stdout and "line 3" in result.stdout
    assert "3 | nudge_interval_s =" in result.stdout


@pytest.mark.parametrize("kind", ["missing", "folder", "binary"])
def test_validate_unreadable_files(config_dir: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "settings.toml"
    if kind == "folder":
        target.mkdir()
    elif kind == "binary":
        target.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    result = run("config", "validate", str(target))
    no_traceback(result)
    assert result.exit_code == 1
    expected = {"missing": "no such file", "folder": "is a folder", "binary": "not UTF-8"}[kind]
    assert f"{target}: {expected}" in result.stdout


def test_validate_the_file_in_force(config_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTINGS_ENV, str(write(tmp_path / "env.toml", "[llm]\ntemperature = 9\n")))
    result = run("config", "validate")
    assert result.exit_code == 1 and "llm.temperature = 9" in result.stdout


# ------------------------------------------------------------------ path

def test_path_lists_the_search_order(config_dir: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    user_file = config_dir / "settings.toml"
    result = run("config", "path")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1:5] == ["  1. --settings: not given", f"  2. ${SETTINGS_ENV}: not set",
                          f"  3. user config folder: {user_file} (missing)",
                          "  4. the built-in defaults"]
    assert lines[-1] == "in force: the built-in defaults"

    write(user_file, "")
    assert run("config", "path").stdout.splitlines()[-1] == f"in force: {user_file}"

    env_file = write(tmp_path / "env.toml", "")
    monkeypatch.setenv(SETTINGS_ENV, str(env_file))
    option_file = tmp_path / "option.toml"
    data = json.loads(run("--settings", str(option_file), "config", "path", "--json").stdout)
    assert [(p["path"], p["exists"]) for p in data["search_order"]] == [
        (str(option_file), False), (str(env_file), True), (str(user_file), True)]
    assert data["in_force"] == str(option_file)
    text = run("--settings", str(option_file), "config", "path").stdout
    assert f"in force: {option_file} (missing: loading it fails)" in text


# ------------------------------------------------------------------ init

def test_init_writes_a_valid_commented_file(config_dir: Path) -> None:
    result = run("config", "init")
    target = config_dir / "settings.toml"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text == default_settings_file()
    assert '# "gentle" | "balanced" | "insistent"\nhelpfulness = "balanced"' in text
    assert check_settings_file(target) == (parse_settings(tomllib.loads(text), str(target)), [])
    assert values(parse_settings(tomllib.loads(text))) == values(Settings())
    assert run("config", "validate", str(target)).stdout == f"ok: {target}\n"
    # It is now the file in force.
    assert json.loads(run("config", "show", "--json").stdout)["source"] == str(target)


def test_init_refuses_to_overwrite_without_force(config_dir: Path) -> None:
    target = write(config_dir / "settings.toml", GENTLE)
    refused = run("config", "init")
    no_traceback(refused)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == GENTLE
    forced = run("config", "init", "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8") == default_settings_file()
    assert not list(config_dir.glob(".*tmp"))


def test_init_says_when_another_file_is_in_force(config_dir: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "other.toml", "")
    result = run("--settings", str(other), "config", "init")
    assert result.exit_code == 0
    assert f"note: {other} is in force instead" in result.stdout


def test_init_into_an_unwritable_place_is_one_message(config_dir: Path) -> None:
    write(config_dir, "a file where the config folder should be")
    result = run("config", "init")
    no_traceback(result)
    assert result.exit_code == 1 and "cannot write" in result.stderr


# ------------------------------------------------------- TOML round trip

def test_toml_round_trips_unusual_values() -> None:
    settings = Settings(
        coach=CoachSettings(helpfulness="insistent", allow_code_hints=True),
        llm=LlmSettings(model='local/"quoted" \\ model', api_base="http://x/\u00e9\t\x7f",
                        temperature=1e-05),
        tts=TtsSettings(voice="line one\nline two"),
        problems=ProblemsSettings(extra_dirs=["~/packs", "C:\\packs"]),
        calibration=CalibrationSettings(noise_profile=[0.1, 0.25],
                                        speech_patterns={"words per minute": [150.0],
                                                         "pause_s": [0.4, 1.5]}),
    )
    text = settings_to_toml(settings, explain=True, defaults=Settings())
    assert values(parse_settings(tomllib.loads(text))) == values(settings)


def test_path_names_the_environment_alone_when_no_option_is_given(
        config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = write(tmp_path / "env.toml", "")
    monkeypatch.setenv(SETTINGS_ENV, str(env_file))
    lines = run("config", "path").stdout.splitlines()
    assert lines[1:3] == ["  1. --settings: not given", f"  2. ${SETTINGS_ENV}: {env_file} (found)"]
    assert lines[-1] == f"in force: {env_file}"
