"""Measuring a coach: simulated candidates play whole interviews against it on
the simulated clock, and a grader marks each transcript against a checklist
(``mock-interviewer eval``; see ``docs/eval.md``).

Three pieces, each behind a small protocol so that a model can stand in for
any of them:

* a :class:`CandidatePolicy` (a persona) looks at what the candidate can see
  — the coach's latest lines, the phase, the clock, the last test results —
  and answers with :data:`Move` s (say something, submit code, ask for a hint,
  type, end). The built-in personas are rules (``coach/personas.py``);
* :func:`play` is the shell: it runs one interview through the real engine
  (:class:`~mock_interviewer_lab.interview.session.InterviewSession`, an
  in-memory store, a :class:`FakeClock`, real test runs through the
  session's ``CodeRunner``) and turns it into a :class:`Transcript`;
* a :class:`Grader` turns a transcript into :class:`CheckResult` s. The
  offline one is rule-based (``coach/grading.py``); nothing here pretends a
  rule is a model's judgment.

A scenario's score is its passed checks over its applicable checks; the
overall score is the mean over the scenarios.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mock_interviewer_lab import formatting
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.headless import ClockDriver, Moment
from mock_interviewer_lab.interview.session import CodeRunner, InterviewSession
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

# ======================================================================
# What a simulated candidate sees and does
# ======================================================================


@dataclass(frozen=True)
class CoachLine:
    """One thing the coach said, as the candidate saw it."""

    t: float
    text: str
    kind: str


@dataclass(frozen=True)
class Observation:
    """What the candidate can see at one moment of the interview."""

    #: Seconds since the interview started, on the simulated clock.
    t: float
    time_left_s: float
    phase: str
    #: The coach's lines since the candidate's previous turn, oldest first.
    new_lines: tuple[CoachLine, ...]
    #: The coach's latest line, new or not.
    last_line: CoachLine | None
    #: The latest test run as the candidate sees it (passed, total, cases …).
    last_run: dict[str, Any] | None
    #: A run finished since the candidate's previous turn.
    new_run: bool
    #: Hints shown so far.
    hints_seen: int


@dataclass(frozen=True)
class Say:
    text: str
    #: What the persona means by it ("stuck", "fishing", "gibberish", "echo",
    #: "clarifying", "approach", "complexity" …): the ground truth the grader
    #: may use instead of guessing from the words.
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Submit:
    code: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AskHint:
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Typing:
    """The candidate is editing (resets the silence clock, says nothing)."""


@dataclass(frozen=True)
class EndInterview:
    """The candidate says they are done (the coach may ask one more thing)."""


Move = Say | Submit | AskHint | Typing | EndInterview


class CandidatePolicy(Protocol):
    """A simulated candidate. ``act`` is called once per tick of the
    simulated clock (and right after the interview starts); an empty list
    means the candidate stays quiet this tick."""

    #: "strong", "stuck", … (a model-backed policy: "llm:<persona>").
    name: str

    def act(self, obs: Observation) -> list[Move]: ...


# ======================================================================
# The test runs
# ======================================================================


class EvalRunner:
    """The eval's ``CodeRunner``: one warm harness serves every scenario.

    The personas submit the same few solutions again and again (every
    scenario that gets there submits the same right code), and the harness
    is deterministic on them, so each distinct (problem, code) is run once
    and its result reused. The growth measurement (a second or more per run
    under load) is off unless ``growth`` is set: it would cost time and,
    on a busy machine, make the scores vary from run to run (a right linear
    solution measured as O(n log n)). The coach then knows a solution's
    class from the candidate's claim and its own reading of the code; the
    brute-forcer states its slower class honestly.
    """

    def __init__(self, harness: CodeRunner, *, growth: bool = False) -> None:
        self.harness = harness
        self.growth = growth
        self._cache: dict[tuple[str, str, bool], RunResult] = {}
        self.runs = 0

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        key = (problem.qualified_id, code, complexity and self.growth)
        if key not in self._cache:
            self.runs += 1
            self._cache[key] = self.harness.run(problem, code, complexity=key[2])
        return self._cache[key]


# ======================================================================
# A played interview
# ======================================================================


@dataclass(frozen=True)
class Transcript:
    """One interview, as the store recorded it, plus what the grader needs:
    the problem (for the leak checks), the settings in force, and the
    persona's own tags for what the candidate meant (by event seq)."""

    scenario: str
    persona: str
    problem: Problem
    coach: str
    settings: Settings
    minutes: float
    records: tuple[Record, ...]
    tags: dict[int, frozenset[str]] = field(default_factory=dict)
    final_phase: str = ""
    #: Wall-clock seconds the play took (engine and test runs).
    seconds: float = 0.0

    def tags_of(self, record: Record) -> frozenset[str]:
        return self.tags.get(record.seq, frozenset()) if record.seq is not None else frozenset()

    def coach_lines(self) -> list[Action]:
        return [r for r in self.records if isinstance(r, Action) and r.type == "coach_says"]


