"""The scripted coach as a real interviewer, on every built-in problem: it
pushes for the better solution while there is time, uses the whole interview,
takes in what the candidate just said, and counts what the transcript shows.

The orchestrator is driven directly (no harness): runs and growth
measurements are handed in as the harness reports them, so each problem's
45 minutes play in a moment."""

from __future__ import annotations

from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.interview.intent import IntentClassifier
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES, complexity_rank
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.metrics import clarifying_questions, compute_metrics
from mock_interviewer_lab.settings import Settings

REGISTRY = ProblemRegistry.discover(installed=False)
PROBLEMS = REGISTRY.problems()
#: The problems whose expected class a slower solution can miss.
IMPROVABLE = [p for p in PROBLEMS if p.spec.complexity
              and complexity_rank(p.spec.complexity.time) < len(COMPLEXITY_CLASSES) - 1]
BUDGET_S = Settings().coach.timing.complexity_duration_s


def slower_class(problem: Problem) -> str:
    assert problem.spec.complexity is not None
    return COMPLEXITY_CLASSES[complexity_rank(problem.spec.complexity.time) + 1]


class Driver:
    def __init__(self, orch: Orchestrator) -> None:
        self.orch = orch
        self.seq = 0
        self.log: list[Action] = []
        self.events: list[Event] = []

    def __call__(self, t: float, type_: str, **data: Any) -> list[Action]:
        event = Event(type=type_, t=t, data=data, seq=self.seq)  # type: ignore[arg-type]
        self.seq += 1
        self.events.append(event)
        actions = self.orch.handle(event)
        self.log += [Action(type=a.type, t=a.t, data=a.data, cause=a.cause, seq=None)
                     for a in actions]
        return actions

    def said(self) -> list[str]:
        return [a.data["text"] for a in self.log if a.type == "coach_says"]

    def lines(self) -> list[tuple[float, str, str]]:
        return [(a.t, a.data["kind"], a.data["text"]) for a in self.log if a.type == "coach_says"]

    def phases(self) -> list[tuple[float, str]]:
        return [(a.t, a.data["to"]) for a in self.log if a.type == "phase_changed"]

    def ticks(self, start: float, end: float, step: float = 30) -> None:
        t = start
        while t <= end and not self.orch.state.ended:
            self(t, "tick")
            t += step


