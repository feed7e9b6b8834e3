"""The HumanEval importer: reading the JSONL, the examples it turns into
visible cases, and the pack it writes (loaded back through the registry)."""

from __future__ import annotations

import ast
import gzip
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_interviewer_lab.harness.compare import judge
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.importers.answer_check import judge_answers, load_checker
from mock_interviewer_lab.problems.importers.derive import (
    expected_time,
    reference_shape,
    settle_hints,
)
from mock_interviewer_lab.problems.importers.humaneval import (
    DatasetError,
    ImportSummary,
    OutputExistsError,
    find_examples,
    import_humaneval,
    read_humaneval,
    render_statement,
)
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import ID_PATTERN
from mock_interviewer_lab.problems.registry import ProblemRegistry

HUMANEVAL = Path("/work/shared/datasets/humaneval/HumanEval.jsonl.gz")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImportSummary, ProblemRegistry]:
    out = tmp_path_factory.mktemp("packs") / "humaneval"
    summary = import_humaneval(HUMANEVAL, out)
    return summary, ProblemRegistry.from_dirs([out])


@pytest.fixture(scope="module")
def problems(imported: tuple[ImportSummary, ProblemRegistry]) -> dict[str, Problem]:
    return {p.id: p for p in imported[1].problems()}


def _by_task(problems: dict[str, Problem], number: int) -> Problem:
    (problem,) = [p for pid, p in problems.items() if pid.startswith(f"he_{number:03d}_")]
    return problem


def _reference(problem: Problem) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(problem.solution, str(problem.path / "solution.py"), "exec"), namespace)
    return namespace[problem.tests.function]


def _run_check(problem: Problem, candidate: Any) -> None:
    """What the harness does in the sandbox: setup, then the check, then
    check(candidate), with `random` seeded."""
    (case,) = problem.tests.asserts
    namespace: dict[str, Any] = {}
    exec(case.setup, namespace)
    exec(case.check, namespace)
    random.seed(0)
    namespace[case.entry](candidate)


def _lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _first_rows(n: int) -> list[dict[str, Any]]:
    with gzip.open(HUMANEVAL, "rt", encoding="utf-8") as f:
        return [json.loads(next(f)) for _ in range(n)]


# ------------------------------------------------------------- the real file


def test_all_164_tasks_import_and_load_without_issues(
    imported: tuple[ImportSummary, ProblemRegistry],
) -> None:
    summary, registry = imported
    assert registry.issues == []
    assert summary.tasks_read == 164
    assert summary.problems_written == 164
    assert len(registry.problems()) == 164
    assert [pack.meta.name for pack in registry.packs] == ["humaneval"]
    assert all(re.fullmatch(ID_PATTERN, p.id) for p in registry.problems())
    visible = sum(len(p.tests.cases) for p in registry.problems())
    assert visible == summary.example_cases_kept
    assert summary.problems_without_visible_cases == sum(
        not p.tests.cases for p in registry.problems()
    )


def test_pack_metadata_and_licence(imported: tuple[ImportSummary, ProblemRegistry]) -> None:
    summary, registry = imported
    meta = registry.packs[0].meta
    assert (meta.version, meta.author, meta.licence) == ("1.0.0", "OpenAI (HumanEval)", "MIT")
    assert "HumanEval.jsonl.gz" in meta.description
    assert "Copyright (c) OpenAI" in (summary.out / "LICENSE").read_text(encoding="utf-8")


def test_problem_shape(problems: dict[str, Problem]) -> None:
    problem = problems["he_000_has_close_elements"]
    assert problem.spec.title == "Has Close Elements (HumanEval/0)"
    assert problem.spec.tags == ["humaneval"]
    assert problem.spec.difficulty in ("easy", "medium")
    # Its reference compares every pair: a faster solution exists, so no
    # complexity is expected, and saying the pairs idea would give it away.
    assert problem.spec.complexity is None
    assert problem.hints.never_say == ["compare every pair of items with two loops"]
    assert problem.signature.startswith("from typing import List")
    assert "return False" in problem.solution and "return False" not in problem.signature
    (check,) = problem.tests.asserts
    assert check.hidden and check.name == "HumanEval check"
    assert check.check.startswith("METADATA") and "def check(candidate)" in check.check
    assert check.setup == "from typing import List\n"


