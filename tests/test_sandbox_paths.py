"""The isolation paths other than this machine's default (root with
namespaces), run through the supervisor without a kernel:

* an ordinary user with user namespaces (a laptop): RLIMIT_NPROC applies,
  the runner is pid 1 of its own PID namespace behind a reaper;
* root where namespaces are refused: the runner drops to nobody;
* an ordinary user where namespaces are refused (Ubuntu's AppArmor
  setting, most Kubernetes pods): rlimits and the reaper only.

The ordinary user is uid 1000 with CAP_DAC_READ_SEARCH only, so that it can
read this machine's Python (which lives under /root) and nothing more.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.harness.runner import build_payload, prepare
from mock_interviewer_lab.problems.loader import Problem
from tests.conftest import FAST_LIMITS

AS_USER = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
           "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                reason="needs root and setpriv to make the other users")


def supervise(problem: Problem, code: str, *, user: bool, namespaces: bool | None,
              fork_server: bool = True) -> dict[str, Any]:
    prepared = prepare(problem, FAST_LIMITS.timeout_ms)
    workdir = tempfile.mkdtemp(prefix="mil-path-")
    os.chmod(workdir, 0o777)
    payload = build_payload(prepared, textwrap.dedent(code), FAST_LIMITS, isolation={},
                            complexity=False, workdir=workdir)
    payload["use_fork_server"] = fork_server
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(payload, f)
    os.chmod(f.name, 0o644)
    cmd = [*(AS_USER if user else []), sys.executable, "-m",
           "mock_interviewer_lab.harness.sandbox_runtime", f.name]
    if namespaces is False:
        cmd += ["--isolation", json.dumps({"root": not user, "namespaces": False, "userns": False})]
    try:
        proc = subprocess.run(cmd, input=prepared.hidden_json + "\n", capture_output=True,
                              text=True, timeout=60, cwd="/")
    finally:
        os.unlink(f.name)
        shutil.rmtree(workdir, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def statuses(out: dict[str, Any]) -> dict[int, str]:
    return {int(k): v["status"] for k, v in out["result"]["results"].items()}


PATHS = [
    pytest.param(True, None, id="user-with-namespaces"),
    pytest.param(False, False, id="root-without-namespaces"),
    pytest.param(True, False, id="user-without-namespaces"),
]


@pytest.mark.parametrize("user", [False, True], ids=["root", "user"])
def test_runners_forked_from_the_supervisor_itself(add_problem: Problem, user: bool) -> None:
    """Without the fork server (it could not start), the supervisor forks."""
    for code, expected in (("def add(a, b):\n    return a + b\n", {"returned"}),
                           ("def add(a, b):\n    while True: pass\n", {"timeout"}),
                           ("import os\ndef add(a, b):\n    os.fork()\n", {"error"})):
        out = supervise(add_problem, code, user=user, namespaces=None, fork_server=False)
        assert set(statuses(out).values()) == expected


@pytest.mark.parametrize(("user", "namespaces"), PATHS)
def test_correct_code_runs(add_problem: Problem, user: bool, namespaces: bool | None) -> None:
    out = supervise(add_problem, "def add(a, b):\n    return a + b\n", user=user, namespaces=namespaces)
    assert statuses(out) == {0: "returned", 1: "returned", 2: "returned", 3: "returned"}
    if namespaces is None:
        assert out["isolation"]["userns"] is True, "user namespaces are expected on this machine"


@pytest.mark.parametrize(("user", "namespaces"), PATHS)
def test_fork_bomb_is_refused(add_problem: Problem, user: bool, namespaces: bool | None) -> None:
    code = """
    import os
    def add(a, b):
        for _ in range(1000):
            os.fork()
        return a + b
    """
    out = supervise(add_problem, code, user=user, namespaces=namespaces)
    results = out["result"]["results"]
    assert {v["status"] for v in results.values()} == {"error"}
    assert results["0"]["exc_type"] == "BlockingIOError"


@pytest.mark.parametrize(("user", "namespaces"), PATHS)
def test_killing_the_parent_spares_the_supervisor(add_problem: Problem, user: bool,
                                                  namespaces: bool | None) -> None:
    code = """
    import os, signal
    def add(a, b):
        for pid in (os.getppid(), 0, -1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return a + b
    """
    out = supervise(add_problem, code, user=user, namespaces=namespaces)
    # The supervisor answered, so it lived; every case was run.
    assert set(statuses(out)) == {0, 1, 2, 3}


@pytest.mark.parametrize(("user", "namespaces"), PATHS)
def test_infinite_loop_times_out(add_problem: Problem, user: bool, namespaces: bool | None) -> None:
    out = supervise(add_problem, "def add(a, b):\n    while True: pass\n", user=user,
                    namespaces=namespaces)
    assert set(statuses(out).values()) == {"timeout"}


def test_user_namespace_hides_the_pack(add_problem: Problem) -> None:
    code = f"""
    import os
    def add(a, b):
        d = {str(add_problem.path.parent)!r}
        return [os.listdir(d) if os.path.isdir(d) else "absent",
                os.path.exists({str(add_problem.path / 'tests.yaml')!r})]
    """
    out = supervise(add_problem, code, user=True, namespaces=None)
    got = out["result"]["results"]["0"].get("got")
    assert got in ([[], False], ["absent", False]), out["result"]["results"]["0"]


def test_without_namespaces_files_go_to_a_private_workdir(add_problem: Problem) -> None:
    code = """
    import os
    def add(a, b):
        with open("note.txt", "w") as f:
            f.write("x")
        return os.getcwd()
    """
    out = supervise(add_problem, code, user=False, namespaces=False)
    got = out["result"]["results"]["0"]["got"]
    assert Path(got).name.startswith("mil-path-")
    assert not Path(got).exists(), "the workdir outlived the run"
