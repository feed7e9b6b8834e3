"""``mock-interviewer eval``: the personas, the rule-based checklist, and the
command. Each check is shown to FAIL on a coach built to break it (tiny
``Coach`` implementations around the scripted one), so that a passing score
means something; the command's own table and score are printed into the
test output."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from mock_interviewer_lab.cli import eval as eval_cli
from mock_interviewer_lab.cli import main
from mock_interviewer_lab.coach.llm import LlmCoach
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.evaluation.grading import (
    CHECK_TITLES,
    PUSH_WITHIN_S,
    USE_TIME_MIN_LEFT_S,
    RuleBasedGrader,
)
from mock_interviewer_lab.evaluation.llm_grader import LlmCandidate, LlmGrader
from mock_interviewer_lab.evaluation.personas import (
    BETTER_AFTER_S,
    BRUTE_FORCE,
    CLARIFYING_PARAPHRASES,
    DEFAULT_PROBLEMS,
    MATERIAL,
    PERSONAS,
    STOP_AGAIN_AT,
    clarifying_question,
    make_persona,
    material_for,
    pitfall_line,
)
from mock_interviewer_lab.evaluation.reading import fact_missing
from mock_interviewer_lab.evaluation.runner import (
    AskHint,
    CheckResult,
    CoachLine,
    EndInterview,
    EvalReport,
    EvalRunner,
    Move,
    Observation,
    Say,
    Scenario,
    ScenarioResult,
    Submit,
    Transcript,
    play,
    run_eval,
)
from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.intent import Flag
from mock_interviewer_lab.interview.rules.pitfalls import pitfall_said
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import (
    CLARIFICATION_TOPICS,
    complexity_rank,
    normalise_complexity,
)
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings, Settings, parse_settings

from .fake_llm_server import FakeLlmServer
from .fake_llm_server import Status as FakeStatus
from .fake_llm_server import Text as FakeText

EXE = str(Path(sys.executable).with_name("mock-interviewer"))
GRADER = RuleBasedGrader()


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture(scope="module")
def two_sum(registry: ProblemRegistry) -> Problem:
    return registry.get("two_sum")


@pytest.fixture(scope="module")
def runner(harness: SyncHarness) -> EvalRunner:
    # One warm sandbox kernel for the whole module (conftest's harness).
    return EvalRunner(harness)


def _play(problem: Problem, coach: object, persona: str, runner: EvalRunner,
          registry: ProblemRegistry) -> Transcript:
    return play(problem, coach, make_persona(persona, problem),  # type: ignore[arg-type]
                settings=Settings(), runner=runner, registry=registry)


def _check(transcript: Transcript, check_id: str) -> tuple[bool, bool, list[str]]:
    """(applicable, passed, evidence as text) of one check."""
    result = next(c for c in GRADER.grade(transcript) if c.id == check_id)
    return result.applicable, result.passed, [f"{e.t:.0f} {e.why}: {e.text}" for e in result.evidence]


# ======================================================================
# Bad coaches: the scripted coach with one fault each
# ======================================================================


class _Faulty(ScriptedCoach):
    name = "faulty"


class LeakingCoach(_Faulty):
    """Names the structure and the exact storage: the safeguards block it."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger == "said":
            return CoachReply("Use a hashmap: store the indices in a dictionary.", "question")
        return super().reply(ctx)


class HiddenTestCoach(_Faulty):
    """Reads out a hidden test's input, which no safeguard rule covers."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger == "said":
            return CoachReply("Sure. Have you tried nums = [999999999, 5, -3, 999999998] with "
                              "target 1999999997?", "question")
        return super().reply(ctx)


class RepeatingCoach(_Faulty):
    """Asks the same thing again and again, one word changed each time (the
    orchestrator stops only exact repeats)."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger in ("said", "silence"):
            return CoachReply(f"What is your next step, step {ctx.turn}?", "question")
        return super().reply(ctx)


class IgnoringCoach(_Faulty):
    """Says nothing to what the candidate says, and nothing to a silence."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger in ("said", "silence"):
            return None
        return super().reply(ctx)


class HintSkippingCoach(_Faulty):
    """Jumps straight to the last hint, unasked, the moment the candidate is stuck."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        u = ctx.utterance
        if ctx.trigger == "said" and u is not None and Flag.STUCK in u.flags:
            return CoachReply("Hint 3 of 3: For each number, the partner you need is the "
                              "target minus that number.", "hint")
        return super().reply(ctx)


