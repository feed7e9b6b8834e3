"""A pack's own code (generators, reference, checker, assert checks) runs in
the pack sandbox, never in the server: hostile packs written to a tmp folder
get a clear PackCodeError naming the pack and the file, and learn nothing
of the server. Also: a harness closed during a run answers that run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_interviewer_lab.harness.pack_sandbox import PACK_ENV, PackCodeError, PackSandbox
from mock_interviewer_lab.harness.runner import STOPPING, SyncHarness, prepare
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings
from tests.conftest import FAST_LIMITS, PROBE_PACK

#: Short limits: a pack's code that loops is stopped within seconds.
PACK_LIMITS = HarnessSettings(timeout_ms=2000, run_timeout_ms=4000, cpu_seconds=2, memory_mb=128)

AS_USER = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
           "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]


def hostile_pack(root: Path, *, generators: str = "", checker: str = "", asserts: str = "",
                 name: str = "shady") -> Problem:
    """The probe pack copied to ``root``, renamed, with the given pack code."""
    dest = root / name
    shutil.copytree(PROBE_PACK, dest)
    (dest / "pack.yaml").write_text((dest / "pack.yaml").read_text().replace("probe", name))
    tests = (dest / "add" / "tests.yaml")
    text = tests.read_text()
    if generators:
        (dest / "add" / "generators.py").write_text(textwrap.dedent(generators))
        text += "generated:\n  - {name: made, generator: make, params: {}, seed: 1}\n"
    if checker:
        (dest / "add" / "checker.py").write_text(textwrap.dedent(checker))
        text = text.replace("function: add\n", "function: add\ncompare: checker\n")
    if asserts:
        text += "asserts:\n  - name: replayed\n    check: |\n" + textwrap.indent(
            textwrap.dedent(asserts), "      ")
    tests.write_text(text)
    reg = ProblemRegistry.from_dirs([dest])
    assert reg.issues == [], reg.issues
    return reg.get("add")


@pytest.fixture()
def pack_sandbox() -> Iterator[PackSandbox]:
    sandbox = PackSandbox(PACK_LIMITS)
    yield sandbox
    sandbox.close()


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def assert_no_job_left(sandbox: PackSandbox) -> None:
    """The helper has collected every job (killed ones included): all that
    is left is the one job it keeps forked ahead, waiting for a request."""
    pid = sandbox.helper_pid
    assert pid is not None
    give_up = time.monotonic() + 30
    while len(children_of(pid)) > 1 and time.monotonic() < give_up:
        time.sleep(0.05)
    assert len(children_of(pid)) <= 1


def test_a_generator_that_loops_forever_is_stopped(tmp_path: Path,
                                                   pack_sandbox: PackSandbox) -> None:
    problem = hostile_pack(tmp_path, generators="""
        def make(rng):
            while True:
                pass
    """)
    with pytest.raises(PackCodeError) as info:
        pack_sandbox.expected_values(problem)
    message = str(info.value)
    assert "'shady'" in message and "generators.py" in message
    assert "CPU" in message or "was stopped" in message
    assert_no_job_left(pack_sandbox)


def test_a_generator_that_sleeps_is_stopped_at_the_wall_clock_limit(
        tmp_path: Path, pack_sandbox: PackSandbox) -> None:
    problem = hostile_pack(tmp_path, generators="""
        import time
        def make(rng):
            time.sleep(3600)
    """)
    with pytest.raises(PackCodeError, match=r"generators\.py ran for more than 4 s"):
        pack_sandbox.expected_values(problem)
    assert_no_job_left(pack_sandbox)


def test_the_reference_failing_names_solution_py(tmp_path: Path,
                                                 pack_sandbox: PackSandbox) -> None:
    problem = hostile_pack(tmp_path, generators="def make(rng):\n    return [1, 2]\n")
    Path(problem.path / "solution.py").write_text("def add(a, b):\n    return a / 0\n")
    problem = ProblemRegistry.from_dirs([problem.path.parent]).get("add")
    with pytest.raises(PackCodeError, match=r"'shady'.*solution\.py: failed on a generated "
                                            r"case \(line 2\): ZeroDivisionError"):
        pack_sandbox.expected_values(problem)


def test_huge_memory_is_refused(tmp_path: Path, pack_sandbox: PackSandbox) -> None:
    problem = hostile_pack(tmp_path, generators="""
        def make(rng):
            hog = bytearray(4 << 30)
            return [len(hog), 1]
    """)
    with pytest.raises(PackCodeError, match=r"generators\.py.*memory"):
        pack_sandbox.expected_values(problem)


@pytest.fixture()
def secret_in_home() -> Iterator[tuple[Path, str]]:
    """A private file of the server's user, in its home folder."""
    secret = f"sekrit-{uuid.uuid4().hex}"
    path = Path.home() / f".mil-test-secret-{uuid.uuid4().hex}"
    path.write_text(secret)
    path.chmod(0o600)
    try:
        yield path, secret
    finally:
        path.unlink()


