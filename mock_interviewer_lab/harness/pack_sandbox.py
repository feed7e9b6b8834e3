"""Where a problem pack's own code runs: never in the server.

Instructors share packs, so a pack's ``solution.py`` (the reference, run for
the expected values of generated cases), ``generators.py``, ``checker.py``
and the assert-style checks of ``tests.yaml`` (replayed on the answers the
sandbox recorded) are code from elsewhere, as untrusted as a candidate's.
They run here with the candidate's limits::

    server (PackSandbox)  --socketpair-->  pack helper      python -c …, minimal
      │                                     │               environment, empty
      │                                     │               network namespace;
      │                                     │               runs no pack code
      │   request pipe, result pipe         └─ job          forked one ahead:
      └──────────────────────────────────────── └─ runner   pid 1 of a PID
                                                            namespace, fresh /tmp
                                                            and /proc, homes and
                                                            pack folders hidden,
                                                            nobody when root,
                                                            rlimits, audit hook

One job serves one request, of one pack (never two: one pack's code must not
see another's tests or answers), and is a fresh fork of the helper, which
never executes pack code and never holds a request. The helper keeps the
next job forked ahead, its sandbox in place, and hands that job's two pipes
to the server when asked: the request goes straight to the job, and the
answer comes back as plain values (``encode_plain``). A job that runs past the
wall-clock limit is killed as a group; the helper dies with the server (its
socket closes), and its jobs die with it (``PR_SET_PDEATHSIG``).

What costs: the expected values of generated cases are computed once per
problem (the harness caches them); a checker or an assert replay is one job
per batch of runs and pack, already forked and sandboxed when asked for
(see bench/harness_bench.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.harness import sandbox_runtime as rt
from mock_interviewer_lab.harness.compare import canonical
from mock_interviewer_lab.harness.sandbox_runtime import NotPlain, decode_plain, encode_plain

if TYPE_CHECKING:
    from mock_interviewer_lab.problems.loader import Problem
    from mock_interviewer_lab.problems.model import AssertCase
    from mock_interviewer_lab.settings import HarnessSettings


class PackCodeError(RuntimeError):
    """The pack's own code (reference, generator, checker, check) failed or
    misbehaved: a pack bug, reported as such and never blamed on the
    candidate. The message names the pack, the problem and the file."""


#: The whole environment pack code gets: nothing of the server's (tokens,
#: the session database, JUPYTERHUB_*) is passed on.
PACK_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
    "PYTHONHASHSEED": "0",
}

#: Folders a job never sees (each becomes an empty, read-only tmpfs), on top
#: of every pack folder and the folders the harness names. Those that hold
#: the Python installation are hidden entry by entry around it.
PRIVATE_DIRS = ("/root", "/home", "/run", "/var/run", "/var/lib", "/var/log", "/var/spool",
                "/var/mail", "/var/backups", "/srv", "/mnt", "/media", "/opt", "/etc/ssh",
                "/etc/ssl/private", "/boot", "/lost+found")


def _phase_file(kind: str) -> str:
    return {"generator": "generators.py", "reference": "solution.py", "prelude": "prelude.py",
            "checker": "checker.py", "check": "tests.yaml (asserts)"}.get(kind, kind)


# ------------------------------------------------------------ in the job


def _exec(source: str, filename: str, ns: dict[str, Any]) -> dict[str, Any]:
    exec(compile(source, filename, "exec", dont_inherit=True), ns)
    return ns


def _plain(value: Any) -> Any:
    """A plain copy of ``value`` (raises NotPlain)."""
    return decode_plain(json.loads(json.dumps(encode_plain(value))))


class _JobFailed(Exception):
    def __init__(self, phase: str, what: str, exc: BaseException) -> None:
        super().__init__(what)
        self.phase, self.what, self.exc = phase, what, exc

    def as_dict(self) -> dict[str, Any]:
        exc = self.exc
        text = f"{type(exc).__name__}: {_safe_str(exc)}"
        if isinstance(exc, MemoryError):
            text = "ran out of memory (MemoryError)"
        return {"file": _phase_file(self.phase), "what": self.what, "message": text,
                "line": _line_in(exc, f"<{self.phase}>")}


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:500]
    except BaseException:
        return "<a message that cannot be shown>"


def _line_in(exc: BaseException, filename: str) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == filename:
            return frame.lineno
    return None


def _expected_job(req: dict[str, Any], phase: Any) -> dict[str, Any]:
    """The inputs and expected values of a problem's generated cases."""
    gens: dict[str, Any] = {"__name__": "generators"}
    ref: dict[str, Any] = {"__name__": "reference"}
    phase("generator")
    try:
        _exec(req["generators"], "<generator>", gens)
    except BaseException as exc:
        raise _JobFailed("generator", "failed to load", exc) from None
    phase("reference")
    try:
        if req.get("prelude"):
            _exec(req["prelude"], "<reference>", ref)
        _exec(req["solution"], "<reference>", ref)
    except BaseException as exc:
        raise _JobFailed("reference", "failed to load", exc) from None
    out = []
    for g in req["generated"]:
        phase("generator")
        try:
            args = _plain(list(gens[g["generator"]](random.Random(g["seed"]), **g["params"])))
        except BaseException as exc:
            raise _JobFailed("generator", f"generator {g['generator']!r} failed", exc) from None
        phase("reference")
        try:
            call_args = _plain(args)
            if req.get("adapt_args"):
                call_args = ref[req["adapt_args"]](call_args)
            got = ref[req["function"]](*call_args)
            if req.get("adapt_result"):
                got = ref[req["adapt_result"]](got)
            expected = encode_plain(got)
        except BaseException as exc:
            raise _JobFailed("reference", "failed on a generated case", exc) from None
        out.append({"args": encode_plain(args), "expected": expected})
    return {"cases": out}