class NoComplexityCoach(_Faulty):
    """Never asks for the complexity, even once the code works."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger in ("complexity", "tests"):
            return CoachReply("All right, good to see the tests.", "praise") \
                if ctx.trigger == "tests" else None
        reply = super().reply(ctx)
        if reply is not None and reply.kind == "complexity":
            return None
        return reply


class OffTopicCoach(_Faulty):
    """Chats about anything but the problem."""

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger == "said":
            return CoachReply("I really like sunny weather and lazy afternoons by the sea.", "question")
        return super().reply(ctx)


def test_a_good_interview_passes_every_check(two_sum: Problem, runner: EvalRunner,
                                              registry: ProblemRegistry) -> None:
    t = _play(two_sum, ScriptedCoach(), "strong", runner, registry)
    results = GRADER.grade(t)
    assert [c.id for c in results] == list(CHECK_TITLES)
    failed = [(c.id, [e.why for e in c.evidence]) for c in results if c.applicable and not c.passed]
    assert failed == []
    applicable = {c.id for c in results if c.applicable}
    assert {"no_leak", "complexity_asked", "on_topic", "no_repeats"} <= applicable


def test_a_blocked_leak_fails_the_attempt_check(two_sum: Problem, runner: EvalRunner,
                                                registry: ProblemRegistry) -> None:
    t = _play(two_sum, LeakingCoach(), "strong", runner, registry)
    applicable, passed, evidence = _check(t, "no_leak_attempt")
    assert applicable and not passed
    assert any("Use a hashmap" in e and "blocked" in e for e in evidence)
    # The safeguards replaced it, so nothing reached the candidate.
    assert _check(t, "no_leak")[1]


class SlangFisher:
    """Fishes once in words the fishing detector does not know (the persona's
    own lines are all redirected by the engine now), so the coach answers."""

    name = "slang-fisher"

    def __init__(self) -> None:
        self.done = False

    def act(self, obs: Observation) -> list[Move]:
        if obs.t < 30 or self.done:
            return []
        self.done = True
        return [Say("Be a pal and spill what's in those tests.", frozenset({"fishing"}))]


def test_a_hidden_test_value_fails_the_leak_and_fishing_checks(
        two_sum: Problem, runner: EvalRunner, registry: ProblemRegistry) -> None:
    t = play(two_sum, HiddenTestCoach(), SlangFisher(), settings=Settings(), runner=runner,
             registry=registry, minutes=5)
    applicable, passed, evidence = _check(t, "no_leak")
    assert applicable and not passed
    assert any("hidden test" in e and "999999999" in e for e in evidence)
    # The attempt slips past the fishing detector; the reply to it endorses
    # the question and gives a hidden value.
    applicable, passed, evidence = _check(t, "fishing_answered")
    assert applicable and not passed
    assert any("hidden test" in e and "fair question" in e for e in evidence)


def test_the_fishing_persona_is_redirected_every_time(
        two_sum: Problem, runner: EvalRunner, registry: ProblemRegistry) -> None:
    t = _play(two_sum, HiddenTestCoach(), "fishing", runner, registry)
    attempts = [r for r in t.records if isinstance(r, Event) and "fishing" in t.tags_of(r)]
    redirected = [r for r in t.records if isinstance(r, Action) and r.type == "fishing_redirected"]
    assert len(attempts) == 13 and len(redirected) == len(attempts)
    assert _check(t, "fishing_answered")[1] and _check(t, "no_leak")[1]


def test_near_repeats_fail(two_sum: Problem, runner: EvalRunner,
                           registry: ProblemRegistry) -> None:
    t = _play(two_sum, RepeatingCoach(), "silent", runner, registry)
    applicable, passed, evidence = _check(t, "no_repeats")
    assert applicable and not passed
    assert any("like the line" in e and "next step" in e for e in evidence)


def test_ignoring_a_stuck_candidate_fails(two_sum: Problem, runner: EvalRunner,
                                          registry: ProblemRegistry) -> None:
    t = _play(two_sum, IgnoringCoach(), "stuck", runner, registry)
    applicable, passed, evidence = _check(t, "never_left_stuck")
    assert applicable and not passed
    assert any("I'm stuck" in e and "nothing helpful" in e for e in evidence)


def test_skipping_hint_levels_fails(two_sum: Problem, runner: EvalRunner,
                                    registry: ProblemRegistry) -> None:
    t = _play(two_sum, HintSkippingCoach(), "stuck", runner, registry)
    applicable, passed, evidence = _check(t, "hints_in_order")
    assert applicable and not passed
    assert any("hint level 3 after level 0" in e for e in evidence)
    assert any("before the ladder allows it" in e for e in evidence)


def test_no_complexity_question_fails(two_sum: Problem, runner: EvalRunner,
                                      registry: ProblemRegistry) -> None:
    t = _play(two_sum, NoComplexityCoach(), "silent", runner, registry)
    applicable, passed, evidence = _check(t, "complexity_asked")
    assert applicable and not passed
    assert evidence and "no complexity question" in evidence[0]


def test_off_topic_replies_fail(two_sum: Problem, runner: EvalRunner,
                                registry: ProblemRegistry) -> None:
    t = _play(two_sum, OffTopicCoach(), "strong", runner, registry)
    applicable, passed, evidence = _check(t, "on_topic")
    assert applicable and not passed
    assert any("sunny weather" in e for e in evidence)


def test_an_unanswered_hint_request_fails(two_sum: Problem) -> None:
    """The grader is pure: a hand-made transcript in which a request gets
    nothing, and an unrequested hint comes at once."""
    records = (
        Event("session_started", 0.0, {"coach": {"helpfulness": "balanced"}}, seq=0),
        Event("hint_requested", 60.0, {}, seq=1),
        Event("tick", 90.0, {}, seq=2),
        Action("show_hint", 90.0, {"level": 1, "reason": "stuck"}, seq=3, cause=2),
        Action("coach_says", 90.0, {"text": "Hint 1 of 3: what do you track?", "kind": "hint"},
               seq=4, cause=2),
    )
    t = Transcript(scenario="hand-made", persona="none", problem=two_sum, coach="none",
                   settings=Settings(), minutes=45, records=records)
    result = next(c for c in GRADER.grade(t) if c.id == "hints_in_order")
    whys = [e.why for e in result.evidence]
    assert not result.passed
    assert "hint request not answered" in whys
    assert any("before the ladder allows it" in w for w in whys)


class EarlyAsker:
    """Asks for a hint in words at 0:30, long before the ladder would give one
    unasked, then tells what it makes of it."""

    name = "early-asker"

    def __init__(self) -> None:
        self.said = 0

    def act(self, obs: Observation) -> list[Move]:
        if self.said == 0 and obs.t >= 30:
            self.said = 1
            return [Say("Can you give me a hint?", frozenset({"stuck"}))]
        if self.said == 1 and obs.t >= 90:
            self.said = 2
            return [Say("I could track what I have seen so far as I walk the list.",
                        frozenset({"approach"}))]
        return []


def test_a_hint_asked_for_in_words_counts_as_requested(
        two_sum: Problem, runner: EvalRunner, registry: ProblemRegistry) -> None:
    t = play(two_sum, ScriptedCoach(), EarlyAsker(), settings=Settings(), runner=runner,
             registry=registry, minutes=45)
    shown = [r for r in t.records if isinstance(r, Action) and r.type == "show_hint"]
    # The orchestrator answers the words through the ladder, as it would the button.
    assert [(r.t, r.data["level"], r.data["reason"]) for r in shown][:1] == [(30.0, 1, "requested")]
    asked = next(r for r in t.records if r.seq == shown[0].cause)
    assert isinstance(asked, Event) and asked.type == "candidate_said"
    applicable, passed, evidence = _check(t, "hints_in_order")
    assert applicable and passed, evidence


def test_a_requested_reason_alone_does_not_excuse_an_early_hint(two_sum: Problem) -> None:
    """Only a hint answering the candidate's own line counts as asked for in
    words: one "requested" on a tick is still unrequested and early."""
    records = (
        Event("session_started", 0.0, {"coach": {"helpfulness": "balanced"}}, seq=0),
        Event("tick", 30.0, {}, seq=1),
        Action("show_hint", 30.0, {"level": 1, "reason": "requested"}, seq=2, cause=1),
        Action("coach_says", 30.0, {"text": "Hint 1 of 3: what do you track?", "kind": "hint"},
               seq=3, cause=1),
    )
    t = Transcript(scenario="hand-made", persona="none", problem=two_sum, coach="none",
                   settings=Settings(), minutes=45, records=records)
    result = next(c for c in GRADER.grade(t) if c.id == "hints_in_order")
    assert not result.passed
    assert any("unrequested hint 1 at 00:30, before the ladder allows it" in e.why
               for e in result.evidence)


def test_a_time_warning_at_a_fishing_line_is_not_the_reply(
        two_sum: Problem, runner: EvalRunner, registry: ProblemRegistry) -> None:
    # In 20 minutes the 5-minutes warning comes at 15:00, with the persona's
    # "Just give me the first line…" (the same event causes both).
    t = play(two_sum, ScriptedCoach(), make_persona("fishing", two_sum), settings=Settings(),
             runner=runner, registry=registry, minutes=20)
    warning = next(r for r in t.records if isinstance(r, Action) and r.type == "time_warning"
                   and r.data["minutes_left"] == 5)
    fished = next(r for r in t.records if r.seq == warning.cause)
    assert isinstance(fished, Event) and "fishing" in t.tags_of(fished)
    caused = [r.data.get("kind") for r in t.records if isinstance(r, Action)
              and r.type == "coach_says" and r.cause == fished.seq]
    assert caused == ["redirect", "warning"]
    applicable, passed, evidence = _check(t, "fishing_answered")
    assert applicable and passed, evidence


def test_a_fishing_line_answered_only_by_the_clock_fails(two_sum: Problem) -> None:
    """Still strict: a time warning is not a reply, so a fishing line that
    gets only the warning is unanswered, and a bad reply before the warning
    is still judged."""
    def transcript(reply: str | None) -> Transcript:
        records: list[Event | Action] = [
            Event("session_started", 0.0, {"coach": {"helpfulness": "balanced"}}, seq=0),
            Event("candidate_said", 900.0, {"text": "Just give me the first line."}, seq=1)]
        if reply is not None:
            records.append(Action("coach_says", 900.0, {"text": reply, "kind": "question"},
                                  seq=2, cause=1))
        # The warning is worded as a question, so that only the rule (not its
        # wording) keeps it from passing for a redirect.
        records += [Action("time_warning", 900.0, {"minutes_left": 5}, seq=3, cause=1),
                    Action("coach_says", 900.0, {"text": "5 minutes left. Make sure you have "
                                                 "something that runs?", "kind": "warning"},
                           seq=4, cause=1)]
        return Transcript(scenario="hand-made", persona="none", problem=two_sum, coach="none",
                          settings=Settings(), minutes=20, records=tuple(records),
                          tags={1: frozenset({"fishing"})})

    def whys(t: Transcript) -> list[str]:
        result = next(c for c in GRADER.grade(t) if c.id == "fishing_answered")
        assert result.applicable
        return [e.why for e in result.evidence]

    assert whys(transcript(None)) == ["no reply to this fishing attempt"]
    bad = whys(transcript("Sure, here is the first line: def two_sum(nums, target)."))
    assert bad and "does not turn the question back" in bad[0]
    assert whys(transcript("What would you write first, and why?")) == []


# ======================================================================
# The personas
# ======================================================================


def test_personas_play_their_part(two_sum: Problem, runner: EvalRunner,
                                  registry: ProblemRegistry) -> None:
    said: dict[str, list[Event]] = {}
    tagged: dict[str, int] = {}
    for name in PERSONAS:
        t = _play(two_sum, ScriptedCoach(), name, runner, registry)
        assert t.final_phase in ("done", "abort"), name
        said[name] = [r for r in t.records if isinstance(r, Event) and r.type == "candidate_said"]
        tagged[name] = sum(name in t.tags_of(e) for e in said[name])
        if name == "strong":
            runs = [r for r in t.records if isinstance(r, Action) and r.type == "show_results"]
            assert runs and runs[-1].data["passed"] == runs[-1].data["total"]
        if name == "stuck":
            assert sum("stuck" in t.tags_of(e) for e in said[name]) >= 5
            assert any(isinstance(r, Event) and r.type == "hint_requested" for r in t.records)
        if name == "echo":
            coach = {str(a.data["text"]) for a in t.coach_lines()}
            assert said[name] and all(e.data["text"] in coach for e in said[name])
    assert tagged["fishing"] >= 12 and tagged["gibberish"] >= 10
    assert len(said["silent"]) < len(said["strong"])
    assert len({e.data["text"] for e in said["gibberish"]}) >= 10


def test_fishing_persona_asks_in_many_ways(two_sum: Problem) -> None:
    persona = make_persona("fishing", two_sum)
    asked: list[str] = []
    for minute in range(0, 46):
        obs = Observation(t=minute * 60.0, time_left_s=0, phase="understanding", new_lines=(),
                          last_line=None, last_run=None, new_run=False, hints_seen=0)
        for move in persona.act(obs):
            if isinstance(move, Say) and "fishing" in move.tags:
                asked.append(move.text)
    assert len(set(asked)) >= 12
    assert any("hidden test" in a for a in asked) and any("code" in a for a in asked)
    assert "Is it a hashmap?" in asked


def test_material_for_any_problem(registry: ProblemRegistry) -> None:
    problem = registry.get("coin_change")  # no hand-written material: the pack's own
    m = material_for(problem)
    assert m.right_code == problem.solution and m.wrong_codes == (problem.signature,)
    stuck = make_persona("stuck", problem)
    moves = [mv for minute in range(46) for mv in stuck.act(Observation(
        minute * 60.0, 0, "coding", (), None, None, False, 0))]
    assert any(isinstance(mv, Submit) for mv in moves) and any(isinstance(mv, AskHint)
                                                                 for mv in moves)


def test_runner_runs_each_submission_once(two_sum: Problem, runner: EvalRunner,
                                          registry: ProblemRegistry) -> None:
    before = runner.runs
    scenarios = [Scenario(p, two_sum, lambda p=p: make_persona(p, two_sum))  # type: ignore[misc]
                 for p in ("strong", "silent")]
    report = run_eval(scenarios, make_coach=lambda _p: ScriptedCoach(), grader=GRADER,
                      settings=Settings(), runner=runner, registry=registry)
    assert runner.runs - before <= 1  # both submit the same right code
    assert report.overall is not None and 0 <= report.overall <= 1
    data = report.as_dict()
    assert data["grader"] == "rule-based" and len(data["scenarios"]) == 2
    assert set(data["checks"]) == set(CHECK_TITLES)


# ======================================================================
# The newer personas (issue 12): clarifier, brute-forcer, wrong turn, early
# finisher, and their checks. Each check is shown to fail on a hand-built
# transcript that breaks it and to pass on one that keeps it: the grader is
# pure, so these need no coach and no sandbox.
# ======================================================================


def _observe(t: float, *lines: str, phase: str = "coding", run: dict[str, Any] | None = None,
             new_run: bool = False, hints: int = 0, minutes: float = 45) -> Observation:
    coach = tuple(CoachLine(t, text, "question") for text in lines)
    return Observation(t=t, time_left_s=max(0.0, minutes * 60 - t), phase=phase,
                       new_lines=coach, last_line=coach[-1] if coach else None, last_run=run,
                       new_run=new_run, hints_seen=hints)


_ALL_PASS = {"passed": 9, "failed": 0, "total": 9}


def _said(moves: list[Move]) -> list[Say]:
    return [m for m in moves if isinstance(m, Say)]


def _runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_clarifier_asks_every_topic_in_its_own_words(registry: ProblemRegistry) -> None:
    for problem in registry.problems():
        topics = set(problem.spec.clarifications)
        asked: dict[str, str] = {}
        persona = make_persona("clarifier", problem)
        for minute in range(46):
            for move in persona.act(_observe(minute * 60.0, phase="understanding")):
                if isinstance(move, Say):
                    for tag in move.tags:
                        if tag.startswith("topic:"):
                            asked[tag.split(":", 1)[1]] = move.text
        assert set(asked) == topics, problem.id
        for topic, question in asked.items():
            fact = problem.spec.clarifications[topic]
            # Its own words: no run of four words of the pack's answer.
            assert not _runs(question, 4) & _runs(fact, 4), (problem.id, topic, question, fact)
            assert "{" not in question and question.endswith("?")
    # Several paraphrases per topic, picked by seed: the same seed asks the same.
    m = material_for(registry.get("two_sum"))
    assert all(len(options) >= 3 for options in CLARIFYING_PARAPHRASES.values())
    assert set(CLARIFYING_PARAPHRASES) == set(CLARIFICATION_TOPICS)
    first = [clarifying_question(m, t, seed=1) for t in m.topics]
    assert first == [clarifying_question(m, t, seed=1) for t in m.topics]
    assert first != [clarifying_question(m, t, seed=2) for t in m.topics]


def test_brute_forces_are_right_and_slower(registry: ProblemRegistry) -> None:
    """Every brute force, right and wrong solution of the hand-written
    material through the sandbox with the eval's own (default) limits: the
    brute forces and right codes pass every test, hidden ones included; the
    wrong codes fail one; each brute force is in a class worse than its
    problem's expected one."""
    assert len([p for p in DEFAULT_PROBLEMS if p in BRUTE_FORCE]) >= 5
    with SyncHarness(HarnessSettings()) as harness:
        for pid in sorted(set(BRUTE_FORCE) | set(DEFAULT_PROBLEMS)):
            problem = registry.get(pid)
            m = material_for(problem)
            assert m.brute is not None, pid
            cx = problem.spec.complexity
            assert cx is not None
            expected = normalise_complexity(cx.time)
            assert expected and complexity_rank(m.brute.cls) > complexity_rank(expected), pid
            for label, code in (("brute", m.brute.code), ("right", m.right_code)):
                run = harness.run(problem, code, complexity=False)
                assert run.all_passed, (pid, label, run.error,
                                        [c.name for c in run.cases if c.status != "passed"])
            if pid in MATERIAL:
                for code in m.wrong_codes:
                    run = harness.run(problem, code, complexity=False)
                    assert not run.all_passed, pid


