"""The scripted coach on its own (coach/scripted.py): what it says to a quiet
candidate, to one who repeats its lines back, and how it quotes the problem."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach, _plain
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.intent import Intent, IntentClassifier
from mock_interviewer_lab.interview.kinds.coding import CodingView
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.rules.fishing import FishingDetector
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import HintSpec, IOCase, ProblemSpec, TestSpec
from mock_interviewer_lab.problems.registry import ProblemRegistry

COACH = ScriptedCoach()
READ = IntentClassifier()


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


def context(problem: Problem, trigger: str, **kw: Any) -> CoachContext:
    """A coach's context; the coding interview's fields (code, last_run…) go
    to its ``work`` as the coding kind's view."""
    base: dict[str, Any] = {"phase": Phase.UNDERSTANDING, "helpfulness": "balanced",
                            "personality": "neutral", "elapsed_s": 300.0, "time_left_s": 2400.0}
    coding = {f.name for f in dataclasses.fields(CodingView)}
    base.update({k: v for k, v in kw.items() if k not in coding})
    base["work"] = CodingView(**{k: v for k, v in kw.items() if k in coding})
    return CoachContext(trigger=trigger, problem=problem, **base)  # type: ignore[arg-type]


def toy_problem() -> Problem:
    spec = ProblemSpec(id="toy", title="Longest Run", difficulty="easy",
                       statement="Write `longest_run(nums)`:\n\n- Returns the **length** of the "
                                 "longest run of equal numbers.",
                       constraints=["`max_len` is at most 10^5"])
    tests = TestSpec(function="longest_run", cases=[IOCase(args=[[1]], expected=1)])
    hints = HintSpec(level_1=["a"], level_2=["b"], level_3=["c"])
    return Problem(pack="toys", path=Path("/nonexistent/toy"), spec=spec, tests=tests,
                   hints=hints, solution="def longest_run(nums):\n    return 1\n",
                   signature="def longest_run(nums):\n    ...\n")


@pytest.mark.parametrize(("markdown", "plain"), [
    ("Write `is_valid(s)`", "Write is_valid(s)"),
    ("decide whether the brackets are **balanced**", "decide whether the brackets are balanced"),
    ("an _emphasised_ word and a snake_case_name", "an emphasised word and a snake_case_name"),
    ("- `s` — a string of bracket characters.", "s — a string of bracket characters"),
    ("__init__ stays", "__init__ stays"),
])
def test_quoting_the_problem_drops_markdown_but_keeps_names(markdown: str, plain: str) -> None:
    assert _plain(markdown) == plain


def test_an_answer_quotes_a_name_with_its_underscores() -> None:
    reply = COACH.reply(context(toy_problem(), "said",
                                utterance=READ.classify("How big can max_len get?")))
    assert reply is not None
    assert '"max_len is at most 10^5"' in reply.text


def test_a_lead_in_line_is_not_quoted_as_an_answer(registry: ProblemRegistry) -> None:
    problem = registry.get("valid_parentheses")
    reply = COACH.reply(context(problem, "said", utterance=READ.classify(
        "Good question. What would you assume, and how would your solution handle it?")))
    assert reply is not None and "Write" not in reply.text and "isvalid" not in reply.text


def test_an_echo_is_answered_once_then_given_room(registry: ProblemRegistry) -> None:
    problem = registry.get("two_sum")
    line = "Can you walk me through the first example?"
    echo = COACH.reply(context(problem, "said", utterance=READ.classify(line),
                               transcript=(("coach", line),)))
    assert echo is not None and echo.text != line and echo.text.endswith("?")
    assert "own" in echo.text or "unclear" in echo.text or "concrete" in echo.text \
        or "small step" in echo.text
    again = COACH.reply(context(problem, "said", utterance=READ.classify(echo.text),
                                transcript=(("coach", line), ("candidate", line),
                                            ("coach", echo.text))))
    assert again is None


def test_the_same_wording_is_not_used_twice_in_a_row(registry: ProblemRegistry) -> None:
    problem = registry.get("two_sum")
    transcript: tuple[tuple[str, str], ...] = ()
    said = []
    for turn in range(8):
        reply = COACH.reply(context(problem, "silence", silence_s=60.0, turn=turn * 3,
                                    transcript=transcript))
        assert reply is not None
        said.append(reply.text)
        transcript = (*transcript, ("coach", reply.text))
    assert all(a != b for a, b in itertools.pairwise(said))
    assert len(set(said[:5])) == 5


