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

A behavioural interview's script (``kind: behavioral``)::

    kind: behavioral
    stage: hiring_manager                # or recruiter_screen
    difficulty: medium                   # optional: easy | medium | hard
    level: L5A                           # optional: else from the job text, else L4
    resume: resume.md                    # optional: a .txt/.md file beside the script,
    job: "Senior engineer, lead ..."     #   or the text itself ({file: ...} / {text: ...} too)
    adversarial: false                   # optional
    bank: behavioral                     # optional: one question bank only
    seed: 1                              # optional: the question draw (default 1)
    steps:
      - {at: 20, say: "In my last role ..."}         # the answer to whatever was asked last
      - {at: 90, say: "...", spoken: 75}             # said aloud over 75 s (voice: delivery)
      - {at: 120, skip: true}                        # skip the pending follow-up
      - {at: 130, next: true}                        # the next question
      - {at: "12:00", end: true}

``at`` is seconds, or mm:ss. Its ``events`` hold question_asked,
follow_up_asked, answer_scored, question_feedback and session_feedback
(payloads.py has their fields).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mock_interviewer_lab.events import Event
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.headless import ClockDriver, Moment
from mock_interviewer_lab.interview.kinds.behavioral import (
    CONTEXT_SUFFIXES,
    SetupError,
    behavioral_setup,
    read_context_file,
)
from mock_interviewer_lab.interview.rules.star import BehavioralScorer
from mock_interviewer_lab.interview.session import CodeRunner, InterviewSession
from mock_interviewer_lab.problems.questions import interview_problem
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


class BehavioralStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: float | str
    say: str | None = None
    #: With ``say``: it was said aloud over this many seconds (a voice answer).
    spoken: float | None = Field(default=None, gt=0)
    next: bool | None = None
    skip: bool | None = None
    hint: bool | None = None
    silence: float | None = Field(default=None, ge=0)
    end: bool | None = None

    @model_validator(mode="after")
    def _one_action(self) -> BehavioralStep:
        given = [k for k in ("say", "next", "skip", "hint", "silence", "end")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("each step needs exactly one of say, next, skip, hint, silence, end"
                             + (f" (this one has {', '.join(given)})" if given else ""))
        if self.spoken is not None and self.say is None:
            raise ValueError("spoken goes with say")
        if isinstance(self.at, str) and not _MMSS.match(self.at):
            raise ValueError(f"at must be seconds or mm:ss, not {self.at!r}")
        if isinstance(self.at, float | int) and self.at < 0:
            raise ValueError("at must not be negative")
        return self

    @property
    def seconds(self) -> float:
        if isinstance(self.at, str):
            m = _MMSS.match(self.at)
            assert m is not None
            return int(m.group(1)) * 60 + int(m.group(2))
        return float(self.at)


class ContextSource(BaseModel):
    """A resume or job description: a file (relative to the script) or the text."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one(self) -> ContextSource:
        if (self.file is None) == (self.text is None):
            raise ValueError("give exactly one of file and text")
        return self


class BehavioralScript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["behavioral"]
    stage: str
    difficulty: str = "medium"
    level: str | None = None
    resume: str | ContextSource | None = None
    job: str | ContextSource | None = None
    adversarial: bool = False
    bank: str | None = None
    seed: int = 1
    coach: dict[str, Any] = Field(default_factory=dict)
    minutes: float = Field(45, gt=0, le=240)
    steps: list[BehavioralStep] = Field(default_factory=list)
    #: Where the script's files are (resume, job): its folder.
    base_dir: str = Field(default=".", exclude=True)


#: Document files a resume or job may be written in but the interview does
#: not read: named, they are an error rather than taken for inline text.
_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".rtf", ".odt", ".pages", ".html", ".htm")


def _context_text(value: str | ContextSource | None, what: str, base: Path) -> str | None:
    """The text of a script's ``resume`` or ``job``: a file named (relative
    to the script) or the text itself."""
    if value is None:
        return None
    if isinstance(value, ContextSource):
        if value.text is not None:
            return value.text
        path = base / str(value.file)
    else:
        one_line = "\n" not in value.strip()
        path = base / value.strip()
        named = one_line and value.strip().lower().endswith(CONTEXT_SUFFIXES + _DOCUMENT_SUFFIXES)
        if not named and not (one_line and len(value) < 500 and path.is_file()):
            return value  # the text itself
    if not path.is_file():
        raise ScriptError(f"{what}: no file {path} (a file is named relative to the script; "
                          "for text, write the text itself or {text: ...})")
    try:
        return read_context_file(path, what)
    except SetupError as exc:
        raise ScriptError(str(exc)) from None


def load_script(path: str | Path) -> SimulationScript | BehavioralScript:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScriptError(f"{p}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ScriptError(f"{p}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    script = parse_script(data, str(p))
    if isinstance(script, BehavioralScript):
        script.base_dir = str(p.resolve().parent)
    return script


def parse_script(data: Any, source: str = "<script>") -> SimulationScript | BehavioralScript:
    if not isinstance(data, dict):
        raise ScriptError(f"{source}: a script is a mapping with problem and steps")
    model: type[SimulationScript] | type[BehavioralScript] = \
        BehavioralScript if data.get("kind") == "behavioral" else SimulationScript
    try:
        script = model.model_validate(data)
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
    script: SimulationScript | BehavioralScript,
    *,
    settings: Settings,
    registry: ProblemRegistry,
    harness: CodeRunner | None,
    store: SessionStore | None = None,
    coach: Coach,
    tick_s: float = 30.0,
    scorer: BehavioralScorer | None = None,
) -> dict[str, Any]:
    """Play the script; return the session id, the final phase, the events
    (coach messages, hints, phase changes … in order; ticks left out) and
    the report. ``scorer``: a behavioural script's (None: the offline one)."""
    if isinstance(script, BehavioralScript):
        return simulate_behavioral(script, settings=settings, registry=registry, store=store,
                                   coach=coach, tick_s=tick_s, scorer=scorer)
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
    return {
        "session_id": session.info.id,
        "problem": problem.qualified_id,
        "final_phase": session.phase.value,
        **_outcome(session),
    }


