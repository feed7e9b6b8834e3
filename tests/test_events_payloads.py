"""Every event and action payload has its TypedDict (mock_interviewer_lab/payloads.py),
and real sessions keep to them.

Realistic sessions are played (the eval's personas on three problems, one of
them going on to a follow-up problem; a coach that leaks; the LLM coach
against the canned loopback model, with a fallback, a streamed leak and a
tool's hint; the example simulation scripts, coding and behavioural, and a
replay of one of each): every stored record and every action handed back or
pushed to a listener is validated against its type's TypedDict, and between
them the sessions make every event and action type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
from typing_extensions import is_typeddict

from mock_interviewer_lab import payloads
from mock_interviewer_lab.coach.behavioral_llm import LlmScorer
from mock_interviewer_lab.coach.factory import build_coach
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.evaluation.personas import make_persona
from mock_interviewer_lab.evaluation.runner import EvalRunner, play
from mock_interviewer_lab.events import (
    ACTION_PAYLOADS,
    ACTION_TYPES,
    EVENT_PAYLOADS,
    EVENT_TYPES,
    Action,
    ActionType,
    Event,
    EventType,
    PayloadError,
    Record,
    validate_payload,
)
from mock_interviewer_lab.harness.outcome import CaseOutcome, ComplexityReport, RunResult
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.kinds.behavioral import behavioral_setup
from mock_interviewer_lab.interview.replay import replay_session
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.interview.simulate import load_script, simulate
from mock_interviewer_lab.problems.model import Example
from mock_interviewer_lab.problems.questions import interview_problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.report import SessionReport
from mock_interviewer_lab.settings import Settings, parse_settings
from mock_interviewer_lab.store import MEMORY, SessionStore

from .fake_llm_server import FakeLlmServer, Status, Text, ToolCalls

SIMULATIONS = Path(__file__).resolve().parents[1] / "examples" / "simulations"


# ------------------------------------------------------------- the maps


def test_every_type_has_a_payload_and_no_other() -> None:
    assert set(EVENT_PAYLOADS) == set(get_args(EventType)) == EVENT_TYPES
    assert set(ACTION_PAYLOADS) == set(get_args(ActionType)) == ACTION_TYPES
    for shape in (*EVENT_PAYLOADS.values(), *ACTION_PAYLOADS.values()):
        assert is_typeddict(shape), shape


def test_payloads_of_other_modules_models_keep_their_fields() -> None:
    """The JSON of a run, its cases, its growth, an example and the report
    have the fields of the models they are dumped from."""
    def keys(shape: Any) -> set[str]:
        return set(get_type_hints(shape))

    assert keys(payloads.RunJson) == set(RunResult.model_fields)
    assert keys(payloads.CaseJson) == set(CaseOutcome.model_fields)
    assert keys(payloads.ComplexityJson) == set(ComplexityReport.model_fields)
    assert keys(payloads.ExampleJson) == set(Example.model_fields)
    assert keys(payloads.ReportReady) == {f.name for f in dataclasses.fields(SessionReport)}


def test_a_wrong_payload_is_refused_naming_the_type_and_the_field() -> None:
    validate_payload("event", "silence", {"seconds": 12})
    with pytest.raises(PayloadError, match=r"^event silence: seconds: Input should be a valid number"):
        validate_payload("event", "silence", {"seconds": "twelve"})
    with pytest.raises(PayloadError, match=r"event end_requested: reason: Input should be "
                                           r"'candidate', 'time' or 'abort'"):
        validate_payload("event", "end_requested", {"reason": "bored"})
    with pytest.raises(PayloadError, match=r"action show_hint: level: .*; label: Field required"):
        validate_payload("action", "show_hint", {"level": True, "of": 3, "text": "Think.",
                                                 "reason": "stuck"})
    with pytest.raises(PayloadError, match=r"action phase_changed: mood: Extra inputs"):
        validate_payload("action", "phase_changed", {"from": "intro", "to": "understanding",
                                                     "reason": "r", "mood": "good"})
    with pytest.raises(PayloadError, match=r"run\.cases\.0\.status"):
        validate_payload("event", "tests_finished", {
            "code_seq": 3, "run": {"problem": "core:two_sum", "passed": 0, "failed": 1,
                                   "total": 1, "complexity": None, "error": None,
                                   "seconds": 0.1, "isolation": {},
                                   "cases": [{"index": 0, "name": "c", "hidden": True,
                                              "kind": "io", "status": "fine"}]}})
    with pytest.raises(PayloadError, match="unknown action type 'teleport'"):
        validate_payload("action", "teleport", {})


def test_a_session_refuses_an_event_of_the_wrong_shape() -> None:
    registry = ProblemRegistry.discover(installed=False)
    store = SessionStore(MEMORY)
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=None,
                                     clock=FakeClock(), registry=registry, coach=ScriptedCoach())
    before = len(session.records())
    with pytest.raises(PayloadError, match="event silence: seconds"):
        session.post("silence", {"seconds": "long"})
    with pytest.raises(PayloadError, match="event candidate_said: text: Field required"):
        session.post("candidate_said", {"words": "hello"})
    assert len(session.records()) == before  # nothing stored


# ------------------------------------------------------ played sessions


def check(record: Record) -> None:
    kind = "event" if isinstance(record, Event) else "action"
    try:
        validate_payload(kind, record.type, record.data)
    except PayloadError as exc:
        raise AssertionError(f"{exc}\n  in {record.to_dict()}") from None


class Seen:
    """The records checked so far, by type."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.count = 0

    def check(self, records: Any) -> None:
        for r in records:
            check(r)
            self.types.add(r.type)
            self.count += 1


