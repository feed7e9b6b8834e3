"""Clarifications and pitfalls: the facts the coach answers from. Every
built-in problem carries them, none of them gives the solution away, and a
pitfall is recognised in the wrong idea, never in the reference."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.loader import load_pack
from mock_interviewer_lab.problems.model import CLARIFICATION_TOPICS
from mock_interviewer_lab.problems.registry import ProblemRegistry
from tests.conftest import PROBE_PACK

BUILTIN = ProblemRegistry.discover(installed=False).problems()

#: Wrong code each built-in pitfall with code patterns should recognise.
WRONG_CODE = {
    "two_sum": "def two_sum(nums, target):\n    order = sorted(nums)\n",
    "coin_change": "def coin_change(coins, amount):\n    coins.sort(reverse=True)\n",
    "kth_largest": "def find_kth_largest(nums, k):\n    return sorted(set(nums))[-k]\n",
    "number_of_islands": "DIRS = [(0, 1), (1, 0), (1, 1), (-1, -1)]\n",
    "valid_parentheses": "def is_valid(s):\n    return s.count('(') == s.count(')')\n",
    "edit_distance": "def edit_distance(word1, word2):\n    return sum(a != b for a, b in zip(word1, word2))\n",
    "three_sum": "from itertools import combinations\nfor t in combinations(nums, 3):\n    pass\n",
}


@pytest.mark.parametrize("problem", BUILTIN, ids=lambda p: p.id)
def test_every_builtin_problem_answers_the_common_questions(problem: object) -> None:
    from mock_interviewer_lab.problems.loader import Problem

    assert isinstance(problem, Problem)
    facts = problem.spec.clarifications
    assert len(facts) >= 7, problem.id
    assert {"empty", "size", "output_format", "complexity_target"} <= set(facts), problem.id
    assert set(facts) <= set(CLARIFICATION_TOPICS)
    assert problem.hints.pitfalls, problem.id


@pytest.mark.parametrize("problem", BUILTIN, ids=lambda p: p.id)
def test_facts_and_pitfall_questions_pass_the_leak_filter(problem: object) -> None:
    from mock_interviewer_lab.problems.loader import Problem

    assert isinstance(problem, Problem)
    leaks = LeakFilter(problem)
    lines = [*problem.spec.clarifications.values(), *(p.question for p in problem.hints.pitfalls)]
    for line in lines:
        verdict = leaks.check(line)
        assert not verdict.leak, f"{problem.id}: {line!r}: {verdict}"


@pytest.mark.parametrize("problem", BUILTIN, ids=lambda p: p.id)
def test_pitfall_patterns_never_match_the_reference(problem: object) -> None:
    from mock_interviewer_lab.problems.loader import Problem

    assert isinstance(problem, Problem)
    for pitfall in problem.hints.pitfalls:
        for pattern in pitfall.code:
            assert not re.search(pattern, problem.solution, re.MULTILINE), (problem.id, pattern)


@pytest.mark.parametrize("problem_id", sorted(WRONG_CODE))
def test_pitfall_patterns_recognise_the_wrong_idea(problem_id: str) -> None:
    problem = next(p for p in BUILTIN if p.id == problem_id)
    code = WRONG_CODE[problem_id]
    assert any(re.search(pattern, code, re.MULTILINE)
               for pitfall in problem.hints.pitfalls for pattern in pitfall.code), problem_id


def _with(pack: Path, file: str, text: str) -> list[str]:
    folder = next(p for p in pack.iterdir() if (p / "problem.yaml").exists())
    target = folder / file
    target.write_text(target.read_text() + text)
    _, issues = load_pack(pack)
    return [str(i) for i in issues]


def test_unknown_topic_and_empty_answer_are_named(tmp_path: Path) -> None:
    pack = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, pack)
    issues = _with(pack, "problem.yaml", 'clarifications:\n  negativity: "yes"\n  sorted: " "\n')
    text = "\n".join(issues)
    assert "problem.yaml" in text and "clarifications" in text
    assert "'negativity'" in text and "known topics" in text


def test_pitfall_needs_a_way_to_be_recognised_and_valid_patterns(tmp_path: Path) -> None:
    pack = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, pack)
    issues = _with(pack, "hints.yaml",
                   'pitfalls:\n  - idea: "x"\n    question: "q?"\n'
                   '  - idea: "y"\n    code: ["(unclosed"]\n    question: "q?"\n')
    text = "\n".join(issues)
    assert "hints.yaml" in text and "pitfalls" in text
    assert "at least one of says or code" in text
    assert "is not a regular expression" in text
