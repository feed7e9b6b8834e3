"""A hostile candidate against the sandbox kernel (root, this machine's path;
tests/test_sandbox_paths.py attacks the other paths). Each test is a real
run: the code walks the runner's frames, scans the heap, writes forged
messages on every open descriptor, leaves files behind, reads /proc and the
environment, forges its growth, and outlives its server, and none of it
may reach the candidate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from tests.conftest import FAST_LIMITS
from tests.process_tree import alive, descendants

#: The add probe's hidden inputs and answers, and the hidden check's values.
SECRETS = ("918273645", "918273646", "777000111", "777000110", "31415926", "62831852")

#: Everything the code can find in its runner's frames and heap, shouted on
#: every channel it has: printed, raised, and written as forged runner
#: messages (a load error, results for the visible cases, a runner error, a
#: growth error, an end) on every open file descriptor.
LOOTER = r'''
import gc, json, os, re, struct, sys

def _loot():
    seen = []
    f = sys._getframe()
    while f is not None:
        try:
            seen.append(repr(f.f_locals)[:20000])
        except Exception:
            pass
        f = f.f_back
    for obj in gc.get_objects():
        try:
            if type(obj) is dict and ("args" in obj or "check" in obj):
                seen.append(repr(obj)[:2000])
        except Exception:
            pass
    # Long runs of digits are what a test's inputs and answers look like.
    return " ".join(sorted(set(re.findall(r"[0-9]{7,}", " ".join(seen)))))[:12000]

def _frame(msg):
    data = json.dumps(msg).encode()
    return struct.pack("!I", len(data)) + data

def _shout(text, end=False, errors=True):
    forged = [{"type": "perf", "error": text}, {"type": "perf_sample", "n": 10, "seconds": 0.1}]
    if errors:
        forged[:0] = [{"type": "load_error", "exc_type": "Leak", "message": text, "line": 1,
                       "traceback": text},
                      {"type": "runner_error", "message": text, "traceback": text}]
    for index in range(8):
        forged.append({"type": "done", "index": index, "status": "error", "exc_type": "Leak",
                       "message": text, "traceback": text})
    if end:
        forged.append({"type": "end"})
    for msg in forged:
        for fd in range(0, 128):
            try:
                os.write(fd, _frame(msg))
            except OSError:
                pass
    print(text)
    sys.stderr.write(text)
'''


def run(harness: SyncHarness, problem: Problem, code: str, *, complexity: bool = False) -> RunResult:
    result = harness.run(problem, textwrap.dedent(code), complexity=complexity)
    text = json.dumps(result.public_json())
    for secret in SECRETS:
        assert secret not in text, f"a hidden value reached the candidate: {secret}"
    return result


HINTS = 'level_1: ["Think."]\nlevel_2: ["Try."]\nlevel_3: ["Do."]\nnever_say: ["x"]\n'


@pytest.fixture(scope="module")
def attack_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_attack_pack(tmp_path_factory.mktemp("attack-pack"))


def make_attack_pack(root: Path) -> Path:
    """A pack with a hidden assert check (its expected value is secret) and a
    problem whose growth is measured."""
    (root / "pack.yaml").write_text("name: attack\nversion: 0.0.1\ntitle: Attack\n"
                                    "author: tests\nlicence: BSD-3-Clause\n")
    checked = root / "double"
    checked.mkdir()
    (checked / "problem.yaml").write_text(
        "id: double\ntitle: Double\ndifficulty: easy\nstatement: Return `2 * x`.\n")
    (checked / "solution.py").write_text("def double(x):\n    return 2 * x\n")
    (checked / "signature.py").write_text("def double(x):\n    ...\n")
    (checked / "hints.yaml").write_text(HINTS)
    (checked / "tests.yaml").write_text(textwrap.dedent("""\
        function: double
        asserts:
          - name: shown
            check: |
              def check(candidate):
                  assert candidate(2) == 4
          - name: secret check
            hidden: true
            check: |
              def check(candidate):
                  assert candidate(31415926) == 62831852
        """))
    grows = root / "count"
    grows.mkdir()
    (grows / "problem.yaml").write_text(
        "id: count\ntitle: Count\ndifficulty: easy\nstatement: Return `len(xs)`.\n")
    (grows / "solution.py").write_text("def count(xs):\n    return len(xs)\n")
    (grows / "signature.py").write_text("def count(xs):\n    ...\n")
    (grows / "hints.yaml").write_text(HINTS)
    (grows / "generators.py").write_text("def perf(rng, n):\n    return [list(range(n))]\n")
    (grows / "tests.yaml").write_text(textwrap.dedent("""\
        function: count
        cases:
          - {args: [[1, 2, 3]], expected: 3}
        performance:
          generator: perf
          sizes: [300, 600, 1200, 2400]
          expected: O(n)
          budget_ms: 3000
        """))
    return root


@pytest.fixture(scope="module")
def attack_registry(attack_pack: Path) -> ProblemRegistry:
    registry = ProblemRegistry.from_dirs([attack_pack])
    assert registry.issues == []
    return registry


def test_hidden_inputs_cannot_be_looted_from_the_runner(harness: SyncHarness,
                                                       add_problem: Problem) -> None:
    # Quiet in the visible cases (whose inputs it knows), it shouts in the others.
    code = LOOTER + textwrap.dedent("""
    def add(a, b):
        if (a, b) not in ((1, 2), (2, 2)):
            _shout(_loot())
        return a + b
    """)
    result = run(harness, add_problem, code)
    # Nothing the code wrote on the control channel was taken as a result,
    # a load error or a runner error; whatever it did, the hidden cases ran
    # and report a status only.
    assert result.error is None or "Leak" not in result.error
    hidden = [c for c in result.cases if c.hidden]
    assert len(hidden) == 2 and all(c.message is None and c.stdout is None for c in hidden)


def test_hidden_checks_cannot_be_looted(harness: SyncHarness, attack_registry: ProblemRegistry) -> None:
    code = LOOTER + textwrap.dedent("""
    def double(x):
        if x != 2:
            _shout(_loot())
        return 2 * x
    """)
    run(harness, attack_registry.get("double"), code)


def test_a_hidden_case_runs_alone_in_its_process(harness: SyncHarness, add_problem: Problem) -> None:
    """No process the code runs in holds a hidden case it was not given:
    the code counts the hidden inputs it can find in its heap and reports
    through the only channel it has, its own verdict (pass when it sees at
    most the one it was given)."""
    code = """
    import gc
    def add(a, b):
        needles = {int("".join(["91827364", "5"])), -int("".join(["77700011", "1"]))}
        seen = set()
        for obj in gc.get_objects():
            if type(obj) is dict:
                values = list(obj.values())
            elif type(obj) in (list, tuple):
                values = list(obj)
            else:
                continue
            for v in values:
                if type(v) is int and v in needles:
                    seen.add(v)
        return a + b if len(seen) <= 1 else 0
    """
    result = run(harness, add_problem, code)
    assert [c.status for c in result.cases] == ["passed"] * 4


def test_forged_messages_in_the_visible_phase_are_refused(harness: SyncHarness,
                                                          add_problem: Problem) -> None:
    """Results for other cases, an early end, growth samples, written before
    any case: the supervisor takes none of them, and says the code wrote on
    its channel. (A load error or a runner error it may forge in the visible
    phase: their text is its own code's, as if it had raised it.)"""
    code = LOOTER + textwrap.dedent("""
    _shout("FORGED-TEXT", end=True, errors=False)
    def add(a, b):
        return a + b
    """)
    result = run(harness, add_problem, code)
    text = json.dumps(result.public_json())
    assert "FORGED-TEXT" not in text
    visible = [c for c in result.cases if not c.hidden]
    assert [c.status for c in visible] == ["error", "error"]
    assert all("control channel" in (c.message or "") for c in visible)
    assert result.passed == 0


def test_files_do_not_survive_from_one_run_to_the_next(harness: SyncHarness,
                                                       add_problem: Problem) -> None:
    places = ["/run/lock", "/var/lock", "/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/",
              "/root", "/home", "/var", "/dev", "/run", "/etc", "/srv", "/opt"]
    writer = f"""
    import os, pwd
    PLACES = {places!r} + [os.getcwd(), os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir]
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
    PLACES = {places!r} + [os.getcwd(), os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir]
    def add(a, b):
        found = []
        for place in PLACES:
            try:
                found += [n for n in os.listdir(place) if n.startswith("mil-left-behind")]
            except OSError:
                pass
        print(sorted(set(found)))
        return a + b
    """
    try:
        assert run(harness, add_problem, writer).passed == 4
        second = run(harness, add_problem, reader)
        assert second.cases[0].stdout == "[]\n"
        left = [p for p in places if Path(p).is_dir()
                and any(n.startswith("mil-left-behind") for n in os.listdir(p))]
        assert left == [], f"files written by a run are on the host in {left}"
    finally:
        for place in places:
            if Path(place).is_dir():
                for name in os.listdir(place):
                    if name.startswith("mil-left-behind"):
                        os.unlink(os.path.join(place, name))


def test_the_runner_sees_only_its_own_processes(harness: SyncHarness, add_problem: Problem) -> None:
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
        print(len(seen), any("ipykernel" in s or "jupyter" in s or "pytest" in s for s in seen))
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.passed == 4
    count, host = (result.cases[0].stdout or "").split()
    assert host == "False", "the runner sees the host's processes"
    # Its namespace's init, itself, and the next runner being made ready.
    assert int(count) <= 3
    assert harness.isolation.get("pid_namespace") is True


def test_harness_info_says_what_is_in_effect() -> None:
    from mock_interviewer_lab.cli import main

    result = CliRunner().invoke(main, ["harness", "info", "--json"])
    assert result.exit_code == 0, result.output
    iso = json.loads(result.output)["isolation"]
    for key in ("pid_namespace", "mount_namespace", "network_namespace", "readonly_root",
                "private_tmp", "own_proc", "drop_privileges", "environment_allow_list"):
        assert key in iso, key
    # This machine allows all of it: nothing is missing.
    assert iso["pid_namespace"] and iso["readonly_root"] and iso["private_tmp"]
    assert iso["missing"] == []
    text = CliRunner().invoke(main, ["harness", "info"]).output
    assert "PID namespace" in text and "missing: nothing" in text


@pytest.fixture
def harness_with_hub_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[SyncHarness]:
    for name, value in (("JUPYTERHUB_API_TOKEN", "hubsecret-api"), ("JPY_API_TOKEN", "hubsecret-jpy"),
                        ("JUPYTERHUB_USER", "hubsecret-user"), ("JUPYTER_TOKEN", "hubsecret-jupyter"),
                        ("MOCK_INTERVIEWER_TOKEN", "hubsecret-mil"), ("AWS_SECRET_ACCESS_KEY", "hubsecret-aws")):
        monkeypatch.setenv(name, value)
    with SyncHarness(FAST_LIMITS) as h:
        yield h


def test_the_environment_is_allow_listed(harness_with_hub_secrets: SyncHarness,
                                         add_problem: Problem) -> None:
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
        print("hubsecret" in " ".join(blobs), sorted(os.environ))
        return a + b
    """
    result = run(harness_with_hub_secrets, add_problem, code)
    assert result.passed == 4
    stdout = result.cases[0].stdout or ""
    assert stdout.startswith("False "), stdout
    names = set(json.loads(stdout.split(" ", 1)[1].replace("'", '"')))
    assert names <= {"PATH", "HOME", "LANG", "TMPDIR", "PYTHONIOENCODING",
                     "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}, names
    # The sandbox kernel itself (and its fork server) never had them either.
    kernel = harness_with_hub_secrets.harness._kernels[0]
    assert kernel.km is not None
    pids = [kernel.km.provisioner.process.pid,  # type: ignore[union-attr]
            kernel.isolation["fork_server_pid"]]
    for pid in pids:
        assert b"hubsecret" not in Path(f"/proc/{pid}/environ").read_bytes()


def test_an_error_during_the_growth_measurement_says_only_its_type(
        harness: SyncHarness, attack_registry: ProblemRegistry) -> None:
    """The measurement's inputs are the pack's: an exception raised on them
    is reported by its type, never by the text the code put in it."""
    code = textwrap.dedent("""
    def count(xs):
        if len(xs) > 100:
            raise ValueError("MEASURED-INPUT " + repr(xs[:50]))
        return len(xs)
    """)
    result = run(harness, attack_registry.get("count"), code, complexity=True)
    assert result.complexity is not None
    assert result.complexity.note == "measurement incomplete: your code raised ValueError on a large input"
    assert "MEASURED-INPUT" not in json.dumps(result.public_json())


def test_forged_growth_does_not_hide_a_quadratic_solution(harness: SyncHarness,
                                                          attack_registry: ProblemRegistry) -> None:
    """The code rewrites the runner's own timings (and forges samples on
    every descriptor) to look linear; the measurement is taken outside."""
    code = LOOTER + textwrap.dedent("""
    import sys
    _rt = sys.modules.get("mock_interviewer_lab.harness.sandbox_runtime")
    if _rt is not None:
        _real_send = _rt._send
        def _lying_send(fd, msg):
            if msg.get("type") == "perf_sample":
                msg = {**msg, "seconds": msg["n"] * 1e-7}
            _real_send(fd, msg)
        _rt._send = _lying_send
    def count(xs):
        for n in (300, 600, 1200, 2400):
            msg = {"type": "perf_sample", "n": n, "seconds": n * 1e-7}
            for fd in range(3, 64):
                try:
                    os.write(fd, _frame(msg))
                except OSError:
                    pass
        total = 0
        for x in xs:
            for y in xs:
                total += x < y
        return len(xs)
    """)
    result = run(harness, attack_registry.get("count"), code, complexity=True)
    assert result.complexity is not None
    assert result.complexity.estimated not in ("O(1)", "O(log n)", "O(n)", "O(n log n)"), \
        result.complexity
    assert result.complexity.worse_than_expected


SERVER_SCRIPT = """
import sys, textwrap
sys.path.insert(0, {root!r})
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings
from pathlib import Path
problem = ProblemRegistry.from_dirs([Path({pack!r})]).get("add")
h = SyncHarness(HarnessSettings(timeout_ms=600000, run_timeout_ms=600000, cpu_seconds=60)).start()
print("ready", flush=True)
h.run(problem, "import time\\ndef add(a, b):\\n    time.sleep(3600)\\n", complexity=False)
"""


def _sleeping_runner(pids: set[int]) -> bool:
    """A process of the run is in the runner's PID namespace or runs as nobody."""
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        nspid = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
        uid = next((line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), "")
        if len(nspid) > 1 or uid == "65534":
            return True
    return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "term"])