class _Exhausted(Exception):
    pass


class _Diverged(Exception):
    pass


class _CandidateRaised(Exception):
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        super().__init__(info.get("message", ""))


def replay_assert(check: str, setup: str, entry: str, log: list[dict[str, Any]]
                  ) -> tuple[str, str, int | None]:
    """Re-run a check on the answers recorded in the candidate's sandbox
    (plain values only). Returns (status, message, line in the check).
    Runs in a job: the check is pack code."""
    entries: Iterator[dict[str, Any]] = iter(log)

    def candidate(*args: Any, **kwargs: Any) -> Any:
        entry = next(entries, None)
        if entry is None:
            raise _Exhausted
        if entry.get("call") is not None:
            try:
                here = canonical(_plain([list(args), kwargs]))
            except (NotPlain, TypeError):
                here = None
            if here is not None and here != canonical(decode_plain(entry["call"])):
                raise _Diverged
        if "error" in entry:
            raise _CandidateRaised(entry["error"])
        return decode_plain(entry["got"])

    ns: dict[str, Any] = {"__name__": "__check__"}
    try:
        _exec(setup or "", "<check>", ns)
        _exec(check, "<check>", ns)
    except BaseException as exc:
        raise _JobFailed("check", "failed to load", exc) from None
    random.seed(0)
    try:
        ns[entry](candidate)
    except AssertionError as exc:
        line = _line_in(exc, "<check>")
        where = f" (line {line} of the check)" if line else ""
        return "failed", f"an assertion of the check failed{where}", line
    except _CandidateRaised as exc:
        info = exc.info
        return "error", f"{info.get('exc_type', 'Exception')}: {info.get('message', '')}", \
            info.get("line")
    except _Exhausted:
        return "error", "the run stopped before the check finished", None
    except _Diverged:
        return "error", ("the check called the function differently in the sandbox "
                         "(non-deterministic test)"), None
    except MemoryError as exc:
        raise _JobFailed("check", "ran out of memory", exc) from None
    except Exception as exc:  # the candidate's answer broke the check: a wrong answer
        return "failed", f"the answer made the check fail: {type(exc).__name__}: {exc}", \
            _line_in(exc, "<check>")
    return "passed", "", None


