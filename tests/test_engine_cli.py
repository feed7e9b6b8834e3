"""simulate, sessions and start from the command line, against a private
session database (MOCK_INTERVIEWER_SETTINGS points at a settings file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("mock-interviewer"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{tmp_path / "sessions.db"}"\n')
    return {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings), "XDG_CONFIG_HOME": str(tmp_path)}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=300)


def test_simulate_json_then_sessions(env: dict[str, str], tmp_path: Path) -> None:
    out = cli(env, "simulate", "--script", str(ROOT / "examples/simulations/strong_two_sum.yaml"),
              "--json")
    assert out.returncode == 0, out.stderr
    sim = json.loads(out.stdout)
    assert set(sim) >= {"session_id", "final_phase", "events", "report"}
    assert sim["final_phase"] == "done"
    coach = [e for e in sim["events"] if e["type"] == "coach_says"]
    assert coach and all("text" in e for e in coach)
    assert [e["to"] for e in sim["events"] if e["type"] == "phase_changed"][:2] == ["intro", "understanding"]
    sid = sim["session_id"]

    listed = json.loads(cli(env, "sessions", "list", "--json").stdout)
    assert [s["id"] for s in listed] == [sid]
    shown = cli(env, "sessions", "show", sid[:-1])  # a unique prefix of the id will do
    assert shown.returncode == 0 and "interviewer:" in shown.stdout

    for fmt in ("md", "html", "json", "ipynb"):
        target = tmp_path / f"report.{fmt}"
        out = cli(env, "sessions", "export", sid, "--format", fmt, "--out", str(target))
        assert out.returncode == 0, out.stderr
        text = target.read_text()
        assert "Two Sum" in text
    nbformat.validate(nbformat.read(tmp_path / "report.ipynb", as_version=4))
    assert "<svg" in (tmp_path / "report.html").read_text()
    json.loads((tmp_path / "report.json").read_text())

    replay = cli(env, "sessions", "replay", sid, "--coach-level", "insistent", "--json")
    assert replay.returncode == 0, replay.stderr
    data = json.loads(replay.stdout)
    assert data["original"] == sid and data["replay"] != sid

    stats = cli(env, "sessions", "stats", "--json")
    assert stats.returncode == 0, stats.stderr


def test_bad_script_and_unknown_session(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("problem: two_sum\nsteps:\n  - {at: '1:00', say: hi, hint: true}\n")
    out = cli(env, "simulate", "--script", str(bad))
    assert out.returncode == 2 and "steps.0" in out.stderr and "Traceback" not in out.stderr
    bad.write_text("problem: two_summ\nsteps: []\n")
    out = cli(env, "simulate", "--script", str(bad))
    assert out.returncode == 2 and "two_sum" in out.stderr
    out = cli(env, "sessions", "show", "nope")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_terminal_interview(env: dict[str, str], tmp_path: Path) -> None:
    solution = tmp_path / "solution.py"
    proc = subprocess.Popen([EXE, "start", "two_sum", "--file", str(solution), "--minutes", "20"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**env, "COLUMNS": "200"})
    assert proc.stdin is not None and proc.stdout is not None
    seen: list[str] = []

    def wait_for(text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"never saw {text!r}:\n" + "".join(seen))

    try:
        wait_for("Every save runs the tests")
        assert "def two_sum" in solution.read_text()  # created from the stub
        proc.stdin.write("Can the same element be used twice?\n")
        proc.stdin.flush()
        wait_for("interviewer:")
        solution.write_text("def two_sum(nums, target):\n    return [0, 0]\n")
        wait_for("tests: ")
        solution.write_text((ROOT / "problems/two_sum/solution.py").read_text())
        wait_for("tests: 9/9 passed")
        proc.stdin.write("/hint\n")
        proc.stdin.flush()
        wait_for("hint 1 of 3")
        proc.stdin.write("/end\n")
        proc.stdin.flush()
        wait_for("complexity")
        proc.stdin.write("It is O(n) time and O(n) space.\n")
        proc.stdin.close()
        seen.append(proc.stdout.read())
        proc.wait(timeout=60)
    finally:
        proc.kill()
    text = "".join(seen)
    assert proc.returncode == 0, text
    assert "session " in text and "Traceback" not in text


def test_terminal_follow_up_problem_gets_its_own_watched_file(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from mock_interviewer_lab.cli.terminal import TerminalInterview, solution_file
    from mock_interviewer_lab.coach.scripted import ScriptedCoach
    from mock_interviewer_lab.events import Action
    from mock_interviewer_lab.interview.clock import FakeClock
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.problems.registry import ProblemRegistry
    from mock_interviewer_lab.settings import Settings
    from mock_interviewer_lab.store import MEMORY, SessionStore

    registry = ProblemRegistry.discover(installed=False)
    problem, variant = registry.get("two_sum"), registry.get("three_sum")
    session = InterviewSession.start(SessionStore(MEMORY), problem, Settings(), harness=None,
                                     clock=FakeClock(), registry=registry, coach=ScriptedCoach())
    out = io.StringIO()
    terminal = TerminalInterview(session, solution_file(tmp_path / "solution.py", problem),
                                 console=Console(file=out, width=200))
    terminal._show(Action(type="problem_added", t=600.0,
                          data={"qualified_id": variant.qualified_id, "title": "3Sum"}))
    assert terminal.solution == tmp_path / "three_sum.py"
    assert terminal.solution.read_text() == variant.signature
    assert "Follow-up: 3Sum" in out.getvalue() and "three_sum.py" in out.getvalue()