@pytest.fixture(scope="module")
def seen() -> Seen:
    return Seen()


@pytest.fixture
def returned(monkeypatch: pytest.MonkeyPatch, seen: Seen) -> Iterator[list[Action]]:
    """Every action a session hands back from post, checked at the end."""
    out: list[Action] = []
    post = InterviewSession.post

    def recording(self: InterviewSession, type_: EventType,
                  data: dict[str, Any] | None = None) -> list[Action]:
        actions = post(self, type_, data)
        out.extend(actions)
        return actions

    monkeypatch.setattr(InterviewSession, "post", recording)
    yield out
    assert out
    seen.check(out)


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


class LeakingCoach(ScriptedCoach):
    """Names the structure to say-triggers: the leak filter blocks it."""

    name = "leaking"

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger == "said":
            return CoachReply("Use a hashmap: store the indices in a dictionary.", "question")
        return super().reply(ctx)


PLAYS = [
    ("two_sum", "strong", True), ("two_sum", "stuck", False), ("two_sum", "fishing", False),
    ("two_sum", "silent", False), ("two_sum", "brute_forcer", False),
    ("two_sum", "early_finisher", False), ("valid_parentheses", "strong", False),
    ("valid_parentheses", "clarifier", False), ("valid_parentheses", "wrong_turn", False),
    ("binary_search", "brute_forcer", False),
]


def test_personas_sessions_keep_to_the_payloads(
        registry: ProblemRegistry, harness: SyncHarness, seen: Seen,
        returned: list[Action]) -> None:
    plain, measured = EvalRunner(harness), EvalRunner(harness, growth=True)
    for problem_id, persona, growth in PLAYS:
        problem = registry.get(problem_id)
        t = play(problem, ScriptedCoach(), make_persona(persona, problem), settings=Settings(),
                 runner=measured if growth else plain, registry=registry)
        seen.check(t.records)
    problem = registry.get("two_sum")
    t = play(problem, LeakingCoach(), make_persona("strong", problem), settings=Settings(),
             runner=plain, registry=registry)
    seen.check(t.records)
    assert {"problem_added", "leak_blocked", "fishing_redirected", "better_solution",
            "complexity_checked", "growth_measured", "show_hint"} <= seen.types


