"""``problems validate`` on a pack's facts for the coach: clarifications
that contradict the problem's own constraints or examples, answers and
pitfall questions that state a hidden input or pass the leak filter's
limits, pitfall patterns that fire on right code or on the right idea,
and a warning (not an error) for a problem without clarifications."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from mock_interviewer_lab.problems.loader import Problem, load_pack
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.problems.validate import constraint_bounds, fact_issues
from tests.conftest import PROBE_PACK

BUILTIN_DIR = Path(__file__).resolve().parents[1] / "problems"
BUILTIN = ProblemRegistry.discover(installed=False).problems()


def _copy(tmp_path: Path, problem_id: str) -> Path:
    """A pack holding one built-in problem, to change."""
    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(BUILTIN_DIR / "pack.yaml", pack / "pack.yaml")
    shutil.copytree(BUILTIN_DIR / problem_id, pack / problem_id)
    return pack / problem_id


def _edit(folder: Path, file: str, change: dict[str, object]) -> Problem:
    data = yaml.safe_load((folder / file).read_text())
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    (folder / file).write_text(yaml.safe_dump(data, sort_keys=False))
    pack, issues = load_pack(folder.parent)
    assert pack is not None and not issues, issues
    return pack.problems[folder.name]


def _errors(problem: Problem) -> list[str]:
    return [str(issue) for issue in fact_issues(problem)[0]]


# ----------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 <= len(nums) <= 10^5", [("nums", True, 2, 100000)]),
        ("-10^9 <= nums[i], target <= 10^9",
         [("nums", False, -10**9, 10**9), ("target", False, -10**9, 10**9)]),
        ("0 <= len(word1), len(word2) <= 200", [("word1", True, 0, 200), ("word2", True, 0, 200)]),
        ("1 <= coins[i] <= 2^31 - 1, all distinct", [("coins", False, 1, 2**31 - 1)]),
        ("1 <= len(grid) <= 300, 1 <= len(grid[i]) <= 300; every row has the same length.",
         [("grid", True, 1, 300), ("grid[i]", True, 1, 300)]),
        ("1 <= nodes.length <= 10000", [("nodes", True, 1, 10000)]),
        ("Assume n > 1 and is not a prime.", [("n", False, 1, None)]),
        ("Constraints: 0 ≤ N ≤ 10000.", [("N", False, 0, 10000)]),
        ("The tree has between 0 and 10^5 nodes.", []),
        ("grid[i][j] -> 0 | 1", []),
    ],
)
def test_constraint_bounds(text: str, expected: list[tuple[str, bool, float, float]]) -> None:
    got = [(b.name, b.length, b.low, b.high) for b in constraint_bounds(text)]
    assert got == expected


def test_a_bound_through_another_name_is_not_direct() -> None:
    k, arr = constraint_bounds("0 <= k <= len(arr)")
    assert (k.name, k.direct_low, k.low) == ("k", True, 0)
    # len(arr) >= k >= 0 says it is at least 0, not that it can be 0.
    assert (arr.name, arr.direct_low, arr.low) == ("arr", False, 0)
    (n,) = constraint_bounds("where n > 0")
    assert n.low_strict


# ------------------------------------------------------- the built-in packs


@pytest.mark.parametrize("problem", BUILTIN, ids=lambda p: p.id)
def test_builtin_facts_have_no_findings(problem: Problem) -> None:
    errors, warnings = fact_issues(problem)
    assert [str(e) for e in errors] == [] and [str(w) for w in warnings] == []


# -------------------------------------------------------- clarifications


def test_clarification_contradicting_a_constraint(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "problem.yaml", {"clarifications": {
        "empty": "Yes, the list can be empty.",
        "single": "Yes, one number is possible.",
        "negatives": "No, all numbers are positive.",
    }})
    errors = "\n".join(_errors(problem))
    assert ('two_sum/problem.yaml: clarifications.empty: says it can be empty, but the constraint '
            '"2 <= len(nums) <= 10^5" says otherwise') in errors
    assert "clarifications.single: says one element is possible" in errors
    assert ('clarifications.negatives: says no, but the constraint '
            '"-10^9 <= nums[i] <= 10^9" allows negative values') in errors


def test_clarification_contradicting_a_shown_input(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "problem.yaml", {"clarifications": {
        "duplicates": "No, every value is different.",
        "sorted": "Yes, ascending.",
    }, "constraints": ["2 <= len(nums) <= 10^5"]})
    errors = "\n".join(_errors(problem))
    assert "clarifications.duplicates: says no, but tests.yaml cases.3 'duplicates' has a repeated value" in errors
    assert "clarifications.sorted: says yes, but tests.yaml cases.2 'example 2' is not sorted" in errors
    # A yes or no the problem does not contradict is left alone.
    problem = _edit(folder, "problem.yaml", {"clarifications": {
        "duplicates": "Yes, as in [3, 3].", "sorted": "No."}})
    assert _errors(problem) == []


def test_empty_no_against_a_case_a_constraint_or_an_example(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "contains_duplicate")
    problem = _edit(folder, "problem.yaml", {"clarifications": {"empty": "No, never empty."}})
    # A hidden case counts too: the answer would mislead the candidate.
    assert [e for e in _errors(problem) if "clarifications.empty" in e] == [
        "contains_duplicate/problem.yaml: clarifications.empty: says it is never empty, but "
        "tests.yaml cases.4 'empty list' (hidden) has an empty argument: 'No, never empty.'"]
    tests = yaml.safe_load((folder / "tests.yaml").read_text())
    tests["cases"] = [c for c in tests["cases"] if c["args"] != [[]]]
    problem = _edit(folder, "tests.yaml", tests)
    assert [e for e in _errors(problem) if "clarifications.empty" in e] == [
        "contains_duplicate/problem.yaml: clarifications.empty: says it is never empty, but the "
        "constraint \"0 <= len(nums) <= 10^5\" allows 0: 'No, never empty.'"]
    problem = _edit(folder, "problem.yaml", {"constraints": [], "examples": [
        {"input": "nums = []", "output": "False"}]})
    assert [e for e in _errors(problem) if "clarifications.empty" in e] == [
        "contains_duplicate/problem.yaml: clarifications.empty: says it is never empty, but "
        "example 1 (nums = []) has an empty argument: 'No, never empty.'"]


def test_answer_that_states_a_hidden_input(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "problem.yaml", {"clarifications": {
        "negatives": "Yes, as in [-3, 4, 3, 90] with target 0.",  # a hidden case
        "duplicates": "Yes, as in [3, 3] with target 6.",  # a visible one
    }})
    (error,) = _errors(problem)
    assert error == ("two_sum/problem.yaml: clarifications.negatives: states the hidden test "
                     "input [-3,4,3,90]")


def test_answer_the_leak_filter_stops(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "problem.yaml", {"clarifications": {
        "complexity_target": "Linear: use a hash map of complements.",
    }})
    errors = _errors(problem)
    assert errors and all(e.startswith("two_sum/problem.yaml: clarifications.complexity_target: "
                                       "the leak filter stops it: ") for e in errors)
    assert any("names the key idea 'hash map'" in e for e in errors)


def test_no_clarifications_is_a_warning(tmp_path: Path) -> None:
    pack, issues = load_pack(PROBE_PACK)
    assert pack is not None and not issues
    errors, warnings = fact_issues(pack.problems["add"])
    assert errors == []
    assert [str(w) for w in warnings] == [
        "add/problem.yaml: clarifications: none: the coach can answer no clarifying question "
        "from facts",
        # The probe's never_say is its statement: true, and only a warning.
        "add/hints.yaml: never_say.1: 'return a + b' is close (1.00) to the problem.yaml "
        "statement ('Return `a + b`.'): the leak filter would stop the coach quoting it"]


# -------------------------------------------------------------- pitfalls


def test_pitfall_that_fires_on_the_reference(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "merge_intervals")
    problem = _edit(folder, "hints.yaml", {"pitfalls": [
        {"idea": "sort by start", "code": [r"sorted\(\s*intervals"], "question": "Why sort?"},
    ]})
    (error,) = _errors(problem)
    assert error.startswith("merge_intervals/hints.yaml: pitfalls.1.code.1: ")
    assert "matches the reference solution.py (line 5:" in error
    assert error.endswith("so it would fire on right code")


def test_pitfall_that_fires_on_the_stub(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"pitfalls": [
        {"idea": "x", "code": [r"def two_sum\("], "question": "What now?"},
    ]})
    assert any("matches the stub signature.py" in e for e in _errors(problem))


def test_pitfall_phrase_that_names_the_right_idea(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"pitfalls": [
        {"idea": "x", "says": ["sorting", "hash"], "question": "Why?"},
    ]})
    (error,) = _errors(problem)
    assert error == ("two_sum/hints.yaml: pitfalls.1.says.2: 'hash' is also in key_terms "
                     "('hash map'), so it would fire when the candidate says the right idea")


def test_a_never_say_line_that_says_an_idea_fails_is_no_right_idea() -> None:
    # coin_change: never_say "greedy does not work, use DP"; its pitfall says "greedy".
    problem = next(p for p in BUILTIN if p.id == "coin_change")
    assert "greedy" in problem.hints.pitfalls[0].says
    assert _errors(problem) == []


def test_pitfall_question_that_is_not_a_question(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"pitfalls": [
        {"idea": "x", "says": ["sort it first"], "question": "Sorting loses the indices."},
        {"idea": "y", "says": ["sort the list"], "question": 'Would you say "what about [1, 2]?"'},
    ]})
    (error,) = _errors(problem)
    assert error == ("two_sum/hints.yaml: pitfalls.1.question: is not a question (it must end "
                     "with '?'): 'Sorting loses the indices.'")


# ------------------------------------------- hints and never_say (leak filter)


def _issues(problem: Problem) -> tuple[list[str], list[str]]:
    errors, warnings = fact_issues(problem)
    return [str(e) for e in errors], [str(w) for w in warnings]


def test_a_hint_that_is_a_never_say_phrase_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"level_2": ["Think it through.", "Use a hashmap"]})
    errors, _ = _issues(problem)
    assert ("two_sum/hints.yaml: level_2.2: the leak filter stops this hint, so the candidate "
            "gets a generic question instead: never_say (fuzzy, 1.00): Use a hashmap") in errors
    assert not any("level_2.1:" in e for e in errors)


def test_a_hint_holding_the_reference_code_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    reference = (folder / "solution.py").read_text()
    problem = _edit(folder, "hints.yaml", {"level_3": [reference]})
    errors, _ = _issues(problem)
    level_3 = [e for e in errors if e.startswith("two_sum/hints.yaml: level_3.1: the leak filter "
                                                 "stops this hint")]
    assert any("with the reference solution" in e for e in level_3), errors
    assert any("code" in e for e in level_3), errors


def test_a_hint_naming_a_key_term_is_a_warning(tmp_path: Path) -> None:
    """The filter lets it through once the candidate has named the idea."""
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"level_3": ["Could a dictionary remember them?"]})
    errors, warnings = _issues(problem)
    assert errors == []
    assert warnings == [
        "two_sum/hints.yaml: level_3.1: the leak filter stops this hint until the candidate has "
        "named the idea: names the key idea 'dictionary' before the candidate did"]


def test_a_never_say_close_to_the_statement_is_a_warning(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"never_say": [
        "Use a hashmap", "return the indices of the two numbers that add up to target"]})
    errors, warnings = _issues(problem)
    assert errors == []
    (warning,) = warnings
    assert warning.startswith(
        "two_sum/hints.yaml: never_say.2: 'return the indices of the two numbers that add up to "
        "target' is close (0.86) to the problem.yaml statement ('**indices** of the two numbers "
        "that add up to `target`.')")
    assert warning.endswith("): the leak filter would stop the coach quoting it")


def test_a_never_say_that_a_key_term_says_alone_is_a_warning(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"never_say": ["Use a hashmap", "complement"]})
    errors, warnings = _issues(problem)
    assert errors == []
    assert warnings == [
        "two_sum/hints.yaml: never_say.2: 'complement' matches the key term 'complement' alone "
        "(1.00): the coach could never name the idea, even after the candidate has"]


def test_hint_checks_use_the_coach_s_own_filter(tmp_path: Path) -> None:
    """The same verdict as at run time: what validation reports, the
    orchestrator's LeakFilter stops."""
    from mock_interviewer_lab.interview.rules.leaks import LeakFilter

    folder = _copy(tmp_path, "two_sum")
    problem = _edit(folder, "hints.yaml", {"level_1": ["Store the indices in a dict."]})
    assert LeakFilter(problem).check("Store the indices in a dict.").leak
    errors, _ = _issues(problem)
    assert any(e.startswith("two_sum/hints.yaml: level_1.1: ") for e in errors)


