"""The seam between the engine and a kind of interview (interview/kinds/).

A minimal talk-only kind (no code, no tests, no follow-up problem) plugs into
the orchestrator and the session shell and plays an interview to DONE: the
engine carries a kind without code. The coding interview is the default, and
passed in explicitly it plays the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.events import Action, ActionType, Event, EventType
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.kinds.base import Engine, InterviewKind, Shell, WithoutCode
from mock_interviewer_lab.interview.kinds.coding import CodingInterview, work_of
from mock_interviewer_lab.interview.kinds.coding_plan import CODING_PLAN
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.phases import Phase, PhasePlan
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import SessionStore

#: What only a coding interview does: none of it may happen in a talk.
CODING_ACTIONS = {"run_tests", "show_results", "problem_added", "better_solution",
                  "complexity_checked"}


class TalkOnly(WithoutCode):
    """A kind of interview with nothing but talk: it takes no event of its
    own, carries out nothing, expects no complexity and has no follow-up."""

    name = "talk"
    events: frozenset[EventType] = frozenset()
    side_effects: frozenset[ActionType] = frozenset()
    plan: PhasePlan = CODING_PLAN  # the coding interview's phases, only talked through

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.asked: list[str] = []

    def handle(self, engine: Engine, event: Event) -> None:
        raise AssertionError(f"a talk takes no event of its own ({event.type})")

    def carry_out(self, shell: Shell, action: Action) -> list[Action]:
        raise AssertionError(f"a talk carries out nothing ({action.type})")

    def resume(self, shell: Shell, events: list[Event], pending: list[Action]) -> None:
        assert pending == []
        self.asked.append("resume")

    def new_work(self) -> list[str]:
        return []  # nothing handed in, ever

    def coach_view(self, engine: Engine, given: dict[str, Any]) -> dict[str, Any]:
        return {"last_run": given.get("run"), "previous_run": given.get("previous")}

    def followup_due(self, engine: Engine) -> bool:
        self.asked.append("followup_due")
        return False

    def start_followup(self, engine: Engine) -> Problem:
        raise AssertionError("a talk has no follow-up problem")

    def problem_for(self, qualified_id: str | None) -> Problem:
        return self.problem

    def public_view(self, problem: Problem) -> dict[str, Any]:
        return {"title": problem.spec.title, "statement": problem.spec.statement}


class Interviewer:
    """A coach with a line for every trigger, none about code."""

    name = "talk"

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        return CoachReply(text=f"Tell me more ({ctx.trigger}, {ctx.turn}).", kind="question")


@pytest.fixture(scope="module")
def problem() -> Problem:
    return ProblemRegistry.discover(installed=False).get("two_sum")


def _kind(problem: Problem) -> TalkOnly:
    kind: InterviewKind = TalkOnly(problem)  # the protocol, checked by mypy
    assert isinstance(kind, TalkOnly)
    return kind


#: (seconds, event type, data): a ten-minute talk; code handed in is ignored.
TALK: list[tuple[float, EventType, dict[str, Any]]] = [
    (0, "session_started", {}),
    (20, "candidate_said", {"text": "Can I ask what the input looks like?"}),
    (60, "candidate_said", {"text": "I'd describe the approach before anything else."}),
    (90, "code_submitted", {"code": "print('not in this interview')"}),
    (120, "hint_requested", {}),
    (200, "silence", {"seconds": 30}),
    *[(float(t), "tick", {}) for t in range(240, 660, 30)],
]


def test_a_talk_only_kind_plays_to_done_through_the_orchestrator(problem: Problem) -> None:
    kind = _kind(problem)
    orch = Orchestrator(problem, Settings(), coach=Interviewer(), minutes=10, kind=kind)
    assert orch.kind is kind
    log: list[Action] = []
    for seq, (t, type_, data) in enumerate(TALK):
        log += orch.handle(Event(type=type_, t=t, data=data, seq=seq))
    types = [a.type for a in log]
    assert orch.phase == Phase.DONE and orch.state.ended
    assert types[-1] == "report_ready"
    assert not CODING_ACTIONS & set(types), types
    # The engine's own work went on: the coach spoke, a hint was given, time
    # warned; the code handed in changed nothing.
    assert {"coach_says", "show_hint", "time_warning", "phase_changed"} <= set(types)
    assert orch.state.work == []
    assert orch.problem_for("anything") is problem


def test_a_talk_only_kind_runs_in_the_session_shell_and_resumes(problem: Problem,
                                                                 tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    registry = ProblemRegistry.discover(installed=False)
    clock = FakeClock()
    session = InterviewSession.start(store, problem, Settings(), harness=None, clock=clock,
                                     coach=Interviewer(), minutes=10, registry=registry,
                                     kind=_kind(problem))
    assert session.public_view() == {"title": problem.spec.title,
                                     "statement": problem.spec.statement}
    clock.set(30)
    session.say("I'd describe the approach before anything else.")
    clock.set(60)
    out = session.submit("print('not in this interview')")
    assert not CODING_ACTIONS & {a.type for a in out}

    # Resumed with a new talk kind: the replay asks it for nothing pending.
    again = _kind(problem)
    resumed = InterviewSession.resume(store, session.info.id, registry, Settings(), harness=None,
                                      clock=clock, replay_coach=Interviewer(), kind=again)
    assert resumed.orchestrator.kind is again and "resume" in again.asked
    assert resumed.phase == session.phase
    clock.set(700)
    actions = resumed.end_if_time_up()
    assert actions is not None and resumed.ended and resumed.phase == Phase.DONE
    types = {r.type for r in resumed.records()}
    assert "report_ready" in types and not CODING_ACTIONS & types


def test_the_coding_interview_is_the_default_and_plays_the_same_passed_in(
        problem: Problem) -> None:
    brute = ("def two_sum(nums, target):\n"
             "    for i in range(len(nums)):\n"
             "        for j in range(i + 1, len(nums)):\n"
             "            if nums[i] + nums[j] == target:\n"
             "                return [i, j]\n")
    run = {"problem": "two_sum", "passed": 3, "failed": 0, "total": 3, "cases": [],
           "complexity": None, "error": None}
    script: list[tuple[float, EventType, dict[str, Any]]] = [
        (0, "session_started", {}),
        (30, "candidate_said", {"text": "I'll check every pair first."}),
        (60, "candidate_said", {"text": "Let me code it."}),
        (300, "code_submitted", {"code": brute}),
        (301, "tests_finished", {"run": run, "code_seq": 3}),
        (400, "candidate_said", {"text": "It's quadratic time."}),
        (500, "end_requested", {"reason": "candidate"}),
    ]

    def play(orch: Orchestrator) -> list[tuple[str, float, dict[str, Any]]]:
        out: list[tuple[str, float, dict[str, Any]]] = []
        for seq, (t, type_, data) in enumerate(script):
            out += [(a.type, a.t, a.data) for a in orch.handle(
                Event(type=type_, t=t, data=data, seq=seq))]
        return out

    default = Orchestrator(problem, Settings(), coach=Interviewer(), minutes=45)
    assert isinstance(default.kind, CodingInterview)
    passed_in = Orchestrator(problem, Settings(), coach=Interviewer(), minutes=45,
                             kind=CodingInterview(problem))
    played = play(default)
    assert played == play(passed_in)
    types = [t for t, _, _ in played]
    # The coding kind did its part: tests asked for, results shown, the
    # nested loops seen by the analyzer and the slower solution pushed on.
    assert {"run_tests", "show_results", "complexity_checked", "better_solution"} <= set(types)
    work = work_of(default.state)
    assert any(f.rule == "nested_loops" for f in work.findings)
    assert work.better == "not_reached" and default.phase == Phase.DONE
