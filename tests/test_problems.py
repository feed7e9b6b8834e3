"""The pack format: loading, the messages a bad pack gets, and the registry."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from mock_interviewer_lab.problems.loader import PackError, load_pack, load_problem
from mock_interviewer_lab.problems.registry import (
    PACKS_ENV,
    ProblemRegistry,
    UnknownProblem,
    builtin_pack_dirs,
)
from mock_interviewer_lab.settings import Settings
from tests.conftest import PROBE_PACK

BUILTIN_IDS = {
    "contains_duplicate", "two_sum", "valid_parentheses", "longest_substring_without_repeating",
    "three_sum", "merge_intervals", "trapping_rain_water", "binary_search",
    "search_rotated_sorted_array", "kth_largest", "number_of_islands", "course_schedule",
    "max_depth_binary_tree", "coin_change", "edit_distance",
}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A writable copy of the probe pack."""
    dest = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, dest)
    return dest


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip())


def issues_of(pack: Path) -> list[str]:
    _, issues = load_pack(pack)
    return [str(i) for i in issues]


def test_builtin_pack_is_complete() -> None:
    reg = ProblemRegistry.discover(installed=False)
    assert reg.issues == []
    ids = {p.id for p in reg.problems()}
    assert ids >= BUILTIN_IDS
    patterns = {t for p in reg.problems() for t in p.spec.tags}
    for pattern in ("hashing", "two pointers", "sliding window", "stack", "binary search",
                    "intervals", "heap", "dynamic programming"):
        assert any(pattern in t for t in patterns), pattern
    assert {p.spec.difficulty for p in reg.problems()} == {"easy", "medium", "hard"}
    for p in reg.problems():
        assert p.visible_case_count >= 3 and p.total_case_count - p.visible_case_count >= 5, p.id
        assert all(len(p.hints.level(n)) >= 1 for n in (1, 2, 3)) and p.hints.never_say, p.id
        for ref in [*p.spec.prerequisites, *p.spec.harder_variants]:
            assert ref in ids, f"{p.id} links to unknown {ref}"


def test_public_view_hides_what_the_candidate_must_not_see() -> None:
    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    view = problem.public_view()
    text = repr(view)
    assert problem.solution.strip() not in text
    for c in problem.tests.cases:
        if c.hidden:
            assert repr(c.args) not in text
    assert "never_say" not in text and "tags" not in view
    assert view["hidden_case_count"] == problem.total_case_count - problem.visible_case_count


def test_yaml_syntax_error_names_file_and_line(pack: Path) -> None:
    write(pack / "add" / "tests.yaml", """
        function: add
        cases:
          - {name: small, args: [1, 2], expected: 3
          - {name: other, args: [2, 2], expected: 4}
        """)
    (msg,) = issues_of(pack)
    assert msg.startswith("probe/add/tests.yaml:")
    assert "not valid YAML" in msg
    line = int(msg.split(":")[1])
    assert line in (3, 4)


def test_wrong_field_type_names_field_and_line(pack: Path) -> None:
    write(pack / "add" / "tests.yaml", """
        function: add
        cases:
          - {name: small, args: [1, 2], expected: 3}
          - name: broken
            args: 5
            expected: 4
        """)
    (msg,) = issues_of(pack)
    assert msg.startswith("probe/add/tests.yaml:5: cases.2.args:"), msg


def test_missing_and_unknown_fields(pack: Path) -> None:
    write(pack / "add" / "problem.yaml", """
        id: add
        title: Add
        difficulty: trivial
        statement: Add them.
        colour: blue
        """)
    msgs = issues_of(pack)
    assert any("problem.yaml:3: difficulty:" in m for m in msgs), msgs
    assert any("problem.yaml:5: colour: unknown field" in m for m in msgs), msgs


def test_missing_files_and_functions(pack: Path) -> None:
    (pack / "add" / "hints.yaml").unlink()
    write(pack / "add" / "solution.py", "def plus(a, b):\n    return a + b\n")
    msgs = issues_of(pack)
    assert msgs == ["probe/add/hints.yaml: is missing"]
    write(pack / "add" / "hints.yaml", "level_1: [a]\nlevel_2: [b]\nlevel_3: [c]\n")
    msgs = issues_of(pack)
    assert msgs == ["probe/add/solution.py: function: does not define the function 'add'"]


