"""A second kind of interview with its own phases, and the kind a session
stores.

``Story`` is a behavioural interview in miniature: its own work (the stories
told), its own phase plan (INTRO -> UNDERSTANDING -> REFLECTION -> DONE, no
code, no tests) and its own agenda. It runs through the orchestrator, which
must not name the coding interview's state; the session stores the kind's
name, and resume and replay make the kind again from it (kinds.KINDS)."""

from __future__ import annotations

import ast
import dataclasses
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.events import Action, ActionType, Event, EventType
from mock_interviewer_lab.interview import kinds
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.intent import Intent, Utterance
from mock_interviewer_lab.interview.kinds.base import Engine, InterviewKind, Shell, WithoutCode
from mock_interviewer_lab.interview.kinds.coding import (
    CodingInterview,
    CodingView,
    CodingWork,
    view_of,
)
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.phases import AgendaStep, Phase, PhasePlan, Transition
from mock_interviewer_lab.interview.replay import replay_session
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import SessionStore, _migrate_to_1

P = Phase
CODING_ACTIONS = {"run_tests", "show_results", "problem_added", "better_solution",
                  "complexity_checked"}


def _intent_step(phase: Phase, intent: Intent, time_left_s: float) -> Phase | None:
    if phase == P.INTRO and intent in (Intent.CLARIFYING_QUESTION, Intent.APPROACH):
        return P.UNDERSTANDING
    if phase == P.UNDERSTANDING and intent == Intent.DONE:
        return P.REFLECTION
    return None


def _time_step(phase: Phase, time_left_s: float, wrap_up_at_s: float) -> Phase | None:
    if phase == P.UNDERSTANDING and time_left_s < wrap_up_at_s:
        return P.REFLECTION
    if phase == P.REFLECTION and time_left_s <= 0:
        return P.DONE
    return None


STORY_PLAN = PhasePlan(
    name="story",
    moves=(Transition(P.INTRO, P.UNDERSTANDING, "the candidate begins", "spec"),
           Transition(P.UNDERSTANDING, P.REFLECTION, "the story is told", "spec"),
           Transition(P.REFLECTION, P.DONE, "the lessons are drawn", "spec")),
    first=P.UNDERSTANDING,
    intent_step=_intent_step,
    time_step=_time_step,
    endings=((P.DONE,), (P.REFLECTION, P.DONE)),
    agenda={P.REFLECTION: AgendaStep(("lessons", "again"))},
)


@dataclasses.dataclass
class StoryWork:
    """None of the coding interview's fields: the engine reading one fails."""

    told: list[str] = dataclasses.field(default_factory=list)


class Story(WithoutCode):
    """A behavioural interview: the candidate tells a story, no code."""

    name = "story"
    events: frozenset[EventType] = frozenset()
    side_effects: frozenset[ActionType] = frozenset()
    plan: PhasePlan = STORY_PLAN

    def __init__(self, problem: Problem, followups: list[Problem] | None = None) -> None:
        self.problem = problem

    def handle(self, engine: Engine, event: Event) -> None:
        raise AssertionError(f"a story takes no event of its own ({event.type})")

    def carry_out(self, shell: Shell, action: Action) -> list[Action]:
        raise AssertionError(f"a story carries out nothing ({action.type})")

    def resume(self, shell: Shell, events: list[Event], pending: list[Action]) -> None:
        assert pending == []

    def new_work(self) -> StoryWork:
        return StoryWork()

    def went_on(self, engine: Engine, utterance: Utterance) -> None:
        work = engine.state.work
        assert isinstance(work, StoryWork)
        if utterance.intent == Intent.APPROACH:
            work.told.append(engine.state.transcript[-1][2])

    def coach_view(self, engine: Engine, given: dict[str, Any]) -> StoryWork:
        assert not given  # the engine passes nothing of its own
        work = engine.state.work
        assert isinstance(work, StoryWork)
        return work

    def problem_for(self, qualified_id: str | None) -> Problem:
        return self.problem

    def public_view(self, problem: Problem) -> dict[str, Any]:
        return {"title": problem.spec.title}


class Interviewer:
    """A coach that notes what it was asked for."""

    name = "story-coach"

    def __init__(self) -> None:
        self.goals: list[str] = []
        #: What the kind showed of the work (``CoachContext.work``), each turn.
        self.works: list[Any] = []

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.goal:
            self.goals.append(ctx.goal)
        self.works.append(ctx.work)
        assert view_of(ctx).code is None and view_of(ctx).last_run is None  # no code reaches it
        return CoachReply(text=f"Go on ({ctx.trigger}, {ctx.turn}).", kind="question")


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture(scope="module")
def problem(registry: ProblemRegistry) -> Problem:
    return registry.get("two_sum")