def test_a_failing_hidden_test_is_shown_to_its_author(tmp_path: Path) -> None:
    """Name, input, expected and actual of a hidden case the reference
    fails, numbered from 1 like the schema errors."""
    from mock_interviewer_lab.problems.validate import validate_packs
    from mock_interviewer_lab.settings import Settings

    pack = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, pack)
    (pack / "add" / "solution.py").write_text(
        "def add(a, b):\n    return a + b if a != 918273645 else a - b\n")
    report = validate_packs([pack], Settings(), complexity=False)
    (pv,) = report.problems
    assert not pv.ok and pv.tests == "3/4"
    assert pv.messages == [
        "tests.yaml cases.3 'secret one' (hidden): failed: input add(918273645, 1), "
        "expected 918273646, actual 918273644" + pv.messages[0].partition("918273644")[2]]
    assert "hidden case" not in pv.messages[0]


# ---------------------------------------------------------- the report


def test_report_keeps_warnings_apart_from_errors() -> None:
    from mock_interviewer_lab.problems.loader import PackIssue
    from mock_interviewer_lab.problems.validate import ProblemValidation, ValidationReport

    report = ValidationReport(problems=[ProblemValidation("probe:add", ok=True)],
                              warnings=[PackIssue("add/problem.yaml", "none", field="clarifications")])
    assert report.ok and report.error_count == 0
    assert report.as_dict()["warnings"] == ["add/problem.yaml: clarifications: none"]


def test_validate_packs_reports_fact_errors_and_warnings(tmp_path: Path) -> None:
    """Through the real validation (sandbox included): an error fails the
    report, a warning does not."""
    from mock_interviewer_lab.problems.validate import validate_packs
    from mock_interviewer_lab.settings import Settings

    pack = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, pack)
    report = validate_packs([pack], Settings(), complexity=False)
    assert report.ok, report.as_dict()
    assert any("clarifications: none" in w for w in report.as_dict()["warnings"])
    with (pack / "add" / "hints.yaml").open("a") as f:
        f.write('pitfalls:\n  - idea: "adds"\n    code: ["a \\\\+ b"]\n    question: "Why?"\n')
    report = validate_packs([pack], Settings(), complexity=False)
    assert not report.ok
    assert any(re.search(r"add/hints.yaml: pitfalls\.1\.code\.1: .* matches the reference", i)
               for i in report.as_dict()["issues"])