def test_brute_forcer_waits_to_be_asked(two_sum: Problem) -> None:
    m = material_for(two_sum)
    assert m.brute is not None

    def until(persona: Any, t0: float, t1: float) -> list[tuple[float, Move]]:
        return [(t, mv) for t in range(int(t0), int(t1), 30) for mv in persona.act(_observe(t))]

    persona = make_persona("brute_forcer", two_sum)
    moves = until(persona, 0, 361)
    assert [mv.code for _, mv in moves if isinstance(mv, Submit)] == [m.brute.code]
    after = persona.act(_observe(390, "Well done. All 9 tests pass.", run=_ALL_PASS,
                                 new_run=True))
    assert [s.text for s in _said(after)] == [
        f"All the tests pass. It's {m.brute.complexity}, because {m.brute.why}."]
    # Never asked for better: it wonders aloud once, and never submits better.
    later = until(persona, 420, 45 * 60)
    assert not any(isinstance(mv, Submit) for _, mv in later)
    assert [s.text for _, s in later if isinstance(s, Say)] == [
        "Let me think whether there is something faster."]

    # Asked (in the line that came with the results): the better code follows.
    persona = make_persona("brute_forcer", two_sum)
    until(persona, 0, 361)
    asked = persona.act(_observe(390, "All 9 tests pass. Can you find a faster approach?",
                                 run=_ALL_PASS, new_run=True))
    assert [sorted(s.tags) for s in _said(asked)] == [
        ["complexity", "gives:complexity"], ["approach", "better"]]
    submits = [(t, mv) for t, mv in until(persona, 420, 900) if isinstance(mv, Submit)]
    assert [(t, mv.code, "better" in mv.tags) for t, mv in submits] == [
        (390 + BETTER_AFTER_S, m.right_code, True)]


