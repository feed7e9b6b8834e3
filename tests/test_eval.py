"""``mock-interviewer eval``: the personas, the rule-based checklist, and the
command. Each check is shown to FAIL on a coach built to break it (tiny
``Coach`` implementations around the scripted one), so that a passing score
means something; the command's own table and score are printed into the
test output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mock_interviewer_lab.cli import main
from mock_interviewer_lab.coach.base import CoachContext, CoachReply
from mock_interviewer_lab.coach.evaluation import (
    AskHint,
    EvalRunner,
    Move,
    Observation,
    Say,
    Scenario,
    Submit,
    Transcript,
    play,
    run_eval,
)
from mock_interviewer_lab.coach.grading import CHECK_TITLES, RuleBasedGrader
from mock_interviewer_lab.coach.llm import LlmCoach
from mock_interviewer_lab.coach.llm_eval import LlmCandidate, LlmGrader
from mock_interviewer_lab.coach.personas import PERSONAS, make_persona, material_for
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.events import Action, Event
from mock_interviewer_lab.interview.intent import Flag
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings, parse_settings

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
    out = cli(env, "eval", "--coach", "scripted", "--no-details")
    assert out.returncode == 0, out.stderr
    with capsys.disabled():  # recorded in the test output, whatever pytest's capture setting
        print("\n" + out.stdout)
    assert "Traceback" not in out.stderr
    for persona in PERSONAS:
        for problem in ("two_sum", "valid_parentheses", "contains_duplicate"):
            assert f"{persona}/{problem}" in out.stdout
    assert "overall score (rule-based):" in out.stdout
    for title in CHECK_TITLES.values():
        assert title in out.stdout


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
                                       "timeout_s": 3}}, "test-settings.toml")
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
                        "timeout_s = 3\n")
    verdict = {"checks": [{"id": cid, "applicable": True, "passed": True, "evidence": []}
                          for cid in CHECK_TITLES]}
    llm_server.reset(default=FakeText(json.dumps(verdict)))
    out = _invoke(env, "eval", "--settings", str(settings), "--grader", "llm",
                  "--scenario", "strong", "--problem", "two_sum", "--json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["grader"] == "llm:openai/test-model (0 of 9 verdicts by the rules)"
    assert data["overall"] == 1.0 and data["coach"] == "scripted"
    # Without a model configured the same flags are refused, naming the setting.
    out = _invoke(env, "eval", "--grader", "llm")
    assert out.exit_code == 2 and "[llm] model" in out.stderr
    out = _invoke(env, "eval", "--candidates", "llm")
    assert out.exit_code == 2 and "[llm] model" in out.stderr