#: The candidate counts as quiet (the shell posts ``silence`` instead of
#: ``tick``) once nothing was said, typed or run for the settings'
#: ``silence_before_nudge_ms``, as the terminal interview does.
DEFAULT_TICK_S = 30.0


def play(
    problem: Problem,
    coach: Coach,
    policy: CandidatePolicy,
    *,
    settings: Settings,
    runner: CodeRunner | None,
    registry: ProblemRegistry | None = None,
    minutes: float = 45,
    tick_s: float = DEFAULT_TICK_S,
    scenario: str | None = None,
) -> Transcript:
    """Play one interview between ``coach`` and ``policy`` on a simulated
    clock; every test run is real (``runner``)."""
    started = time.perf_counter()
    clock = FakeClock()
    store = SessionStore(MEMORY)
    session = InterviewSession.start(
        store, problem, settings, harness=runner, clock=clock, minutes=minutes, coach=coach,
        registry=registry, meta={"simulated": True, "eval": policy.name},
    )
    played = _PlayedInterview(
        session, store, policy, minutes=minutes, tick_s=tick_s,
        silence_s=settings.coach.intervention.silence_before_nudge_ms / 1000)
    played.read_new()
    # The candidate's first turn right after the start, then one each tick.
    ClockDriver(session, clock, tick_s=tick_s, on_tick=played.tick).run(
        [Moment(0.0, played.candidate_turn)])
    played.read_new()
    return Transcript(
        scenario=scenario or f"{policy.name}/{problem.id}", persona=policy.name, problem=problem,
        coach=coach.name, settings=session.settings, minutes=minutes,
        records=tuple(played.records), tags=played.tags, final_phase=session.phase.value,
        seconds=time.perf_counter() - started,
    )


