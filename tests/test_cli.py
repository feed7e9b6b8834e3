"""The command line, run as a user runs it (the installed entry point)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROBE_PACK

HUMANEVAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "humaneval" / "HumanEval.jsonl.gz"


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mock-interviewer")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=stdin,
                          timeout=300, env=env)


def test_problems_list() -> None:
    out = cli("problems", "list", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    ids = {p["id"] for p in data["problems"]}
    assert "two_sum" in ids and len(ids) >= 12
    table = cli("problems", "list")
    assert table.returncode == 0 and "two_sum" in table.stdout


def test_problems_show_hides_reference_and_hidden_cases() -> None:
    out = cli("problems", "show", "two_sum", "--json")
    assert out.returncode == 0
    view = json.loads(out.stdout)
    assert view["function"] == "two_sum" and view["hidden_case_count"] > 0
    assert "seen" not in view["signature"]  # the reference's variable
    text = cli("problems", "show", "two_sum").stdout
    assert "Two Sum" in text and "hidden tests" in text


def test_unknown_problem_is_one_line_with_suggestions() -> None:
    out = cli("problems", "show", "two_sume")
    assert out.returncode == 2
    assert "did you mean two_sum" in out.stderr and "Traceback" not in out.stderr


def test_harness_run_json_and_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text((Path(__file__).parents[1] / "problems" / "two_sum" / "solution.py").read_text())
    out = cli("harness", "run", "--problem", "two_sum", "--solution", str(good), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"problem", "passed", "failed", "total", "cases", "complexity", "error"}
    assert data["passed"] == data["total"] and data["error"] is None
    assert data["complexity"]["expected"] == "O(n)" and data["complexity"]["estimated"]
    assert {"index", "name", "hidden", "status"} <= set(data["cases"][0])

    bad = tmp_path / "bad.py"
    bad.write_text("def two_sum(nums, target):\n    return [0, 0]\n")
    out = cli("harness", "run", "--problem", "two_sum", "--solution", str(bad), "--no-complexity")
    assert out.returncode == 0  # the run worked; the tests said no
    assert "failed" in out.stdout and "expected" in out.stdout

    out = cli("harness", "run", "--problem", "two_sum", "--solution", str(tmp_path / "none.py"))
    assert out.returncode == 2 and "cannot be read" in out.stderr


def test_validate_good_and_broken_pack(tmp_path: Path) -> None:
    out = cli("problems", "validate", str(PROBE_PACK))
    assert out.returncode == 0, out.stdout + out.stderr
    # A warning (no clarifications) is shown, and does not fail the pack.
    assert "add/problem.yaml: clarifications: none" in " ".join(out.stdout.split())
    broken = tmp_path / "probe"
    shutil.copytree(PROBE_PACK, broken)
    tests = broken / "add" / "tests.yaml"
    tests.write_text(tests.read_text().replace("expected: 4}", "expected: 5}"))
    out = cli("problems", "validate", str(broken), "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    (problem,) = report["problems"]
    assert not problem["ok"] and any("equal" in m and "failed" in m for m in problem["messages"])
    tests.write_text("function: add\ncases: nope\n")
    out = cli("problems", "validate", str(broken))
    assert out.returncode == 1 and "tests.yaml:2: cases" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_import_humaneval(tmp_path: Path) -> None:
    out = cli("problems", "import", "humaneval", str(HUMANEVAL), "--out", str(tmp_path / "he"),
              "--limit", "5", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["problems_written"] == 5
    again = cli("problems", "import", "humaneval", str(HUMANEVAL), "--out", str(tmp_path / "he"))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    check = cli("problems", "validate", str(tmp_path / "he"))
    assert check.returncode == 0, check.stdout


def test_bad_settings_name_key_value_and_allowed(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[coach]\nhelpfulness = "pushy"\n[harness]\nmemory_mb = 1\n')
    out = cli("--settings", str(settings), "problems", "list")
    assert out.returncode == 2
    assert "coach.helpfulness = 'pushy'" in out.stderr and "gentle" in out.stderr
    assert "harness.memory_mb = 1" in out.stderr


def test_sessions_stats_counts_what_it_leaves_out(tmp_path: Path) -> None:
    from mock_interviewer_lab.store import SessionStore

    db = tmp_path / "s.db"
    store = SessionStore(f"sqlite:///{db}")
    store.create_session("core:two_sum")
    store.create_session("core:two_sum", {"simulated": True, "eval": "strong"})
    store.create_session("core:three_sum", {"simulated": True, "eval": "weak"})
    store.create_session("core:two_sum", {"replay_of": "x"})
    store.close()

    out = cli("sessions", "stats", "--db", str(db))
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert not out.stdout.lstrip().startswith("{")  # a table for a person, not JSON
    assert "Coding interviews, per problem" in text and "two_sum" in text
    assert "three_sum" not in text
    assert "left out: 2 simulated sessions and 1 replay (--include-simulated counts them)" in text

    data = json.loads(cli("sessions", "stats", "--db", str(db), "--json").stdout)
    assert data["overall"]["sessions"] == 1
    assert data["left_out"] == {"simulated": 2, "replays": 1}

    data = json.loads(cli("sessions", "stats", "--db", str(db), "--json",
                          "--include-simulated").stdout)
    assert data["overall"]["sessions"] == 4 and set(data["problems"]) == {"core:two_sum",
                                                                       "core:three_sum"}
    assert data["left_out"] == {"simulated": 0, "replays": 0}
    out = cli("sessions", "stats", "--db", str(db), "--include-simulated")
    assert "three_sum" in out.stdout and "left out" not in out.stdout
