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
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.harness.runner import build_payload, prepare
from mock_interviewer_lab.problems.loader import Problem
from tests.conftest import FAST_LIMITS
from tests.process_tree import alive, descendants

AS_USER = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
           "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                reason="needs root and setpriv to make the other users")


def supervise(problem: Problem, code: str, *, user: bool, namespaces: bool | None,
              fork_server: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
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
                              text=True, timeout=60, cwd="/", env={**os.environ, **(env or {})})
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


# ------------------------------------------------------------ attacks, every path

EVERY_PATH = [pytest.param(False, None, id="root-with-namespaces"), *PATHS]
SECRET_ENV = {"JUPYTERHUB_API_TOKEN": "hubsecret-api", "JPY_API_TOKEN": "hubsecret-jpy",
              "JUPYTERHUB_USER": "hubsecret-user", "MOCK_INTERVIEWER_TOKEN": "hubsecret-mil"}
PLACES = ["/run/lock", "/var/lock", "/tmp", "/var/tmp", "/dev/shm", "/", "/home/cloudsdk", "/root",
          "/var", "/etc", "/opt"]


def _remove_markers() -> list[str]:
    found = []
    for place in PLACES:
        if os.path.isdir(place):
            for name in os.listdir(place):
                if name.startswith("mil-left-behind"):
                    found.append(os.path.join(place, name))
                    os.unlink(os.path.join(place, name))
    return found


@pytest.mark.parametrize(("user", "namespaces"), EVERY_PATH)
def test_nothing_written_outlives_the_run(add_problem: Problem, user: bool,
                                          namespaces: bool | None) -> None:
    """Every writable place is the run's own: what one run writes (in the
    home folder of its user too) the next does not find, nor does the host."""
    places = [*PLACES, "."]
    writer = f"""
    import os, pwd
    PLACES = {places!r} + [os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir]
    def add(a, b):
        for place in PLACES:
            try:
                with open(os.path.join(place, "mil-left-behind-%d" % a), "w") as f:
                    f.write(str(a))
            except OSError:
                pass
        return a + b
    """
    reader = f"""
    import os, pwd
    PLACES = {places!r} + [os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir]
    def add(a, b):
        found = []
        for place in PLACES:
            try:
                found += [n for n in os.listdir(place) if n.startswith("mil-left-behind")]
            except OSError:
                pass
        return sorted(set(found))
    """
    try:
        assert set(statuses(supervise(add_problem, writer, user=user, namespaces=namespaces)
                            ).values()) == {"returned"}
        out = supervise(add_problem, reader, user=user, namespaces=namespaces)
        assert out["result"]["results"]["0"]["got"] == []
    finally:
        left = _remove_markers()
    assert left == [], f"files written by a run are on the host: {left}"


@pytest.mark.parametrize("user", [False, True], ids=["root", "user"])
def test_the_runner_sees_only_its_own_processes(add_problem: Problem, user: bool) -> None:
    code = """
    import os
    def add(a, b):
        seen = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        seen.append(f.read().decode(errors="replace"))
                except OSError:
                    seen.append("?")
        # The supervisor's command line names its payload file.
        return [len(seen), any("pytest" in s or ".json" in s for s in seen)]
    """
    out = supervise(add_problem, code, user=user, namespaces=None)
    count, host = out["result"]["results"]["0"]["got"]
    # Its namespace's init, itself, and the next runner being made ready.
    assert not host and count <= 3
    assert out["isolation"]["pid_namespace"] and out["isolation"]["own_proc"]


@pytest.mark.parametrize(("user", "namespaces"), EVERY_PATH)
def test_the_runner_has_a_minimal_environment(add_problem: Problem, user: bool,
                                              namespaces: bool | None) -> None:
    code = """
    import os
    def add(a, b):
        blobs = [repr(dict(os.environ))]
        for entry in ["self"] + [e for e in os.listdir("/proc") if e.isdigit()]:
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    blobs.append(f.read().decode(errors="replace"))
            except OSError:
                pass
        return ["hubsecret" in " ".join(blobs), sorted(os.environ)]
    """
    out = supervise(add_problem, code, user=user, namespaces=namespaces, env=SECRET_ENV)
    leaked, names = out["result"]["results"]["0"]["got"]
    assert not leaked
    assert set(names) <= {"PATH", "HOME", "LANG", "TMPDIR", "PYTHONIOENCODING",
                          "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}


def _is_runner(pid: int) -> bool:
    """The runner: the process of the run that set no_new_privs, or that is
    in a PID namespace of its own, or runs as nobody, or sleeps in the
    candidate's time.sleep (the wchan of a nanosleep)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False
    nspid = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
    return ("NoNewPrivs:\t1" in status or len(nspid) > 1 or "Uid:\t65534" in status
            or "nanosleep" in wchan)


@pytest.mark.parametrize(("user", "namespaces"), EVERY_PATH)
def test_no_process_outlives_a_killed_supervisor(add_problem: Problem, user: bool,
                                                 namespaces: bool | None) -> None:
    prepared = prepare(add_problem, FAST_LIMITS.timeout_ms)
    limits = FAST_LIMITS.model_copy(update={"timeout_ms": 600_000, "run_timeout_ms": 600_000})
    payload = build_payload(prepared, "import time\ndef add(a, b):\n    time.sleep(3600)\n",
                            limits, isolation={}, complexity=False)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(payload, f)
    os.chmod(f.name, 0o644)
    cmd = [*(AS_USER if user else []), sys.executable, "-m",
           "mock_interviewer_lab.harness.sandbox_runtime", f.name]
    if namespaces is False:
        cmd += ["--isolation", json.dumps({"root": not user, "namespaces": False, "userns": False})]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd="/")
    pids: set[int] = set()
    try:
        assert proc.stdin is not None
        proc.stdin.write(prepared.hidden_json + "\n")
        proc.stdin.flush()
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up and not any(_is_runner(p) for p in pids):
            time.sleep(0.1)
            pids = descendants(proc.pid)
        assert any(_is_runner(p) for p in pids), "the runner never started"
        proc.kill()
        proc.wait(timeout=10)
        give_up = time.monotonic() + 20
        while time.monotonic() < give_up and any(alive(p) for p in pids):
            time.sleep(0.1)
        assert [p for p in pids if alive(p)] == [], "processes of the run outlived the supervisor"
    finally:
        os.unlink(f.name)
        for pid in pids | {proc.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        proc.wait(timeout=10)


@pytest.mark.parametrize(("user", "namespaces"), EVERY_PATH)
def test_the_pack_cannot_be_read_on_any_path(add_problem: Problem, user: bool,
                                             namespaces: bool | None) -> None:
    """Hidden (a mount namespace) or out of reach (Landlock reads) on every
    path: the tests, with the hidden inputs, stay unread."""
    code = f"""
    import os
    def add(a, b):
        try:
            with open({str(add_problem.path / 'tests.yaml')!r}) as f:
                return f.read()
        except OSError as exc:
            return type(exc).__name__
    """
    out = supervise(add_problem, code, user=user, namespaces=namespaces)
    got = out["result"]["results"]["0"]["got"]
    assert got in ("FileNotFoundError", "PermissionError"), got