def test_pack_code_cannot_read_the_servers_files(tmp_path: Path, pack_sandbox: PackSandbox,
                                                 secret_in_home: tuple[Path, str]) -> None:
    path, secret = secret_in_home
    problem = hostile_pack(tmp_path, generators=f"""
        def make(rng):
            return [open({str(path)!r}).read(), 1]
    """)
    with pytest.raises(PackCodeError) as info:
        pack_sandbox.expected_values(problem)
    assert "generators.py" in str(info.value) and secret not in str(info.value)


def test_pack_code_sees_no_other_process(tmp_path: Path, pack_sandbox: PackSandbox) -> None:
    """Not the server's command line (the Jupyter token is there), nor its
    environment."""
    problem = hostile_pack(tmp_path, generators=f"""
        def make(rng):
            return [open("/proc/{os.getpid()}/cmdline").read(), 1]
    """)
    with pytest.raises(PackCodeError, match=r"generators\.py"):
        pack_sandbox.expected_values(problem)


def test_pack_code_gets_a_minimal_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    monkeypatch.setenv("JPY_API_TOKEN", "jpy-secret")
    monkeypatch.setenv("MOCK_INTERVIEWER_TOKEN", "kernel-secret")
    problem = hostile_pack(tmp_path, generators="""
        import json, os
        def make(rng):
            return [json.dumps(dict(os.environ)), ""]
    """)
    sandbox = PackSandbox(PACK_LIMITS)
    try:
        (args, _), = sandbox.expected_values(problem)
    finally:
        sandbox.close()
    seen = json.loads(args[0])
    assert set(seen) <= set(PACK_ENV), seen
    assert "secret" not in json.dumps(seen)


