"""A test process with a busy voice socket exits cleanly: exit code 0 and no
socket task left pending for the garbage collector at exit (see
``tests/voice_exit_scenario.py`` for the crash those tasks caused)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SCENARIO = TESTS / "voice_exit_scenario.py"


@pytest.mark.parametrize("socket_at_the_end", ["closed by the page", "left open"])
def test_a_process_that_ends_with_a_busy_voice_socket_exits_cleanly(
        socket_at_the_end: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONFAULTHANDLER": "1",
           "MIL_VOICE_EXIT": "open" if socket_at_the_end == "left open" else "closed"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "pytest"), str(SCENARIO)],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=240, check=False)
    report = done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout, report
    assert "pending voice socket tasks at exit: 0" in done.stderr, report
    assert done.returncode == 0, report
