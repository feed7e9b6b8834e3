"""The half of the harness that lives inside the sandbox kernel.

Standard library only: this module is imported by the sandbox kernel at start
(``bootstrap()``), and every run is one call of ``supervise(payload_json)``.

Process layout of one run::

    sandbox kernel (supervisor: this module, in the kernel's main thread)
      └─ reaper      forked; unshares the namespaces it can, forks once more,
         │           waits, exits with the runner's status
         └─ runner   pid 1 of a new PID namespace where available: mounts a
                     fresh /tmp and /proc, hides the pack folders, drops root,
                     sets rlimits, then runs the candidate's code case by case

The runner talks to the supervisor over two pipes: ``ctrl`` (length-prefixed
JSON messages, runner → supervisor) and ``cmd`` (supervisor → runner, used
once: the hidden cases). The candidate's stdout and stderr, at the file
descriptor level, go into a third pipe that the supervisor reads and caps.

Hidden cases: the harness sends them only after the visible cases have
finished (the supervisor asks for them with ``input()`` over the kernel's
stdin channel), so neither the kernel's memory at fork time nor the runner's
memory during the visible cases holds them. Once the hidden phase starts the
supervisor seals the visible results and drops all further output, so nothing
the candidate's code learns in the hidden phase can reach the candidate.

Values cross every boundary as tagged JSON (``encode_plain``/``decode_plain``):
only None, bool, int, float, str, list, tuple, dict, set and frozenset, as
exact built-in types. The comparison happens in the harness process.
"""

from __future__ import annotations

import copy
import ctypes
import ctypes.util
import errno
import gc
import json
import math
import os
import random
import resource
import select
import signal
import struct
import sys
import time
import traceback
from typing import Any

# ----------------------------------------------------------------- plain values


_MAX_DEPTH = 200


class NotPlain(TypeError):
    """A value that is not made of plain built-in types."""