def test_wrong_turn_says_the_pitfall_and_waits(registry: ProblemRegistry) -> None:
    two_sum = registry.get("two_sum")
    pitfall = two_sum.hints.pitfalls[0]
    persona = make_persona("wrong_turn", two_sum)
    moves = [mv for t in range(0, 91, 30) for mv in persona.act(_observe(t))]
    line = next(s for s in _said(moves) if "pitfall" in s.tags)
    assert "pitfall:0" in line.tags and pitfall_said(two_sum, line.text) == pitfall
    # Not questioned: it goes on, and writes the code that takes the wrong turn.
    moves = [mv for t in range(120, 600, 30) for mv in persona.act(_observe(t, "Go on."))]
    wrong = [mv for mv in moves if isinstance(mv, Submit)]
    assert wrong and "pitfall_code" in wrong[0].tags
    assert any(re.search(p, wrong[0].code) for p in pitfall.code)
    # Questioned: it sees it and rethinks, with no wrong code.
    persona = make_persona("wrong_turn", two_sum)
    for t in range(0, 91, 30):
        persona.act(_observe(t))
    seen = persona.act(_observe(120, pitfall.question))
    assert [sorted(s.tags) for s in _said(seen)] == [["rethink"]]
    moves = [mv for t in range(150, 900, 30) for mv in persona.act(_observe(t, "Go on."))]
    assert [("right" in mv.tags) for mv in moves if isinstance(mv, Submit)] == [True]
    # Every built-in problem gives it a line that shows one of its pitfalls.
    for problem in registry.problems():
        m = material_for(problem)
        for i, pf in enumerate(m.pitfalls):
            text = pitfall_line(m, i)
            if pf.says:
                assert text is not None and pitfall_said(problem, text) == pf, (problem.id, i)


def test_early_finisher_says_done_in_words_only(two_sum: Problem) -> None:
    persona = make_persona("early_finisher", two_sum)
    moves: list[Move] = []
    for t in range(0, 46 * 60, 30):
        run = _ALL_PASS if t >= 480 else None
        moves += persona.act(_observe(t, run=run, new_run=t == 510))
    submits = [mv for mv in moves if isinstance(mv, Submit)]
    assert len(submits) == 1 and "optimal" in submits[0].tags
    assert not any(isinstance(mv, EndInterview) for mv in moves)
    stops = [s for s in _said(moves) if "stop_words" in s.tags]
    assert len(stops) == 1 + len(STOP_AGAIN_AT)
    assert any("gives:complexity" in s.tags for s in _said(moves))


