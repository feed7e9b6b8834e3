"""User settings: ``settings.toml`` with the seed spec's keys.

Where the file comes from, first match wins:
``--settings FILE`` (passed in as ``path``), ``$MOCK_INTERVIEWER_SETTINGS``,
``<user config dir>/mock-interviewer/settings.toml``, else the defaults.

A bad value is refused with the key, the value and what is allowed
(:class:`SettingsError`), never with a pydantic traceback.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from mock_interviewer_lab.protocol import SETTINGS_ENV

#: The choices of the [coach] section, for every place that offers them
#: (CLI options, magics, the REST API, the calibrator).
Helpfulness = Literal["gentle", "balanced", "insistent"]
Personality = Literal["supportive", "neutral", "challenging"]
#: How an interview runs: as the spec's phases, or test-first.
Mode = Literal["normal", "tdd"]
HELPFULNESS: tuple[str, ...] = get_args(Helpfulness)
PERSONALITIES: tuple[str, ...] = get_args(Personality)
MODES: tuple[str, ...] = get_args(Mode)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AppSettings(_Section):
    workspace_dir: str = "~/interview_practice"
    session_db: str = "sqlite:///~/interview_practice/sessions.db"
    auto_save_interval_s: int = Field(30, ge=1)


class TimingSettings(_Section):
    intro_duration_s: int = Field(120, ge=0)
    coding_duration_s: int = Field(1500, ge=0)
    testing_duration_s: int = Field(300, ge=0)
    complexity_duration_s: int = Field(180, ge=0)
    warning_at_remaining_min: list[int] = Field(default_factory=lambda: [10, 5, 2])


class BehavioralSettings(_Section):
    confusion_phrases: list[str] = Field(
        default_factory=lambda: ["wait", "actually no", "hmm let me restart", "I'm lost", "not sure"]
    )
    confidence_phrases: list[str] = Field(
        default_factory=lambda: ["I see", "makes sense", "the key insight is", "obviously"]
    )
    thinking_sounds: list[str] = Field(default_factory=lambda: ["um", "uh", "hmm", "...", "err"])
    stuck_indicators: list[str] = Field(
        default_factory=lambda: ["don't know", "stuck", "confused", "help"]
    )


class InterventionSettings(_Section):
    silence_before_nudge_ms: int = Field(8000, ge=0)
    max_hints_before_subproblem: int = Field(3, ge=1)
    max_hints: int = Field(
        -1, ge=-1, description="hints a session gives at most, asked for or not: 0 turns "
        "hints off, -1 is no limit (an administrator's class setting)")
    abandon_threshold_min: int = Field(40, ge=1)
    repeated_approach_limit: int = Field(3, ge=1)


class CoachSettings(_Section):
    helpfulness: Helpfulness = "balanced"
    personality: Personality = "supportive"
    interrupt_after_silence_ms: int = Field(8000, ge=0)
    nudge_interval_s: int = Field(30, ge=1)
    force_big_o_at_end: bool = True
    allow_code_hints: bool = False
    enforce_test_first: bool = False
    timing: TimingSettings = Field(default_factory=TimingSettings)
    behavioral: BehavioralSettings = Field(default_factory=BehavioralSettings)
    intervention: InterventionSettings = Field(default_factory=InterventionSettings)


class SttSettings(_Section):
    engine: Literal["vosk", "pocketsphinx", "none"] = "vosk"
    model_path: str = ""
    language: str = "en"
    noise_threshold: float = Field(0.03, ge=0.0, le=1.0)


class TtsSettings(_Section):
    engine: Literal["pyttsx3", "none"] = "pyttsx3"
    voice: str = "en-US"
    rate_wpm: int = Field(180, ge=60, le=400)
    pause_after_question_ms: int = Field(500, ge=0)


class LlmSettings(_Section):
    model: str = ""
    api_base: str = ""
    temperature: float = Field(0.3, ge=0.0, le=2.0)
    max_tokens: int = Field(600, ge=1)
    timeout_s: float = Field(10, gt=0)
    prompt: Literal["compact", "spec"] = Field(
        "compact", description="the coach's system prompt: compact (short, for small local "
        "models) or spec (the seed spec's prompt word for word)")
    tools: Literal["auto", "on", "off"] = Field(
        "auto", description="tool calls: on, off (the facts the tools would fetch go into the "
        "context instead), or auto (off when litellm knows the model cannot call tools)")


class HarnessSettings(_Section):
    language: Literal["python"] = "python"
    kernel_name: str = Field(
        "", description="Jupyter kernelspec for the sandbox kernel; empty means this Python"
    )
    timeout_ms: int = Field(4000, ge=10, description="wall time per test case")
    run_timeout_ms: int = Field(30000, ge=100, description="wall time for a whole run")
    cpu_seconds: int = Field(20, ge=1, description="CPU seconds for a whole run")
    memory_mb: int = Field(512, ge=16, description="memory the candidate's code may allocate")
    max_output_lines: int = Field(100, ge=0)
    max_output_bytes: int = Field(65536, ge=0)
    max_file_bytes: int = Field(1 << 20, ge=0, description="largest file the code may write")
    max_open_files: int = Field(64, ge=16)
    allow_network: bool = False
    workers: int = Field(0, ge=0, le=32,
                         description="sandbox kernels for batch runs; 0 means two per core")
    measure_growth: bool = Field(
        True, description="measure how passing code grows with its input (the O() check); "
        "off saves about 0.3 CPU-s per correct submission")
    run_queue_size: int = Field(
        64, ge=1, le=10_000, description="submissions a server holds for the sandbox at once; "
        "more are answered 503 with Retry-After")
    idle_stop_s: float = Field(
        600, ge=0, description="stop the server's sandbox kernels after this many seconds "
        "without a run (0: never); the next run starts them again")


class ProblemsSettings(_Section):
    extra_dirs: list[str] = Field(default_factory=list, description="more pack folders")


class CalibrationSettings(_Section):
    baseline_recorded: bool = False
    noise_profile: list[float] | None = None
    speech_patterns: dict[str, list[float]] | None = None


class PrivacySettings(_Section):
    record_audio: bool = False
    redact_pii: bool = True
    local_only: bool = True


class Settings(_Section):
    app: AppSettings = Field(default_factory=AppSettings)
    coach: CoachSettings = Field(default_factory=CoachSettings)
    stt: SttSettings = Field(default_factory=SttSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    harness: HarnessSettings = Field(default_factory=HarnessSettings)
    problems: ProblemsSettings = Field(default_factory=ProblemsSettings)
    calibration: CalibrationSettings = Field(default_factory=CalibrationSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    # Where these settings were read from; None means the built-in defaults.
    source: str | None = Field(default=None, exclude=True)
    # Keys an administrator decided (AdminSettings): dotted keys, or whole
    # sections. Whatever else may override settings (a session's own [llm]
    # choice) leaves these alone. Private: no settings file can set them.
    _locked: frozenset[str] = PrivateAttr(default=frozenset())
    # Keys of the user's file that were not used because the administrator decided them.
    _not_applied: tuple[str, ...] = PrivateAttr(default=())

    @property
    def locked(self) -> frozenset[str]:
        return self._locked

    @property
    def not_applied(self) -> tuple[str, ...]:
        return self._not_applied

    def is_locked(self, key: str) -> bool:
        """True when an administrator decided ``key`` (e.g. ``"llm.model"``)."""
        return any(key == k or key.startswith(k + ".") for k in self.locked)


class SettingsError(ValueError):
    """A settings file that cannot be used, with one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