def test_python_syntax_error_and_unknown_generator(pack: Path) -> None:
    write(pack / "add" / "solution.py", "def add(a, b)\n    return a + b\n")
    write(pack / "add" / "tests.yaml", """
        function: add
        cases:
          - {args: [1, 2], expected: 3}
        performance:
          generator: missing
          sizes: [10, 20, 40]
          expected: O(1)
        """)
    msgs = issues_of(pack)
    assert "probe/add/solution.py:1: syntax error: expected ':'" in msgs
    assert any("performance.generator: generator 'missing' is not defined" in m for m in msgs)


def test_id_must_match_folder_and_one_bad_problem_leaves_the_rest(pack: Path) -> None:
    shutil.copytree(pack / "add", pack / "plus")
    write(pack / "plus" / "problem.yaml", (pack / "add" / "problem.yaml").read_text())
    loaded, issues = load_pack(pack)
    assert loaded is not None and list(loaded.problems) == ["add"]
    assert [str(i) for i in issues] == ["probe/plus/problem.yaml:1: id: must match the folder name 'plus'"]


def test_hints_under_a_hints_key_are_accepted(pack: Path) -> None:
    write(pack / "add" / "hints.yaml", """
        hints:
          level_1: [a]
          level_2: [b]
          level_3: [c]
          never_say: [d]
        """)
    problem = load_problem(pack / "add", "probe", pack)
    assert problem.hints.never_say == ["d"]


def test_load_problem_raises_with_every_issue(pack: Path) -> None:
    write(pack / "add" / "problem.yaml", "id: add\n")
    with pytest.raises(PackError) as info:
        load_problem(pack / "add", "probe", pack)
    fields = {i.field for i in info.value.issues}
    assert {"title", "difficulty", "statement"} <= fields


def test_registry_from_env_and_settings(pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PACKS_ENV, str(pack))
    reg = ProblemRegistry.discover(installed=False)
    assert reg.get("add").pack == "probe"
    monkeypatch.delenv(PACKS_ENV)
    settings = Settings.model_validate({"problems": {"extra_dirs": [str(tmp_path)]}})
    reg = ProblemRegistry.discover(settings, installed=False)  # a folder of packs
    assert reg.get("probe:add").id == "add"
    monkeypatch.setenv(PACKS_ENV, str(tmp_path / "nowhere"))
    reg = ProblemRegistry.discover(installed=False)
    assert any("nowhere" in str(i) and "holds no pack.yaml" in str(i) for i in reg.issues)


def test_same_id_in_two_packs_needs_the_pack_name(pack: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(pack, other)
    text = (other / "pack.yaml").read_text().replace("name: probe", "name: other")
    (other / "pack.yaml").write_text(text)
    reg = ProblemRegistry.from_dirs([pack, other])
    with pytest.raises(UnknownProblem, match="several packs") as info:
        reg.get("add")
    assert set(info.value.suggestions) == {"probe:add", "other:add"}
    assert reg.get("other:add").pack == "other"


def test_unknown_problem_suggests_the_closest() -> None:
    reg = ProblemRegistry.discover(installed=False)
    with pytest.raises(UnknownProblem) as info:
        reg.get("two_summ")
    assert info.value.suggestions[0] == "two_sum"
    assert "did you mean two_sum" in str(info.value)


def test_entry_point_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "probe_pack_dist-1.0.dist-info").mkdir(parents=True)
    (site / "probe_pack_dist-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: probe-pack-dist\nVersion: 1.0\n")
    (site / "probe_pack_dist-1.0.dist-info" / "entry_points.txt").write_text(
        "[mock_interviewer_lab.packs]\nprobe = probe_pack_mod:pack_dir\n")
    (site / "probe_pack_mod.py").write_text(f"def pack_dir():\n    return {str(PROBE_PACK)!r}\n")
    monkeypatch.syspath_prepend(str(site))
    reg = ProblemRegistry.discover()
    assert reg.get("add").pack == "probe"


def test_builtin_pack_dir_is_the_repository_folder_in_development() -> None:
    (folder,) = builtin_pack_dirs()
    assert (folder / "pack.yaml").is_file()


def test_builtin_pack_validates_in_the_sandbox() -> None:
    """`problems validate problems/`: every reference passes all its tests in
    the sandbox, within its expected complexity."""
    from mock_interviewer_lab.problems.validate import validate_packs

    (folder,) = builtin_pack_dirs()
    report = validate_packs([folder], Settings(), complexity=True)
    assert report.ok, report.as_dict()
    assert len(report.problems) == len(BUILTIN_IDS)