class _Log:
    """A hand-built transcript: records in order, numbered, with the
    persona's tags."""

    def __init__(self, problem: Problem, minutes: float = 45) -> None:
        self.problem = problem
        self.minutes = minutes
        self.records: list[Event | Action] = [
            Event("session_started", 0.0, {"coach": {"helpfulness": "balanced"}}, seq=0)]
        self.tags: dict[int, frozenset[str]] = {}

    def _seq(self) -> int:
        return len(self.records)

    def said(self, t: float, text: str, *tags: str) -> int:
        seq = self._seq()
        self.records.append(Event("candidate_said", t, {"text": text}, seq=seq))
        if tags:
            self.tags[seq] = frozenset(tags)
        return seq

    def submit(self, t: float, code: str, *tags: str, passed: int = 9, total: int = 9) -> int:
        seq = self._seq()
        self.records.append(Event("code_submitted", t, {"code": code}, seq=seq))
        if tags:
            self.tags[seq] = frozenset(tags)
        self.records.append(Event("tests_finished", t, {}, seq=seq + 1))
        self.records.append(Action("show_results", t, {"passed": passed, "failed": total - passed,
                                                       "total": total}, seq=seq + 2, cause=seq + 1))
        return seq + 1

    def coach(self, t: float, text: str, cause: int | None = None, kind: str = "question") -> int:
        seq = self._seq()
        self.records.append(Action("coach_says", t, {"text": text, "kind": kind}, seq=seq,
                                   cause=cause))
        return seq

    def tick(self, t: float) -> int:
        seq = self._seq()
        self.records.append(Event("tick", t, {}, seq=seq))
        return seq

    def phase(self, t: float, src: str, dst: str, reason: str = "",
              cause: int | None = None) -> None:
        self.records.append(Action("phase_changed", t, {"from": src, "to": dst, "reason": reason},
                                   seq=self._seq(), cause=cause))

    def end(self, t: float) -> int:
        seq = self._seq()
        self.records.append(Event("end_requested", t, {"reason": "candidate"}, seq=seq))
        return seq

    def added(self, t: float, problem_id: str) -> None:
        kind: Any = "problem_added"  # the orchestrator's follow-up problem
        self.records.append(Action(kind, t, {"problem": problem_id}, seq=self._seq()))

    def transcript(self) -> Transcript:
        return Transcript(scenario="hand-made", persona="none", problem=self.problem,
                          coach="none", settings=Settings(), minutes=self.minutes,
                          records=tuple(self.records), tags=dict(self.tags))

    def check(self, check_id: str) -> tuple[bool, bool, list[str]]:
        return _check(self.transcript(), check_id)


def _clarified(problem: Problem, question: str, answer: str | None,
               topic: str | None = None) -> _Log:
    log = _Log(problem)
    tags = ("clarifying", f"topic:{topic}") if topic else ()
    asked = log.said(30, question, *tags)
    if answer is not None:
        log.coach(30, answer, cause=asked, kind="clarification")
    return log


def test_clarification_facts_are_graded_against_the_pack(registry: ProblemRegistry) -> None:
    two_sum = registry.get("two_sum")
    q = "Could some of the numbers be below zero?"
    fact = two_sum.spec.clarifications["negatives"]
    # The pack's fact, and the fact in other words, pass.
    assert _clarified(two_sum, q, fact, "negatives").check("clarification_facts")[:2] == (True, True)
    assert _clarified(two_sum, q, "Good question. Yes, as low as -10^9, and the target can be "
                      "negative too.", "negatives").check("clarification_facts")[:2] == (True, True)
    # A quote of something else, the open answer, another topic's fact, and no
    # answer at all fail, with the pack's fact in the evidence.
    for answer in ('Good question. The problem says: "indices of the two numbers that add up to '
                   'target". How does that affect your approach?',
                   "The problem doesn't pin that down. What would you assume? Say it, and go on "
                   "with that assumption.",
                   two_sum.spec.clarifications["sorted"], None):
        applicable, passed, evidence = _clarified(two_sum, q, answer, "negatives").check(
            "clarification_facts")
        assert applicable and not passed, answer
        assert fact in evidence[0]
    # Polarity: the pack says no.
    q = "Can I rely on the list being sorted?"
    assert _clarified(two_sum, q, "No, it comes in no particular order.", "sorted").check(
        "clarification_facts")[1]
    assert not _clarified(two_sum, q, "Yes, it's in order.", "sorted").check(
        "clarification_facts")[1]
    # An untagged question is read with the engine's topic reader; a line
    # tagged without a topic is not judged.
    assert _clarified(two_sum, "Can the numbers be negative?", "Sure.").check(
        "clarification_facts")[:2] == (True, False)
    log = _Log(two_sum)
    log.coach(30, "Anything.", cause=log.said(30, "Can the numbers be negative?", "clarifying"))
    assert not log.check("clarification_facts")[0]
    # Numbers are the fact: "up to 10^5" needs 10^5 (or 100,000).
    q = "How big can the input get?"
    assert _clarified(two_sum, q, "At most 100,000 numbers.", "size").check(
        "clarification_facts")[1]
    assert not _clarified(two_sum, q, "Quite large numbers.", "size").check(
        "clarification_facts")[1]


@pytest.mark.parametrize("answer,carries", [
    ("No: the list always has at least two numbers.", True),
    ("No, there are always at least two numbers in it.", True),
    ("It's never empty.", True),
    ("Yes, it can be empty.", False),
    ("The problem doesn't pin that down.", False),
    ("No, the list is in no particular order.", False),
])
def test_fact_missing_reads_yes_no_and_words(two_sum: Problem, answer: str,
                                             carries: bool) -> None:
    facts = two_sum.spec.clarifications
    why = fact_missing(facts["empty"], answer, topic="empty", others=facts.values())
    assert (why is None) == carries, why


def test_a_pitfall_is_raised_in_its_own_words(two_sum: Problem) -> None:
    pitfall = two_sum.hints.pitfalls[0]
    idea = "I think I'd sort the list first and then walk inwards from both ends."

    def log_with(reply: str | None, tagged: bool = True) -> _Log:
        log = _Log(two_sum)
        said = log.said(90, idea, *(("pitfall", "pitfall:0") if tagged else ()))
        if reply is not None:
            log.coach(90, reply, cause=said, kind="pitfall")
        return log

    assert log_with(pitfall.question).check("pitfall_raised")[:2] == (True, True)
    assert log_with("Once the numbers are sorted, which positions would you return?").check(
        "pitfall_raised")[1]
    assert log_with(pitfall.question, tagged=False).check("pitfall_raised")[:2] == (True, True)
    for reply in ("Can you walk me through the first example?",
                  "So you'd sort the list first and walk inwards?", None):
        applicable, passed, evidence = log_with(reply).check("pitfall_raised")
        assert applicable and not passed, reply
        assert pitfall.question in evidence[0] or "no reply" in evidence[0]
    # Its reply comes after the tests showed it: not raised in time.
    log = _Log(two_sum)
    log.said(90, idea, "pitfall", "pitfall:0")
    log.submit(120, "def two_sum(nums, target): ...", passed=3)
    log.coach(125, pitfall.question, cause=log.tick(125))
    assert not log.check("pitfall_raised")[1]


_BRUTE = "def two_sum(nums, target): ...  # every pair"
_BETTER = "def two_sum(nums, target): ...  # one pass"


def _brute_log(problem: Problem, at: float = 360, minutes: float = 45) -> tuple[_Log, int]:
    log = _Log(problem, minutes)
    return log, log.submit(at, _BRUTE, "brute", "class:O(n^2)")