def _judge_job(req: dict[str, Any], phase: Any) -> dict[str, Any]:
    """Checker verdicts and assert replays for the runs of one pack."""
    checkers: dict[str, Any] = {}

    def checker_of(key: str) -> Any:
        if key not in checkers:
            spec = req["problems"][key]
            phase("checker")
            try:
                ns = _exec(spec["checker"], "<checker>", {"__name__": "checker"})
            except BaseException as exc:
                raise _JobFailed("checker", "failed to load", exc) from None
            checkers[key] = ns.get(spec["checker_name"])
        return checkers[key]

    verdicts: list[dict[str, Any]] = []
    for item in req["items"]:
        if item["kind"] == "checker":
            fn = checker_of(item["problem"])
            phase("checker")
            if not callable(fn):
                verdicts.append({"ok": False, "why": "the pack's checker is not defined"})
                continue
            try:
                verdict = fn(decode_plain(item["args"]), decode_plain(item["kwargs"]),
                             decode_plain(item["got"]))
                if isinstance(verdict, str):
                    verdicts.append({"ok": not verdict, "why": str.__str__(verdict)[:2000]})
                else:
                    verdicts.append({"ok": bool(verdict),
                                     "why": "" if verdict else "the checker rejected this answer"})
            except MemoryError as exc:
                raise _JobFailed("checker", "ran out of memory", exc) from None
            except Exception as exc:  # a checker that raises is a pack bug: this case fails
                verdicts.append({"ok": False, "why": f"the pack's checker failed: "
                                                    f"{type(exc).__name__}: {_safe_str(exc)}"})
        else:
            phase("check")
            status, message, line = replay_assert(item["check"], item.get("setup") or "",
                                                  item.get("entry") or "check", item["log"])
            verdicts.append({"status": status, "message": message, "line": line})
    return {"verdicts": verdicts}


def _install_audit_hook(allowed_roots: tuple[str, ...]) -> None:
    """Defence in depth for hosts without namespaces: no file outside the
    Python installation, no socket, no process, no ctypes, no signal. (The
    boundary is the namespaces, the uid and the rlimits; a hook written in
    Python is not one on its own.)"""
    refused = frozenset({
        "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo",
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
        "os.forkpty", "os.kill", "os.killpg", "os.chdir",
        "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link",
        "os.chmod", "os.chown", "os.truncate", "os.putenv", "os.unsetenv",
        "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata",
        "ctypes.addressof", "ctypes.string_at", "sys.addaudithook", "sys._getframe",
        "pty.spawn", "shutil.rmtree", "webbrowser.open", "urllib.Request",
    })

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in refused or event.startswith("ctypes."):
            raise PermissionError(f"{event} is not allowed in a pack's code")
        if event in ("os.listdir", "os.scandir"):
            # The import system lists the installation's folders; nothing else.
            where = args[0]
            name = os.fsdecode(where) if isinstance(where, (str, bytes)) else ""
            if not (name.rstrip("/") + "/").startswith(allowed_roots):
                raise PermissionError(f"a pack's code may not list {name or 'a folder'}")
        if event == "open":
            path, mode, flags = args[0], args[1], args[2]
            if isinstance(path, int):
                return
            name = os.fsdecode(path) if isinstance(path, (str, bytes)) else str(path)
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
            if writes or not name.startswith(allowed_roots):
                raise PermissionError(f"a pack's code may not open {name}")

    sys.addaudithook(hook)