def test_has_close_elements_gives_its_two_doctests(problems: dict[str, Problem]) -> None:
    cases = problems["he_000_has_close_elements"].tests.cases
    assert [(c.args, c.expected, c.compare, c.hidden) for c in cases] == [
        ([[1.0, 2.0, 3.0], 0.5], False, "float", False),
        ([[1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3], True, "float", False),
    ]
    examples = problems["he_000_has_close_elements"].spec.examples
    assert examples[0].input == "numbers = [1.0, 2.0, 3.0], threshold = 0.5"
    assert examples[0].output == "False"


def test_statement_is_the_dedented_docstring_with_a_code_block(
    problems: dict[str, Problem],
) -> None:
    statement = problems["he_000_has_close_elements"].spec.statement
    assert statement.startswith("Check if in given list of numbers")
    assert "\n```python\n>>> has_close_elements([1.0, 2.0, 3.0], 0.5)\nFalse\n" in statement
    assert statement.rstrip().endswith("```")


@pytest.mark.parametrize(
    ("task", "first_args", "first_expected", "count"),
    [
        (12, [[]], None, 3),  # ">>> longest([])" with no output: returns None
        (66, [""], 0, 6),  # 'digitSum("") => 0'
        (78, ["AB"], 1, 5),  # 'For num = "AB" the output should be 1.'
        (107, [3], [1, 2], 2),  # "Input: 3" / "Output: (1, 2)"
        (115, [[[0, 0, 1, 0], [0, 1, 0, 0], [1, 1, 1, 1]], 1], 6, 3),  # "grid : ..." lines
        (120, [[-3, -4, 5], 3], [-4, -3, 5], 3),  # "Input: arr = [...], k = 3"
        (156, [19], "xix", 3),  # ">>> int_to_mini_roman(19) == 'xix'"
        (32, [[1, 2]], -0.5, 2),  # ">>> round(find_zero([1, 2]), 2)": compared as floats
        (80, ["a"], False, 6),  # "is_happy(a) => False": a string without its quotes
        (81, [[4.0, 3, 1.7, 2, 3.5]], ["A+", "B", "C-", "C", "A-"], 1),  # "grade_equation(...)"
        (84, [1000], "1", 3),  # "For N = 1000, the sum of digits will be 1 the output should be"
        (105, [[2, 1, 1, 4, 5, 8, 2, 3]], ["Eight", "Five", "Four", "Three", "Two", "Two", "One",
                                           "One"], 3),  # "arr = [...]" ... "return [...]"
        (149, [["aa", "a", "aaa"]], ["aa"], 2),  # "assert list_sort([...]) => [...]"
        (160, [["+", "*", "-"], [2, 3, 4, 5]], 9, 1),  # "operator[...]" "array = [...]" "=> result = 9"
    ],
)
def test_other_example_styles(
    problems: dict[str, Problem], task: int, first_args: list[Any], first_expected: Any, count: int
) -> None:
    cases = _by_task(problems, task).tests.cases
    assert len(cases) == count
    assert (cases[0].args, cases[0].expected) == (first_args, first_expected)
    assert type(cases[0].expected) is type(first_expected)  # 1, not 1.0 from "be 1."


def test_examples_the_reference_disagrees_with_are_corrected_in_the_statement_too(
    imported: tuple[ImportSummary, ProblemRegistry], problems: dict[str, Problem]
) -> None:
    summary, _ = imported
    # HumanEval/47's docstring says median([-10, 4, 6, 1000, 10, 20]) is 15.0; the
    # check and the reference say 8.0: the statement, the examples and the case agree.
    median = problems["he_047_median"]
    assert [(c.args, c.expected) for c in median.tests.cases] == [
        ([[3, 1, 2, 4, 5]], 3), ([[-10, 4, 6, 1000, 10, 20]], 8.0)]
    assert ">>> median([-10, 4, 6, 1000, 10, 20])\n8.0\n" in median.spec.statement
    assert "15.0" not in median.spec.statement
    assert [e.output for e in median.spec.examples] == ["3", "8.0"]
    assert any(line.startswith("he_047_median: median([-10") and "corrected to 8.0" in line
               for line in summary.corrected)
    # "== [...]" forms are corrected where they stand; a 1-tuple written ("Venus") too.
    sort_array = _by_task(problems, 116).spec.statement
    assert ">>> sort_array([1, 5, 2, 3, 4]) == [1, 2, 4, 3, 5]" in sort_array
    assert "[1, 2, 3, 4, 5]" not in sort_array
    assert "bf(\"Earth\", \"Mercury\") ==> ('Venus',)" in _by_task(problems, 148).spec.statement
    assert summary.example_cases_corrected == len(summary.corrected) == 4
    assert summary.example_cases_dropped == len(summary.dropped) == 0


def test_a_statement_shows_no_example_its_problem_dropped(problems: dict[str, Problem]) -> None:
    """Every value an example shows in a statement is the reference's: each
    example found in a statement either is a visible case, or is not a
    plain call (skipped, shown as written)."""
    for problem in problems.values():
        reference = _reference(problem)
        spans = find_examples(problem.spec.statement, problem.tests.function, [])
        for span in spans:
            ex = span.example
            if ex is None or ex.kwargs or len(ex.args) != len(_params(problem)):
                continue
            got = json.loads(json.dumps(reference(*ex.args)))
            written = json.loads(json.dumps(ex.expected))
            if isinstance(got, list) and len(got) > 1 and not isinstance(written, (list, str)) \
                    and got[-1] == written:
                continue  # "tri(4) = 3": a term of the sequence (the test below)
            if problem.checker:  # several answers are right: the one shown is one of them
                accepts = load_checker(problem.checker)
                assert accepts(list(ex.args), {}, written) is True, (problem.id, ex.call_text)
                continue
            mode = "float" if "float" in {c.compare for c in problem.tests.cases} else "exact"
            assert judge(mode, written, got, tolerance=1e-6)[0], (problem.id, ex.call_text)


def _params(problem: Problem) -> list[str]:
    tree = ast.parse(problem.signature)
    (fn,) = [n for n in tree.body if isinstance(n, ast.FunctionDef)
             and n.name == problem.tests.function]
    return [a.arg for a in fn.args.args]


def test_lines_naming_a_term_of_the_sequence_stay_as_written(
    imported: tuple[ImportSummary, ProblemRegistry], problems: dict[str, Problem]
) -> None:
    # "tri(4) = 3" defines the sequence's terms; tri(4) returns the first five.
    tri = _by_task(problems, 130)
    assert "tri(1) = 3" in tri.spec.statement and "tri(4) = 3" in tri.spec.statement
    assert [c.args for c in tri.tests.cases] == [[3]]
    assert not any(line.startswith("he_130") for line in imported[0].corrected)


def test_unparseable_examples_are_skipped_not_guessed(problems: dict[str, Problem]) -> None:
    # ">>> sort_array([1, 0, 2, 3, 4]) [0, 1, 2, 3, 4]" is no call with a value: as written.
    sort_array = _by_task(problems, 116)
    assert len(sort_array.tests.cases) == 2
    assert ">>> sort_array([1, 0, 2, 3, 4]) [0, 1, 2, 3, 4]" in sort_array.spec.statement


def test_only_docstrings_without_examples_give_no_visible_case(
    imported: tuple[ImportSummary, ProblemRegistry], problems: dict[str, Problem]
) -> None:
    without = sorted(pid for pid, p in problems.items() if not p.tests.cases)
    assert without == ["he_038_decode_cyclic", "he_041_car_race_collision",
                       "he_050_decode_shift", "he_083_starts_one_ends"]
    assert imported[0].problems_without_visible_cases == 4
    for pid in without:
        statement = problems[pid].spec.statement
        assert "=>" not in statement and ">>>" not in statement and "xample" not in statement


def test_reference_passes_every_visible_case(problems: dict[str, Problem]) -> None:
    for problem in problems.values():
        reference = _reference(problem)
        for case in problem.tests.cases:
            got = reference(*case.args, **case.kwargs)
            got = json.loads(json.dumps(got))  # plain, as the harness returns it
            ok, why = judge(
                case.compare or problem.tests.compare, case.expected, got,
                tolerance=problem.tests.tolerance, args=case.args, kwargs=case.kwargs,
                checker=load_checker(problem.checker) if problem.checker else None,
            )
            assert ok, f"{problem.id} {case.name}: {why}"


def test_every_check_passes_with_the_reference(problems: dict[str, Problem]) -> None:
    for problem in problems.values():
        _run_check(problem, _reference(problem))


def test_checks_reject_a_wrong_answer(problems: dict[str, Problem]) -> None:
    for problem in problems.values():
        with pytest.raises((AssertionError, TypeError, ValueError)):
            _run_check(problem, lambda *args, **kwargs: None)


def test_check_naming_the_entry_point_calls_the_candidate(problems: dict[str, Problem]) -> None:
    # HumanEval/33's check compares candidate(x) with sort_third(x); in
    # HumanEval that name is the candidate's own function, not the stub.
    problem = _by_task(problems, 33)
    (case,) = problem.tests.asserts
    assert "def sort_third" not in case.setup
    calls: list[list[int]] = []

    def recording(values: list[int]) -> list[int]:
        calls.append(list(values))
        return _reference(problem)(values)  # type: ignore[no-any-return]

    _run_check(problem, recording)
    assert calls[:2] == [[1, 2, 3], [1, 2, 3]]
    with pytest.raises(AssertionError):
        _run_check(problem, lambda values: list(values))


def test_setup_holds_the_helpers_but_not_the_stub(problems: dict[str, Problem]) -> None:
    setup = _by_task(problems, 32).tests.asserts[0].setup
    assert "import math" in setup and "def poly(" in setup
    assert "def find_zero(" not in setup
    assert "def encode_cyclic(" in _by_task(problems, 38).tests.asserts[0].setup


# ----------------------------------------------------------------- reading


def test_gzip_and_plain_are_told_apart_by_content(tmp_path: Path) -> None:
    rows = _first_rows(3)
    plain = _lines(tmp_path / "looks_gzipped.jsonl.gz", rows)
    packed = tmp_path / "looks_plain.jsonl"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    from_plain, from_gzip = read_humaneval(plain), read_humaneval(packed)
    assert [t.task_id for t in from_plain] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    assert from_plain == from_gzip
    summary = import_humaneval(packed, tmp_path / "pack")
    assert summary.problems_written == 3
    assert ProblemRegistry.from_dirs([tmp_path / "pack"]).issues == []


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(_first_rows(1)[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        read_humaneval(path)
    assert err.value.line == 3
    assert str(err.value).startswith(f"{path}:3: not valid JSON")


def test_missing_field_names_the_field_and_line(tmp_path: Path) -> None:
    rows = _first_rows(2)
    del rows[1]["entry_point"], rows[1]["test"]
    path = _lines(tmp_path / "fields.jsonl", rows)
    with pytest.raises(DatasetError, match=r"fields\.jsonl:2: missing fields 'entry_point', 'test'"):
        read_humaneval(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no tasks"),
        (b"\x1f\x8b\x08\x00garbage", "is not a valid gzip file"),
        (b"[1, 2]\n", "1: must be a JSON object"),
        (b'{"task_id": 1, "prompt": "", "entry_point": "f", "canonical_solution": "",'
         b' "test": ""}\n', "1: field 'task_id' must be a string"),
    ],
)
def test_other_bad_inputs(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=re.escape(message)):
        read_humaneval(path)


def test_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot be read"):
        read_humaneval(tmp_path / "nope.jsonl")


def test_task_whose_prompt_lacks_the_entry_point_is_reported(tmp_path: Path) -> None:
    rows = _first_rows(2)
    rows[1]["entry_point"] = "not_there"
    path = _lines(tmp_path / "data.jsonl", rows)
    with pytest.raises(DatasetError, match=r"data\.jsonl:2: HumanEval/1: the prompt defines no"):
        import_humaneval(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written


# ------------------------------------------------------------------ output


def test_refuses_to_overwrite_a_non_empty_folder(tmp_path: Path) -> None:
    source = _lines(tmp_path / "data.jsonl", _first_rows(2))
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not empty"):
        import_humaneval(source, out)
    # overwrite replaces an earlier pack, never an arbitrary folder
    with pytest.raises(OutputExistsError, match=r"no pack\.yaml"):
        import_humaneval(source, out, overwrite=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_overwrite_replaces_an_earlier_pack(tmp_path: Path) -> None:
    source = _lines(tmp_path / "data.jsonl", _first_rows(3))
    out = tmp_path / "out"
    out.mkdir()  # an empty folder is fine without overwrite
    import_humaneval(source, out)
    with pytest.raises(OutputExistsError):
        import_humaneval(source, out, limit=1)
    summary = import_humaneval(source, out, limit=1, overwrite=True)
    assert summary.problems_written == 1
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["he_000_has_close_elements"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no leftovers


def test_limit_progress_and_pack_name(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    out = tmp_path / "small"
    summary = import_humaneval(
        HUMANEVAL, out, pack_name="he_small", limit=3, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert (summary.tasks_read, summary.problems_written) == (164, 3)
    pack = yaml.safe_load((out / "pack.yaml").read_text(encoding="utf-8"))
    assert pack["name"] == "he_small"
    with pytest.raises(ValueError, match="pack name"):
        import_humaneval(HUMANEVAL, tmp_path / "x", pack_name="Bad-Name")
    with pytest.raises(ValueError, match="limit"):
        import_humaneval(HUMANEVAL, tmp_path / "y", limit=0)


# ------------------------------------------------------- example extraction


def test_example_lines_that_are_not_examples_stay_prose() -> None:
    doc = (
        "tri(n) = 1 + n / 2, if n is even.\n"
        "Write a function tri() that returns the sequence.\n"
        "tri(3) = [1, 3, 2, 8]\n"
    )
    spans = find_examples(doc, "tri", ["n"])
    assert [(s.first, s.style) for s in spans] == [(2, "call")]
    assert spans[0].example is not None and spans[0].example.expected == [1, 3, 2, 8]
    statement = render_statement(doc, spans)
    assert statement.startswith("tri(n) = 1 + n / 2, if n is even.\n")
    assert "\n```\ntri(3) = [1, 3, 2, 8]\n```\n" in statement


def test_multi_line_doctest_output_and_keywords() -> None:
    doc = ">>> f([1, 2],\n...   k=2)\n[[1, 2],\n [2, 1]]\n"
    (span,) = find_examples(doc, "f", ["xs", "k"])
    assert span.example is not None
    assert (span.example.args, span.example.kwargs) == (([1, 2],), {"k": 2})
    assert span.example.expected == [[1, 2], [2, 1]]


# ----------------------------------------------------------- clarifications


def _facts(problems: dict[str, Problem], number: int) -> dict[str, str]:
    return dict(_by_task(problems, number).spec.clarifications)


def test_most_tasks_get_clarifications(problems: dict[str, Problem]) -> None:
    # 161 of 164 when written; the three without are a decoder with a
    # one-line docstring (twice) and a task whose example names another function.
    with_facts = [p for p in problems.values() if p.spec.clarifications]
    assert len(with_facts) >= 155
    assert not _facts(problems, 38) and not _facts(problems, 50)


def test_empty_input_shown_by_an_example(problems: dict[str, Problem]) -> None:
    assert _facts(problems, 12)["empty"] == "Yes, the input can be empty: longest([]) gives None."
    # A function of several arguments names the one that is empty.
    assert _facts(problems, 7)["empty"] == (
        "Yes, `strings` can be empty: filter_by_substring([], 'a') gives []."
    )


def test_stated_facts_quote_the_docstring(problems: dict[str, Problem]) -> None:
    search = _facts(problems, 69)  # "You are given a non-empty list of positive integers."
    assert search["empty"].startswith("No, it is never empty.")
    assert search["negatives"].startswith("No, they can't be negative.")
    assert search["zero"].startswith("No, zero doesn't appear.")
    assert 'non-empty list of positive integers' in search["negatives"]
    assert search["no_answer"] == 'The problem says: "If no such a value exist, return -1".'
    closest = _facts(problems, 20)  # "(of length at least two)"
    assert closest["single"].startswith("No, there are always at least two.")
    assert "of length at least two" in closest["single"]
    assert _facts(problems, 88)["modify_input"] == (
        'No, leave the input as it is. The problem says: "don\'t change the given array".'
    )
    assert _facts(problems, 109)["duplicates"] == (
        'No, the values are distinct. The problem says: '
        '"The given list is guaranteed to have unique elements".'
    )
    assert "only letters and spaces" in _facts(problems, 117)["charset"]
    assert "in order these words appear" in _facts(problems, 117)["output_order"]
    assert "case sensitive" in _facts(problems, 118)["case"]
    assert "in any order" not in _facts(problems, 34)["output_order"]
    assert _facts(problems, 34)["output_order"].startswith("Yes, the order matters.")


def test_examples_settle_values_order_and_output(problems: dict[str, Problem]) -> None:
    below_zero = _facts(problems, 3)
    assert below_zero["negatives"] == (
        "Yes, negative numbers can appear, as in below_zero([1, 2, -4, 5])."
    )
    assert below_zero["sorted"].startswith("No, not necessarily")
    assert _facts(problems, 0)["integers"].startswith("No, floats can appear too")
    assert _facts(problems, 26)["duplicates"] == (
        "Yes, values can repeat, as in remove_duplicates([1, 2, 3, 2, 4])."
    )
    assert _facts(problems, 72)["single"] == (
        "Yes, `q` can be a single element: will_it_fly([3], 5) gives True."
    )
    # The type the examples show (and the reference returns), with the
    # docstring's own words about it.
    assert _facts(problems, 107)["output_format"] == (
        "It returns a tuple: even_odd_palindrome(3) returns (1, 2). The problem says: "
        '"returned tuple has the number of even and odd integer palindromes respectively".'
    )
    assert _facts(problems, 12)["output_format"].startswith("It returns None or a string:")


def test_ranges_and_sizes_from_constraints(problems: dict[str, Problem]) -> None:
    words = _facts(problems, 143)
    assert words["size"] == 'The problem says: "1 <= len(sentence) <= 100".'
    assert words["empty"] == 'No, it is never empty. The problem says: "1 <= len(sentence) <= 100".'
    eat = _facts(problems, 159)  # every parameter is bounded: 0 <= number, need, remaining
    assert eat["negatives"].startswith("No") and eat["zero"].startswith("Yes")
    maximum = _facts(problems, 120)
    # "0 <= k <= len(arr)" bounds k, not how short arr can be.
    assert maximum["empty"] == (
        'No, it is never empty. The problem says: "The length of the array will be in the range '
        'of [1, 1000]".'
    )
    assert "in the range of [-1000, 1000]" in maximum["value_range"]


def test_topics_the_docstring_leaves_open_get_no_entry(problems: dict[str, Problem]) -> None:
    # HumanEval/84 says "a positive integer N" and "0 ≤ N ≤ 10000": zero is not settled.
    assert "zero" not in _facts(problems, 84)
    # "Return only positive numbers in the list" is about the output, not the input.
    assert "negatives" in _facts(problems, 30) and _facts(problems, 30)["negatives"].startswith("Yes")
    # "Return empty string if you didn't find any vowel" is not about an empty input.
    assert "empty" not in _facts(problems, 118)
    # "It is guaranteed that the answer is unique" is true, but the coach's
    # leak filter would not say it ("the answer is ..."): left out.
    assert "multiple_answers" not in _facts(problems, 129)
    # Nothing says whether strlen's string may hold spaces or what size it has.
    assert set(_facts(problems, 23)) == {"empty", "output_format"}


def _calls(text: str, name: str) -> list[str]:
    """Every ``name(...)`` call in the text: the shortest text from the name
    to a ")" that parses."""
    found = []
    for match in re.finditer(rf"\b{re.escape(name)}\(", text):
        for end in range(match.end(), len(text)):
            if text[end] != ")":
                continue
            try:
                ast.parse(text[match.start() : end + 1], mode="eval")
            except SyntaxError:
                continue
            found.append(text[match.start() : end + 1])
            break
    return found


def test_answers_quote_only_the_statement_and_visible_examples(
    problems: dict[str, Problem],
) -> None:
    """Never the reference or the hidden check: every quoted sentence is in
    the statement, every call an answer shows is a visible case, and the
    leak filter and `problems validate` find nothing against an answer."""
    from mock_interviewer_lab.problems.importers.humaneval import to_plain
    from mock_interviewer_lab.problems.validate import fact_issues

    def squash(text: str) -> str:
        return re.sub(r"[\s`*]+", "", text)

    for problem in problems.values():
        statement = squash(problem.spec.statement)
        # From the examples' text: other tests call the reference on the
        # cases' own lists, which some references change in place.
        visible = []
        for example in problem.spec.examples:
            call = ast.parse(f"f({example.input})", mode="eval").body
            assert isinstance(call, ast.Call)
            values = [*call.args, *(keyword.value for keyword in call.keywords)]
            visible.append(to_plain([ast.literal_eval(value) for value in values]))
        for topic, answer in problem.spec.clarifications.items():
            for quote in re.findall(r'"(.+?)"(?= and "|\.$)', answer):
                assert squash(quote) in statement, (problem.id, topic, quote)
            for text in _calls(answer, problem.tests.function):
                node = ast.parse(text, mode="eval").body
                assert isinstance(node, ast.Call)
                args = to_plain([ast.literal_eval(arg) for arg in node.args])
                assert args in visible, (problem.id, topic, text)
        errors, _ = fact_issues(problem)
        assert errors == [], (problem.id, [str(e) for e in errors])


def test_derive_from_a_docstring_that_says_little() -> None:
    """A docstring that settles nothing about a topic gives no entry for it."""
    from mock_interviewer_lab.problems.importers.humaneval import DocExample, derive_clarifications

    doc = "Return the sum of the numbers in the list.\n>>> total([1, 2, 3])\n6"
    spans = find_examples(doc, "total", ["xs"])
    kept = [span.example for span in spans if span.example is not None]
    facts = derive_clarifications(doc, spans, "total", ["xs"], kept, reference=sum)
    assert facts == {"output_format": "It returns an integer: total([1, 2, 3]) returns 6."}
    # Stated facts need no example; the same words about the output say nothing of the input.
    doc = ("Given a list of positive integers xs, return the sum.\n"
           "Return only positive numbers. Return empty string if none is found.")
    facts = derive_clarifications(doc, [], "total", ["xs"], [])
    assert facts["negatives"] == (
        "No, they can't be negative. The problem says: "
        '"Given a list of positive integers xs, return the sum".'
    )
    assert "empty" not in facts
    # Two sentences that disagree settle nothing.
    doc = "Given a positive integer n.\nConstraints: 0 <= n <= 100"
    facts = derive_clarifications(doc, [], "f", ["n"], [])
    assert "zero" not in facts and facts["value_range"] == 'The problem says: "0 <= n <= 100".'
    # No docstring at all: nothing.
    assert derive_clarifications("", [], "f", ["n"], [DocExample((), {}, None, "f()")]) == {}


# ------------------------------------------- hints, never_say, constraints, complexity


def test_hints_are_derived_per_problem(problems: dict[str, Problem]) -> None:
    levels = [tuple(tuple(p.hints.level(n)) for n in (1, 2, 3)) for p in problems.values()]
    assert len(set(levels)) == 164
    # Not only the names: the approach hints follow each reference's shape.
    approach = {tuple(tuple(p.hints.level(n)) for n in (2, 3)) for p in problems.values()}
    assert len(approach) >= 150
    median = problems["he_047_median"].hints
    assert any("`median`" in hint for hint in median.level_1)
    assert "Would `l` be easier to work with if its values were in order?" in median.level_2
    assert any("median([-10, 4, 6, 1000, 10, 20])" in h and "`8.0`" in h for h in median.level_3)


def test_no_hint_is_flagged_by_the_leak_filter(problems: dict[str, Problem]) -> None:
    for problem in problems.values():
        leaks = LeakFilter(problem)
        for level in (1, 2, 3):
            for hint in problem.hints.level(level):
                assert leaks.reasons(hint) == [], (problem.id, hint)


def test_never_say_holds_the_giveaways_and_spares_the_statement(
    problems: dict[str, Problem],
) -> None:
    median = problems["he_047_median"].hints.never_say
    assert "sort the values first and then read the answer off" in median
    assert "l[len(l) // 2]" in median  # the reference's own key expression
    assert sum(bool(p.hints.never_say) for p in problems.values()) >= 100
    for problem in problems.values():
        leaks = LeakFilter(problem)
        public = [problem.spec.statement, *problem.spec.clarifications.values()]
        for text in public:
            assert not [r for r in leaks.reasons(text) if r.startswith("never_say")], problem.id


def test_a_hint_the_leak_filter_flags_is_not_written(problems: dict[str, Problem]) -> None:
    median = problems["he_047_median"]
    fallback = {"level_1": ["What goes in?"], "level_2": ["What did you do by hand?"],
                "level_3": ["Check each example again."]}
    candidates = {
        "level_1": ["What goes in, and what comes out?"],
        "level_2": ["Sort the values first and then read the answer off."],  # a never_say
        "level_3": ["return sorted(l)[len(l) // 2] if len(l) % 2 == 1 else 0"],  # the reference
    }
    derived = settle_hints(median, candidates, ["sort the values first and then read the answer off"],
                           median.spec.statement, fallback)
    assert derived.filtered == 2
    assert derived.hints.level_1 == ["What goes in, and what comes out?"]
    assert derived.hints.level_2 == fallback["level_2"]
    assert derived.hints.level_3 == fallback["level_3"]
    assert derived.hints.never_say == ["sort the values first and then read the answer off"]


def test_constraints_and_complexity_where_the_problem_settles_them(
    problems: dict[str, Problem],
) -> None:
    assert _by_task(problems, 84).spec.constraints == ["0 ≤ N ≤ 10000"]
    times = {n: (c.time if (c := _by_task(problems, n).spec.complexity) else None)
             for n in (0, 35, 53, 88, 130)}
    # add(x, y): arithmetic; max_element: one pass; sort_array: returns the sorted list;
    # has_close_elements and tri: a faster way than the reference's may exist: not judged.
    assert times == {0: None, 35: "O(n)", 53: "O(1)", 88: "O(n log n)", 130: None}
    assert _by_task(problems, 35).spec.complexity.space == "O(1)"  # type: ignore[union-attr]
    assert sum(p.spec.complexity is not None for p in problems.values()) >= 60


@pytest.mark.parametrize(
    ("source", "returns_list", "expected"),
    [
        ("def f(a: int, b: int):\n    return a * b + 1\n", False, "O(1)"),
        ("def f(xs: list):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n", False, "O(n)"),
        ("def f(xs: list):\n    return sorted(set(xs))\n", True, "O(n log n)"),
        ("def f(xs: list):\n    return sorted(xs)[len(xs) // 2]\n", False, None),  # a median
        ("def f(n: int):\n    return sum(i for i in range(n) if n % i == 0)\n", False, None),
        ("def f(xs: list):\n    return [x for x in xs if x in xs[1:]]\n", False, None),  # nested
        ("def f(n: int):\n    while n > 1:\n        n //= 2\n    return n\n", False, None),
    ],
)
def test_expected_time_only_where_nothing_faster_exists(
    source: str, returns_list: bool, expected: str | None
) -> None:
    shape = reference_shape(source, "f")
    assert expected_time(shape, "Return the sorted list.", returns_list) == expected


# ------------------------------------------- answers the check judges by a property

_POLY = '''import math


def poly(xs: list, x: float):
    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])

'''

#: Bisection on Cauchy's bound [-R, R]: a right answer, but another root than
#: the reference's (3.0, not 1.0, for (x - 1)(x - 2)(x - 3)).
_ANOTHER_ROOT = _POLY + '''
def find_zero(xs: list):
    bound = 1 + max(abs(c / xs[-1]) for c in xs[:-1])
    lo, hi = -bound, bound
    for _ in range(200):
        mid = (lo + hi) / 2
        value = poly(xs, mid)
        if value == 0:
            return mid
        if (value > 0) == (poly(xs, hi) > 0):
            hi = mid
        else:
            lo = mid
    return lo
'''

#: A wrong answer: the middle of the coefficients, a root of none of them.
_WRONG_ROOT = _POLY + '''
def find_zero(xs: list):
    return sum(xs) / len(xs) + 0.25
'''


def test_only_find_zero_is_judged_by_a_property(
    imported: tuple[ImportSummary, ProblemRegistry], problems: dict[str, Problem]
) -> None:
    assert imported[0].problems_judged_by_property == 1
    assert sorted(pid for pid, p in problems.items() if p.checker) == ["he_032_find_zero"]
    find_zero = problems["he_032_find_zero"]
    assert find_zero.tests.checker == "satisfies_check"
    assert [(c.args, c.compare) for c in find_zero.tests.cases] == [
        ([[1, 2]], "checker"), ([[-6, 11, -6, 1]], "checker")]
    assert "math.fabs(poly(coeffs, solution)) < 0.0001" in find_zero.checker
    # Every other case has one right value (floats within the checks' 1e-6).
    assert {c.compare for p in problems.values() if not p.checker for c in p.tests.cases} \
        == {None, "float"}
    assert {p.tests.tolerance for p in problems.values()} == {1e-6}
    # The hints do not send the candidate to the reference's root.
    level_3 = " ".join(find_zero.hints.level(3))
    assert "`1.0` is one; any other right one will do too" in level_3


def test_another_root_passes_every_case_through_the_harness(
    problems: dict[str, Problem], harness: Any
) -> None:
    problem = problems["he_032_find_zero"]
    namespace: dict[str, Any] = {}
    exec(_ANOTHER_ROOT, namespace)
    assert namespace["find_zero"]([-6, 11, -6, 1]) == 3.0
    # The reference's value would have failed it as a float case.
    assert not judge("float", 1.0, 3.0, tolerance=problem.tests.tolerance)[0]
    for code in (_ANOTHER_ROOT, problem.solution):
        result = harness.run(problem, code, complexity=False)
        assert result.error is None, result.error
        assert [(c.kind, c.hidden, c.status) for c in result.cases] == [
            ("io", False, "passed"), ("io", False, "passed"), ("assert", True, "passed")]
        assert result.passed == result.total == 3
    assert harness.run(problem, _ANOTHER_ROOT, complexity=False).cases[1].got == 3.0
    wrong = harness.run(problem, _WRONG_ROOT, complexity=False)
    assert [c.status for c in wrong.cases] == ["failed", "failed", "failed"]
    assert "does not satisfy the check" in (wrong.cases[0].message or "")


def _task(entry: str, doc: str, solution: str, test: str, n: int = 0) -> dict[str, Any]:
    return {"task_id": f"Custom/{n}", "entry_point": entry,
            "prompt": f'def {entry}(n):\n    """{doc}\n    """\n',
            "canonical_solution": solution, "test": test}


def test_a_property_written_any_way_the_importer_can_lift_becomes_a_checker(
    tmp_path: Path,
) -> None:
    rows = [
        # The answer stands in the assertion: any divisor above 1 is right.
        _task("divisor", "A divisor of n above 1.\n    >>> divisor(12)\n    2",
              "    return min(d for d in range(2, n + 1) if n % d == 0)\n",
              "def check(candidate):\n    for n in (12, 15, 49):\n"
              "        assert n % candidate(n) == 0 and candidate(n) > 1, str(candidate(n))\n"),
        # A property of arguments it cannot bind (xs[i]): no visible case at all.
        _task("factor", "A factor of n.\n    >>> factor(12)\n    1",
              "    return 1\n",
              "def check(candidate):\n    xs = [12, 15]\n    for i in range(2):\n"
              "        d = candidate(xs[i])\n        assert xs[i] % d == 0\n", 1),
        # One value, within the check's own tolerance (looser than 1e-6).
        _task("root2", "The square root of n.\n    >>> root2(2)\n    1.4142",
              "    return n ** 0.5\n",
              "def check(candidate):\n    assert abs(candidate(2) - 1.4142) < 1e-3\n", 2),
    ]
    summary = import_humaneval(_lines(tmp_path / "custom.jsonl", rows), tmp_path / "pack")
    registry = ProblemRegistry.from_dirs([tmp_path / "pack"])
    assert registry.issues == []
    divisor, factor, root2 = (registry.get(pid) for pid in
                              ("he_000_divisor", "he_001_factor", "he_002_root2"))
    assert summary.problems_judged_by_property == 2
    accepts = load_checker(divisor.checker)
    assert [c.compare for c in divisor.tests.cases] == ["checker"]
    assert [accepts([12], {}, d) for d in (2, 3, 6, 12)] == [True] * 4
    assert accepts([12], {}, 5) is not True and accepts([12], {}, 1) is not True
    assert accepts([12], {}, None) is not True  # a wrong type fails, it does not raise
    assert factor.tests.cases == [] and not factor.checker
    assert any(line.startswith("he_001_factor: factor(12)") and "property" in line
               for line in summary.dropped)
    assert root2.tests.tolerance == 1e-3 and root2.tests.cases[0].compare == "float"
    assert judge("float", root2.tests.cases[0].expected, 2 ** 0.5,
                 tolerance=root2.tests.tolerance)[0]


def test_judge_answers_reads_value_checks_as_one_value() -> None:
    for test in ("def check(candidate):\n    assert candidate(1) == 2, str(candidate(1))\n",
                 "def check(candidate):\n    assert candidate(1)\n    assert not candidate(2)\n",
                 "def check(candidate):\n    assert tuple(candidate([1])) == (1,)\n",
                 "def check(candidate):\n    got = candidate(3)\n    assert got == 4, str(got)\n",
                 "def check(candidate):\n    assert candidate(3) is True\n"):
        assert judge_answers("T/0", test, "f", "", ["n"]).kind == "value", test
    tol = judge_answers("T/0", "def check(c):\n    assert abs(c(1) - 0.5) < 1e-4\n", "f", "", ["n"])
    assert (tol.kind, tol.tolerance) == ("value", 1e-4)