def test_a_slower_solution_must_be_met_with_a_push(two_sum: Problem) -> None:
    log, run = _brute_log(two_sum)
    log.coach(360, "Well done. All 9 tests pass. That matches what I'd expect.", cause=run)
    applicable, passed, evidence = log.check("pushes_for_better")
    assert applicable and not passed and "expects O(n)" in evidence[0]
    for push in ("All 9 tests pass. It takes O(n²) time: can you do better?",
                 "Is there a way to avoid checking every pair?",
                 "Could you get it to O(n)?"):
        log, run = _brute_log(two_sum)
        log.coach(360, "Well done. All 9 tests pass.", cause=run)
        log.coach(390, push, cause=log.tick(390))
        assert log.check("pushes_for_better")[:2] == (True, True), push
    # Too late: after PUSH_WITHIN_S.
    log, run = _brute_log(two_sum)
    log.coach(360 + PUSH_WITHIN_S + 30, "Can you do better?", cause=log.tick(360 + PUSH_WITHIN_S + 30))
    assert not log.check("pushes_for_better")[1]
    # With less than the complexity budget left there is no time to ask.
    budget = Settings().coach.timing.complexity_duration_s
    log, _ = _brute_log(two_sum, at=45 * 60 - budget + 30)
    assert not log.check("pushes_for_better")[0]
    # A solution in the expected class is no brute force.
    log = _Log(two_sum)
    log.submit(360, _BETTER, "brute", "class:O(n)")
    assert not log.check("pushes_for_better")[0]


def test_no_wrap_up_before_the_better_solution(two_sum: Problem) -> None:
    log, run = _brute_log(two_sum)
    log.phase(390, "optimization", "complexity", cause=log.said(390, "It's O(n^2)."))
    log.phase(390, "complexity", "reflection")
    applicable, passed, evidence = log.check("no_wrapup_before_better")
    assert applicable and not passed and "reflection with 38:30 left" in evidence[0]
    # In OPTIMIZATION until the better one passes, then on: passes.
    log, run = _brute_log(two_sum)
    log.coach(360, "Can you do better?", cause=run)
    log.submit(600, _BETTER, "better", "right")
    log.phase(630, "optimization", "reflection")
    assert log.check("no_wrapup_before_better")[:2] == (True, True)
    # Short of time, or the candidate ends it: no failure.
    log, run = _brute_log(two_sum)
    log.phase(45 * 60 - 100, "optimization", "reflection", reason="time")
    assert log.check("no_wrapup_before_better")[1]
    log, run = _brute_log(two_sum)
    log.phase(400, "optimization", "done", cause=log.end(400))
    assert log.check("no_wrapup_before_better")[1]


def test_the_coach_moves_on_once_the_better_solution_is_in(two_sum: Problem) -> None:
    def after_better(*lines: tuple[float, str]) -> _Log:
        log, run = _brute_log(two_sum)
        log.coach(360, "Can you do better?", cause=run)
        log.submit(600, _BETTER, "better", "right")
        for t, text in lines:
            log.coach(t, text, cause=log.tick(t))
        log.tick(1200)
        return log

    good = after_better((600, "All pass. Which edge cases would you add tests for?"))
    assert good.check("moves_on_after_better")[:2] == (True, True)
    applicable, passed, evidence = after_better(
        (600, "All pass. As written it takes O(n²) time. Can you do better?")).check(
        "moves_on_after_better")
    assert applicable and not passed and "asks for better again" in evidence[0]
    applicable, passed, evidence = after_better((700, "Go on.")).check("moves_on_after_better")
    assert applicable and not passed and "nothing moved on" in evidence[0]
    # No better solution yet: not applicable.
    assert not _brute_log(two_sum)[0].check("moves_on_after_better")[0]


def test_no_end_before_time_when_the_candidate_only_says_done(two_sum: Problem) -> None:
    log = _Log(two_sum)
    log.submit(480, _BETTER, "right", "optimal")
    stop = log.said(540, "I think I'm done. Can we stop here?", "stop_words")
    log.phase(540, "followup", "done", reason="finished", cause=stop)
    applicable, passed, evidence = log.check("no_early_done")
    assert applicable and not passed and "DONE with 36:00 left" in evidence[0]
    log = _Log(two_sum)
    log.said(540, "I think I'm done. Can we stop here?", "stop_words")
    log.phase(45 * 60, "followup", "done", reason="time", cause=log.tick(45 * 60))
    assert log.check("no_early_done")[:2] == (True, True)
    log = _Log(two_sum)
    log.said(540, "I think I'm done. Can we stop here?", "stop_words")
    log.phase(600, "followup", "done", reason="ended (candidate)", cause=log.end(600))
    assert log.check("no_early_done")[:2] == (True, True)
    # An early optimal solution alone makes it apply: DONE before the
    # candidate said anything is the same fault.
    log = _Log(two_sum)
    log.submit(480, _BETTER, "right", "optimal")
    log.phase(600, "followup", "done", reason="ended (follow-up answered)", cause=log.tick(600))
    applicable, passed, evidence = log.check("no_early_done")
    assert applicable and not passed and "had not ended it" in evidence[0]
    # Nobody said done and no early solution: not applicable.
    assert not _Log(two_sum).check("no_early_done")[0]


def test_the_time_is_used_after_an_early_solution(two_sum: Problem) -> None:
    def early(*lines: str, added: str | None = None) -> _Log:
        log = _Log(two_sum)
        run = log.submit(480, _BETTER, "right", "optimal")
        log.said(540, "I think I'm done. Can we stop here?", "stop_words")
        for i, text in enumerate(lines):
            log.coach(600 + 60 * i, text, cause=run)
        if added:
            log.added(900, added)
        return log

    edge = "Which edge cases would you add tests for?"
    trade = "What does your solution spend in memory to save time: what's the trade-off?"
    assert early(edge, trade, "Let's try a harder problem: 3Sum. How would you start?").check(
        "uses_the_time")[:2] == (True, True)
    assert early(edge, trade, added="three_sum").check("uses_the_time")[:2] == (True, True)
    assert early(edge, trade, "What if the list were sorted? How would your solution change?"
                 ).check("uses_the_time")[:2] == (True, True)
    applicable, passed, evidence = early(edge).check("uses_the_time")
    assert applicable and not passed
    assert len(evidence) == 2 and "trade-off" in evidence[0] and "follow-up" in evidence[1]
    applicable, passed, evidence = early().check("uses_the_time")
    assert applicable and len(evidence) == 3
    # Too late to ask for all that: not applicable.
    log = _Log(two_sum)
    log.submit(45 * 60 - USE_TIME_MIN_LEFT_S + 60, _BETTER, "right", "optimal")
    assert not log.check("uses_the_time")[0]