def test_every_nudge_is_safe_for_every_problem(registry: ProblemRegistry) -> None:
    """No nudge may trip the leak filter (it would be replaced and logged as
    a leak attempt), read as fishing or as a hint request when a candidate
    repeats it back: every phase, every stage of a silence, for every
    built-in problem."""
    fishing = FishingDetector()
    runs: list[dict[str, Any] | None] = [None, {"total": 9, "passed": 6},
                                         {"total": 9, "passed": 9}, {"error": "SyntaxError"}]
    phases = [p for p in Phase if p not in (Phase.INIT, Phase.DONE, Phase.ABORT)]
    titles = {"prerequisite_titles": [p.spec.title for p in registry.problems()][:3]}
    checked = 0
    for problem in registry.problems():
        seen: set[str] = set()
        for phase in phases:
            for silence_s in (30.0, 200.0, 400.0):
                for run in runs:
                    transcript: tuple[tuple[str, str], ...] = ()
                    for turn in range(6):
                        reply = COACH.reply(context(
                            problem, "silence", phase=phase, silence_s=silence_s, turn=turn,
                            last_run=run, transcript=transcript,
                            code="x = 1" if run else None, extra=titles))
                        assert reply is not None
                        transcript = (*transcript, ("coach", reply.text))
                        seen.add(reply.text)
        leaks = LeakFilter(problem)
        for text in seen:
            assert leaks.reasons(text) == [], (problem.id, text)
            assert not fishing.classify(text).fishing, text
            assert READ.classify(text).intent != Intent.HINT_REQUEST, text
        checked += len(seen)
    assert checked > 40 * len(registry.problems())


# ---------------------------------------------------------------- pitfalls

def test_a_wrong_turn_said_is_met_with_the_packs_question_once(registry: ProblemRegistry) -> None:
    problem = registry.get("two_sum")
    question = problem.hints.pitfalls[0].question
    said = READ.classify("My plan is to sort the list first and then walk in from both ends.")
    reply = COACH.reply(context(problem, "said", utterance=said))
    assert reply is not None and reply.text == question and reply.kind == "pitfall"
    again = COACH.reply(context(problem, "said", utterance=said,
                                transcript=(("candidate", said.text), ("coach", question))))
    assert again is None or again.text != question


def test_a_wrong_turn_written_is_asked_about_before_the_failing_case(
        registry: ProblemRegistry) -> None:
    problem = registry.get("coin_change")
    code = ("def coin_change(coins, amount):\n    coins.sort(reverse=True)\n    n = 0\n"
            "    for c in coins:\n        n += amount // c\n        amount %= c\n"
            "    return n if amount == 0 else -1\n")
    run = {"total": 5, "passed": 3, "cases": [
        {"name": "example 2", "status": "failed", "hidden": False, "got": 3, "expected": 2}]}
    reply = COACH.reply(context(problem, "tests", phase=Phase.TESTING, code=code, last_run=run))
    assert reply is not None and reply.kind == "pitfall"
    assert reply.text == problem.hints.pitfalls[0].question
    # Code that passes every test is not questioned for its shape.
    passing = {"total": 5, "passed": 5, "cases": []}
    reply = COACH.reply(context(problem, "tests", phase=Phase.TESTING, code=code, last_run=passing))
    assert reply is not None and reply.kind != "pitfall"


def test_the_right_idea_is_not_taken_for_a_wrong_turn(registry: ProblemRegistry) -> None:
    for problem in registry.problems():
        run = {"total": 5, "passed": 4, "cases": [
            {"name": "x", "status": "failed", "hidden": False, "got": 0, "expected": 1}]}
        reply = COACH.reply(context(problem, "tests", phase=Phase.TESTING, code=problem.solution,
                                    last_run=run))
        assert reply is None or reply.kind != "pitfall", problem.id


@pytest.mark.parametrize(("minutes", "written"), [(1, "about 1 minute."), (2, "about 2 minutes."),
                                                  (45, "about 45 minutes.")])
@pytest.mark.parametrize("mode", ["normal", "tdd"])
def test_the_welcome_counts_minutes_in_english(minutes: int, written: str, mode: str) -> None:
    reply = COACH.reply(context(toy_problem(), "intro", phase=Phase.INTRO, elapsed_s=0.0,
                                time_left_s=minutes * 60.0, mode=mode))
    assert reply is not None and written in reply.text
    assert "1 minutes" not in reply.text


def test_a_one_minute_warning_and_push_are_singular() -> None:
    warning = COACH.reply(context(toy_problem(), "time_warning", phase=Phase.CODING,
                                  minutes_left=1, time_left_s=60.0))
    assert warning is not None and warning.text.startswith("1 minute left.")
    push = COACH._push(context(toy_problem(), "tests", phase=Phase.OPTIMIZATION,
                               time_left_s=90.0, optimisation={"pushes": 1}))
    assert "about 1 minute:" in push
