"""The class service's pieces without a hub: the instructor's table (rows,
CSV, notebook), the service's store, what a hidden run answers, and how a
student's server merges it (tests/test_classroom_hub.py runs them all on a
real hub)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import nbformat
import pytest

from mock_interviewer_lab.classroom.client import (
    CLASSROOM_URL_ENV,
    HUB_TOKEN_ENV,
    merge_held_back,
    with_held_back,
)
from mock_interviewer_lab.classroom.release import release_pack
from mock_interviewer_lab.classroom.results import (
    COLUMNS,
    ResultStore,
    table_csv,
    table_notebook,
)
from mock_interviewer_lab.classroom.service import public_hidden
from mock_interviewer_lab.harness.outcome import CaseOutcome, ComplexityReport, RunResult
from mock_interviewer_lab.problems.registry import ProblemRegistry

from .jupyter_process import free_port

REPO = Path(__file__).resolve().parent.parent


def _visible(index: int, status: str = "passed") -> CaseOutcome:
    return CaseOutcome(index=index, name=f"example {index + 1}", hidden=False, kind="io",
                       status=status, args=[[1, 2], 3], expected=[0, 1], got=[0, 1],
                       stdout="printed\n")


def _hidden(index: int, status: str) -> CaseOutcome:
    return CaseOutcome(index=index, name=f"hidden case {index + 1}", hidden=True, kind="io",
                       status=status)


@pytest.fixture
def store(tmp_path: Path) -> ResultStore:
    return ResultStore(tmp_path / "data" / "results.db")


def test_the_table_has_a_row_per_student_and_problem(store: ResultStore) -> None:
    store.add_run("alice", "class101:two_sum", "1.0", 5, 10, None)
    store.add_run("alice", "class101:two_sum", "1.0", 10, 10, "O(n)")
    store.add_run("bob", "class101:two_sum", "1.0", 3, 10, None)
    store.put_session("alice", "s1", "class101:two_sum", "1.0",
                      {"metrics": {"time_to_working_code": 120.44, "hints_given": 2}})
    store.put_session("alice", "s2", "class101:two_sum", "1.0",
                      {"metrics": {"time_to_working_code": 80.0, "hints_given": 1}})
    store.put_session("alice", "s2", "class101:two_sum", "1.0",  # posted again: replaced
                      {"metrics": {"time_to_working_code": 80.0, "hints_given": 1}})
    store.put_session("carol", "b1", "bank:conflict", "1.0", {"overall_score": 7.5})
    rows = {(r["user"], r["problem"]): r for r in store.table()}
    alice = rows[("alice", "class101:two_sum")]
    assert (alice["runs"], alice["tests_passed"], alice["tests_total"]) == (2, 10, 10)
    assert alice["all_passed"] and alice["complexity_reached"] == "O(n)"
    assert alice["sessions"] == 2 and alice["time_to_working_code_s"] == 80.0
    assert alice["hints"] == 1 and alice["last_session"] == "s2"
    bob = rows[("bob", "class101:two_sum")]
    assert not bob["all_passed"] and bob["tests_passed"] == 3 and bob["sessions"] == 0
    assert bob["hints"] is None and bob["complexity_reached"] is None
    assert rows[("carol", "bank:conflict")]["behavioral_score"] == 7.5
    assert store.session("alice", "s1") is not None and store.session("bob", "s1") is None


def test_the_store_is_the_services_alone(store: ResultStore) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_csv_and_notebook(store: ResultStore) -> None:
    store.add_run("alice", "class101:two_sum", "1.0", 10, 10, "O(n)")
    store.add_run("bob", "class101:two_sum", "1.0", 3, 10, None)
    rows = store.table()
    parsed = list(csv.DictReader(io.StringIO(table_csv(rows))))
    assert tuple(parsed[0]) == COLUMNS
    assert [(r["user"], r["tests_passed"], r["hints"]) for r in parsed] == [
        ("alice", "10", ""), ("bob", "3", "")]
    notebook = nbformat.reads(table_notebook(rows), as_version=4)
    nbformat.validate(notebook)
    charts = [o["data"]["image/svg+xml"] for c in notebook.cells if c.cell_type == "code"
              for o in c.outputs]
    assert len(charts) == 2 and all(svg.startswith("<svg") for svg in charts)
    assert "1/2" in charts[0]  # one of two students has working code
    assert "| alice | class101:two_sum |" in notebook.cells[0].source
    assert notebook.metadata["mock_interviewer_lab"]["class_table"] == rows


def test_a_hidden_run_answers_statuses_only() -> None:
    result = RunResult(problem="two_sum", passed=2, failed=2, total=4,
                       cases=[_visible(0), _visible(1), _hidden(2, "passed"),
                              _hidden(3, "failed")],
                       complexity=ComplexityReport(expected="O(n)", estimated="O(n)"),
                       error="ValueError: something about a hidden input")
    answer = public_hidden(result)
    assert answer["cases"] == [{"index": 2, "kind": "io", "status": "passed"},
                               {"index": 3, "kind": "io", "status": "failed"}]
    assert (answer["passed"], answer["failed"], answer["total"]) == (1, 1, 2)
    assert "hidden input" not in json.dumps(answer)
    assert answer["complexity"]["estimated"] == "O(n)"


def test_a_students_server_adds_the_held_back_cases_after_its_own() -> None:
    local = RunResult(problem="two_sum", passed=2, failed=1, total=3,
                      cases=[_visible(0), _visible(1), _visible(2, "failed")])
    merged = merge_held_back(local, {"cases": [{"kind": "io", "status": "passed"},
                                               {"kind": "generated", "status": "timeout"}],
                                     "complexity": {"expected": "O(n)", "estimated": "O(n^2)"},
                                     "error": None})
    assert (merged.passed, merged.failed, merged.total) == (3, 2, 5)
    assert [c.name for c in merged.cases[3:]] == ["hidden case 4", "hidden case 5"]
    assert all(c.hidden and c.args is None and c.stdout is None for c in merged.cases[3:])
    assert merged.complexity is not None and merged.complexity.estimated == "O(n^2)"
    assert local.total == 3  # the local run is left as it was


def test_without_a_service_a_released_problem_runs_its_visible_cases_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release_pack(REPO / "problems", tmp_path / "core")
    released = ProblemRegistry.from_dirs([tmp_path / "core"]).get("two_sum")
    builtin = ProblemRegistry.discover().get("core:two_sum")
    local = RunResult(problem="two_sum", passed=3, failed=0, total=3,
                      cases=[_visible(0), _visible(1), _visible(2)])
    monkeypatch.delenv(CLASSROOM_URL_ENV, raising=False)
    assert with_held_back(released, "code", local) is local
    # a service that does not answer: the held-back cases are errors, and the run says why
    monkeypatch.setenv(CLASSROOM_URL_ENV, f"http://127.0.0.1:{free_port()}/services/classroom/")
    monkeypatch.setenv(HUB_TOKEN_ENV, "a-token")
    assert with_held_back(builtin, "code", local) is local  # not a released problem
    down = with_held_back(released, "code", local)
    assert down.total == 3 + released.tests.held_back and down.passed == 3
    assert down.error and "did not answer" in down.error


def test_the_service_keeps_its_folders_private_and_checks_its_limits(tmp_path: Path) -> None:
    from mock_interviewer_lab.classroom.service import keep_private, main

    open_folder = tmp_path / "packs"
    open_folder.mkdir(mode=0o755)
    keep_private(open_folder)
    assert stat.S_IMODE(open_folder.stat().st_mode) == 0o700
    bad = tmp_path / "settings.toml"
    bad.write_text("[harness]\nmemory_mb = 'lots'\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="memory_mb"):
        main(["--packs", str(open_folder), "--data", str(tmp_path / "data"),
              "--settings", str(bad)])
    with pytest.raises(SystemExit, match="do not load"):
        main(["--packs", str(open_folder), "--data", str(tmp_path / "data")])