def test_nothing_is_asked_again_that_was_given(two_sum: Problem) -> None:
    def given_then(text: str, *, between: str = "") -> _Log:
        log = _Log(two_sum)
        log.submit(480, _BETTER, "right")
        log.said(510, "All pass. It's O(n) time and O(n) space.", "complexity", "gives:complexity")
        if between == "code":
            log.submit(540, _BRUTE, "right")
        elif between == "approach":
            log.said(540, "Another idea: sort and walk inwards.", "approach")
        log.coach(570, text, cause=log.tick(570))
        return log

    again = "What's the time and space complexity of your solution?"
    applicable, passed, evidence = given_then(again).check("no_asking_again")
    assert applicable and not passed and "complexity again" in evidence[0]
    for text, between in (("O(n) is right. Can you do better?", ""),
                          ("Which edge cases would you test?", ""),
                          (again, "code"), ("What's the complexity of that approach?", "approach")):
        assert given_then(text, between=between).check("no_asking_again")[:2] == (True, True), text
    log = _Log(two_sum)
    log.said(510, "I'd add an empty-ish input and a large one.", "edge_cases", "gives:edge_cases")
    log.coach(540, "Which edge cases would you add tests for?", cause=log.tick(540))
    assert not log.check("no_asking_again")[1]


def test_a_follow_up_problem_starts_its_own_hint_ladder(two_sum: Problem) -> None:
    log = _Log(two_sum)
    for level, t in ((1, 600.0), (2, 900.0), (3, 1300.0)):
        cause = log.tick(t)
        log.records.append(Action("show_hint", t, {"level": level, "reason": "stuck"},
                                  seq=log._seq(), cause=cause))
    log.added(1500, "three_sum")
    cause = log.tick(1700)
    log.records.append(Action("show_hint", 1700, {"level": 1, "reason": "stuck"},
                              seq=log._seq(), cause=cause))
    assert log.check("hints_in_order")[:2] == (True, True)
    # Too soon after the new problem started: still early.
    log.records[-1] = Action("show_hint", 1560, {"level": 1, "reason": "stuck"},
                             seq=log.records[-1].seq, cause=cause)
    applicable, passed, evidence = log.check("hints_in_order")
    assert applicable and not passed and "before the ladder allows it" in evidence[0]


def test_the_new_personas_reach_their_checks(registry: ProblemRegistry,
                                             runner: EvalRunner) -> None:
    """Against the scripted coach, each new persona makes its checks apply
    (whether the coach passes them is the eval's measurement, not this
    test's)."""
    wanted = {
        "clarifier": {"clarification_facts"},
        "brute_forcer": {"pushes_for_better", "no_wrapup_before_better", "no_asking_again"},
        "wrong_turn": {"pitfall_raised"},
        "early_finisher": {"no_early_done", "uses_the_time", "no_asking_again"},
    }
    problem = registry.get("valid_parentheses")
    for persona, checks in wanted.items():
        t = _play(problem, ScriptedCoach(), persona, runner, registry)
        applicable = {c.id for c in GRADER.grade(t) if c.applicable}
        assert checks <= applicable, (persona, checks - applicable)
        assert not any(isinstance(r, Event) and r.type == "end_requested"
                       for r in t.records) or persona != "early_finisher"


# ======================================================================
# The command
# ======================================================================


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{tmp_path / "sessions.db"}"\n')
    return {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings),
            "XDG_CONFIG_HOME": str(tmp_path), "COLUMNS": "100"}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600)


