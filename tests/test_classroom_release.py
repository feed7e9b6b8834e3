"""``mock-interviewer problems release``: the students' copy of a pack holds
no reference, no hidden or generated case and no generator, and still loads
and validates as a released pack."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mock_interviewer_lab.classroom.release import ReleaseError, release_pack
from mock_interviewer_lab.cli import main
from mock_interviewer_lab.problems.loader import load_pack
from mock_interviewer_lab.problems.registry import ProblemRegistry

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "problems"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "core"
    release_pack(CORE, dest)
    return dest


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _scalars(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    else:
        yield value


def _distinctive(value: Any) -> list[str]:
    """Numbers and strings of a hidden case that no visible one would hold by chance."""
    found = []
    for item in _scalars(value):
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, (int, float)) and abs(item) >= 1000:
            found.append(str(item))
        elif isinstance(item, str) and len(item) >= 8:
            found.append(item)
    return found


def test_the_release_holds_no_answer(released: Path) -> None:
    source, issues = load_pack(CORE)
    assert source is not None and not issues
    checked = 0
    for problem in source.problems.values():
        folder = released / problem.path.name
        assert not (folder / "solution.py").exists()
        assert not (folder / "generators.py").exists()
        every_byte = b"".join(p.read_bytes() for p in sorted(folder.iterdir()))
        # the reference: none of its lines that the stub does not share
        for line in problem.solution.splitlines():
            line = line.strip()
            if len(line) > 20 and line not in problem.signature:
                assert line.encode() not in every_byte, (problem.id, line)
        for case in problem.tests.cases:
            if not case.hidden:
                continue
            flow = yaml.safe_dump(case.args, default_flow_style=True).strip()
            assert flow.encode() not in every_byte, (problem.id, case.name)
            assert json.dumps(case.args).encode() not in every_byte, (problem.id, case.name)
            for token in _distinctive([case.args, case.kwargs, case.expected]):
                assert token.encode() not in every_byte, (problem.id, case.name, token)
                checked += 1
        if problem.generators:
            for line in problem.generators.splitlines():
                if len(line.strip()) > 25:
                    assert line.strip().encode() not in every_byte, (problem.id, line)
        tests = yaml.safe_load((folder / "tests.yaml").read_text(encoding="utf-8"))
        assert not {"generated", "performance"} & set(tests)
        assert all(not c.get("hidden") for c in [*tests.get("cases", []),
                                                  *tests.get("asserts", [])])
    assert checked > 10  # the grep looked for something


def test_the_release_loads_and_counts_what_it_held_back(released: Path) -> None:
    source, _ = load_pack(CORE)
    reg = ProblemRegistry.from_dirs([released])
    assert not reg.issues
    assert source is not None and reg.packs[0].meta.released
    assert reg.packs[0].meta.version == source.meta.version
    for problem in reg.problems():
        original = source.problems[problem.id]
        assert problem.released and problem.solution == ""
        assert problem.public_view()["visible_cases"] == original.public_view()["visible_cases"]
        assert problem.summary()["hidden_cases"] == original.summary()["hidden_cases"]
        assert problem.public_view()["statement"] == original.spec.statement
        assert problem.hints == original.hints


def test_validate_accepts_a_release_without_running_a_reference(released: Path) -> None:
    from mock_interviewer_lab.problems.validate import validate_packs
    from mock_interviewer_lab.settings import Settings

    report = validate_packs([released], Settings(), complexity=False)
    assert report.ok, [str(i) for i in report.issues]
    assert all("released" in pv.tests for pv in report.problems)


def test_a_released_pack_refuses_what_the_service_keeps(released: Path, tmp_path: Path) -> None:
    copy = tmp_path / "core"
    shutil.copytree(released, copy)
    shutil.copyfile(CORE / "two_sum" / "solution.py", copy / "two_sum" / "solution.py")
    shutil.copyfile(CORE / "two_sum" / "generators.py", copy / "two_sum" / "generators.py")
    tests = copy / "binary_search" / "tests.yaml"
    data = yaml.safe_load(tests.read_text(encoding="utf-8"))
    data["cases"][0]["hidden"] = True
    tests.write_text(yaml.safe_dump(data), encoding="utf-8")
    pack, issues = load_pack(copy)
    said = [str(i) for i in issues]
    assert pack is not None and "two_sum" not in pack.problems
    assert any("two_sum/solution.py" in s and "must not be in a released pack" in s for s in said)
    assert any("two_sum/generators.py" in s for s in said)
    assert any("binary_search/tests.yaml" in s and "cases.1.hidden" in s for s in said), said


def test_release_refuses_a_release_and_an_existing_folder(released: Path, tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="released pack already"):
        release_pack(released, tmp_path / "again")
    with pytest.raises(ReleaseError, match="exists"):
        release_pack(CORE, released)
    assert not (tmp_path / "again").exists()


def test_the_command_line_releases(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["problems", "release", str(CORE), str(tmp_path / "out"),
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    two_sum = next(p for p in data["problems"] if p["id"] == "two_sum")
    assert two_sum == {"id": "two_sum", "visible": 3, "held_back": 6, "notes": []}
    again = CliRunner().invoke(main, ["problems", "release", str(CORE), str(tmp_path / "out")])
    assert again.exit_code == 2 and "exists" in again.output