class _ReadRuleset(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathRule(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


#: Landlock's execute, read-file and read-dir rights, and its system calls.
_LL_READ = (1 << 0) | (1 << 2) | (1 << 3)
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38


def _landlock_reads(readable: Sequence[str]) -> bool:
    """No file read, no folder listed and nothing run outside ``readable``
    (the Python installation), enforced by the kernel (Landlock, Linux
    5.13+, no privilege needed): on a host that refuses namespaces this is
    what keeps a pack's code from the user's own files. False when the
    kernel has no Landlock."""
    lib = rt._lib()
    try:
        ruleset = int(lib.syscall(_SYS_LANDLOCK_CREATE_RULESET,
                                  ctypes.byref(_ReadRuleset(_LL_READ)),
                                  ctypes.c_size_t(ctypes.sizeof(_ReadRuleset)),
                                  ctypes.c_uint32(0)))
    except (OSError, AttributeError):
        return False
    if ruleset < 0:
        return False
    try:
        for path in [*readable, "/dev/null", "/dev/urandom"]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            rights = _LL_READ if os.path.isdir(path) else (1 << 2)
            lib.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, 1,
                        ctypes.byref(_PathRule(rights, fd)), 0)
            os.close(fd)
        lib.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        return bool(lib.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0)
    finally:
        os.close(ruleset)


def _python_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    roots |= {os.path.realpath(r) for r in list(roots)}
    return tuple(sorted(r.rstrip("/") + "/" for r in roots if r))


def _hidden_paths(extra: Sequence[str]) -> tuple[list[str], list[str]]:
    """(folders, files) to cover: the private folders and the harness's own
    list, minus anything that holds the Python installation (that one's
    other entries are hidden instead)."""
    keep = [r.rstrip("/") for r in _python_roots()]
    dirs: list[str] = []
    files: list[str] = []

    def cover(path: str, depth: int = 0) -> None:
        path = path.rstrip("/") or "/"
        holds = [k for k in keep if k == path or k.startswith(path + "/")]
        if not holds:
            (dirs if os.path.isdir(path) else files).append(path)
            return
        # One level down is enough (a home's entries beside ~/.pyenv): the
        # installation's own neighbours hold nothing of the server's, and
        # every mount costs each job time.
        if any(k == path for k in holds) or depth >= 1:
            return
        try:
            entries = os.listdir(path)
        except OSError:
            return
        for name in entries:
            child = os.path.join(path, name)
            if os.path.islink(child):
                continue
            if os.path.isdir(child) or os.path.isfile(child):
                cover(child, depth + 1)

    for p in {*PRIVATE_DIRS, *extra}:
        if os.path.lexists(p) and not os.path.islink(p):
            cover(os.path.realpath(p))
    return sorted(set(dirs)), sorted(set(files))


def _send_msg(fd: int, msg: dict[str, Any]) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode()
    buf = struct.pack("!I", len(data)) + data
    while buf:
        buf = buf[os.write(fd, buf):]


def _job_main(setup: dict[str, Any], iso: dict[str, Any], req_fd: int, res_fd: int
              ) -> None:  # pragma: no cover - runs in a forked child
    """A forked job: sandbox first, then the request, then the pack's code."""
    PR_SET_PDEATHSIG = 1
    try:
        os.setpgid(0, 0)
        with contextlib.suppress(OSError, AttributeError):
            rt._lib().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        low, high = sorted((req_fd, res_fd))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, 1 << 16)
        ns_done = rt._enter_namespaces(iso, pid=True)
        if ns_done.get("pid"):
            # unshare(CLONE_NEWPID) applies to the next child: it is pid 1 of
            # the namespace, where no other process can even be named.
            inner = os.fork()
            if inner:
                os.close(req_fd)
                os.close(res_fd)
                _, status = os.waitpid(inner, 0)
                code = os.waitstatus_to_exitcode(status)
                os._exit(128 - code if code < 0 else code)
        if ns_done.get("mnt"):
            rt._setup_filesystem(setup["hide_dirs"], new_proc=bool(ns_done.get("pid")))
            for path in setup["hide_files"]:
                rt._mount("/dev/null", path, "", 0x1000)  # MS_BIND
            os.chdir("/tmp")
        else:
            os.chdir("/")
        no_net = not ns_done.get("net") and not iso.get("net_done")
        if no_net:
            rt._block_network()
        rt._drop_privileges()
        # A change of uid clears the parent-death signal: set it again.
        with contextlib.suppress(OSError, AttributeError):
            rt._lib().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # Where the host allows it (Landlock), no writes outside the private
        # /tmp (nowhere without a mount namespace), no TCP, no signals out.
        write_rules = getattr(rt, "_landlock", None)
        if write_rules is not None:
            write_rules(["/tmp"] if ns_done.get("mnt") else [], block_tcp=no_net)
        _landlock_reads([r.rstrip("/") for r in setup["python_roots"]])
        rt._set_limits(setup["limits"])
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        (n,) = struct.unpack("!I", rt._read_exact(req_fd, 4))
        req = json.loads(rt._read_exact(req_fd, n))
        os.close(req_fd)
        _install_audit_hook(tuple(setup["python_roots"]))

        def phase(kind: str) -> None:
            _send_msg(res_fd, {"phase": kind})

        try:
            result = _expected_job(req, phase) if req["op"] == "expected" else _judge_job(req, phase)
            _send_msg(res_fd, {"result": result})
        except _JobFailed as exc:
            _send_msg(res_fd, {"failed": exc.as_dict()})
        except NotPlain as exc:
            _send_msg(res_fd, {"failed": {"file": "", "what": "returned a value that is not plain",
                                          "message": str(exc)}})
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            _send_msg(res_fd, {"failed": {"file": "", "what": "the pack sandbox failed",
                                          "message": f"{type(exc).__name__}: {exc}"}})
    os._exit(0)


