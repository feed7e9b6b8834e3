"""Headless interviews: a scripted candidate played through the whole engine
on a simulated clock (``mock-interviewer simulate --script FILE``).

The script is YAML::

    problem: two_sum
    coach: {helpfulness: insistent}      # optional: any [coach] key
    minutes: 45                          # optional
    mode: normal                         # optional: normal | tdd
    steps:
      - {at: "00:30", say: "Can the numbers be negative?"}
      - {at: "04:00", submit: "def two_sum(nums, target): ..."}
      - {at: "06:00", hint: true}
      - {at: "09:00", silence: 20}
      - {at: "40:00", end: true}

Between steps the clock ticks every ``tick_s`` seconds, so warnings, time
rules and automatic hints happen as they would in a real interview; after
the last step it runs on to the end of the interview unless it has ended.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mock_interviewer_lab.events import Event
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.headless import ClockDriver, Moment
from mock_interviewer_lab.interview.session import CodeRunner, InterviewSession
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Mode, Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

_MMSS = re.compile(r"^(\d{1,3}):([0-5]\d)$")


class ScriptError(ValueError):
    """A script that cannot be played, with the file and the field."""


class ScriptStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: str
    say: str | None = None
    submit: str | None = None
    hint: bool | None = None
    silence: float | None = Field(default=None, ge=0)
    end: bool | None = None
    typing: bool | None = None

    @model_validator(mode="after")
    def _one_action(self) -> ScriptStep:
        given = [k for k in ("say", "submit", "hint", "silence", "end", "typing")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("each step needs exactly one of say, submit, hint, silence, end, typing"
                             + (f" (this one has {', '.join(given)})" if given else ""))
        if not _MMSS.match(self.at):
            raise ValueError(f"at must be mm:ss, not {self.at!r}")
        return self

    @property
    def seconds(self) -> float:
        m = _MMSS.match(self.at)
        assert m is not None
        return int(m.group(1)) * 60 + int(m.group(2))


class SimulationScript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str
    coach: dict[str, Any] = Field(default_factory=dict)
    minutes: float = Field(45, gt=0, le=240)
    mode: Mode = "normal"
    steps: list[ScriptStep] = Field(default_factory=list)


def load_script(path: str | Path) -> SimulationScript:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScriptError(f"{p}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ScriptError(f"{p}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_script(data, str(p))


def parse_script(data: Any, source: str = "<script>") -> SimulationScript:
    if not isinstance(data, dict):
        raise ScriptError(f"{source}: a script is a mapping with problem and steps")
    try:
        script = SimulationScript.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            lines.append(f"{source}: {loc}: {err['msg']}")
        raise ScriptError("\n".join(lines)) from None
    from mock_interviewer_lab.settings import CoachSettings

    unknown = set(script.coach) - set(CoachSettings.model_fields)
    if unknown:
        raise ScriptError(f"{source}: coach: unknown key(s) {', '.join(sorted(unknown))}")
    return script


def simulate(
    script: SimulationScript,
    *,
    settings: Settings,
    registry: ProblemRegistry,
    harness: CodeRunner | None,
    store: SessionStore | None = None,
    coach: Coach,
    tick_s: float = 30.0,
) -> dict[str, Any]:
    """Play the script; return the session id, the final phase, the events
    (coach messages, hints, phase changes … in order; ticks left out) and
    the report."""
    problem = registry.get(script.problem)
    try:
        coach_settings = settings.coach.model_copy(update=script.coach)
        type(coach_settings).model_validate(coach_settings.model_dump())
    except ValidationError as exc:
        raise ScriptError(f"coach: {exc.errors()[0]['msg']}") from None
    store = store or SessionStore(MEMORY)
    clock = FakeClock()
    session = InterviewSession.start(
        store, problem, settings, harness=harness, clock=clock, minutes=script.minutes,
        mode=script.mode, coach_settings=script.coach, registry=registry,
        meta={"simulated": True}, coach=coach,
    )
    end_s = script.minutes * 60
    steps = sorted(script.steps, key=lambda s: s.seconds)
    # Each step at its time, then on to the end of the interview. A candidate
    # who asked to end may be asked for the complexity first: the clock runs on.
    ClockDriver(session, clock, tick_s=tick_s).run(
        [Moment(step.seconds, functools.partial(_play_step, session, clock, step))
         for step in steps],
        until=end_s + tick_s)
    if not session.ended:
        session.tick()
    records = session.records()
    report = next((r.data for r in reversed(records) if r.type == "report_ready"), None)
    events = []
    for r in records:
        if r.type in ("tick", "report_ready"):
            continue
        item: dict[str, Any] = {"t": round(r.t, 3), "type": r.type}
        item.update({k: v for k, v in r.data.items() if k not in ("t", "type", "settings")})
        if isinstance(r, Event):
            item["by"] = "candidate" if r.type != "session_started" else "system"
        events.append(item)
    return {
        "session_id": session.info.id,
        "problem": problem.qualified_id,
        "final_phase": session.phase.value,
        "events": events,
        "report": report,
    }


def _play_step(session: InterviewSession, clock: FakeClock, step: ScriptStep) -> None:
    if step.say is not None:
        session.say(step.say)
    elif step.submit is not None:
        session.submit(step.submit)
    elif step.hint:
        session.hint()
    elif step.silence is not None:
        clock.advance(step.silence)
        session.post("silence", {"seconds": step.silence})
    elif step.typing:
        session.post("typing")
    elif step.end:
        session.end("candidate")