def test_no_process_of_a_run_outlives_its_server(add_problem: Problem, how: signal.Signals) -> None:
    root = str(Path(__file__).resolve().parents[1])
    script = SERVER_SCRIPT.format(root=root, pack=str(add_problem.path.parent))
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    run_pids: set[int] = set()
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            run_pids = descendants(server.pid)
            if _sleeping_runner(run_pids):
                break
            time.sleep(0.1)
        assert _sleeping_runner(run_pids), "the runner never started"
        os.kill(server.pid, how)
        server.wait(timeout=30)
        give_up = time.monotonic() + 20
        while time.monotonic() < give_up and any(alive(p) for p in run_pids):
            time.sleep(0.1)
        survivors = [p for p in run_pids if alive(p)]
        assert survivors == [], f"processes of the run outlived the server: {survivors}"
    finally:
        for pid in run_pids | {server.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        server.wait(timeout=10)


@pytest.mark.parametrize("landlock", [0, 7])
def test_harness_info_says_what_is_missing_where_namespaces_are_refused(landlock: int) -> None:
    from mock_interviewer_lab.harness.sandbox_runtime import _missing, isolation_summary

    iso = {"root": False, "namespaces": False, "mount_namespace": False, "userns": False,
           "pid_namespace": False, "network_namespace": False, "readonly_root": False,
           "private_tmp": False, "own_proc": False, "landlock": landlock,
           "environment_allow_list": True}
    missing = " ".join(_missing(iso))
    for words in ("no PID namespace", "no mount namespace", "no network namespace",
                  "keeps your user id"):
        assert words in missing
    assert ("Landlock confines writes" in missing) == bool(landlock)
    assert ("may outlive the run" in missing) == (not landlock)
    shown = dict(isolation_summary(iso))
    assert not any(on for what, on in shown.items() if "Landlock" not in what and "environment" not in what)


def test_the_standard_library_a_solution_uses_imports(harness: SyncHarness,
                                                      add_problem: Problem) -> None:
    """As root the runner is nobody, who may not be able to read a Python
    installed in root's home: the modules solutions use are loaded before."""
    code = """
    import bisect, collections, contextvars, csv, fnmatch, functools, glob, heapq, itertools
    import math, re, secrets, shlex, statistics, string, traceback, typing, warnings
    def add(a, b):
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.error is None and result.passed == result.total, result.public_json()