def _story(problem: Problem) -> Story:
    kind: InterviewKind = Story(problem)  # the protocol, checked by mypy
    assert isinstance(kind, Story)
    return kind


# ------------------------------------------------------------ the engine


def test_a_kind_with_its_own_phase_plan_runs_through_the_orchestrator(problem: Problem) -> None:
    coach = Interviewer()
    orch = Orchestrator(problem, Settings(), coach=coach, minutes=10, kind=_story(problem))
    assert orch.machine.plan is STORY_PLAN
    script: list[tuple[float, EventType, dict[str, Any]]] = [
        (0, "session_started", {}),
        (20, "candidate_said", {"text": "Can I ask which project you mean?"}),
        (60, "candidate_said", {"text": "I think we could move one service at a time."}),
        (90, "code_submitted", {"code": "print('not in this interview')"}),
        (240, "candidate_said", {"text": "I'm done."}),
        (300, "candidate_said", {"text": "I learnt to ask for help much earlier than I did."}),
        *[(float(t), "tick", {}) for t in range(330, 660, 30)],
    ]
    log: list[Action] = []
    for seq, (t, type_, data) in enumerate(script):
        log += orch.handle(Event(type=type_, t=t, data=data, seq=seq))
    moves = [(a.data["from"], a.data["to"]) for a in log if a.type == "phase_changed"]
    assert moves == [("init", "intro"), ("intro", "understanding"),
                     ("understanding", "reflection"), ("reflection", "done")]
    # Its agenda, in order, then the open floor; none of the coding kind's.
    assert coach.goals[:2] == ["lessons", "again"] and "edge_cases" not in coach.goals
    types = {a.type for a in log}
    assert not CODING_ACTIONS & types and "report_ready" in types
    assert orch.state.ended and isinstance(orch.state.work, StoryWork)
    assert orch.state.work.told == ["I think we could move one service at a time."]
    # The coach saw the story's own view of the work, nothing of a coding one.
    assert coach.works and all(w is orch.state.work for w in coach.works)
    assert not any(isinstance(w, CodingView) for w in coach.works)
    # The engine's ABORT and its mechanics hold; the coding moves do not exist here.
    fresh = Orchestrator(problem, Settings(), coach=Interviewer(), minutes=10,
                         kind=_story(problem))
    fresh.handle(Event(type="session_started", t=0, data={}, seq=0))
    fresh.handle(Event(type="candidate_said", t=5, data={"text": "Which project?"}, seq=1))
    verdict = fresh.machine.can(P.CODING, time_left_s=500)
    assert not verdict and verdict.reason.endswith("can only go to REFLECTION or ABORT")
    assert fresh.machine.can(P.ABORT, time_left_s=500)


def _names(tree: ast.AST) -> set[str]:
    """Every identifier a module uses or defines (attributes, names,
    functions, arguments, keywords, imports), not its strings or comments."""
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            named.add(node.attr)
        elif isinstance(node, ast.Name):
            named.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            named.add(node.name)
        elif isinstance(node, ast.arg | ast.keyword) and node.arg:
            named.add(node.arg)
        elif isinstance(node, ast.alias):
            named.add(node.asname or node.name.rsplit(".", 1)[-1])
    return named


def test_the_engine_names_none_of_the_coding_interviews_state() -> None:
    coding = {f.name for f in dataclasses.fields(CodingWork)}
    package = Path(kinds.__file__).resolve().parents[1]
    for name in ("orchestrator.py", "session.py", "state.py"):
        tree = ast.parse((package / name).read_text())
        named = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        named |= {node.target.id for node in ast.walk(tree)
                  if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
        assert not coding & named, (name, sorted(coding & named))


#: The phases every interview has: the only ones the orchestrator may name.
COMMON_PHASES = {"INIT", "CALIBRATION", "INTRO", "DONE", "ABORT"}
#: Words of a coding interview (its code, tests, big-O talk, test-driven
#: steps, optimisation loop): none is part of an identifier the orchestrator uses.
CODING_WORDS = re.compile(r"cod(e|ing)|complexity|big_?o|tdd|claim|finding|optimi|tests?_|"
                          r"_tests?\b|^tests?$|run_|_run\b", re.I)


def test_the_orchestrator_names_no_phase_and_no_rule_of_one_kind() -> None:
    """Where a decision belongs to one kind of interview (stuck phases,
    time rules, the big-O before the end, test-driven steps), the
    orchestrator asks the kind or its phase plan."""
    path = Path(kinds.__file__).resolve().parents[1] / "orchestrator.py"
    tree = ast.parse(path.read_text())
    phases = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id == "Phase"}
    assert phases and phases <= COMMON_PHASES, sorted(phases - COMMON_PHASES)
    assert set(Phase.__members__) >= COMMON_PHASES
    named = _names(tree)
    assert not {f.name for f in dataclasses.fields(CodingWork)} & named
    coding = sorted(n for n in named if CODING_WORDS.search(n))
    assert not coding, coding
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m and ".kinds." in m and not m.endswith(".base")}


