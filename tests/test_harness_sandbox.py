"""The harness survives hostile code, reports it correctly, and works right
after. Every case here is a real run in the sandbox kernel."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.problems.loader import Problem
from tests.process_tree import descendants

GOOD = "def add(a, b):\n    return a + b\n"
SECRETS = ("918273645", "918273646", "777000111", "777000110")


def run(harness: SyncHarness, problem: Problem, code: str) -> RunResult:
    result = harness.run(problem, textwrap.dedent(code), complexity=False)
    text = json.dumps(result.public_json())
    for secret in SECRETS:
        assert secret not in text, f"a hidden value leaked into the result: {secret}"
    return result


def statuses(result: RunResult) -> list[str]:
    return [c.status for c in result.cases]


@pytest.fixture(autouse=True)
def next_run_still_works(harness: SyncHarness, add_problem: Problem):  # type: ignore[no-untyped-def]
    """After every hostile run, a correct solution passes at once."""
    yield
    after = harness.run(add_problem, GOOD, complexity=False)
    assert after.all_passed, after.public_json()


def test_correct_solution_passes(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, GOOD)
    assert (result.passed, result.failed, result.total) == (4, 0, 4)
    assert [c.hidden for c in result.cases] == [False, False, True, True]


def test_hidden_cases_show_only_index_and_status(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "def add(a, b):\n    print(a, b)\n    return a - b\n")
    hidden = [c for c in result.cases if c.hidden]
    assert [c.status for c in hidden] == ["failed", "failed"]
    for c in hidden:
        shown = {k: v for k, v in c.model_dump().items() if v not in (None, 0)}
        assert set(shown) == {"index", "name", "hidden", "kind", "status"}
        assert c.name.startswith("hidden case")
    visible = result.cases[0]
    assert visible.args == [1, 2] and visible.expected == 3 and visible.got == -1
    assert visible.stdout == "1 2\n"


def test_always_equal_object_fails(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    class Anything:
        def __eq__(self, other):
            return True
        __hash__ = object.__hash__
    def add(a, b):
        return Anything()
    """
    result = run(harness, add_problem, code)
    assert result.passed == 0
    assert "not a plain value" in (result.cases[0].message or "")