def _outcome(session: InterviewSession) -> dict[str, Any]:
    """The events (ticks and the report left out) and the report."""
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
    return {"events": events, "report": report}


def simulate_behavioral(script: BehavioralScript, *, settings: Settings,
                        registry: ProblemRegistry, store: SessionStore | None = None,
                        coach: Coach, tick_s: float = 30.0,
                        scorer: BehavioralScorer | None = None) -> dict[str, Any]:
    """Play a behavioural interview's script (see the module's docstring)."""
    base = Path(script.base_dir)
    unknown = set(script.coach) - set(type(settings.coach).model_fields)
    if unknown:
        raise ScriptError(f"coach: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        setup = behavioral_setup(
            stage=script.stage, difficulty=script.difficulty, level=script.level,
            resume_text=_context_text(script.resume, "resume", base),
            job_text=_context_text(script.job, "job", base), adversarial=script.adversarial,
            bank=script.bank, seed=script.seed, registry=registry)
    except SetupError as exc:
        raise ScriptError(str(exc)) from None
    problem = interview_problem(setup["stage"])
    store = store or SessionStore(MEMORY)
    clock = FakeClock()
    session = InterviewSession.start(
        store, problem, settings, harness=None, clock=clock, minutes=script.minutes,
        coach_settings=script.coach, registry=registry, meta={"simulated": True}, coach=coach,
        kind_name="behavioral", kind_options=setup, scorer=scorer)
    steps = sorted(script.steps, key=lambda s: s.seconds)
    ClockDriver(session, clock, tick_s=tick_s).run(
        [Moment(step.seconds, functools.partial(_play_behavioral, session, clock, step))
         for step in steps],
        until=script.minutes * 60 + tick_s)
    if not session.ended:
        session.tick()
    return {
        "session_id": session.info.id,
        "kind": "behavioral",
        "problem": problem.qualified_id,
        "final_phase": session.phase.value,
        **_outcome(session),
    }


def _play_behavioral(session: InterviewSession, clock: FakeClock, step: BehavioralStep) -> None:
    if step.say is not None:
        if step.spoken is None:
            session.say(step.say)
            return
        # Said aloud from the step's time on: the voice channel's final, then the pause.
        start = session.now()
        clock.advance(step.spoken)
        session.post("candidate_said", {"text": step.say, "source": "voice",
                                        "speech": {"start": round(start, 3),
                                                   "end": round(session.now(), 3)}})
        clock.advance(4.0)
        session.post("silence", {"seconds": 4.0})
    elif step.next:
        session.post("next_requested")
    elif step.skip:
        session.post("skip_requested")
    elif step.hint:
        session.hint()
    elif step.silence is not None:
        clock.advance(step.silence)
        session.post("silence", {"seconds": step.silence})
    elif step.end:
        session.end("candidate")


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