class _PlayedInterview:
    """One interview being played: the records read so far, what the
    candidate has seen, and the candidate's turns."""

    def __init__(self, session: InterviewSession, store: SessionStore, policy: CandidatePolicy,
                 *, minutes: float, tick_s: float, silence_s: float) -> None:
        self.session = session
        self.store = store
        self.policy = policy
        self.tick_s = tick_s
        self.end_s = minutes * 60
        #: Quiet this long after its last activity, the candidate is silent.
        self.silence_s = silence_s
        self.records: list[Record] = []
        #: The persona's tags for what the candidate meant, by event seq.
        self.tags: dict[int, frozenset[str]] = {}
        #: The coach's lines since the candidate's previous turn.
        self.fresh_lines: list[CoachLine] = []
        self.last_line: CoachLine | None = None
        self.last_run: dict[str, Any] | None = None
        self.new_run = False
        self.hints = 0
        self.last_activity = 0.0

    def read_new(self, move_tags: frozenset[str] | None = None,
                 move_type: str | None = None) -> None:
        """Reads the records the session wrote since the last read; a move's
        own event (the first of ``move_type``) gets the move's tags."""
        new = self.store.records(self.session.info.id, since=len(self.records))
        self.records.extend(new)
        for r in new:
            if isinstance(r, Event) and move_type is not None and r.type == move_type \
                    and r.seq is not None and move_tags is not None:
                if move_tags:
                    self.tags[r.seq] = move_tags
                move_type = None  # only the move's own event
            elif isinstance(r, Action) and r.type == "coach_says":
                line = CoachLine(r.t, str(r.data.get("text", "")), str(r.data.get("kind", "")))
                self.fresh_lines.append(line)
                self.last_line = line
            elif isinstance(r, Action) and r.type == "show_results":
                self.last_run = dict(r.data)
                self.new_run = True
            elif isinstance(r, Action) and r.type == "show_hint":
                self.hints += 1

    def apply(self, move: Move) -> bool:
        """Carry out one move; True when it counts as the candidate's activity."""
        session = self.session
        if isinstance(move, Say):
            session.say(move.text)
            self.read_new(move.tags, "candidate_said")
            return bool(move.text.strip())
        if isinstance(move, Submit):
            session.submit(move.code)
            self.read_new(move.tags, "code_submitted")
            return True
        if isinstance(move, AskHint):
            session.hint()
            self.read_new(move.tags, "hint_requested")
            return True
        if isinstance(move, Typing):
            session.post("typing")
            self.read_new()
            return True
        session.end("candidate")
        self.read_new()
        return True

    def observe(self) -> Observation:
        """What the candidate sees now; the lines and the run are then no longer new."""
        now = self.session.now()
        obs = Observation(
            t=now, time_left_s=max(0.0, self.end_s - now), phase=self.session.phase.value,
            new_lines=tuple(self.fresh_lines), last_line=self.last_line,
            last_run=self.last_run, new_run=self.new_run, hints_seen=self.hints,
        )
        self.fresh_lines.clear()
        self.new_run = False
        return obs

    def candidate_turn(self) -> None:
        """Show the candidate what is new and carry out its moves, noting when
        it last did something."""
        active = False
        for move in self.policy.act(self.observe()):
            if self.session.ended:
                break
            active = self.apply(move) or active
        if active:
            self.last_activity = self.session.now()

    def tick(self) -> bool:
        """One tick, after the clock moved: the candidate moves first; a tick
        in which it did nothing, long enough after its last activity, is
        reported as silence (as the terminal interview and the panel do).
        False when the interview is over."""
        session = self.session
        if session.now() > self.end_s + 4 * self.tick_s:  # the engine should have ended it by now
            session.end("time")
            return False
        self.candidate_turn()
        if session.ended:
            return False
        quiet = session.now() - self.last_activity
        if quiet >= self.silence_s:
            session.post("silence", {"seconds": round(quiet, 1)})
        else:
            session.tick()
        self.read_new()
        return True


# ======================================================================
# Grading
# ======================================================================


@dataclass(frozen=True)
class Evidence:
    """Why a check failed: the offending message and when."""

    t: float
    text: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"t": round(self.t, 1), "at": mmss(self.t), "text": self.text, "why": self.why}


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    #: False when the transcript gives the check nothing to judge (no
    #: fishing, no passing code …): it then counts neither way.
    applicable: bool
    passed: bool
    evidence: tuple[Evidence, ...] = ()
    #: One line on what was looked at ("4 fishing attempts, 4 redirected").
    detail: str = ""
    #: How many faults the check found (its evidence before any is left out).
    faults: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "applicable": self.applicable,
                "passed": self.passed if self.applicable else None, "detail": self.detail,
                "faults": self.faults, "evidence": [e.as_dict() for e in self.evidence]}


class Grader(Protocol):
    """Marks one transcript. ``name`` says what kind of judgment it is
    ("rule-based", or "llm:<model>")."""

    name: str

    def grade(self, transcript: Transcript) -> list[CheckResult]: ...


def score_of(checks: Iterable[CheckResult]) -> float | None:
    """Passed over applicable; None when nothing applied."""
    applicable = [c for c in checks if c.applicable]
    if not applicable:
        return None
    return sum(c.passed for c in applicable) / len(applicable)