def test_pack_code_has_no_network(tmp_path: Path, pack_sandbox: PackSandbox) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    problem = hostile_pack(tmp_path, generators=f"""
        import socket
        def make(rng):
            s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
            s.sendall(b"hello")
            return [1, 2]
    """)
    try:
        with pytest.raises(PackCodeError, match=r"generators\.py"):
            pack_sandbox.expected_values(problem)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_the_checker_runs_in_the_pack_sandbox(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker sees neither the server's environment nor its process."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    problem = hostile_pack(tmp_path, checker=f"""
        import os
        def check(args, kwargs, got):
            if "JUPYTERHUB_API_TOKEN" in os.environ:
                return "the checker saw the hub token"
            if os.getpid() == {os.getpid()}:
                return "the checker ran in the server"
            return got == args[0] + args[1]
    """)
    with SyncHarness(FAST_LIMITS) as h:
        right = h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False)
        wrong = h.run(problem, "def add(a, b):\n    return a - b\n", complexity=False)
    assert right.all_passed, right.public_json()
    assert wrong.passed == 0 and wrong.cases[0].message == "the checker rejected this answer"


def test_assert_checks_are_replayed_in_the_pack_sandbox(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    problem = hostile_pack(tmp_path, asserts=f"""
        import os
        def check(candidate):
            assert candidate(1, 2) == 3
            assert "JUPYTERHUB_API_TOKEN" not in os.environ
            assert os.getpid() != {os.getpid()}
    """)
    with SyncHarness(FAST_LIMITS) as h:
        result = h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False)
    assert result.all_passed, result.public_json()


def test_a_check_that_loops_fails_its_case_and_not_the_server(tmp_path: Path) -> None:
    problem = hostile_pack(tmp_path, asserts="""
        def check(candidate):
            candidate(1, 2)
            # Only in the replay (the candidate's sandbox records through an
            # object, the replay calls a function).
            while type(candidate).__name__ == "function":
                pass
    """)
    with SyncHarness(PACK_LIMITS) as h:
        result = h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False)
        assert h.harness.pack_sandbox.helper_pid is not None
        assert_no_job_left(h.harness.pack_sandbox)
    replayed = result.cases[-1]
    assert replayed.status == "error"
    assert replayed.message is not None
    assert "the problem pack is broken" in replayed.message and "'shady'" in replayed.message
    assert "tests.yaml" in replayed.message
    assert [c.status for c in result.cases[:2]] == ["passed", "passed"]


def test_a_broken_generator_is_reported_by_a_run(tmp_path: Path) -> None:
    problem = hostile_pack(tmp_path, generators="def make(rng):\n    raise ValueError('nope')\n")
    with SyncHarness(FAST_LIMITS) as h:
        result = h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False)
    assert result.error is not None
    assert "the problem pack is broken" in result.error
    assert "generators.py: generator 'make' failed (line 2): ValueError: nope" in result.error


def test_expected_values_are_computed_once_per_problem(tmp_path: Path) -> None:
    problem = hostile_pack(tmp_path, generators="def make(rng):\n    return [rng.randint(0, 9), 5]\n")
    with SyncHarness(FAST_LIMITS) as h:
        for _ in range(3):
            result = h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False)
            assert result.all_passed, result.public_json()
        assert h.harness.pack_sandbox.jobs == 1


def test_the_helper_and_its_jobs_end_with_the_server(tmp_path: Path) -> None:
    """A server killed with SIGKILL during a job leaves nothing behind."""
    problem = hostile_pack(tmp_path, generators="import time\ndef make(rng):\n    time.sleep(3600)\n")
    script = textwrap.dedent(f"""
        import sys, threading, time
        from pathlib import Path
        from mock_interviewer_lab.harness.pack_sandbox import PackSandbox
        from mock_interviewer_lab.problems.registry import ProblemRegistry
        from mock_interviewer_lab.settings import HarnessSettings
        problem = ProblemRegistry.from_dirs([Path({str(problem.path.parent)!r})]).get("add")
        sandbox = PackSandbox(HarnessSettings(run_timeout_ms=600000, cpu_seconds=600))
        sandbox.start()
        threading.Thread(target=sandbox.expected_values, args=(problem,), daemon=True).start()
        while sandbox.jobs == 0:
            time.sleep(0.01)
        print(sandbox.helper_pid, flush=True)
        time.sleep(3600)
    """)
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).parents[1])
    try:
        assert server.stdout is not None
        helper = int(server.stdout.readline())
        give_up = time.monotonic() + 30
        while not children_of(helper) and time.monotonic() < give_up:
            time.sleep(0.01)
        jobs = children_of(helper)
        assert jobs, "the job did not start"
    finally:
        server.kill()
        server.wait()
    give_up = time.monotonic() + 30
    alive = [helper, *jobs]
    while alive and time.monotonic() < give_up:
        alive = [p for p in alive if Path(f"/proc/{p}").exists()
                 and "Z" not in Path(f"/proc/{p}/stat").read_text().split(")")[-1][:3]]
        time.sleep(0.05)
    assert alive == []


# ---------------------------------------------------------- the other paths

PATH_SCRIPT = """
import json, sys
from mock_interviewer_lab.harness.pack_sandbox import PackCodeError, PackSandbox
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings
from pathlib import Path
pack, isolation = Path(sys.argv[1]), json.loads(sys.argv[2])
sandbox = PackSandbox(HarnessSettings(run_timeout_ms=10000, cpu_seconds=3, memory_mb=128),
                      isolation=isolation)
out = {}
for name in ("add", "peek", "fork"):
    problem = ProblemRegistry.from_dirs([pack]).get(name)
    try:
        out[name] = sandbox.expected_values(problem)
    except PackCodeError as exc:
        out[name] = "error: " + str(exc)
out["isolation"] = sandbox.isolation
sandbox.close()
print(json.dumps(out))
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to make the other users")
@pytest.mark.parametrize(("user", "isolation"), [
    pytest.param(False, None, id="root"),
    pytest.param(True, None, id="user-with-namespaces"),
    pytest.param(False, {"root": True, "namespaces": False, "userns": False},
                 id="root-without-namespaces"),
    pytest.param(True, {"root": False, "namespaces": False, "userns": False},
                 id="user-without-namespaces"),
])
def test_every_isolation_path(tmp_path: Path, secret_in_home: tuple[Path, str], user: bool,
                              isolation: dict[str, bool] | None) -> None:
    """Root, an ordinary user (uid 1000, who can read anything here: see
    test_sandbox_paths), with and without namespaces: the generators run,
    the secret stays unread and no process can be started."""
    path, secret = secret_in_home
    good = hostile_pack(tmp_path, generators="def make(rng):\n    return [rng.randint(1, 9), 1]\n")
    pack = good.path.parent
    for name, gen in (("peek", f"def make(rng):\n    return [open({str(path)!r}).read(), 1]\n"),
                      ("fork", "import os\ndef make(rng):\n    os.fork()\n    return [1, 1]\n")):
        shutil.copytree(pack / "add", pack / name)
        for f in ("problem.yaml", "tests.yaml", "signature.py", "solution.py"):
            target = pack / name / f
            target.write_text(target.read_text().replace("id: add", f"id: {name}"))
        (pack / name / "generators.py").write_text(gen)
    os.chmod(tmp_path, 0o755)
    cmd = [*(AS_USER if user else []), sys.executable, "-c", PATH_SCRIPT, str(pack),
           json.dumps(isolation)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert isinstance(out["add"], list) and len(out["add"]) == 1, out
    assert out["peek"].startswith("error: ") and "generators.py" in out["peek"], out
    assert secret not in proc.stdout
    assert out["fork"].startswith("error: ") and "generators.py" in out["fork"], out
    if isolation is None:
        assert out["isolation"]["namespaces"] is True


# ------------------------------------------------------- a graceful stop


def test_closing_the_harness_during_a_run_answers_the_run(add_problem: Problem) -> None:
    """A run in flight and a run waiting for the kernel both come back with
    the stopping error; nothing raises, nothing hangs."""
    settings = HarnessSettings(timeout_ms=60000, run_timeout_ms=90000, cpu_seconds=60)
    slow = "import time\ndef add(a, b):\n    time.sleep(60)\n    return a + b\n"
    h = SyncHarness(settings).start()
    results: list[object] = []

    def submit() -> None:
        try:
            results.append(h.run(add_problem, slow, complexity=False))
        except BaseException as exc:  # the bug: an AttributeError from the run
            results.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    kernel = h.harness._kernels[0]
    give_up = time.monotonic() + 30
    # Wait until one run holds the kernel (the other waits for it).
    while h.harness._idle is not None and h.harness._idle.qsize() and time.monotonic() < give_up:
        time.sleep(0.01)
    time.sleep(0.3)
    h.close()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert len(results) == 2
    for r in results:
        assert not isinstance(r, BaseException), repr(r)
        assert getattr(r, "error", None) == STOPPING
    assert kernel.km is None  # shut down, not restarted
    # A run after the close is answered the same way.
    late = h.run(add_problem, slow, complexity=False)
    assert late.error == STOPPING


def test_prepare_without_a_harness_uses_the_sandbox_too(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    problem = hostile_pack(tmp_path, generators="""
        import os
        def make(rng):
            return [len(os.environ.get("JUPYTERHUB_API_TOKEN", "")), os.getpid()]
    """)
    sandbox = PackSandbox(PACK_LIMITS)
    try:
        prepared = prepare(problem, 1000, sandbox)
    finally:
        sandbox.close()
    generated = [c for c in prepared.cases if c.kind == "generated"]
    assert generated[0].args[0] == 0
    assert generated[0].args[1] != os.getpid()


def test_validate_runs_the_pack_in_the_sandbox(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``problems validate`` computes expected values through the sandbox: a
    reference that reads the hub token fails validation there."""
    from mock_interviewer_lab.problems.validate import validate_packs
    from mock_interviewer_lab.settings import Settings

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    problem = hostile_pack(tmp_path, generators="def make(rng):\n    return [1, 2]\n")
    (problem.path / "solution.py").write_text(
        "import os\ndef add(a, b):\n    return a + b + len(os.environ['JUPYTERHUB_API_TOKEN'])\n")
    settings = Settings.model_validate({"harness": FAST_LIMITS.model_dump()})
    report = validate_packs([problem.path.parent], settings, complexity=False)
    assert not report.ok
    text = json.dumps(report.as_dict())
    assert "solution.py" in text and "KeyError" in text, text



def test_closing_the_harness_while_the_pack_judges_answers_the_run(tmp_path: Path) -> None:
    """Stopped while the pack's check is replayed: the run says the server
    is stopping, not that the pack is broken."""
    problem = hostile_pack(tmp_path, asserts="""
        def check(candidate):
            candidate(1, 2)
            while type(candidate).__name__ == "function":
                pass
    """)
    h = SyncHarness(HarnessSettings(run_timeout_ms=90000, cpu_seconds=60)).start()
    results: list[object] = []

    def submit() -> None:
        try:
            results.append(h.run(problem, "def add(a, b):\n    return a + b\n", complexity=False))
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=submit)
    thread.start()
    give_up = time.monotonic() + 60
    while h.harness.pack_sandbox.jobs == 0 and time.monotonic() < give_up:
        time.sleep(0.01)
    assert h.harness.pack_sandbox.jobs == 1
    h.close()
    thread.join(timeout=60)
    assert not thread.is_alive()
    (result,) = results
    assert getattr(result, "error", None) == STOPPING, result