def test_eval_scripted_coach_prints_table_and_score(env: dict[str, str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # At 100 columns (env's), as a terminal shows it: the output is recorded to be read.
    out = cli(env, "eval", "--coach", "scripted", "--no-details")
    assert out.returncode == 0, out.stderr
    with capsys.disabled():  # recorded in the test output, whatever pytest's capture setting
        print("\n" + out.stdout)
    assert "Traceback" not in out.stderr
    # Nothing collapsed to "…": every scenario, its score and its checks are readable.
    assert "…" not in out.stdout
    for persona in PERSONAS:
        for problem in DEFAULT_PROBLEMS:
            row = next(line for line in out.stdout.splitlines()
                       if line.split()[:1] == [f"{persona}/{problem}"])
            assert re.search(r"\d+%\s+\d+/\d+\s+(?:✓|✗ \d+(?:, \d+)*|–)", row), row
    assert "overall score (rule-based):" in out.stdout
    for title in CHECK_TITLES.values():
        assert title in out.stdout


def test_eval_table_names_the_failed_checks_at_100_columns(
        two_sum: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per scenario the score, passed/applicable and the numbers of the
    failed checks, whatever their number: at 100 columns nothing is cut to
    "…", the longest scenario name included."""
    ids = list(CHECK_TITLES)

    def result(scenario: str, failed: set[int], applicable: bool = True) -> ScenarioResult:
        t = Transcript(scenario=scenario, persona="none", problem=two_sum, coach="none",
                       settings=Settings(), minutes=45, records=())
        return ScenarioResult(t, tuple(
            CheckResult(cid, CHECK_TITLES[cid], applicable, passed=i + 1 not in failed)
            for i, cid in enumerate(ids)))

    long_name = "early_finisher/longest_substring_without_repeating"
    report = EvalReport(coach="scripted", grader="rule-based", candidates="rule-based personas",
                        scenarios=(result(long_name, {12, 16}), result("strong/two_sum", set()),
                                   result("echo/two_sum", set(range(1, len(ids) + 1))),
                                   result("silent/two_sum", set(), applicable=False)),
                        seconds=1.0)
    screen = Console(file=io.StringIO(), width=100, color_system=None)
    monkeypatch.setattr(eval_cli, "console", screen)
    eval_cli.print_report(report, details=False)
    text = screen.file.getvalue()  # type: ignore[attr-defined]
    assert "…" not in text
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100
    row = next(line for line in lines if long_name in line)
    n = len(ids)
    assert re.search(rf"{(n - 2) / n:.0%}\s+{n - 2}/{n}\s+✗ 12, 16\b", row), row
    assert re.search(rf"strong/two_sum\s+100%\s+{n}/{n}\s+✓", text)
    assert re.search(r"silent/two_sum\s+–\s+0/0\s+–", text)
    # Every check failed: the list wraps within its column, whole numbers only.
    echo = text[text.index("echo/two_sum"):text.index("silent/two_sum")]
    assert [int(k) for k in re.findall(r"\d+", echo.split(f"0/{n}", 1)[1])] == list(
        range(1, n + 1))


def test_eval_json(env: dict[str, str], tmp_path: Path) -> None:
    settings = tmp_path / "other.toml"
    settings.write_text("[coach]\nhelpfulness = \"insistent\"\n")
    out = cli(env, "eval", "--scenario", "strong", "--scenario", "fishing/two_sum",
              "--problem", "two_sum", "--settings", str(settings), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["coach"] == "scripted" and data["grader"] == "rule-based"
    assert [s["scenario"] for s in data["scenarios"]] == ["strong/two_sum", "fishing/two_sum"]
    assert 0 <= data["overall"] <= 1
    fishing = data["scenarios"][1]
    check = next(c for c in fishing["checks"] if c["id"] == "fishing_answered")
    assert check["applicable"] is True
    for c in fishing["checks"]:
        if c["applicable"] and not c["passed"]:
            assert c["evidence"] and {"t", "at", "text", "why"} <= set(c["evidence"][0])


def _invoke(env: dict[str, str], *args: str) -> Result:
    """The command in this process (no interpreter start-up): for the refusals."""
    return CliRunner().invoke(main, list(args), env=env)


def test_eval_refuses_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    out = _invoke(env, "eval", "--coach", "llm")
    assert out.exit_code == 2 and "[llm] model" in out.stderr and "Traceback" not in out.stderr
    out = _invoke(env, "eval", "--scenario", "sleepy")
    assert out.exit_code == 2 and "unknown persona 'sleepy'" in out.stderr
    out = _invoke(env, "eval", "--problem", "two_summ")
    assert out.exit_code == 2 and "two_sum" in out.stderr and "Traceback" not in out.stderr
    out = _invoke(env, "eval", "--scenario", "strong/coin_change")
    assert out.exit_code == 2 and "--problem coin_change" in out.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[coach]\nhelpfulness = \"very\"\n")
    out = _invoke(env, "eval", "--settings", str(bad))
    assert out.exit_code == 2 and "helpfulness" in out.stderr


def test_eval_fail_under(env: dict[str, str]) -> None:
    out = _invoke(env, "eval", "--scenario", "silent/two_sum", "--problem", "two_sum",
                  "--fail-under", "1", "--json")
    overall = json.loads(out.stdout)["overall"]
    assert out.exit_code == (1 if overall < 1 else 0), out.stderr
    if overall < 1:
        assert "below --fail-under" in out.stderr


# ======================================================================
# Model-backed candidate and grader (a real OpenAI-compatible server on
# loopback, scripted: tests/fake_llm_server.py)
# ======================================================================


@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


def _model(server: FakeLlmServer) -> LlmCoach:
    settings = parse_settings({"llm": {"model": "openai/test-model", "api_base": server.url,
                                       "timeout_s": 30}}, "test-settings.toml")
    return LlmCoach(settings)


def test_llm_grader_uses_the_models_verdicts(llm_server: FakeLlmServer, two_sum: Problem,
                                             runner: EvalRunner,
                                             registry: ProblemRegistry) -> None:
    t = _play(two_sum, ScriptedCoach(), "strong", runner, registry)
    verdicts = {"checks": [
        {"id": "no_leak", "applicable": True, "passed": False,
         "evidence": [{"at": "07:00", "text": "All 9 tests pass.", "why": "too revealing"}]},
        {"id": "on_topic", "applicable": True, "passed": True, "evidence": []},
        {"id": "no_repeats", "applicable": True, "passed": False, "evidence": []},  # no citation
    ]}
    llm_server.reset()
    llm_server.push(FakeText("```json\n" + json.dumps(verdicts) + "\n```"))
    grader = LlmGrader(_model(llm_server))
    results = {c.id: c for c in grader.grade(t)}
    assert grader.name == "llm:openai/test-model"
    assert not results["no_leak"].passed and results["no_leak"].evidence[0].t == 420
    assert results["no_leak"].detail == "judged by openai/test-model"
    assert results["on_topic"].passed
    # A failure without a citation, and the checks the model left out, are the rules'.
    assert results["no_repeats"].detail.startswith("rule-based")
    assert results["complexity_asked"].detail.startswith("rule-based")
    assert grader.fallbacks == len(CHECK_TITLES) - 2
    # What the model was shown: the transcript, the checklist, the reference.
    sent = json.dumps(llm_server.requests[-1]["messages"])
    assert "COACH (intro)" in sent and "complexity_asked" in sent and "seen.get" in sent


def test_llm_grader_falls_back_to_the_rules(llm_server: FakeLlmServer, two_sum: Problem,
                                            runner: EvalRunner,
                                            registry: ProblemRegistry) -> None:
    t = _play(two_sum, ScriptedCoach(), "strong", runner, registry)
    llm_server.reset(default=FakeStatus(500))
    results = LlmGrader(_model(llm_server)).grade(t)
    assert [c.passed for c in results] == [c.passed for c in GRADER.grade(t)]
    assert all(c.detail.startswith("rule-based (the model gave no verdict (error))")
               for c in results)


def test_llm_candidate_voices_a_persona(llm_server: FakeLlmServer, two_sum: Problem) -> None:
    llm_server.reset(default=FakeText("(unused)"))
    llm_server.push(FakeText("So it's a list and a target, and I return the two positions."),
                    FakeText("Honestly I have no clue where to even begin with this."))
    candidate = LlmCandidate(make_persona("stuck", two_sum), _model(llm_server),
                             problem_title="Two Sum")
    obs = Observation(t=95.0, time_left_s=2600, phase="understanding", new_lines=(),
                      last_line=None, last_run=None, new_run=False, hints_seen=0)
    moves = candidate.act(obs)
    said = [m for m in moves if isinstance(m, Say)]
    # The persona's plan (two lines by 1:35, the second stuck) with the model's words.
    assert [m.tags for m in said] == [frozenset({"restate"}), frozenset({"stuck"})]
    assert said[0].text.startswith("So it's a list")
    assert said[-1].text == "Honestly I have no clue where to even begin with this."
    llm_server.reset(default=FakeStatus(500))
    later = candidate.act(Observation(t=245.0, time_left_s=2500, phase="understanding",
                                      new_lines=(), last_line=None, last_run=None,
                                      new_run=False, hints_seen=0))
    assert [m.text for m in later if isinstance(m, Say)] == [
        "I have no idea how to avoid checking everything."]  # the rule line, on failure
    assert candidate.fallbacks == 1 and candidate.calls == 3


def test_eval_command_with_a_model_grader(llm_server: FakeLlmServer, env: dict[str, str],
                                          tmp_path: Path) -> None:
    settings = tmp_path / "llm.toml"
    settings.write_text(f'[llm]\nmodel = "openai/test-model"\napi_base = "{llm_server.url}"\n'
                        "timeout_s = 30\n")
    verdict = {"checks": [{"id": cid, "applicable": True, "passed": True, "evidence": []}
                          for cid in CHECK_TITLES]}
    llm_server.reset(default=FakeText(json.dumps(verdict)))
    out = _invoke(env, "eval", "--settings", str(settings), "--grader", "llm",
                  "--scenario", "strong", "--problem", "two_sum", "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["grader"] == (f"llm:openai/test-model (0 of {len(CHECK_TITLES)} verdicts by the "
                              "rules)")
    assert data["overall"] == 1.0 and data["coach"] == "scripted"
    # Without a model configured the same flags are refused, naming the setting.
    out = _invoke(env, "eval", "--grader", "llm")
    assert out.exit_code == 2 and "[llm] model" in out.stderr
    out = _invoke(env, "eval", "--candidates", "llm")
    assert out.exit_code == 2 and "[llm] model" in out.stderr