def test_list_subclass_cannot_fake_equality(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    class Liar(int):
        def __eq__(self, other):
            return True
        __hash__ = int.__hash__
    def add(a, b):
        return Liar(0)
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["failed"] * 4


@pytest.mark.parametrize("body", [
    "while True:\n        pass",
    "while True:\n        try:\n            while True: pass\n        except BaseException:\n            pass",
])
def test_infinite_loops_time_out(harness: SyncHarness, add_problem: Problem, body: str) -> None:
    result = run(harness, add_problem, f"def add(a, b):\n    {body}\n")
    assert statuses(result) == ["timeout"] * 4


def test_signal_tampering_does_not_stop_the_timeout(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import signal
    for s in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    def add(a, b):
        signal.alarm(0)
        while True:
            pass
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["timeout"] * 4


def test_fork_bomb_is_refused(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import os
    def add(a, b):
        for _ in range(1000):
            os.fork()
        return a + b
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["error"] * 4
    assert "BlockingIOError" in (result.cases[0].message or "")


def test_subprocess_is_refused(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
        def add(a, b):
        subprocess.run(["sleep", "30"])
        return a + b
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["error"] * 4


@pytest.mark.parametrize("bomb", ["bytearray(10**11)", "[0] * (10**10)", "'x' * (10**10)"])
def test_memory_bombs(harness: SyncHarness, add_problem: Problem, bomb: str) -> None:
    result = run(harness, add_problem, f"def add(a, b):\n    x = {bomb}\n    return a + b\n")
    assert statuses(result) == ["memory"] * 4
    assert "MemoryError" in (result.cases[0].message or "")


def test_growing_memory_is_stopped(harness: SyncHarness, add_problem: Problem) -> None:
    # bytes(n) takes zeroed pages without writing them: the limit on the
    # address space is reached in a few steps, long before the case's wall
    # time, however busy the machine (a bytearray is written as it grows).
    code = """
    def add(a, b):
        hoard = []
        while True:
            hoard.append(bytes(10**8))
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["memory"] * 4


def test_unbounded_recursion(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "def add(a, b):\n    return add(a, b)\n")
    assert statuses(result) == ["error"] * 4
    first = result.cases[0]
    assert "RecursionError" in (first.message or "")
    assert first.line == 2


def test_recursion_past_the_c_stack_crashes_cleanly(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import sys
    sys.setrecursionlimit(10**8)
    def add(a, b):
        return add(a, b) + 1
    """
    result = run(harness, add_problem, code)
    # CPython 3.11 does not use the C stack for Python-to-Python calls, so this
    # grows the heap until the memory or the time limit stops it.
    assert set(statuses(result)) <= {"error", "memory", "timeout"}
    assert result.passed == 0 and result.error is None


def test_sys_exit_in_the_function(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "import sys\ndef add(a, b):\n    sys.exit(3)\n")
    assert statuses(result) == ["error"] * 4
    assert "SystemExit" in (result.cases[0].message or "")


def test_sys_exit_at_module_level(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "import sys\nsys.exit(0)\n")
    assert result.error is not None and "SystemExit" in result.error
    assert statuses(result) == ["error"] * 4


def test_os_exit_in_the_function(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import os
    def add(a, b):
        if a == 2:
            os._exit(0)
        return a + b
    """
    result = run(harness, add_problem, code)
    # Only the case that called os._exit fails; the runner is restarted for the rest.
    assert statuses(result) == ["passed", "error", "passed", "passed"]
    assert "exited" in (result.cases[1].message or "")


def test_killing_the_parent_does_not_kill_the_kernel(harness: SyncHarness, add_problem: Problem) -> None:
    kernel = harness.harness._kernels[0]
    starts = kernel.starts
    code = """
    import os, signal
    def add(a, b):
        for pid in (os.getppid(), 0, -1, 1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.error is None
    assert kernel.starts == starts, "the kernel had to be restarted"


def test_huge_prints_are_capped(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import os
    def add(a, b):
        for i in range(20000):
            print("line", i)
        os.write(1, b"x" * 10**6)
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.passed == 4
    first = result.cases[0]
    assert first.stdout is not None and first.stdout.count("\n") == 100
    assert len(first.stdout.encode()) <= 65536
    assert first.stdout_dropped_bytes > 10**6 + 100000


def test_file_writes_are_limited_and_do_not_persist(harness: SyncHarness, add_problem: Problem) -> None:
    writer = """
    def add(a, b):
        with open("/tmp/mil-marker", "w") as f:
            f.write("small")
        with open("big.bin", "wb") as f:
            f.write(b"x" * (5 * 2**20))
        return a + b
    """
    result = run(harness, add_problem, writer)
    assert statuses(result) == ["error"] * 4
    assert "File too large" in (result.cases[0].message or "")
    reader = """
    import os
    def add(a, b):
        return a + b if not os.path.exists("/tmp/mil-marker") else 0
    """
    assert run(harness, add_problem, reader).passed == 4
    assert not os.path.exists("/tmp/mil-marker")


def test_pack_files_cannot_be_read(harness: SyncHarness, add_problem: Problem) -> None:
    folder = add_problem.path
    code = f"""
    import os
    def add(a, b):
        found = []
        for root, dirs, files in os.walk({str(folder.parent)!r}):
            found += files
        print("found", found)
        return len(open({str(folder / 'tests.yaml')!r}).read())
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["error"] * 4
    assert "FileNotFoundError" in (result.cases[0].message or "")
    assert result.cases[0].stdout == "found []\n"


def test_builtin_pack_is_hidden_too(harness: SyncHarness, add_problem: Problem) -> None:
    from mock_interviewer_lab.problems.registry import builtin_pack_dirs

    (builtin,) = builtin_pack_dirs()
    assert (builtin / "two_sum" / "solution.py").is_file()
    # An empty folder, or none at all when it lies under /tmp (which the
    # runner replaces with a fresh one): either way nothing to read.
    code = f"""
    import os
    def add(a, b):
        d = {str(builtin)!r}
        return os.listdir(d) if os.path.isdir(d) else "absent"
    """
    result = run(harness, add_problem, code)
    assert result.cases[0].got in ([], "absent")


def test_hidden_inputs_are_not_in_memory_during_visible_cases(harness: SyncHarness,
                                                              add_problem: Problem) -> None:
    # The needles are built at run time (a join, which the compiler does not
    # fold into a constant) so that the code itself holds neither.
    code = """
    import gc
    def add(a, b):
        secret = int("".join(["91827364", "5"]))
        text = str(secret)
        found = 0
        for obj in gc.get_objects():
            if type(obj) in (list, tuple, set, frozenset):
                items = obj
            elif type(obj) is dict:
                items = list(obj.values()) + list(obj.keys())
            else:
                continue
            for item in items:
                if (type(item) is int and item == secret) or (type(item) is str and text in item):
                    found += 1
        print("found", found)
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.passed == 4
    assert result.cases[0].stdout == "found 0\n"
    assert result.cases[1].stdout == "found 0\n"


def test_builtins_tampering_does_not_change_the_verdict(harness: SyncHarness,
                                                        add_problem: Problem) -> None:
    code = """
    import builtins
    builtins.isinstance = lambda *a: True
    builtins.type = lambda *a: int
    builtins.repr = lambda *a: "3"
    def add(a, b):
        return 0
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["failed"] * 4


def test_threads_left_running(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import threading
    def spin():
        while True:
            print("still here")
    def add(a, b):
        try:
            threading.Thread(target=spin, daemon=True).start()
        except RuntimeError:
            pass
        return a + b
    """
    result = run(harness, add_problem, code)
    assert result.passed == 4


def test_network_is_unreachable(harness: SyncHarness, add_problem: Problem) -> None:
    code = """
    import socket
    def add(a, b):
        s = socket.create_connection(("127.0.0.1", 9), timeout=0.3)
        return a + b
    """
    result = run(harness, add_problem, code)
    assert statuses(result) == ["error"] * 4


@pytest.mark.parametrize("value", ["object()", "lambda: 1", "(x for x in [])", "open('/dev/null')"])
def test_values_that_cannot_be_serialised(harness: SyncHarness, add_problem: Problem, value: str) -> None:
    result = run(harness, add_problem, f"def add(a, b):\n    return {value}\n")
    assert statuses(result) == ["error"] * 4
    assert "not a plain value" in (result.cases[0].message or "")


def test_syntax_error(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "def add(a, b)\n    return a + b\n")
    assert result.error is not None
    assert result.error.startswith("SyntaxError") and "line 1" in result.error
    assert statuses(result) == ["error"] * 4


def test_missing_function(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "def plus(a, b):\n    return a + b\n")
    assert result.error is not None and "'add'" in result.error
    assert result.passed == 0


def test_wrong_signature(harness: SyncHarness, add_problem: Problem) -> None:
    result = run(harness, add_problem, "def add(a):\n    return a\n")
    assert statuses(result) == ["error"] * 4
    assert "TypeError" in (result.cases[0].message or "")


def test_traceback_is_trimmed_to_the_candidates_frames(harness: SyncHarness,
                                                       add_problem: Problem) -> None:
    code = """
    def helper(x):
        return [x][5]
    def add(a, b):
        return helper(a)
    """
    result = run(harness, add_problem, code)
    tb = result.cases[0].traceback or ""
    assert "IndexError" in tb and "<solution>" in tb
    assert "sandbox_runtime" not in tb and "mock_interviewer_lab" not in tb
    assert result.cases[0].line == 3
    assert result.cases[2].traceback is None  # hidden


def test_state_does_not_leak_between_runs(harness: SyncHarness, add_problem: Problem) -> None:
    first = """
    import builtins
    builtins.LEFTOVER = 1
    def add(a, b):
        return a + b
    """
    run(harness, add_problem, first)
    second = "import builtins\ndef add(a, b):\n    return a + b + getattr(builtins, 'LEFTOVER', 0)\n"
    assert run(harness, add_problem, second).passed == 4


def test_no_process_is_left_behind(harness: SyncHarness, add_problem: Problem) -> None:
    kernel = harness.harness._kernels[0]
    assert kernel.km is not None
    kernel_pid = kernel.km.provisioner.process.pid  # type: ignore[union-attr]
    run(harness, add_problem, "def add(a, b):\n    while True: pass\n")
    # The fork server, the init of its PID namespace and the runner made
    # ready for the next run (it has run nothing) stay.
    spares = json.loads(harness._call(kernel.execute(
        "print(__mil_rt.json.dumps(__mil_rt.spare_runner_pids()))", timeout=10)))
    stay = {kernel.isolation.get("fork_server_pid"), kernel.isolation.get("fork_server_init_pid"),
            *spares}
    assert len(spares) <= 1
    assert [p for p in descendants(kernel_pid) if p not in stay] == []


def test_kernel_death_is_reported_and_recovered(add_problem: Problem) -> None:
    from tests.conftest import FAST_LIMITS

    with SyncHarness(FAST_LIMITS) as h:
        kernel = h.harness._kernels[0]
        assert kernel.km is not None
        pid = kernel.km.provisioner.process.pid  # type: ignore[union-attr]
        import threading

        threading.Timer(0.3, os.kill, (pid, 9)).start()
        result = h.run(add_problem, "def add(a, b):\n    while True: pass\n", complexity=False)
        assert result.error is not None and "died" in result.error
        assert kernel.starts == 2
        assert h.run(add_problem, GOOD, complexity=False).all_passed


def test_a_dead_fork_server_is_replaced(harness: SyncHarness, add_problem: Problem) -> None:
    kernel = harness.harness._kernels[0]
    server = kernel.isolation.get("fork_server_pid")
    assert server, "the fork server should be running"
    os.kill(server, 9)
    assert run(harness, add_problem, GOOD).passed == 4


def test_a_fork_server_killed_during_a_run_costs_the_candidate_nothing(add_problem: Problem) -> None:
    """Its runners die with it, mid-case; their ends go unreported, which is
    how the supervisor knows it was not the code: each case it took down
    runs again under a new fork server, and every case passes."""
    import threading

    from tests.conftest import FAST_LIMITS

    slow = "import time\ndef add(a, b):\n    time.sleep(0.25)\n    return a + b\n"
    with SyncHarness(FAST_LIMITS) as h:
        server = h.harness._kernels[0].isolation.get("fork_server_pid")
        assert server, "the fork server should be running"
        threading.Timer(0.5, os.kill, (server, 9)).start()
        result = run(h, add_problem, slow)
        assert (result.passed, result.error) == (4, None), statuses(result)