#: The settings file's name in the user config folder.
SETTINGS_FILE_NAME = "settings.toml"


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or (
        str(Path.home() / "Library" / "Application Support")
        if sys.platform == "darwin"
        else str(Path.home() / ".config")
    )
    return Path(base) / "mock-interviewer"


def user_settings_file() -> Path:
    """``settings.toml`` in the user config folder (it may not exist)."""
    return user_config_dir() / SETTINGS_FILE_NAME


def settings_search_order(path: str | os.PathLike[str] | None = None,
                          ) -> list[tuple[str, Path | None]]:
    """Where the settings file is looked for, in order: ``--settings``
    (``path``), ``$MOCK_INTERVIEWER_SETTINGS``, the user config folder; each
    as (what, the file or None when not given). Then the built-in defaults."""
    env = os.environ.get(SETTINGS_ENV)
    return [("--settings", Path(path).expanduser() if path else None),
            (f"${SETTINGS_ENV}", Path(env).expanduser() if env else None),
            ("user config folder", user_settings_file())]


def settings_path(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The settings file in force, or None for the defaults: the first place
    of :func:`settings_search_order` given (the user config folder's file
    only when it is there)."""
    given, env, user = (where for _, where in settings_search_order(path))
    return given or env or (user if user is not None and user.is_file() else None)


def _describe_error(err: dict[str, Any]) -> str:
    key = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key"
    value = err.get("input")
    allowed = err.get("ctx", {}).get("expected") if kind == "literal_error" else None
    msg = f"{key} = {value!r}: " if "input" in err and not isinstance(value, dict) else f"{key}: "
    msg += f"allowed values are {allowed}" if allowed else err["msg"].lower()
    return msg


def parse_settings(data: dict[str, Any], source: str = "<settings>") -> Settings:
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(source, [_describe_error(dict(e)) for e in exc.errors()]) from None
    settings.source = source
    return settings


def load_settings(path: str | os.PathLike[str] | None = None, *,
                  admin: AdminSettings | None = None) -> Settings:
    """Read the settings in force (see the module docstring); with ``admin``,
    the administrator's values win over the file's."""
    found = settings_path(path)
    if found is None:
        return Settings() if admin is None else admin.apply({}, None)
    if not found.is_file():
        raise SettingsError(str(found), ["no such file"])
    try:
        data = tomllib.loads(found.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise SettingsError(str(found), [f"cannot be read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise SettingsError(str(found), [f"not UTF-8 text (byte {exc.start}): is it a "
                                         "settings file?"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(str(found), [f"not valid TOML: {exc}"]) from None
    return parse_settings(data, str(found)) if admin is None else admin.apply(data, str(found))


# ----------------------------------------------------------- administrators

#: The sections of settings.toml, in order.
SECTIONS: tuple[str, ...] = tuple(
    name for name, info in Settings.model_fields.items()
    if isinstance(info.annotation, type) and issubclass(info.annotation, _Section))


def section_model(section: str) -> type[_Section]:
    model = Settings.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, _Section), section
    return model


def check_section(section: str, values: Mapping[str, Any], source: str) -> None:
    """Refuse a partial ``[section]`` that holds an unknown key or a bad value
    (SettingsError from ``source``, one line per field)."""
    if section not in SECTIONS:
        raise SettingsError(source, [f"no section {section!r}; the sections are "
                                     f"{', '.join(SECTIONS)}"])
    if not isinstance(values, Mapping):
        raise SettingsError(source, [f"must be a dict of [{section}] keys, not {values!r}"])
    try:
        section_model(section).model_validate(dict(values))
    except ValidationError as exc:
        raise SettingsError(source, [_describe_error(dict(e)) for e in exc.errors()]) from None


@dataclass(frozen=True)
class AdminSettings:
    """What an administrator set for every user of a server (the server's own
    configuration, e.g. ``c.MockInterviewerApp.harness``): ``values`` win over
    the user's settings.toml key by key, and a user's file may set only the
    sections in ``user_sections`` (None: every section)."""

    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    user_sections: frozenset[str] | None = None

    def apply(self, data: Mapping[str, Any], source: str | None) -> Settings:
        """The settings from a user's file (``data``, read from ``source``)
        with the administrator's decisions applied."""
        user = {key: value for key, value in data.items()
                if self.user_sections is None or key in self.user_sections}
        not_applied = [key for key in data if key not in user]
        locked: list[str] = [name for name in SECTIONS
                             if self.user_sections is not None and name not in self.user_sections]
        merged = _merge_admin(Settings, user, self.values, "", locked, not_applied)
        settings = parse_settings(merged, source or "<settings>")
        settings.source = source
        settings._locked = frozenset(locked)
        settings._not_applied = tuple(not_applied)
        return settings


def _merge_admin(model: type[BaseModel], user: Mapping[str, Any], admin: Mapping[str, Any],
                 prefix: str, locked: list[str], not_applied: list[str]) -> dict[str, Any]:
    """``user`` with ``admin`` laid over it, sub-sections merged key by key;
    the keys admin sets go to ``locked``, the user's values it replaced to
    ``not_applied``."""
    merged = dict(user)
    for key, value in admin.items():
        field_info = model.model_fields.get(key)
        sub = field_info.annotation if field_info is not None else None
        if isinstance(value, Mapping) and isinstance(sub, type) and issubclass(sub, BaseModel):
            own = user.get(key)
            merged[key] = _merge_admin(sub, own if isinstance(own, Mapping) else {}, value,
                                       f"{prefix}{key}.", locked, not_applied)
            continue
        locked.append(prefix + key)
        if key in user and user[key] != value:
            not_applied.append(prefix + key)
        merged[key] = value
    return merged