def test_simulations_and_a_replay_keep_to_the_payloads(
        registry: ProblemRegistry, harness: SyncHarness, seen: Seen,
        returned: list[Action]) -> None:
    store = SessionStore(MEMORY)
    ids = []
    for path in sorted(SIMULATIONS.glob("*.yaml")):
        out = simulate(load_script(path), settings=Settings(), registry=registry,
                       harness=harness, store=store, coach=ScriptedCoach())
        ids.append(out["session_id"])
        seen.check(store.records(out["session_id"]))
    again = replay_session(store, ids[0], registry, Settings(), replay_coach=ScriptedCoach(),
                           helpfulness="gentle")
    seen.check(store.records(again.session.id))
    # The behavioural examples (kind: behavioral) and a replay of one: its
    # events and actions keep to their shapes too.
    behavioural = [i for i in ids if store.get(i).kind == "behavioral"]
    assert len(behavioural) == 2
    again = replay_session(store, behavioural[0], registry, Settings(),
                           replay_coach=ScriptedCoach())
    seen.check(store.records(again.session.id))
    assert {"next_requested", "skip_requested", "question_asked", "follow_up_asked",
            "answer_scored", "question_feedback", "session_feedback", "difficulty_changed",
            "request_refused"} <= seen.types


@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


def test_an_llm_coach_session_keeps_to_the_payloads(
        llm_server: FakeLlmServer, registry: ProblemRegistry, harness: SyncHarness,
        seen: Seen, returned: list[Action]) -> None:
    problem = registry.get("two_sum")
    settings = parse_settings({"llm": {"model": "openai/test-model", "api_base": llm_server.url,
                                       "timeout_s": 30}}, "test-settings.toml")
    llm_server.reset(default=Text("Welcome! Let's work on Two Sum. How do you read it?"))
    clock = FakeClock()
    pushed: list[Action] = []
    session = InterviewSession.start(
        SessionStore(MEMORY), problem, settings, harness=harness, clock=clock,
        coach=build_coach("llm", settings, runner=harness, problem=problem), registry=registry)
    session.listeners.append(pushed.append)
    llm_server.push(Status(500), Status(500))  # a fallback to the scripted coach
    clock.set(30)
    session.say("Can the numbers be negative?")
    llm_server.push(Text("Good start. You should use a hash map to store each number you have "
                         "seen. Then look up target minus the current number.", words=2))
    clock.set(60)
    session.say("I'm thinking about checking every pair of numbers.")
    llm_server.push(ToolCalls([("run_tests", "{}"), ("get_hint", '{"level": 1}')]),
                    Text("Look at what your function returns for the second example."))
    clock.set(200)
    session.submit("def two_sum(nums, target):\n    return [0, 1]\n")
    clock.set(400)
    session.end("candidate")
    seen.check(session.records())
    seen.check(pushed)
    assert {"coach_partial", "coach_fallback", "leak_blocked", "show_hint",
            "report_ready"} <= {a.type for a in pushed}


def test_a_behavioural_session_whose_model_fails_keeps_to_the_payloads(
        llm_server: FakeLlmServer, registry: ProblemRegistry, seen: Seen) -> None:
    settings = parse_settings({"llm": {"model": "openai/test-model", "api_base": llm_server.url,
                                       "timeout_s": 30}}, "test-settings.toml")
    llm_server.reset(default=Status(500))
    setup = behavioral_setup(stage="hiring_manager", seed=3, registry=registry)
    clock = FakeClock()
    session = InterviewSession.start(
        SessionStore(MEMORY), interview_problem("hiring_manager"), settings, harness=None,
        clock=clock, coach=ScriptedCoach(), registry=registry, kind_name="behavioral",
        kind_options=setup, scorer=LlmScorer(settings))
    clock.set(30)
    session.say("I led the migration myself and it cut our costs by 20 percent.")
    session.end("candidate")
    seen.check(session.records())
    assert "scorer_fallback" in {r.type for r in session.records()}


def test_the_sessions_made_every_type(seen: Seen) -> None:
    """Runs last in this module: between them, the sessions above made (and
    checked) every event and action type."""
    assert seen.count > 1000
    assert seen.types >= EVENT_TYPES | ACTION_TYPES, sorted(EVENT_TYPES | ACTION_TYPES - seen.types)