def started(problem_id: str) -> tuple[Problem, Driver]:
    """A two_sum-like session of a built-in problem, just started."""
    problem = REGISTRY.get(problem_id)
    d = Driver(Orchestrator(problem, Settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    return problem, d


def passing_run(total: int = 6) -> dict[str, Any]:
    cases = [{"index": i, "name": f"case {i + 1}", "hidden": i >= 3, "status": "passed"}
             for i in range(total)]
    return {"passed": total, "failed": 0, "total": total, "cases": cases}


def growth(problem: Problem, estimated: str) -> dict[str, Any]:
    assert problem.spec.complexity is not None
    expected = problem.spec.complexity.time
    return {"expected": expected, "estimated": estimated, "reliable": True,
            "worse_than_expected": complexity_rank(estimated) > complexity_rank(expected)}


def submit_and_measure(d: Driver, t: float, problem: Problem, estimated: str) -> None:
    d(t, "code_submitted", code=problem.signature)
    code_seq = d.seq - 1
    d(t + 1, "tests_finished", run=passing_run(), code_seq=code_seq, growth="pending")
    d(t + 2, "growth_measured", code_seq=code_seq, complexity=growth(problem, estimated))


def assert_no_leaks(d: Driver, problem: Problem) -> None:
    """Nothing the coach said gives the answer away (and nothing had to be blocked)."""
    leaks = LeakFilter(problem)
    candidate = [str(e.data.get("text", "")) for e in d.events if e.type == "candidate_said"]
    assert not [a for a in d.log if a.type == "leak_blocked"], "a reply had to be blocked"
    for text in d.said():
        verdict = leaks.check(text, candidate_words=candidate)
        assert not verdict.leak, (text, verdict.reasons)


@pytest.mark.parametrize("problem", IMPROVABLE, ids=lambda p: p.id)
def test_a_slower_solution_is_met_with_a_push_for_better_while_time_remains(
        problem: Problem) -> None:
    d = Driver(Orchestrator(problem, Settings(), coach=ScriptedCoach()))
    slow = slower_class(problem)
    d(0, "session_started")
    d(60, "candidate_said", text="Let me code the simplest thing that works first.")
    submit_and_measure(d, 6 * 60, problem, slow)
    push = d.lines()[-1]
    assert push[1] == "optimize" and "faster" in push[2].lower()
    spoken = slow.replace("^2", "²") if slow != "worse" else "worse than O(n²)"
    assert spoken in push[2], "the coach says what the current solution costs"
    assert d.orch.phase.value == "optimization"
    # Honest about the cost, then "done": still not the end of the work.
    d(7 * 60, "candidate_said", text=f"It's {slow if slow != 'worse' else 'O(n^3)'} time.")
    d(8 * 60, "candidate_said", text="I think I'm done.")
    assert d.orch.phase.value == "optimization"
    assert "faster" in d.said()[-1].lower() or "better" in d.said()[-1].lower()
    d.ticks(8 * 60 + 30, 45 * 60 - BUDGET_S - 1)
    # Every phase reached before the budget is a work phase: no REFLECTION, no DONE.
    early = [to for t, to in d.phases() if t < 45 * 60 - BUDGET_S]
    assert not {"complexity", "reflection", "followup", "done"} & set(early), early
    # Hints serve the better approach, one level at a time.
    levels = [a.data["level"] for a in d.log if a.type == "show_hint"]
    assert levels == sorted(levels) and levels == list(range(1, len(levels) + 1))
    d.ticks(45 * 60 - BUDGET_S, 45 * 60)
    outcome = [a.data for a in d.log if a.type == "better_solution"]
    assert outcome == [{"reached": False, "current": slow, "expected": problem.spec.complexity.time
                        if problem.spec.complexity else None, "from": slow}]
    assert d.orch.state.ended
    assert_no_leaks(d, problem)


@pytest.mark.parametrize("problem", IMPROVABLE, ids=lambda p: p.id)
def test_the_better_solution_ends_the_loop_and_its_complexity_is_asked_again(
        problem: Problem) -> None:
    assert problem.spec.complexity is not None
    d = Driver(Orchestrator(problem, Settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    submit_and_measure(d, 5 * 60, problem, slower_class(problem))
    d(6 * 60, "candidate_said", text="It's quadratic, I know.")
    submit_and_measure(d, 15 * 60, problem, problem.spec.complexity.time)
    assert [a.data["reached"] for a in d.log if a.type == "better_solution"] == [True]
    assert "complexity" in d.said()[-1].lower()
    d(16 * 60, "candidate_said", text=f"Now it's {problem.spec.complexity.time} time.")
    assert d.orch.phase.value == "reflection"
    assert_no_leaks(d, problem)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.id)
def test_an_early_optimal_solution_uses_the_whole_interview(problem: Problem) -> None:
    assert problem.spec.complexity is not None
    followups = [REGISTRY.get(pid) for pid in problem.spec.harder_variants]
    d = Driver(Orchestrator(problem, Settings(), followups=followups, coach=ScriptedCoach()))
    d(0, "session_started")
    d(60, "candidate_said", text="I'll go through the input once and keep what I need.")
    submit_and_measure(d, 8 * 60, problem, problem.spec.complexity.time)
    d(9 * 60, "candidate_said", text=f"It's {problem.spec.complexity.time} time.")
    answers = ["I would add tests for the smallest input and for repeated values.",
               "It spends a little memory to save time; with less memory I'd go slower.",
               "I think I'm done.", "That's all from me, I'm finished.",
               "I would keep the same idea and check what still holds."]
    t = 10 * 60.0
    for text in answers * 3:
        d(t, "candidate_said", text=text)
        t += 90
    assert not d.orch.state.ended, "words never end the interview"
    kinds = [kind for _, kind, _ in d.lines()]
    assert "edge_cases" in kinds and "tradeoff" in kinds and "followup" in kinds
    added = [a.data for a in d.log if a.type == "problem_added"]
    if followups:
        assert [a["qualified_id"] for a in added] == [followups[0].qualified_id]
        assert added[0]["signature"] == followups[0].signature
        d(t, "code_submitted", code=followups[0].signature)
        run = [a for a in d.log if a.type == "run_tests"][-1]
        assert run.data["problem"] == followups[0].qualified_id
    else:
        assert not added
    d.ticks(t + 30, 45 * 60 - 1)
    assert not d.orch.state.ended
    d(45 * 60, "tick")
    assert d.orch.state.ended and d.phases()[-1][1] == "done"
    # The complexity was given with the solution: never asked again.
    asks = [text for t_, kind, text in d.lines() if kind == "complexity" and t_ > 9 * 60]
    assert not asks, asks


def test_the_candidate_ends_it_with_end_not_with_words() -> None:
    problem, d = started("two_sum")
    submit_and_measure(d, 5 * 60, problem, "O(n)")
    d(6 * 60, "candidate_said", text="O(n) time and O(n) space.")
    d(7 * 60, "candidate_said", text="Can we end the interview now? I'm done.")
    assert not d.orch.state.ended
    assert "End" in d.said()[-1]
    d(7 * 60 + 5, "end_requested", reason="candidate")
    assert d.orch.state.ended and d.phases()[-1][1] == "done"


# ------------------------------------------------------------ listening


def test_a_complexity_given_with_the_plan_is_not_asked_again() -> None:
    problem, d = started("two_sum")
    d(60, "candidate_said", text="I'll use a hash map from value to index: O(n) time and O(n) "
                                 "space.")
    reply = d.said()[-1]
    assert "complexity" not in reply.lower() and "every combination" not in reply
    submit_and_measure(d, 5 * 60, problem, "O(n)")
    checks = [a.data for a in d.log if a.type == "complexity_checked"]
    assert checks and checks[-1]["correct"] and checks[-1]["claimed_time"] == "O(n)"
    assert not any("complexity" in text.lower() for text in d.said()[1:])
    d(6 * 60, "end_requested", reason="candidate")
    assert not any("complexity" in text.lower() for text in d.said()[1:])


def test_a_better_plan_is_not_taken_for_the_brute_force() -> None:
    _, d = started("two_sum")
    d(60, "candidate_said", text="Instead of checking every pair, I'll use a hash map and look "
                                 "up the complement.")
    assert "every combination" not in d.said()[-1]


def test_no_hint_comes_unasked_once_every_test_passes() -> None:
    problem, d = started("two_sum")
    submit_and_measure(d, 4 * 60, problem, "O(n)")
    d.ticks(4 * 60 + 30, 44 * 60)
    assert not [a for a in d.log if a.type == "show_hint"]


@pytest.mark.parametrize("text, count", [
    ("So I return the indices of two numbers that add up to the target. Can the numbers be "
     "negative? Is the list sorted?", 2),
    ("Can the list be empty?", 1),
    ("What should I return if nothing adds up?", 1),
    ("I'll use a hash map.", 0),
    ("Can I get a hint?", 0),
])
def test_the_report_counts_the_questions_the_transcript_shows(text: str, count: int) -> None:
    assert clarifying_questions(IntentClassifier().classify(text)) == count


def test_a_restated_problem_with_questions_gets_the_facts_and_is_counted() -> None:
    problem, d = started("two_sum")
    d(30, "candidate_said", text="So I need the indices of two numbers adding up to target. "
                                 "Can the numbers be negative? Is the input sorted?")
    reply = d.said()[-1]
    assert reply.startswith(problem.spec.clarifications["negatives"])
    assert problem.spec.clarifications["sorted"] in reply
    records: list[Any] = [*d.events, *d.log]
    records.sort(key=lambda r: (r.t, 0 if isinstance(r, Event) else 1))
    assert compute_metrics(records).clarifications_asked == 2


@pytest.mark.parametrize("problem", IMPROVABLE, ids=lambda p: p.id)
def test_without_a_measurement_the_candidates_own_slower_claim_starts_the_loop(
        problem: Problem) -> None:
    """No growth measurement (it can be switched off): the candidate's word
    that the passing code is slower than the problem needs is enough, and a
    claim about older code does not follow the new code."""
    assert problem.spec.complexity is not None
    slow = slower_class(problem)
    d = Driver(Orchestrator(problem, Settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(5 * 60, "code_submitted", code=problem.signature)
    d(5 * 60 + 1, "tests_finished", run=passing_run(), code_seq=d.seq - 1)
    d(6 * 60, "candidate_said", text=f"It's {slow if slow != 'worse' else 'O(n^3)'} time.")
    assert d.orch.phase.value == "optimization"
    assert d.lines()[-1][1] == "optimize"
    d(12 * 60, "code_submitted", code=problem.signature + "\n")
    d(12 * 60 + 1, "tests_finished", run=passing_run(), code_seq=d.seq - 1)
    assert "faster" not in d.said()[-1], "the old claim was about the old code"
    d(13 * 60, "candidate_said", text=f"Now it's {problem.spec.complexity.time} time.")
    assert d.orch.phase.value == "reflection"
    assert [a.data["reached"] for a in d.log if a.type == "better_solution"] == [True]


@pytest.mark.parametrize("said", ["It's O(n) time and O(k) space.",
                                  "O(n) time; the memory is O(m) for the window."])
def test_a_space_bound_in_other_letters_is_not_asked_again(said: str) -> None:
    problem, d = started("longest_substring_without_repeating")
    submit_and_measure(d, 5 * 60, problem, "O(n)")
    d(6 * 60, "candidate_said", text=said)
    assert not any("space" in text.lower() or "memory" in text.lower()
                   for text in d.said()[-2:]), d.said()[-2:]


def test_the_space_question_is_asked_once() -> None:
    """Said in words the parser does not read as a class, the space still is
    not asked for again and again."""
    problem, d = started("coin_change")
    assert problem.spec.complexity is not None
    submit_and_measure(d, 5 * 60, problem, problem.spec.complexity.time)
    for minute in (6, 7, 8):
        d(minute * 60, "candidate_said", text="It's O(n) time and O(n), n the amount space.")
    asks = [text for text in d.said() if "extra space" in text]
    assert len(asks) <= 1, asks