# ------------------------------------------------------------ the helper


def _helper_main(fd: int, parent: int, setup_json: str,
                 isolation: dict[str, Any] | None = None) -> None:  # pragma: no cover - helper
    """The pack helper: keeps one job forked ahead, sandbox in place and
    waiting for its request, and hands its pipes over on request (so that a
    job costs a round trip, not a sandbox's set-up); kills jobs on request
    and reports their exit codes. It runs no pack code and holds no request."""
    setup = json.loads(setup_json)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    # No PR_SET_PDEATHSIG here: it fires when the *thread* that started the
    # helper ends, which may be any worker thread of the server. The helper
    # ends when its socket closes (the server's process ended) or when its
    # parent changes.
    if os.getppid() != parent:
        os._exit(0)
    found = rt.probe_isolation() if isolation is None else dict(isolation)
    net_done = False
    if found.get("namespaces"):
        # One empty network namespace for every job, made once: tearing one
        # down per job would cost the machine milliseconds each time.
        uid, gid = os.geteuid(), os.getegid()
        net_done = rt._unshare(rt.CLONE_NEWNET | (rt.CLONE_NEWUSER if uid != 0 else 0))
        if net_done and uid != 0:
            rt._write_file("/proc/self/setgroups", "deny")
            rt._write_file("/proc/self/uid_map", f"0 {uid} 1")
            rt._write_file("/proc/self/gid_map", f"0 {gid} 1")
    iso = {**found, "allow_network": False, "net_done": net_done}
    import importlib

    for name in rt.PRELOADED_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import gc

    gc.collect()
    gc.freeze()
    sock = socket.socket(fileno=fd)
    exited: dict[int, int] = {}
    running: set[int] = set()

    def reply(msg: dict[str, Any]) -> None:
        data = json.dumps(msg).encode()
        sock.sendall(struct.pack("!I", len(data)) + data)

    def collect() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            running.discard(pid)
            exited[pid] = 128 - code if code < 0 else code
            while len(exited) > 256:
                exited.pop(next(iter(exited)))

    spare: tuple[int, int, int] | None = None  # pid, request pipe, result pipe

    def fork_spare() -> tuple[int, int, int]:
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            sock.close()
            _job_main(setup, iso, req_r, res_w)
        os.close(req_r)
        os.close(res_w)
        running.add(pid)
        return pid, req_w, res_r

    def finish() -> None:
        for pid in list(running):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        os._exit(0)

    reply({"pid": os.getpid(), "isolation": {**found, "net_isolated": net_done}})
    spare = fork_spare()
    handed: set[int] = set()  # jobs handed out whose end the next spare waits for
    while True:
        collect()
        if os.getppid() != parent:
            finish()
        handed &= running
        if spare is None and not handed:
            # The next job's sandbox is made once the last one has ended, not
            # beside it: on a busy machine the two would compete for a core.
            spare = fork_spare()
        ready, _, _ = select.select([sock], [], [], 0.5 if spare is not None else 0.005)
        if not ready:
            continue
        try:
            head, fds, _, _ = socket.recv_fds(sock, 4, 2)
            while head and len(head) < 4:
                more = sock.recv(4 - len(head))
                if not more:
                    head = b""
                    break
                head += more
            if not head:
                finish()  # the server went away
            (n,) = struct.unpack("!I", head)
            body = b""
            while len(body) < n:
                more = sock.recv(n - len(body))
                if not more:
                    finish()
                body += more
            req = json.loads(body)
        except (OSError, ValueError, struct.error):
            finish()
        collect()
        op = req.get("op")
        for f in fds:
            os.close(f)
        if op == "spawn":
            if spare is None or spare[0] not in running:
                if spare is not None:
                    os.close(spare[1])
                    os.close(spare[2])
                spare = fork_spare()
            pid, req_w, res_r = spare
            spare = None
            handed.add(pid)
            data = json.dumps({"pid": pid}).encode()
            try:
                socket.send_fds(sock, [struct.pack("!I", len(data)) + data], [req_w, res_r])
            except OSError:
                finish()
            os.close(req_w)
            os.close(res_r)
        else:
            if op == "kill":
                pid = int(req["pid"])
                if pid in running:
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)
                reply({})
            elif op == "wait":
                pid = int(req["pid"])
                reply({"code": exited.get(pid), "running": pid in running})
            else:
                reply({"error": f"unknown request {op!r}"})