def test_the_orchestrator_check_fails_on_a_coding_phase_or_word() -> None:
    """The check above can fail: a coding phase, a CodingWork field, a word."""
    tree = ast.parse("if self.phase == Phase.CODING and st.claim_fresh:\n"
                     "    self._check_complexity(u)\n")
    phases = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id == "Phase"}
    assert phases - COMMON_PHASES == {"CODING"}
    named = _names(tree)
    assert {f.name for f in dataclasses.fields(CodingWork)} & named == {"claim_fresh"}
    assert sorted(n for n in named if CODING_WORDS.search(n)) == [
        "CODING", "_check_complexity", "claim_fresh"]


# ------------------------------------------------------ the stored kind


def test_the_stored_kind_round_trips_through_store_resume_and_replay(
        problem: Problem, registry: ProblemRegistry, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = SessionStore(tmp_path / "s.db")
    clock = FakeClock()
    coding = InterviewSession.start(store, problem, Settings(), harness=None, clock=clock,
                                    coach=Interviewer(), minutes=10, registry=registry)
    monkeypatch.setitem(kinds.KINDS, "story", Story)
    story = InterviewSession.start(store, problem, Settings(), harness=None, clock=clock,
                                   coach=Interviewer(), minutes=10, registry=registry,
                                   kind=_story(problem))
    story.say("Can I ask which project you mean?")
    assert (coding.info.kind, story.info.kind) == ("coding", "story")
    for session, name in ((coding, "coding"), (story, "story")):
        started = next(r for r in session.records() if r.type == "session_started")
        assert started.data["kind"] == name
        assert store.get(session.info.id).kind == name
        assert store.get(session.info.id).to_dict()["kind"] == name
    assert {i.id: i.kind for i in store.sessions()} == {coding.info.id: "coding",
                                                        story.info.id: "story"}

    # Resume and replay make the stored kind again.
    resumed = InterviewSession.resume(store, story.info.id, registry, Settings(), harness=None,
                                      clock=clock, replay_coach=Interviewer())
    assert isinstance(resumed.orchestrator.kind, Story) and resumed.phase == story.phase
    again = InterviewSession.resume(store, coding.info.id, registry, Settings(), harness=None,
                                    clock=clock, replay_coach=Interviewer())
    assert isinstance(again.orchestrator.kind, CodingInterview)
    replayed = replay_session(store, story.info.id, registry, Settings(),
                              replay_coach=Interviewer())
    assert replayed.session.kind == "story" and store.get(replayed.session.id).kind == "story"

    # Exported and imported, it stays a story.
    copy = SessionStore(tmp_path / "copy.db").import_session(store.export(story.info.id))
    assert copy.kind == "story"

    # A version without the kind says which one it lacks.
    monkeypatch.delitem(kinds.KINDS, "story")
    with pytest.raises(kinds.UnknownKind, match=r"unknown kind of interview 'story'"):
        InterviewSession.resume(store, story.info.id, registry, Settings(), harness=None,
                                clock=clock, replay_coach=Interviewer())


def _old_database(path: Path) -> None:
    """A session database as the first schema wrote it (no ``kind``)."""
    conn = sqlite3.connect(path)
    _migrate_to_1(conn)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (1)")
    conn.execute("INSERT INTO sessions (id, problem, created_at, status, meta) "
                 "VALUES ('20240101-0000-abcd', 'core:two_sum', '2024-01-01T00:00:00+00:00', "
                 "'ended', '{}')")
    conn.commit()
    conn.close()


def test_an_old_database_migrates_in_place_and_reads_as_coding(tmp_path: Path) -> None:
    old, other = tmp_path / "old.db", tmp_path / "other.db"
    _old_database(old)
    _old_database(other)

    # Read-only, it is read as it is: its sessions are coding interviews.
    readonly = SessionStore(other, read_only=True)
    assert [i.kind for i in readonly.sessions()] == ["coding"]
    readonly.close()
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    conn.close()

    store = SessionStore(old)
    assert store.get("20240101-0000-abcd").kind == "coding"
    created = store.create_session("core:two_sum", kind="story")
    assert store.get(created.id).kind == "story"
    store.close()
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    assert conn.execute("SELECT kind FROM sessions ORDER BY id").fetchall() == [
        ("coding",), ("story",)]
    conn.close()


def test_an_export_from_before_kinds_imports_as_coding(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    exported = store.export(store.create_session("core:two_sum").id)
    del exported["session"]["kind"]
    assert SessionStore(tmp_path / "t.db").import_session(exported).kind == "coding"