def _enc(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise NotPlain("the value is nested too deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if -(2**53) < value < 2**53 else {"__int__": str(value)}
    if t is float:
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if t is list:
        return [_enc(v, depth + 1) for v in list.__iter__(value)]
    if t is tuple:
        return {"__tuple__": [_enc(v, depth + 1) for v in tuple.__iter__(value)]}
    if t is set or t is frozenset:
        return {"__set__": [_enc(v, depth + 1) for v in set(value)]}
    if t is dict:
        items = list(dict.items(value))
        if all(type(k) is str for k, _ in items) and not any(k.startswith("__") for k, _ in items):
            return {k: _enc(v, depth + 1) for k, v in items}
        return {"__dict__": [[_enc(k, depth + 1), _enc(v, depth + 1)] for k, v in items]}
    # Subclasses of the plain types (a defaultdict, a Counter, an IntEnum, a
    # namedtuple) are read through the base type's own C methods, so that no
    # method the candidate's class overrides is ever called.
    for base, convert in _BASES:
        if isinstance(value, base):
            return _enc(convert(value), depth)
    raise NotPlain(
        f"returned a {t.__name__}, which is not a plain value "
        "(None, bool, int, float, str, list, tuple, dict, set)"
    )


_BASES: tuple[tuple[type, Any], ...] = (
    (bool, lambda v: bool(int.__index__(v))),
    (int, int.__index__),
    (float, float.__float__),
    (str, str.__str__),
    (dict, lambda v: dict(dict.items(v))),
    (list, lambda v: list(list.__iter__(v))),
    (tuple, lambda v: list(tuple.__iter__(v))),
    (frozenset, lambda v: set(frozenset.__iter__(v))),
    (set, lambda v: set(set.__iter__(v))),
)


def encode_plain(value: Any) -> Any:
    """A JSON-ready form of a plain value; raises NotPlain otherwise."""
    return _enc(value, 0)


def decode_plain(data: Any) -> Any:
    if isinstance(data, list):
        return [decode_plain(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1:
            (tag, inner), = data.items()
            if tag == "__tuple__":
                return tuple(decode_plain(v) for v in inner)
            if tag == "__set__":
                return {_hashable(decode_plain(v)) for v in inner}
            if tag == "__dict__":
                return {_hashable(decode_plain(k)): decode_plain(v) for k, v in inner}
            if tag == "__int__":
                return int(inner)
            if tag == "__float__":
                return float(inner)
        return {k: decode_plain(v) for k, v in data.items()}
    return data


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, set):
        return frozenset(v)
    return v


# ------------------------------------------------------------------ isolation

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

_libc: Any = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _libc


def _unshare(flags: int) -> bool:
    try:
        return bool(_lib().unshare(flags) == 0)
    except (OSError, AttributeError):
        return False


def _mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> bool:
    try:
        rc = _lib().mount(
            source.encode(), target.encode(), fstype.encode() if fstype else None,
            ctypes.c_ulong(flags), data.encode() if data else None,
        )
    except (OSError, AttributeError):
        return False
    return bool(rc == 0)


def _write_file(path: str, text: str) -> bool:
    try:
        with open(path, "w") as f:
            f.write(text)
        return True
    except OSError:
        return False


NOBODY = 65534


def probe_isolation() -> dict[str, Any]:
    """What this host lets a run do, found by trying each thing in a
    throw-away child. Never fails: whatever is refused is reported."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(r)
        report: dict[str, Any] = {"root": os.geteuid() == 0}
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
        if os.geteuid() != 0:
            flags |= CLONE_NEWUSER
        ok = _unshare(flags)
        report["namespaces"] = ok
        report["userns"] = ok and os.geteuid() != 0
        if not ok:
            report["namespaces_error"] = os.strerror(ctypes.get_errno())
        os.write(w, json.dumps(report).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    try:
        found: dict[str, Any] = json.loads(data)
    except ValueError:
        found = {"root": os.geteuid() == 0, "namespaces": False, "userns": False}
    # As root the runner drops to nobody, for whom RLIMIT_NPROC holds.
    found["drop_privileges"] = found["root"]
    return found


def _enter_namespaces(iso: dict[str, Any], *, pid: bool) -> dict[str, bool]:
    """Create the namespaces this host allows: mount, IPC and (unless the
    settings allow it) network; a PID namespace too when ``pid`` (it takes
    effect for the next child). Without root, a user namespace makes this
    possible, mapping us to root inside it."""
    done = {"pid": False, "net": False, "mnt": False}
    if not iso.get("namespaces"):
        return done
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS | CLONE_NEWIPC
    if pid:
        flags |= CLONE_NEWPID
    # The fork server may already have put us in an empty network namespace.
    if not iso.get("allow_network") and not iso.get("net_done"):
        flags |= CLONE_NEWNET
    if uid != 0:
        flags |= CLONE_NEWUSER
    if not _unshare(flags):
        return done
    if uid != 0:
        _write_file("/proc/self/setgroups", "deny")
        _write_file("/proc/self/uid_map", f"0 {uid} 1")
        _write_file("/proc/self/gid_map", f"0 {gid} 1")
    return {"pid": pid, "net": not iso.get("allow_network"), "mnt": True}


def _setup_filesystem(hide: list[str], *, new_proc: bool) -> None:
    """Private mounts, a fresh /tmp, an empty tmpfs over each pack folder,
    and, in a PID namespace, a /proc for it."""
    _mount("none", "/", "", MS_REC | MS_PRIVATE)
    for path in hide:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    for tmp in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(tmp):
            _mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    # A /proc of this PID namespace only: the kernel's processes vanish from
    # it. (An empty /proc would break CPython, which reads /proc/self.)
    if new_proc:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _drop_privileges() -> None:
    if os.geteuid() != 0:
        return
    # Inside a user namespace we are "root" only by the mapping; dropping
    # there is pointless. Outside one, become nobody so that RLIMIT_NPROC
    # applies (it is not enforced for root) and signals to the kernel fail.
    try:
        with open("/proc/self/uid_map") as f:
            first = f.read().split()
        if first[:2] == ["0", "0"] or not first:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
    except OSError:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _set_limits(limits: dict[str, Any]) -> None:
    def lim(which: int, value: int) -> None:
        try:
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 1))
        except (ValueError, OSError):
            pass

    lim(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    # The runner is a copy of the kernel, whose address space is already
    # hundreds of MB of mappings; the limit is what the code may add.
    lim(resource.RLIMIT_AS, _vm_size() + int(limits["memory_mb"]) * (1 << 20))
    lim(resource.RLIMIT_FSIZE, int(limits["max_file_bytes"]))
    lim(resource.RLIMIT_NOFILE, int(limits["max_open_files"]))
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_NPROC, 0)


def _block_network() -> None:
    """Best effort where no network namespace could be made."""
    import socket

    class NoNetwork(socket.socket):
        def __init__(self, family: int = -1, *a: Any, **k: Any) -> None:
            if family in (socket.AF_INET, socket.AF_INET6, -1):
                raise PermissionError(errno.EACCES, "network access is disabled in the sandbox")
            super().__init__(family, *a, **k)

    socket.socket = NoNetwork  # type: ignore[misc]


# -------------------------------------------------------------- wire format

def _send(fd: int, msg: dict[str, Any]) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode()
    buf = struct.pack("!I", len(data)) + data
    while buf:
        try:
            n = os.write(fd, buf)
        except InterruptedError:
            continue
        buf = buf[n:]


def _read_exact(fd: int, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = os.read(fd, n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


class _MessageReader:
    """Non-blocking reassembly of length-prefixed messages on the supervisor side."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""
        self.eof = False

    def feed(self) -> list[dict[str, Any]]:
        try:
            chunk = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            chunk = None
        if chunk == b"":
            self.eof = True
        elif chunk:
            self.buf += chunk
        msgs = []
        while len(self.buf) >= 4:
            (n,) = struct.unpack("!I", self.buf[:4])
            if len(self.buf) < 4 + n:
                break
            raw, self.buf = self.buf[4 : 4 + n], self.buf[4 + n :]
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if isinstance(msg, dict):
                msgs.append(msg)
        return msgs


# ------------------------------------------------------------------- runner

SOLUTION_FILE = "<solution>"


def _candidate_traceback(exc: BaseException) -> str:
    """The traceback trimmed to the frames of the candidate's own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SOLUTION_FILE]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def _exception_info(exc: BaseException) -> dict[str, Any]:
    return {
        "exc_type": type(exc).__name__,
        "message": _safe_str(exc),
        "traceback": _candidate_traceback(exc),
        "line": next(
            (f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
             if f.filename == SOLUTION_FILE),
            None,
        ),
    }


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except BaseException:
        return f"<{type(exc).__name__} whose message cannot be shown>"


class _Recorder:
    """Wraps the candidate's function for an assert-style check: every call's
    arguments and plain answer are logged for the replay in the harness."""

    def __init__(self, fn: Any, log: list[Any], adapt_result: Any, guard: Any) -> None:
        self.fn = fn
        self.log = log
        self.adapt_result = adapt_result
        self.guard = guard

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            call = encode_plain([list(args), kwargs])
        except NotPlain:
            call = None
        self.guard.candidate()
        try:
            got = self.fn(*args, **kwargs)
            if self.adapt_result is not None:
                got = self.adapt_result(got)
        except Exception as exc:
            self.guard.runner()
            self.log.append({"call": call, "error": _exception_info(exc)})
            raise
        self.guard.runner()
        try:
            plain = encode_plain(got)
        except NotPlain as exc:
            self.log.append({"call": call, "error": {"exc_type": "NotPlain", "message": str(exc)}})
            raise
        self.log.append({"call": call, "got": plain})
        # The check's own asserts see a plain copy, as the replay will.
        return decode_plain(plain)


class _BuiltinsGuard:
    """The candidate may rebind builtins (``builtins.isinstance = ...``); the
    runner's own code must not be affected. Around each case the candidate's
    version is swapped in, and the pristine one back out."""

    def __init__(self) -> None:
        import builtins

        self.table = builtins.__dict__
        self.pristine = dict(self.table)
        self.theirs: dict[str, Any] | None = None

    def candidate(self) -> None:
        if self.theirs is not None:
            self.table.clear()
            self.table.update(self.theirs)

    def runner(self) -> None:
        self.theirs = dict(self.table)
        self.table.clear()
        self.table.update(self.pristine)


def _run_case(ns: dict[str, Any], fn: Any, case: dict[str, Any], payload: dict[str, Any],
              guard: _BuiltinsGuard) -> dict[str, Any]:
    """Run one case. The candidate's builtins are in force only while their
    code runs; everything else here sees the pristine ones."""
    adapt_args = ns.get(payload["adapt_args"]) if payload.get("adapt_args") else None
    adapt_result = ns.get(payload["adapt_result"]) if payload.get("adapt_result") else None
    if case["kind"] == "assert":
        log: list[Any] = []
        check_ns: dict[str, Any] = {"__builtins__": dict(guard.pristine), "__name__": "__check__"}
        try:
            exec(compile(case.get("setup") or "", "<setup>", "exec"), check_ns)
            exec(compile(case["check"], "<check>", "exec"), check_ns)
            random.seed(0)
            check_ns[case.get("entry") or "check"](_Recorder(fn, log, adapt_result, guard))
            return {"status": "ran", "log": log}
        except BaseException as exc:
            # The replay decides; the log says how far it got.
            return {"status": "ran", "log": log, "stopped": type(exc).__name__}
    args = decode_plain(case["args"])
    kwargs = decode_plain(case.get("kwargs") or {})
    caught: BaseException | None = None
    got: Any = None
    guard.candidate()
    started = time.perf_counter()
    try:
        if adapt_args is not None:
            args = adapt_args(args)
        got = fn(*args, **kwargs)
        if adapt_result is not None:
            got = adapt_result(got)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are the candidate's too
        caught = exc
    finally:
        elapsed = time.perf_counter() - started
        guard.runner()
    if caught is None:
        try:
            return {"status": "returned", "got": encode_plain(got), "ms": elapsed * 1000}
        except NotPlain as exc:
            return {"status": "error", "exc_type": "NotPlain", "message": str(exc), "traceback": ""}
        except RecursionError:
            return {"status": "error", "exc_type": "NotPlain", "traceback": "",
                    "message": "the answer is nested too deeply to be read"}
    info = _exception_info(caught)
    if isinstance(caught, MemoryError):
        return {"status": "memory", **info}
    if isinstance(caught, RecursionError):
        info["traceback"] = "\n".join(info["traceback"].splitlines()[-12:])
    return {"status": "error", **info}


def _measure(fn: Any, ns: dict[str, Any], payload: dict[str, Any], ctrl: int) -> None:
    """Time the function at growing n; each sample goes out as soon as it is
    taken, so a measurement cut short by the time limit keeps what it had."""
    perf = payload["perf"]
    gens: dict[str, Any] = {"__name__": "__generators__"}
    exec(compile(payload["generators"], "<generators>", "exec"), gens)
    gen = gens[perf["generator"]]
    adapt_args = ns.get(payload["adapt_args"]) if payload.get("adapt_args") else None
    budget = perf["budget_ms"] / 1000
    for n in perf["sizes"]:
        base_args = gen(random.Random(n), n)
        best = math.inf
        total = 0.0
        reps = 0
        # Repeat short calls until the measurement is long enough to trust
        # (the minimum is the least disturbed by the rest of the machine); a
        # call of 30 ms or more is long enough on its own.
        while reps < 50 and not (total >= 0.03 or (reps >= 3 and total >= 0.02)):
            args = copy.deepcopy(base_args)
            if adapt_args is not None:
                args = adapt_args(args)
            gc.disable()
            # The thread's CPU time, not the wall clock: on a busy machine
            # the slices other processes take would make growth look steeper.
            t0 = time.thread_time()
            fn(*args)
            dt = time.thread_time() - t0
            gc.enable()
            best = min(best, dt)
            total += dt
            reps += 1
            if dt > budget:
                break
        _send(ctrl, {"type": "perf_sample", "n": n, "seconds": best})
        if best > budget:
            break


def _runner(payload: dict[str, Any], start: int, hidden_phase: bool, ctrl: int, cmd: int,
            out: int, ns_done: dict[str, bool]) -> None:  # pragma: no cover - child
    """The runner process. Never returns.

    Forked by the fork server, it has only the set-up part of the payload
    (limits, folders to hide); the rest (the code and the visible cases)
    comes through ``cmd`` once the sandbox is in place."""
    try:
        os.dup2(out, 1)
        os.dup2(out, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        # Close everything inherited from the kernel (its ZeroMQ sockets
        # above all) but the two pipes to the supervisor.
        low, high = sorted((ctrl, cmd))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, 1 << 16)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)

        limits = payload["limits"]
        workdir: str | None
        if ns_done["mnt"]:
            _setup_filesystem(payload.get("hide_paths", []), new_proc=ns_done["pid"])
            workdir = "/tmp"
        else:
            workdir = payload.get("workdir")
        if workdir:
            try:
                os.chdir(workdir)
            except OSError:
                pass
        if not ns_done["net"] and not limits.get("allow_network"):
            _block_network()
        _drop_privileges()
        _set_limits(limits)

        if "code" not in payload:
            (n,) = struct.unpack("!I", _read_exact(cmd, 4))
            payload = {**payload, **json.loads(_read_exact(cmd, n))}
        sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
        sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
        sys.stdin = open(0, closefd=False)
        sys.argv = ["solution"]

        import builtins

        guard = _BuiltinsGuard()
        ns: dict[str, Any] = {"__name__": "solution", "__builtins__": builtins}
        try:
            if payload.get("prelude"):
                exec(compile(payload["prelude"], "<prelude>", "exec"), ns)
            code = compile(payload["code"], SOLUTION_FILE, "exec", dont_inherit=True)
            try:
                exec(code, ns)
            finally:
                guard.runner()
        except SyntaxError as exc:
            _send(ctrl, {"type": "load_error", "exc_type": type(exc).__name__,
                         "message": exc.msg or "", "line": exc.lineno, "traceback": ""})
            os._exit(0)
        except BaseException as exc:
            _send(ctrl, {"type": "load_error", **_exception_info(exc)})
            os._exit(0)
        fn = ns.get(payload["function"])
        if not callable(fn):
            _send(ctrl, {"type": "load_error", "exc_type": "NameError", "line": None,
                         "message": f"your code does not define a function named "
                                    f"{payload['function']!r}", "traceback": ""})
            os._exit(0)

        def run_cases(cases: list[dict[str, Any]], first: int) -> None:
            for pos in range(first, len(cases)):
                case = cases[pos]
                _send(ctrl, {"type": "start", "index": case["index"]})
                _read_exact(cmd, 1)  # the supervisor's "go": see supervise()
                result = _run_case(ns, fn, case, payload, guard)
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                except BaseException:
                    pass
                _send(ctrl, {"type": "done", "index": case["index"], **result})

        if not hidden_phase:
            run_cases(payload["visible"], start)
            if payload.get("perf"):
                _send(ctrl, {"type": "perf_start"})
                try:
                    guard.candidate()
                    _measure(fn, ns, payload, ctrl)
                    guard.runner()
                    _send(ctrl, {"type": "perf"})
                except BaseException as exc:
                    _send(ctrl, {"type": "perf", "error": f"{type(exc).__name__}: {_safe_str(exc)}"})
            if payload.get("hidden_count"):
                _send(ctrl, {"type": "need_hidden"})
                start = 0
                hidden_phase = True
        if hidden_phase:
            (n,) = struct.unpack("!I", _read_exact(cmd, 4))
            hidden = json.loads(_read_exact(cmd, n))
            run_cases(hidden, start)
        _send(ctrl, {"type": "end"})
    except BaseException as exc:
        # The machinery itself failed (or the candidate broke it): say so.
        try:
            _send(ctrl, {"type": "runner_error", "message": f"{type(exc).__name__}: {exc}",
                         "traceback": traceback.format_exc()[-3000:]})
        except BaseException:
            pass
    os._exit(0)


# --------------------------------------------------------------- supervisor

class _Child:
    """One runner (behind a reaper where needed) and the pipes to it."""

    def __init__(self, payload: dict[str, Any], start: int, hidden_phase: bool,
                 hidden_blob: bytes | None) -> None:
        ctrl_r, ctrl_w = os.pipe()
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        iso = dict(payload.get("isolation") or {})
        iso["allow_network"] = payload["limits"].get("allow_network", False)
        # As root the runner drops to nobody, which cannot signal the kernel,
        # and RLIMIT_NPROC stops it from forking: one process is enough. As an
        # ordinary user the runner keeps our uid, so it runs as pid 1 of a
        # PID namespace, where the kernel cannot even be named, behind a
        # reaper (unshare(CLONE_NEWPID) applies to the next child only).
        server = _fork_server(iso) if payload.get("use_fork_server", True) else None
        self.server = server
        pid = None
        if server is not None:
            setup = {k: payload[k] for k in _SETUP_KEYS if k in payload}
            pid = server.spawn({"setup": setup, "iso": {**iso, "net_done": server.net_isolated},
                                "start": start, "hidden_phase": hidden_phase},
                               [ctrl_w, cmd_r, out_w])
        if pid is None:
            self.server = None
            # Every object the runner touches is a copy-on-write page fault; a
            # garbage collection in the runner would touch all of the kernel's
            # objects. Frozen objects are never scanned.
            gc.freeze()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                os.close(ctrl_r)
                os.close(cmd_w)
                os.close(out_r)
                _start_runner(payload, iso, start, hidden_phase, ctrl_w, cmd_r, out_w)
        os.close(ctrl_w)
        os.close(cmd_r)
        os.close(out_w)
        if self.server is not None:
            # The code and the visible cases go through the pipe, straight to
            # the runner: the fork server never holds a candidate's code.
            rest = {k: v for k, v in payload.items() if k not in _SETUP_KEYS}
            self._write(cmd_w, json.dumps(rest).encode())
        os.set_blocking(ctrl_r, False)
        os.set_blocking(out_r, False)
        self.pid = pid
        self.ctrl = _MessageReader(ctrl_r)
        self.cmd_w = cmd_w
        self.out_r = out_r
        self.exit_code: int | None = None
        if hidden_blob is not None:
            self.send_hidden(hidden_blob)

    def send_hidden(self, blob: bytes) -> None:
        self._write(self.cmd_w, blob)

    @staticmethod
    def _write(fd: int, blob: bytes) -> None:
        data = struct.pack("!I", len(blob)) + blob
        os.set_blocking(fd, True)
        try:
            # The runner reads it whole; a pipe buffer is 64 KB, so write from
            # a loop that tolerates the runner dying half way.
            while data:
                n = os.write(fd, data)
                data = data[n:]
        except (BrokenPipeError, OSError):
            pass

    def go(self) -> None:
        try:
            os.write(self.cmd_w, b"g")
        except OSError:
            pass

    def abandon(self) -> None:
        """Kill the pair without waiting for it (see supervise)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.server is not None:
            self.server.forget(self.pid)
        self.close()

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.reap(block=True)
        # The runner dies a moment after its reaper; as the subreaper, the
        # kernel collects it here so that nothing of the run outlives it.
        give_up = time.monotonic() + 2.0
        while time.monotonic() < give_up:
            _reap_orphans()
            if self.server is not None:
                self.server.collect()
            try:
                os.killpg(self.pid, 0)
            except ProcessLookupError:
                return
            except PermissionError:
                pass
            time.sleep(0.001)

    def reap(self, block: bool = False) -> bool:
        if self.exit_code is not None:
            return True
        if self.server is not None:
            code = self.server.wait(self.pid, block=block)
            if code is None and not block:
                return False
            self.exit_code = -1 if code is None else code
            return True
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.exit_code = -1
            return True
        if pid == 0:
            return False
        code = os.waitstatus_to_exitcode(status)
        # Killed by signal N reads as 128 + N, as the reaper reports it.
        self.exit_code = 128 - code if code < 0 else code
        return True

    def close(self) -> None:
        for fd in (self.ctrl.fd, self.cmd_w, self.out_r):
            try:
                os.close(fd)
            except OSError:
                pass


#: What a runner needs before the sandbox is in place; the rest of the
#: payload comes through its pipe afterwards.
_SETUP_KEYS = ("limits", "isolation", "hide_paths", "workdir")


def _start_runner(payload: dict[str, Any], iso: dict[str, Any], start: int, hidden_phase: bool,
                  ctrl: int, cmd: int, out: int) -> None:  # pragma: no cover - child
    """In a fresh child: namespaces, then the runner (behind a reaper when
    it runs as pid 1 of a PID namespace). Never returns."""
    try:
        os.setpgid(0, 0)
        # As root the runner drops to nobody, which cannot signal the kernel,
        # and RLIMIT_NPROC stops it from forking: one process is enough. As an
        # ordinary user the runner keeps our uid, so it runs as pid 1 of a PID
        # namespace, where the kernel cannot even be named, behind a reaper
        # (unshare(CLONE_NEWPID) applies to the next child only).
        single = bool(iso.get("root")) and not iso.get("userns")
        ns_done = _enter_namespaces(iso, pid=not single)
        if single:
            _runner(payload, start, hidden_phase, ctrl, cmd, out, ns_done)
        runner = os.fork()
        if runner == 0:
            _runner(payload, start, hidden_phase, ctrl, cmd, out, ns_done)
        os.close(ctrl)
        os.close(cmd)
        os.close(out)
        _, status = os.waitpid(runner, 0)
        code = os.waitstatus_to_exitcode(status)
        os._exit(128 - code if code < 0 else code)
    except BaseException:
        os._exit(127)


class _ForkServer:
    """A small process started beside the kernel that forks the runners.

    Forking the kernel itself costs milliseconds (its page tables, its
    threads' at-fork work, copy-on-write faults all over a large heap); this
    process imports the standard library modules a solution may use and
    nothing else, so a fork of it is an order of magnitude cheaper. It never
    sees a candidate's code or a test: it gets the runner's pipes (passed as
    file descriptors) and the sandbox settings, forks, and reports exits.
    It dies with the kernel (PR_SET_PDEATHSIG).
    """

    def __init__(self, iso: dict[str, Any]) -> None:
        import socket
        import subprocess

        self.isolate_net = bool(iso.get("namespaces")) and not iso.get("allow_network")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        boot = ("import sys; sys.path[:0] = " + repr([p for p in sys.path if p]) + "; "
                "from mock_interviewer_lab.harness.sandbox_runtime import _fork_server_main; "
                f"_fork_server_main({theirs.fileno()}, {self.isolate_net!r})")
        with open(os.devnull, "r+b") as devnull:
            self.proc = subprocess.Popen([sys.executable, "-c", boot], pass_fds=[theirs.fileno()],
                                         stdin=devnull, stdout=devnull, stderr=devnull)
        theirs.close()
        self.sock = ours
        hello = self._recv()
        self.pid = int(hello["pid"])
        #: The server made a network namespace of its own, which its runners
        #: share: one per kernel instead of one per run (whose teardown costs
        #: the machine milliseconds).
        self.net_isolated = bool(hello.get("net_isolated"))

    def _send(self, msg: dict[str, Any], fds: list[int] | None = None) -> None:
        import socket

        data = json.dumps(msg).encode()
        socket.send_fds(self.sock, [struct.pack("!I", len(data)) + data], fds or [])

    def _recv(self) -> dict[str, Any]:
        head = b""
        while len(head) < 4:
            chunk = self.sock.recv(4 - len(head))
            if not chunk:
                raise EOFError("the fork server is gone")
            head += chunk
        (n,) = struct.unpack("!I", head)
        body = b""
        while len(body) < n:
            chunk = self.sock.recv(n - len(body))
            if not chunk:
                raise EOFError("the fork server is gone")
            body += chunk
        reply: dict[str, Any] = json.loads(body)
        return reply

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, request: dict[str, Any], fds: list[int]) -> int | None:
        try:
            self._send({"op": "spawn", **request}, fds)
            return int(self._recv()["pid"])
        except (OSError, EOFError, ValueError, KeyError):
            return None

    def wait(self, pid: int, *, block: bool) -> int | None:
        try:
            self._send({"op": "wait", "pid": pid, "block": block})
            code = self._recv().get("code")
        except (OSError, EOFError, ValueError):
            return None
        return None if code is None else int(code)

    def collect(self) -> None:
        """Have the server reap what has exited (every request does)."""
        try:
            self._send({"op": "collect"})
            self._recv()
        except (OSError, EOFError, ValueError):
            pass

    def forget(self, pid: int) -> None:
        try:
            self._send({"op": "forget", "pid": pid})
            self._recv()
        except (OSError, EOFError, ValueError):
            pass


_FORK_SERVER: _ForkServer | None = None


def _fork_server(iso: dict[str, Any]) -> _ForkServer | None:
    """The fork server for these isolation settings, started (again) if it
    died or was made for others; None if it cannot start (the runner is then
    forked from the kernel itself)."""
    global _FORK_SERVER
    wanted = bool(iso.get("namespaces")) and not iso.get("allow_network")
    server = _FORK_SERVER
    if server is not None and server.alive() and server.isolate_net == wanted:
        return server
    if server is not None:
        server.sock.close()  # it exits when its socket closes
        _FORK_SERVER = None
    try:
        _FORK_SERVER = _ForkServer(iso)
    except (OSError, EOFError, ValueError):
        _FORK_SERVER = None
    return _FORK_SERVER


def _fork_server_main(fd: int, isolate_net: bool) -> None:  # pragma: no cover - fork server
    import socket

    PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
    try:
        _lib().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _lib().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    net_isolated = False
    if isolate_net:
        # A network namespace with nothing in it (not even loopback up), for
        # every runner of this server. Its socket to the kernel is a
        # socketpair, which no namespace affects.
        uid, gid = os.geteuid(), os.getegid()
        net_isolated = _unshare(CLONE_NEWNET | (CLONE_NEWUSER if uid != 0 else 0))
        if net_isolated and uid != 0:
            _write_file("/proc/self/setgroups", "deny")
            _write_file("/proc/self/uid_map", f"0 {uid} 1")
            _write_file("/proc/self/gid_map", f"0 {gid} 1")
    _preload()
    gc.freeze()
    sock = socket.socket(fileno=fd)
    exited: dict[int, int] = {}
    forgotten: set[int] = set()

    def reply(msg: dict[str, Any]) -> None:
        data = json.dumps(msg).encode()
        sock.sendall(struct.pack("!I", len(data)) + data)

    def collect(block_for: int | None = None) -> None:
        while True:
            try:
                pid, status = os.waitpid(block_for or -1, 0 if block_for else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            if pid not in forgotten:
                exited[pid] = 128 - code if code < 0 else code
            forgotten.discard(pid)
            if block_for:
                return

    reply({"op": "ready", "pid": os.getpid(), "net_isolated": net_isolated})
    while True:
        collect()
        ready, _, _ = select.select([sock], [], [], 0.5)
        if not ready:
            continue
        try:
            head, fds, _, _ = socket.recv_fds(sock, 4, 3)
        except OSError:
            os._exit(0)
        if not head:
            os._exit(0)  # the kernel went away
        while len(head) < 4:
            more = sock.recv(4 - len(head))
            if not more:
                os._exit(0)
            head += more
        (n,) = struct.unpack("!I", head)
        body = b""
        while len(body) < n:
            more = sock.recv(n - len(body))
            if not more:
                os._exit(0)
            body += more
        req = json.loads(body)
        if req["op"] == "spawn":
            ctrl, cmd, out = fds
            pid = os.fork()
            if pid == 0:
                sock.close()
                _start_runner(req["setup"], req["iso"], req["start"], req["hidden_phase"],
                              ctrl, cmd, out)
            for f in fds:
                os.close(f)
            reply({"pid": pid})
        elif req["op"] == "wait":
            pid = int(req["pid"])
            if pid not in exited and req.get("block"):
                collect(pid)
            reply({"code": exited.pop(pid, None)})
        elif req["op"] == "collect":
            collect()
            reply({})
        elif req["op"] == "forget":
            pid = int(req["pid"])
            if exited.pop(pid, None) is None:
                forgotten.add(pid)
            reply({})


class _Output:
    """The candidate's printed output for one case, capped."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.kept = bytearray()
        self.lines = 0
        self.dropped_bytes = 0

    def add(self, data: bytes) -> None:
        for piece in data.splitlines(keepends=True):
            if self.lines < self.max_lines and len(self.kept) + len(piece) <= self.max_bytes:
                self.kept += piece
                if piece.endswith(b"\n"):
                    self.lines += 1
            else:
                self.dropped_bytes += len(piece)

    def as_dict(self) -> dict[str, Any]:
        return {"stdout": self.kept.decode("utf-8", "replace"),
                "stdout_dropped_bytes": self.dropped_bytes}


def _exit_reason(code: int | None) -> tuple[str, str]:
    """(status, message) for a runner that ended without reporting."""
    if code is None:
        return "error", "the process ended unexpectedly"
    if code > 128:
        signum = code - 128
        name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else signum
        if signum == signal.SIGXCPU or signum == signal.SIGKILL:
            return "timeout", f"the process was stopped by {name} (CPU time limit)"
        if signum == signal.SIGSEGV:
            return "error", "the process crashed (SIGSEGV), often from very deep recursion"
        return "error", f"the process was killed by {name}"
    return "error", f"the process exited with code {code} (sys.exit or os._exit?)"


def supervise_batch(payloads_json: str) -> str:
    """Run several payloads one after the other in one kernel request (the
    harness's ``run_many``); the hidden cases of run i are asked for with
    the key i, only when run i reaches them."""
    payloads = json.loads(payloads_json)
    return "[" + ",".join(_supervise(p, str(i)) for i, p in enumerate(payloads)) + "]"


def supervise(payload_json: str) -> str:
    """Run one payload; return the results as JSON. Called in the kernel."""
    return _supervise(json.loads(payload_json), "0")


def _supervise(payload: dict[str, Any], key: str) -> str:
    limits = payload["limits"]
    t_start = time.monotonic()
    run_deadline = t_start + limits["run_timeout_ms"] / 1000
    visible = payload["visible"]
    results: dict[int, dict[str, Any]] = {}
    load_error: dict[str, Any] | None = None
    perf: dict[str, Any] | None = None
    hidden_cases: list[dict[str, Any]] | None = None
    hidden_blob: bytes | None = None
    sealed = False
    timeouts = {c["index"]: c["timeout_ms"] for c in visible}
    # A growth measurement may take a few times its per-call budget per size.
    perf_step = max(2.0, (payload["perf"] or {}).get("budget_ms", 0) / 100)

    phase_hidden = False
    start = 0
    child: _Child | None = _Child(payload, 0, False, None)
    current: int | None = None
    case_deadline: float | None = None
    output: _Output | None = None
    in_perf = False
    restarts = 0
    progressed = False
    finished = False
    runner_error: str | None = None
    _reap_orphans()

    def cases_of_phase() -> list[dict[str, Any]]:
        return hidden_cases if phase_hidden and hidden_cases is not None else visible

    def enter_hidden_phase() -> bytes:
        nonlocal hidden_blob, hidden_cases, phase_hidden, sealed
        sealed = True
        if hidden_blob is None:
            hidden_blob = _fetch_hidden(key)
        hidden_cases = json.loads(hidden_blob)
        for c in hidden_cases or []:
            timeouts[c["index"]] = c["timeout_ms"]
        phase_hidden = True
        return hidden_blob

    if payload.get("hidden_count"):
        # Asked for now, while the runner (already forked, so without them)
        # sets itself up and runs the visible cases: the round trip to the
        # harness costs nothing then. Only this supervisor holds them.
        hidden_blob = _fetch_hidden(key)

    while child is not None:
        now = time.monotonic()
        deadline = min(run_deadline, case_deadline or math.inf)
        wait = max(0.0, deadline - now)
        try:
            ready, _, _ = select.select([child.ctrl.fd, child.out_r], [], [], min(wait, 0.5))
        except InterruptedError:
            ready = []
        msgs = child.ctrl.feed() if child.ctrl.fd in ready else []
        if child.out_r in ready and not msgs:
            # Output between messages belongs to the case under way, if any.
            _drain(child.out_r, None if (phase_hidden or sealed) else output)
        for msg in msgs:
            kind = msg.get("type")
            if kind in ("start", "done", "need_hidden", "perf_start", "perf_sample", "perf"):
                progressed = True
            if kind == "start":
                # The runner waits for "go": whatever is in the output pipe now
                # was printed before this case (module level, stray threads).
                _drain(child.out_r, None)
                child.go()
                current = msg["index"]
                t = timeouts.get(current, limits["timeout_ms"])
                case_deadline = time.monotonic() + t / 1000
                output = _Output(limits["max_output_lines"], limits["max_output_bytes"])
            elif kind == "done":
                # Output written before the message is already in the pipe.
                _drain(child.out_r, None if (phase_hidden or sealed) else output)
                idx = msg.pop("index")
                msg.pop("type")
                if phase_hidden or not sealed:
                    if output is not None and not phase_hidden:
                        msg.update(output.as_dict())
                    results[idx] = msg
                current, case_deadline, output = None, None, None
            elif kind == "load_error":
                msg.pop("type")
                load_error = msg
            elif kind == "perf_start":
                in_perf = True
                perf = {"samples": [], "error": None}
                case_deadline = time.monotonic() + perf_step
            elif kind == "perf_sample" and perf is not None:
                perf["samples"].append([msg["n"], msg["seconds"]])
                case_deadline = time.monotonic() + perf_step
            elif kind == "perf" and perf is not None:
                in_perf = False
                case_deadline = None
                perf["error"] = msg.get("error")
                payload["perf"] = None  # a restarted runner must not measure again
            elif kind == "need_hidden" and not phase_hidden:
                child.send_hidden(enter_hidden_phase())
            elif kind == "end":
                finished = True
            elif kind == "runner_error":
                runner_error = msg.get("message")
        if finished:
            # Every case has reported. Tearing down a PID and network
            # namespace takes the kernel a few milliseconds, so the runner is
            # killed and left to be collected at the start of the next run
            # rather than waited for here.
            child.abandon()
            child = None
            break
        timed_out = time.monotonic() >= deadline
        if timed_out or child.ctrl.eof:
            if timed_out:
                child.kill()
            else:
                child.reap(block=True)
            child.close()
            status, message = ("timeout", "the time limit was exceeded") if timed_out \
                else _exit_reason(child.exit_code)
            if in_perf and perf is not None:
                perf["error"] = STOPPED_SLOW
                payload["perf"] = None
                in_perf = False
            if current is not None:
                entry: dict[str, Any] = {"status": status, "message": message}
                if output is not None and not phase_hidden:
                    _drain(child.out_r, None)
                    entry.update(output.as_dict())
                results[current] = entry
            phase_cases = cases_of_phase()
            done_here = {c["index"] for c in phase_cases} <= set(results)
            out_of_time = time.monotonic() >= run_deadline
            child = None
            if load_error is not None or out_of_time or not progressed or runner_error:
                # A runner that ends before saying anything has broken the
                # machinery itself (it rebound json, say): starting another
                # would only do the same again.
                break
            progressed = False
            if not done_here:
                restarts += 1
                pending = [i for i, c in enumerate(phase_cases) if c["index"] not in results]
                start = pending[0]
                if not phase_hidden:
                    # A runner for visible cases must not be forked from a
                    # supervisor that holds the hidden ones: drop them and
                    # ask again when they are due.
                    hidden_blob = None
                    gc.collect()
                child = _Child(payload, start, phase_hidden, hidden_blob if phase_hidden else None)
            elif not phase_hidden and payload.get("hidden_count"):
                # The visible phase finished but the runner died before asking.
                child = _Child(payload, 0, True, enter_hidden_phase())
            current, case_deadline, output = None, None, None
    # Nothing of the hidden cases stays referenced in the kernel after the run.
    hidden_blob = None
    hidden_cases = None
    _reap_orphans()
    return json.dumps({
        "results": {str(k): v for k, v in results.items()},
        "load_error": load_error,
        "perf": perf,
        "restarts": restarts,
        "seconds": time.monotonic() - t_start,
        "run_timed_out": time.monotonic() >= run_deadline,
        "runner_error": runner_error,
    })


def _reap_orphans() -> None:
    """Collect runners whose reaper was killed before them (the kernel is
    their subreaper, see bootstrap), so that no zombie outlives a run."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _drain(fd: int, output: _Output | None) -> None:
    while True:
        try:
            data = os.read(fd, 1 << 16)
        except (BlockingIOError, OSError):
            return
        if not data:
            return
        if output is not None:
            output.add(data)


HIDDEN_PROMPT = "mock-interviewer:hidden-cases:"
#: The growth measurement's error when a call outran its time limit.
STOPPED_SLOW = "the measurement was stopped: one call took too long"


def _fetch_hidden(key: str) -> bytes:
    """Ask the harness for the hidden cases over the kernel's stdin channel."""
    return input(HIDDEN_PROMPT + key).encode()


#: Imported once in the kernel so that the candidate's code finds them even
#: when the runner has dropped to an unprivileged user who cannot read the
#: Python installation (a root-owned pyenv under /root), and so that no run
#: pays for importing them.
PRELOADED_MODULES = (
    "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "contextlib", "copy", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "fractions", "functools", "graphlib", "hashlib", "heapq", "io", "itertools", "json",
    "math", "numbers", "operator", "pprint", "queue", "random", "re", "statistics", "string",
    "struct", "sys", "textwrap", "time", "types", "typing", "unicodedata", "weakref", "zlib",
)


def bootstrap(allow_network: bool = False) -> str:
    """Called once when the sandbox kernel starts: preload the modules a
    solution may import and report what isolation the host allows."""

    PR_SET_CHILD_SUBREAPER = 36
    try:
        _lib().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    _preload()
    found = probe_isolation()
    server = _fork_server({**found, "allow_network": allow_network})
    found["fork_server_pid"] = server.pid if server is not None else None
    return json.dumps(found)


def _preload() -> None:
    import importlib

    for name in PRELOADED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _main(argv: list[str]) -> int:  # pragma: no cover - exercised through subprocesses
    """``python -m mock_interviewer_lab.harness.sandbox_runtime PAYLOAD.json``:
    the supervisor without a kernel, for tests of the isolation paths and for
    debugging. The hidden cases are read from standard input when asked for;
    ``--isolation JSON`` overrides the probe's findings."""
    import argparse

    parser = argparse.ArgumentParser(prog="sandbox_runtime")
    parser.add_argument("payload")
    parser.add_argument("--isolation", default=None)
    args = parser.parse_args(argv)
    found = json.loads(bootstrap())
    with open(args.payload) as f:
        payload = json.load(f)
    payload["isolation"] = json.loads(args.isolation) if args.isolation else found
    import builtins

    # One line of hidden cases on stdin, read at once (the supervisor may
    # ask twice) and handed over without echoing a prompt.
    hidden = sys.stdin.readline().rstrip("\n")
    builtins.input = lambda prompt="": hidden
    sys.stdout.write(json.dumps({"isolation": payload["isolation"],
                                 "result": json.loads(supervise(json.dumps(payload)))}) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
