"""A problem that expects no complexity (an imported one) does not judge a
claim: "O(n log n)" is neither right nor wrong there, and nothing downstream
(the coach, the metrics, the report) calls it wrong."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.problems.importers.humaneval import import_humaneval
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import Complexity
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.metrics import compute_metrics
from mock_interviewer_lab.settings import Settings

HUMANEVAL = Path("/work/shared/datasets/humaneval/HumanEval.jsonl.gz")


def _interview(problem: Problem, code: str, claim: str) -> list[Record]:
    """The session's records: each event, then the actions it caused."""
    orch = Orchestrator(problem, Settings(), coach=ScriptedCoach())
    log: list[Record] = []
    events: list[tuple[float, str, dict[str, Any]]] = [
        (0, "session_started", {}),
        (10, "code_submitted", {"code": code}),
        (11, "tests_finished", {"run": {"problem": problem.id, "passed": 2, "failed": 0,
                                        "total": 2, "cases": []}}),
        (20, "candidate_said", {"text": claim}),
    ]
    for seq, (t, kind, data) in enumerate(events):
        event = Event(type=kind, t=t, data=data, seq=seq)  # type: ignore[arg-type]
        log += [event, *orch.handle(event)]
    return log


def _actions(log: list[Record], kind: str) -> list[Action]:
    return [r for r in log if isinstance(r, Action) and r.type == kind]


@pytest.fixture(scope="module")
def no_target(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    """HumanEval/0 as imported: its reference compares every pair, so no
    complexity is expected of it."""
    out = tmp_path_factory.mktemp("packs") / "humaneval"
    import_humaneval(HUMANEVAL, out, limit=1)
    problem = ProblemRegistry.from_dirs([out]).problems()[0]
    assert problem.spec.complexity is None
    return problem


SORTING = ("def has_close_elements(numbers, threshold):\n"
           "    s = sorted(numbers)\n"
           "    return any(b - a < threshold for a, b in zip(s, s[1:]))\n")


def test_a_claim_where_none_is_expected_is_not_judged(no_target: Problem) -> None:
    log = _interview(no_target, SORTING, "Sorting first, so it's O(n log n) time.")
    (check,) = _actions(log, "complexity_checked")
    assert check.data["claimed_time"] == "O(n log n)"
    assert check.data["expected_time"] is None
    assert check.data["correct"] is None
    said = " ".join(a.data["text"] for a in _actions(log, "coach_says"))
    assert "no target" in said
    assert "count how many times each loop" not in said


def test_the_metrics_keep_not_judged_apart_from_wrong(no_target: Problem) -> None:
    log = _interview(no_target, SORTING, "Sorting first, so it's O(n log n) time.")
    metrics = compute_metrics(log)
    assert metrics.complexity_correct is None
    assert metrics.complexity_claimed_time == "O(n log n)"


def test_a_problem_with_a_target_still_judges(no_target: Problem) -> None:
    spec = no_target.spec.model_copy(update={"complexity": Complexity(time="O(n)", space="O(n)")})
    targeted = dataclasses.replace(no_target, spec=spec)
    log = _interview(targeted, SORTING, "Sorting first, so it's O(n log n) time.")
    (check,) = _actions(log, "complexity_checked")
    assert check.data["expected_time"] == "O(n)"
    assert isinstance(check.data["correct"], bool)