@dataclass(frozen=True)
class ScenarioResult:
    transcript: Transcript
    checks: tuple[CheckResult, ...]

    @property
    def score(self) -> float | None:
        return score_of(self.checks)

    def as_dict(self) -> dict[str, Any]:
        t = self.transcript
        coach_lines = t.coach_lines()
        return {
            "scenario": t.scenario, "persona": t.persona, "problem": t.problem.id,
            "coach": t.coach, "final_phase": t.final_phase,
            "score": None if self.score is None else round(self.score, 4),
            "passed": sum(c.passed for c in self.checks if c.applicable),
            "applicable": sum(c.applicable for c in self.checks),
            "coach_messages": len(coach_lines),
            "candidate_messages": sum(1 for r in t.records
                                      if isinstance(r, Event) and r.type == "candidate_said"),
            "seconds": round(t.seconds, 3),
            "checks": [c.as_dict() for c in self.checks],
        }


#: The eval's defect columns: a name, and the check whose faults it counts
#: (``grading.CHECKS``).
DEFECT_CHECKS: dict[str, str] = {
    "leaks": "no_leak",
    "instruction echoes": "no_instruction_echo",
    "third-person replies": "addressed_to_candidate",
    "invented facts": "no_invented_facts",
    "questions left unanswered": "questions_answered",
}


@dataclass(frozen=True)
class EvalReport:
    coach: str
    grader: str
    candidates: str
    scenarios: tuple[ScenarioResult, ...]
    seconds: float
    #: Sandbox start and anything else outside the scenarios.
    notes: tuple[str, ...] = ()

    @property
    def overall(self) -> float | None:
        scores = [s.score for s in self.scenarios if s.score is not None]
        return sum(scores) / len(scores) if scores else None

    def check_totals(self) -> dict[str, tuple[int, int, str]]:
        """For each check: (passed, applicable, title), in checklist order."""
        totals: dict[str, tuple[int, int, str]] = {}
        for s in self.scenarios:
            for c in s.checks:
                passed, applicable, _ = totals.get(c.id, (0, 0, c.title))
                totals[c.id] = (passed + (c.applicable and c.passed), applicable + c.applicable,
                                c.title)
        return totals

    def faults(self, check_id: str) -> int:
        """The faults one check found over every scenario."""
        return sum(c.faults for s in self.scenarios for c in s.checks if c.id == check_id)

    def defects(self) -> dict[str, int]:
        """The defect columns (:data:`DEFECT_CHECKS`): faults over every scenario."""
        return {name: self.faults(cid) for name, cid in DEFECT_CHECKS.items()}

    def as_dict(self) -> dict[str, Any]:
        overall = self.overall
        return {
            "coach": self.coach, "grader": self.grader, "candidates": self.candidates,
            "overall": None if overall is None else round(overall, 4),
            "defects": self.defects(),
            "scenarios": [s.as_dict() for s in self.scenarios],
            "checks": {cid: {"title": title, "passed": p, "applicable": a}
                       for cid, (p, a, title) in self.check_totals().items()},
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Scenario:
    """One interview to play: a persona against a problem."""

    persona: str
    problem: Problem
    make_policy: Callable[[], CandidatePolicy]

    @property
    def name(self) -> str:
        return f"{self.persona}/{self.problem.id}"


def run_eval(
    scenarios: Sequence[Scenario],
    *,
    make_coach: Callable[[Problem], Coach],
    grader: Grader,
    settings: Settings,
    runner: CodeRunner | None,
    registry: ProblemRegistry | None = None,
    minutes: float = 45,
    tick_s: float = DEFAULT_TICK_S,
    candidates: str = "rule-based personas",
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Play and grade every scenario, one after the other (one runner, kept
    warm, serves them all)."""
    started = time.perf_counter()
    results = []
    for i, scenario in enumerate(scenarios):
        coach = make_coach(scenario.problem)
        transcript = play(scenario.problem, coach, scenario.make_policy(), settings=settings,
                          runner=runner, registry=registry, minutes=minutes, tick_s=tick_s,
                          scenario=scenario.name)
        results.append(ScenarioResult(transcript, tuple(grader.grade(transcript))))
        if progress is not None:
            progress(i + 1, len(scenarios))
    coach_name = results[0].transcript.coach if results else "?"
    return EvalReport(coach=coach_name, grader=grader.name, candidates=candidates,
                      scenarios=tuple(results), seconds=time.perf_counter() - started)


def mmss(t: float) -> str:
    """A moment of a transcript as the evidence writes it: "04:05"."""
    return formatting.mmss(t, pad_minutes=True, truncate=True)