# ------------------------------------------------------------ the server side


@dataclass
class _Helper:
    proc: subprocess.Popen[bytes]
    sock: socket.socket
    pid: int
    isolation: dict[str, Any]


class PackSandbox:
    """Runs pack code for the harness, one job at a time per request (jobs
    from several threads run side by side)."""

    def __init__(self, settings: HarnessSettings, *, hide_paths: Sequence[str] = (),
                 isolation: dict[str, Any] | None = None) -> None:
        """``isolation`` overrides what the host is found to allow (tests of
        the paths where namespaces are refused)."""
        self.settings = settings
        self.isolation_override = isolation
        self.hide_paths = [str(p) for p in hide_paths]
        self._lock = threading.Lock()
        self._helper: _Helper | None = None
        self._hidden: tuple[list[str], list[str]] | None = None
        self._closed = False
        self.jobs = 0

    # -- lifecycle

    def start(self) -> None:
        with self._lock:
            self._ensure()

    def _ensure(self) -> _Helper:
        helper = self._helper
        if helper is not None and helper.proc.poll() is None:
            return helper
        if helper is not None:
            self._drop(helper)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        boot = ("import sys; sys.path[:0] = " + repr([p for p in sys.path if p]) + "; "
                "from mock_interviewer_lab.harness.pack_sandbox import _helper_main; "
                f"_helper_main({theirs.fileno()}, {os.getpid()}, {self._setup_json()!r}, "
                f"{self.isolation_override!r})")
        try:
            with open(os.devnull, "r+b") as devnull:
                proc = subprocess.Popen([sys.executable, "-c", boot], pass_fds=[theirs.fileno()],
                                        stdin=devnull, stdout=devnull, stderr=devnull,
                                        env=dict(PACK_ENV), cwd="/", start_new_session=True)
        finally:
            theirs.close()
        try:
            ours.settimeout(60)
            hello = self._recv(ours)
            ours.settimeout(None)
        except (OSError, EOFError, ValueError) as exc:
            ours.close()
            proc.kill()
            proc.wait()
            raise PackCodeError(f"the pack sandbox could not start: {exc}") from None
        self._helper = _Helper(proc=proc, sock=ours, pid=int(hello["pid"]),
                               isolation=dict(hello.get("isolation") or {}))
        return self._helper

    @staticmethod
    def _drop(helper: _Helper) -> None:
        helper.sock.close()  # the helper exits when its socket closes
        with contextlib.suppress(subprocess.TimeoutExpired):
            helper.proc.wait(timeout=2)
        if helper.proc.poll() is None:
            helper.proc.kill()
            helper.proc.wait()

    def close(self) -> None:
        with self._lock:
            helper, self._helper = self._helper, None
            self._closed = True
        if helper is not None:
            self._drop(helper)

    @property
    def helper_pid(self) -> int | None:
        return self._helper.pid if self._helper else None

    @property
    def isolation(self) -> dict[str, Any]:
        return dict(self._helper.isolation) if self._helper else {}

    # -- talking to the helper

    @staticmethod
    def _recv(sock: socket.socket, fds: list[int] | None = None) -> dict[str, Any]:
        """One reply; file descriptors that come with it go into ``fds``."""
        def exact(n: int) -> bytes:
            buf = b""
            while len(buf) < n:
                chunk, got, _, _ = socket.recv_fds(sock, n - len(buf), 2)
                if fds is not None:
                    fds.extend(got)
                else:
                    for f in got:
                        os.close(f)
                if not chunk:
                    raise EOFError("the pack helper is gone")
                buf += chunk
            return buf

        (n,) = struct.unpack("!I", exact(4))
        reply: dict[str, Any] = json.loads(exact(n))
        return reply

    def _ask(self, msg: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        with self._lock:
            if self._closed:
                raise PackCodeError("the pack sandbox is stopped (the server is stopping)")
            helper = self._ensure()
            data = json.dumps(msg).encode()
            try:
                helper.sock.sendall(struct.pack("!I", len(data)) + data)
                return self._recv(helper.sock, fds)
            except (OSError, EOFError, ValueError):
                # A helper that died is started again for the next request.
                self._drop(helper)
                self._helper = None
                raise

    def _hidden_now(self) -> tuple[list[str], list[str]]:
        if self._hidden is None:
            from mock_interviewer_lab.problems.registry import builtin_pack_dirs

            self._hidden = _hidden_paths([*map(str, builtin_pack_dirs()), *self.hide_paths])
        return self._hidden

    def _setup_json(self) -> str:
        """Every job's sandbox: the limits and what it must not see (the
        private folders, every pack folder, the folders the harness names)."""
        s = self.settings
        dirs, files = self._hidden_now()
        return json.dumps({
            "limits": {"cpu_seconds": s.cpu_seconds, "memory_mb": s.memory_mb,
                       "max_file_bytes": s.max_file_bytes, "max_open_files": s.max_open_files},
            "hide_dirs": dirs,
            "hide_files": files,
            "python_roots": list(_python_roots()),
        })

    def _job(self, request: dict[str, Any], *, where: str) -> dict[str, Any]:
        """Run one job; its result, or PackCodeError naming ``where`` and the
        file whose code was running."""
        s = self.settings
        fds: list[int] = []
        try:
            pid = int(self._ask({"op": "spawn"}, fds)["pid"])
            if len(fds) != 2:
                raise ValueError(f"{len(fds)} pipes instead of 2")
        except (OSError, EOFError, ValueError, KeyError) as exc:
            for f in fds:
                os.close(f)
            raise PackCodeError(f"{where}: the pack sandbox failed: {exc}") from None
        req_w, res_r = fds
        self.jobs += 1
        body = json.dumps(request, separators=(",", ":")).encode()
        pending = struct.pack("!I", len(body)) + body
        os.set_blocking(req_w, False)
        phase = "the pack's code"
        buf = b""
        result: dict[str, Any] | None = None
        wall = s.run_timeout_ms / 1000
        deadline = time.monotonic() + wall
        eof = False
        try:
            while result is None and not eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._kill(pid)
                    raise PackCodeError(f"{where}: {_phase_file(phase)} ran for more than "
                                        f"{wall:g} s and was stopped")
                wlist = [req_w] if pending else []
                readable, writable, _ = select.select([res_r], wlist, [], min(left, 1.0))
                if writable:
                    try:
                        pending = pending[os.write(req_w, pending):]
                    except BlockingIOError:
                        pass
                    except BrokenPipeError:  # the job died before reading it
                        pending = b""
                    if not pending:
                        os.close(req_w)
                        req_w = -1
                if readable:
                    chunk = os.read(res_r, 1 << 16)
                    if not chunk:
                        eof = True
                    buf += chunk
                    while len(buf) >= 4:
                        (n,) = struct.unpack("!I", buf[:4])
                        if len(buf) < 4 + n:
                            break
                        msg, buf = json.loads(buf[4:4 + n]), buf[4 + n:]
                        if "phase" in msg:
                            phase = str(msg["phase"])
                        else:
                            result = msg
                            break
        finally:
            os.close(res_r)
            if req_w >= 0:
                os.close(req_w)
        if result is None:
            code = self._exit_code(pid)
            raise PackCodeError(f"{where}: {_phase_file(phase)} {self._exit_reason(code)}")
        if "failed" in result:
            f = result["failed"]
            file = f.get("file") or _phase_file(phase)
            line = f" (line {f['line']})" if f.get("line") else ""
            raise PackCodeError(f"{where}: {file}: {f.get('what')}{line}: {f.get('message')}")
        out: dict[str, Any] = result["result"]
        return out

    def _kill(self, pid: int) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError, PackCodeError):
            self._ask({"op": "kill", "pid": pid})

    def _exit_code(self, pid: int) -> int | None:
        """The job's exit code once the helper has collected it."""
        give_up = time.monotonic() + 2.0
        while time.monotonic() < give_up:
            try:
                reply = self._ask({"op": "wait", "pid": pid})
            except (OSError, EOFError, ValueError, PackCodeError):
                return None
            if reply.get("code") is not None:
                return int(reply["code"])
            if not reply.get("running"):
                return None
            time.sleep(0.005)
        self._kill(pid)
        return None

    def _exit_reason(self, code: int | None) -> str:
        s = self.settings
        if code is None:
            return "stopped without an answer"
        if code > 128:
            signum = code - 128
            if signum in (signal.SIGXCPU, signal.SIGKILL):
                return f"was stopped: it used more than {s.cpu_seconds} s of CPU"
            if signum == signal.SIGSEGV:
                return (f"crashed (SIGSEGV): too deep a recursion, or more than "
                        f"{s.memory_mb} MB of memory")
            return f"was killed by signal {signum}"
        return f"exited with code {code} without an answer (sys.exit or os._exit?)"

    # -- what the harness asks for

    def expected_values(self, problem: Problem) -> list[tuple[list[Any], Any]]:
        """(args, expected) for each generated case of ``problem``, from its
        generators and its reference."""
        tests = problem.tests
        request = {
            "op": "expected",
            "generators": problem.generators,
            "prelude": problem.prelude,
            "solution": problem.solution,
            "function": tests.function,
            "adapt_args": tests.adapt_args,
            "adapt_result": tests.adapt_result,
            "generated": [{"generator": g.generator, "seed": g.seed, "params": g.params}
                          for g in tests.generated],
        }
        out = self._job(request, where=describe(problem))
        return [(list(decode_plain(c["args"])), decode_plain(c["expected"])) for c in out["cases"]]

    def judge(self, items: Sequence[JudgeItem]) -> list[dict[str, Any]]:
        """Checker verdicts and assert replays, in the order of ``items``;
        one job per pack."""
        by_pack: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            by_pack.setdefault(str(item.problem.path.parent), []).append(i)
        verdicts: list[dict[str, Any]] = [{} for _ in items]
        for indexes in by_pack.values():
            group = [items[i] for i in indexes]
            try:
                got = self._judge_group(group)
            except PackCodeError as exc:
                got = [{"error": str(exc)} for _ in group]
            for i, v in zip(indexes, got, strict=True):
                verdicts[i] = v
        return verdicts

    def _judge_group(self, group: Sequence[JudgeItem]) -> list[dict[str, Any]]:
        problems: dict[str, dict[str, Any]] = {}
        wire: list[dict[str, Any]] = []
        for item in group:
            p = item.problem
            key = p.qualified_id
            problems.setdefault(key, {"checker": p.checker, "checker_name": p.tests.checker})
            if item.check is not None:
                wire.append({"problem": key, "kind": "assert", "check": item.check.check,
                             "setup": item.check.setup, "entry": item.check.entry,
                             "log": item.log})
            else:
                wire.append({"problem": key, "kind": "checker", "args": encode_plain(item.args),
                             "kwargs": encode_plain(item.kwargs), "got": encode_plain(item.got)})
        names = sorted({describe(i.problem) for i in group})
        where = names[0] if len(names) == 1 else f"{names[0]} (or another problem of its pack)"
        out = self._job({"op": "judge", "problems": problems, "items": wire}, where=where)
        verdicts: list[dict[str, Any]] = out["verdicts"]
        if len(verdicts) != len(group):
            raise PackCodeError(f"{where}: the pack sandbox answered {len(verdicts)} verdicts "
                                f"for {len(group)} cases")
        return verdicts


@dataclass
class JudgeItem:
    """One verdict the pack's code gives: a checker on an answer, or an
    assert check replayed on the recorded answers."""

    problem: Problem
    check: AssertCase | None = None
    log: list[dict[str, Any]] | None = None
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    got: Any = None


def describe(problem: Problem) -> str:
    """How an error names a problem: its pack, its id and its folder."""
    return f"pack {problem.pack!r}, problem {problem.id!r} ({problem.path})"


_SHARED: PackSandbox | None = None
_SHARED_LOCK = threading.Lock()


def shared_pack_sandbox(settings: HarnessSettings | None = None) -> PackSandbox:
    """A process-wide pack sandbox for callers without a harness of their own
    (``prepare`` called directly); it stops when the process exits."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            import atexit

            from mock_interviewer_lab.settings import HarnessSettings

            _SHARED = PackSandbox(settings or HarnessSettings())
            atexit.register(_SHARED.close)
        return _SHARED


__all__ = ["PACK_ENV", "JudgeItem", "PackCodeError", "PackSandbox", "describe",
           "shared_pack_sandbox"]
