"""The half of the harness that lives inside the sandbox kernel.

Standard library only: this module is imported by the sandbox kernel at start
(``bootstrap()``), and every run is one call of ``supervise(payload_json)``.

Process layout::

    sandbox kernel (supervisor: this module, in the kernel's main thread)
      └─ fork server   started as a new program with a minimal environment;
         │             makes the PID, mount, IPC and network namespaces (and a
         │             user namespace for an ordinary user) once, with
         ├─ init       pid 1 there: a read-only file tree, its own /proc;
         └─ runner     one per piece of work, forked into the namespaces: its
                       own mount and IPC namespace with fresh tmpfs on /tmp,
                       /run/lock…, the pack folders hidden, then nobody (as
                       root) or no capabilities (in a user namespace),
                       Landlock, rlimits; then the candidate's code

Each link dies with the one above it (PR_SET_PDEATHSIG), and when the init
dies the kernel kills every runner, whatever a runner did to itself.

A run is a series of runners, never two with the candidate's code at once:
one for the visible cases; one per size for the growth measurement; then one
per hidden case, given that case only. The supervisor talks to a runner over
``ctrl`` (length-prefixed JSON, runner → supervisor, strictly checked: one
``start``/``done`` pair per case in turn, and ``end``), ``cmd`` (what to run,
then a "go" byte per case), ``out`` (its stdout and stderr, captured and
capped) and ``status`` (written by the fork server, the runner's parent: its
exit code and CPU time). From a hidden case's runner the supervisor keeps one
well-formed result for that case reduced to what decides its verdict; its
output and its errors' text are dropped. Growth is timed from outside: the
runner's CPU clock read by the supervisor at "ready" and by the fork server
when the runner stops itself at the end of its calls.

The hidden cases are asked for over the kernel's stdin channel; the kernel
is never copied by fork() once it has held them (the runners are forked by
the fork server, which never holds a candidate's code or a case).

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
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

#: mount_setattr(2), the same number on x86_64 and aarch64.
SYS_MOUNT_SETATTR = 442
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2

#: The places a program expects to write, each given a fresh, empty tmpfs in
#: the run's mount namespace; everything else is mounted read-only there.
PRIVATE_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
_TMPFS_SIZE = {"/tmp": "64m", "/var/tmp": "16m", "/dev/shm": "16m"}

#: The whole environment a runner sees (the fork server, whose copies the
#: runners are, is started with it, so not even /proc/self/environ holds more).
#: A runner may start no thread or process (RLIMIT_NPROC): numerical
#: libraries (numpy's OpenBLAS) are told to use the calling thread only,
#: instead of failing to start their pools when imported.
RUNNER_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
              "TMPDIR": "/tmp", "PYTHONIOENCODING": "utf-8",
              "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

NOBODY = 65534

_libc: Any = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _libc


def _prctl(option: int, arg: int = 0) -> bool:
    try:
        return bool(_lib().prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _die_with_parent(parent: int | None = None) -> None:
    """SIGKILL this process when its parent ends; if the parent ``parent``
    has already gone (it died before the prctl), end now."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


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


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _readonly_tree() -> bool:
    """Every mount of this (private) mount namespace read-only and nosuid:
    mount_setattr(2) on / with AT_RECURSIVE, else a read-only bind remount
    of each mount point (kernels before 5.12)."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)
    try:
        rc = _lib().syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE,
                            ctypes.byref(attr), ctypes.sizeof(attr))
    except (OSError, AttributeError):
        rc = -1
    if rc == 0:
        return True
    points = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                fields = line.split()
                # Field 5 is the mount point, 6 its options (octal escapes).
                point = fields[4].encode().decode("unicode_escape")
                points.append((point, fields[5].split(",")))
    except (OSError, IndexError, UnicodeDecodeError):
        return False
    ok = True
    for point, options in points:
        # A remount must repeat the flags a user namespace locked.
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID
        flags |= MS_NODEV if "nodev" in options else 0
        flags |= MS_NOEXEC if "noexec" in options else 0
        if not _mount("none", point, "", flags):
            ok = False
    return ok


def _enter_namespaces(iso: dict[str, Any], *, pid: bool) -> dict[str, bool]:
    """Create the namespaces this host allows: mount, IPC and (unless the
    settings allow it) network; a PID namespace too when ``pid`` (it takes
    effect for the next child). Without root, a user namespace makes this
    possible, mapping us to root inside it."""
    done = {"pid": False, "net": False, "mnt": False, "user": False}
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
    return {"pid": pid, "net": not iso.get("allow_network"), "mnt": True, "user": uid != 0}


def _setup_filesystem(hide: list[str], *, new_proc: bool) -> dict[str, bool]:
    """In a fresh mount namespace: private mounts, an empty tmpfs over each
    pack folder, the whole tree read-only, a fresh tmpfs on each place a
    program expects to write (/tmp, /run/lock…), and, in a PID namespace, a
    read-only /proc of it. Returns what took effect. (The harness's runners
    do it in two steps: ``_readonly_base`` once for the fork server's
    namespace, ``_private_mounts`` in each runner's own mount namespace.)"""
    done = _readonly_base(new_proc=new_proc)
    done["private_tmp"] = _private_mounts(hide)
    return done


def _readonly_base(*, new_proc: bool) -> dict[str, bool]:
    """Private mounts, the whole tree read-only and nosuid, and (in a PID
    namespace) a read-only /proc of it: the kernel's processes vanish from
    it. (An empty /proc would break CPython, which reads /proc/self.)"""
    done = {"readonly_root": False, "private_tmp": False, "own_proc": False}
    _mount("none", "/", "", MS_REC | MS_PRIVATE)
    if new_proc:
        done["own_proc"] = _mount("proc", "/proc", "proc",
                                  MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
    done["readonly_root"] = _readonly_tree()
    return done


def _private_mounts(hide: list[str]) -> bool:
    """An empty read-only tmpfs over each pack folder, and a fresh, empty
    tmpfs on each place a program expects to write; True when /tmp and the
    others that exist got theirs."""
    _mount("none", "/", "", MS_REC | MS_PRIVATE)
    for path in hide:
        if os.path.isdir(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                   "size=4k,mode=0555")
    private = True
    seen: set[str] = set()
    for place in PRIVATE_WRITABLE:
        real = os.path.realpath(place)
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        size = _TMPFS_SIZE.get(real, "1m")
        private &= _mount("tmpfs", real, "tmpfs", MS_NOSUID | MS_NODEV,
                          f"size={size},nr_inodes=4096,mode=1777")
    return private and "/tmp" in seen


def _drop_privileges() -> None:
    if os.geteuid() != 0:
        return
    # Inside a user namespace we are "root" only by the mapping (no other
    # user id is mapped to switch to), but with every capability over the
    # namespaces it owns (ptrace of the runner's init, mounts): drop them
    # all. Outside one, become nobody so that RLIMIT_NPROC applies (it is
    # not enforced for root) and signals to the kernel fail.
    try:
        with open("/proc/self/uid_map") as f:
            first = f.read().split()
        if first[:2] == ["0", "0"] or not first:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        else:
            _drop_capabilities()
    except OSError:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _drop_capabilities() -> None:
    """Every capability gone, for good (no_new_privs keeps an exec from
    giving them back)."""
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    empty = (Data * 2)()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    try:
        _lib().capset(ctypes.byref(Header(0x20080522, 0)), empty)
    except (OSError, AttributeError):
        pass


# Landlock (Linux 5.13+), which needs no privilege and no namespace: where
# namespaces are refused it is what keeps the runner from writing outside
# its work folder, signalling other processes and connecting over TCP.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
_LL_WRITE_FILE = 1 << 1
_LL_WRITE_DIR = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) \
    | (1 << 11) | (1 << 12)  # remove dir/file, make char/dir/reg/sock/fifo/block/sym
_LL_REFER = 1 << 13
_LL_TRUNCATE = 1 << 14
_LL_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read file, read dir
_LL_FILE_RIGHTS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # what a file rule may hold
_LL_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect
_LL_SCOPE = (1 << 0) | (1 << 1)  # abstract unix sockets, signals


class _LandlockRuleset(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _LandlockPath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock_abi() -> int:
    try:
        abi = int(_lib().syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                                 ctypes.c_uint32(1)))
    except (OSError, AttributeError):
        return 0
    return max(abi, 0)


def _landlock(writable: list[str], *, block_tcp: bool, readable: list[str] | None = None) -> int:
    """Restrict this process for good: no writes outside ``writable`` (and
    /dev/null), no signals or abstract sockets outside it (ABI 6+), no TCP
    (ABI 4+, when ``block_tcp``); with ``readable``, no reads (and no exec)
    outside it and ``writable`` either. Returns the ABI applied, 0 when none."""
    abi = _landlock_abi()
    if abi < 1:
        return 0
    read = _LL_READ if readable is not None else 0
    write_file = _LL_WRITE_FILE | (_LL_TRUNCATE if abi >= 3 else 0)
    write_dir = write_file | _LL_WRITE_DIR | (_LL_REFER if abi >= 2 else 0) | read
    attr = _LandlockRuleset(write_dir, _LL_NET_TCP if block_tcp and abi >= 4 else 0,
                            _LL_SCOPE if abi >= 6 else 0)
    size = ctypes.sizeof(attr) if abi >= 6 else (16 if abi >= 4 else 8)
    lib = _lib()
    ruleset = lib.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                          ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    try:
        rules = [(p, write_dir) for p in writable] + [("/dev/null", write_file | read)]
        rules += [(p, read) for p in readable or []]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            if not os.path.isdir(path):
                rights &= _LL_FILE_RIGHTS
            rule = _LandlockPath(rights, fd)
            lib.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0)
            os.close(fd)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        if lib.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            return 0
    finally:
        os.close(ruleset)
    return abi


def _standard_readable() -> list[str]:
    """What a runner may read where no mount namespace hides the packs:
    the standard library's entries (not site-packages, where a pack may be
    installed), the system's libraries and zone files, /proc, /dev/urandom."""
    import sysconfig

    readable = []
    for root in {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}:
        try:
            entries = os.listdir(root)
        except OSError:
            continue
        readable += [os.path.join(root, e) for e in entries
                     if e not in ("site-packages", "dist-packages")]
    return [*readable, "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo",
            "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/proc",
            "/dev/urandom"]


#: _standard_readable(), found by the fork server while it can still import
#: (as nobody a runner may not read the Python installation).
_STANDARD_READABLE: list[str] = []


def probe_isolation() -> dict[str, Any]:
    """What this host lets a run do, found by doing it in a throw-away
    process tree exactly as a runner is made (namespaces, the read-only tree
    and private tmpfs, its own /proc, Landlock). Never fails: whatever is
    refused is reported, in ``missing`` as plain sentences."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(r)
        report: dict[str, Any] = {"root": os.geteuid() == 0}
        try:
            ns = _enter_namespaces({"namespaces": True}, pid=True)
            report["namespaces"] = ns["mnt"]
            report["userns"] = ns["user"]
            if not ns["mnt"]:
                report["namespaces_error"] = os.strerror(ctypes.get_errno())
            report["network_namespace"] = ns["net"]
            report["pid_namespace"] = False
            fs = {"readonly_root": False, "private_tmp": False, "own_proc": False}
            if ns["mnt"]:
                inner_r, inner_w = os.pipe()
                init = os.fork()
                if init == 0:
                    os.close(inner_r)
                    fs_found = _setup_filesystem([], new_proc=True)
                    fs_found["pid_namespace"] = os.getpid() == 1
                    try:
                        open("/run/lock/.mil-probe" if os.path.isdir("/run/lock") else "/tmp/x",
                             "w").close()
                    except OSError:
                        fs_found["private_tmp"] = False
                    try:
                        open("/.mil-probe-readonly", "w").close()
                        os.unlink("/.mil-probe-readonly")
                        fs_found["readonly_root"] = False
                    except OSError:
                        pass
                    os.write(inner_w, json.dumps(fs_found).encode())
                    os._exit(0)
                os.close(inner_w)
                data = b""
                while chunk := os.read(inner_r, 4096):
                    data += chunk
                os.waitpid(init, 0)
                if data:
                    fs = json.loads(data)
                    report["pid_namespace"] = fs.pop("pid_namespace")
            report.update(fs)
            report["landlock"] = _landlock_abi()
        except BaseException as exc:
            report["probe_error"] = f"{type(exc).__name__}: {exc}"
        os.write(w, json.dumps(report).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    try:
        result: dict[str, Any] = json.loads(data)
    except ValueError:
        result = {"root": os.geteuid() == 0, "namespaces": False, "userns": False}
    found = result
    for key in ("namespaces", "userns", "pid_namespace", "network_namespace", "readonly_root",
                "private_tmp", "own_proc"):
        found.setdefault(key, False)
    found.setdefault("landlock", 0)
    found["mount_namespace"] = found["namespaces"]
    # As root the runner drops to nobody, for whom RLIMIT_NPROC holds.
    found["drop_privileges"] = found["root"]
    found["environment_allow_list"] = True
    found["missing"] = _missing(found)
    return found


def _missing(iso: dict[str, Any]) -> list[str]:
    """What a run on this host goes without, in words for ``harness info``."""
    missing = []
    ll = int(iso.get("landlock") or 0)
    if not iso.get("pid_namespace"):
        missing.append("no PID namespace: the runner sees the host's processes in /proc"
                       + (", cannot signal them (Landlock)" if ll >= 6 else "")
                       + ", and a runner that clears its parent-death signal can outlive "
                         "the server")
    if not iso.get("mount_namespace"):
        missing.append("no mount namespace: " + (
            "the runner's reads are confined to the standard library (Landlock) instead"
            if ll else "the pack folders, hidden tests included, can be read by the runner"))
    if not iso.get("readonly_root") or not iso.get("private_tmp"):
        missing.append("the file system is not read-only with a private /tmp: "
                       + ("Landlock confines writes to the run's own folder" if ll
                          else "files the runner writes may outlive the run"))
    if iso.get("allow_network"):
        missing.append("network access is allowed by the settings (harness.allow_network)")
    elif not iso.get("network_namespace"):
        missing.append("no network namespace: network access is blocked only "
                       + ("for TCP (Landlock) and " if ll >= 4 else "") + "in Python's socket module")
    if not iso.get("root") and not iso.get("userns"):
        missing.append("the runner keeps your user id (RLIMIT_NPROC still stops it forking)")
    return missing


def isolation_summary(iso: dict[str, Any]) -> list[tuple[str, bool]]:
    """(what, in effect) for each measure, as ``harness info`` prints it."""
    ll = int(iso.get("landlock") or 0)
    return [
        ("PID namespace (own /proc, runner behind an init that takes it down)",
         bool(iso.get("pid_namespace") and iso.get("own_proc"))),
        ("mount namespace (pack folders hidden)", bool(iso.get("mount_namespace"))),
        ("read-only file system, fresh tmpfs on /tmp, /var/tmp, /dev/shm, /run/lock",
         bool(iso.get("readonly_root") and iso.get("private_tmp"))),
        ("network namespace (no network)", bool(iso.get("network_namespace"))),
        ("user namespace (ordinary user)", bool(iso.get("userns"))),
        ("runs as root, drops to nobody", bool(iso.get("drop_privileges"))),
        (f"Landlock (ABI {ll}: writes{', signals' if ll >= 6 else ''}"
         f"{', TCP' if ll >= 4 else ''})" if ll else "Landlock", ll > 0),
        ("environment allow-listed (no tokens)", bool(iso.get("environment_allow_list"))),
        ("every process of a run dies with the server", bool(iso.get("pid_namespace"))),
    ]


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


def _process_cpu_seconds(pid: int) -> float | None:
    """The CPU time (all threads) of another process, read from outside it."""
    clock = ctypes.c_int()
    try:
        if _lib().clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
            return None
        return time.clock_gettime(clock.value)
    except (OSError, AttributeError, ValueError):
        return None


# -------------------------------------------------------------- wire format

#: The most a runner may say in one message (a result with a large answer).
_MAX_MESSAGE = 16 << 20


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
    """Non-blocking reassembly of length-prefixed messages on the supervisor
    side. Anything that is not a well-formed message (bad JSON, not an
    object, too long) sets ``garbled``: the stream cannot be trusted after."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""
        self.eof = False
        self.garbled = False

    def feed(self) -> list[dict[str, Any]]:
        try:
            chunk = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            chunk = None
        except OSError:
            chunk = b""
        if chunk == b"":
            self.eof = True
        elif chunk:
            self.buf += chunk
        msgs = []
        while len(self.buf) >= 4 and not self.garbled:
            (n,) = struct.unpack("!I", self.buf[:4])
            if n > _MAX_MESSAGE:
                self.garbled = True
                break
            if len(self.buf) < 4 + n:
                break
            raw, self.buf = self.buf[4 : 4 + n], self.buf[4 + n :]
            try:
                msg = json.loads(raw)
            except ValueError:
                self.garbled = True
                break
            if not isinstance(msg, dict):
                self.garbled = True
                break
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


def _perf_call(fn: Any, ns: dict[str, Any], body: dict[str, Any], ctrl: int, cmd: int,
               guard: _BuiltinsGuard) -> None:  # pragma: no cover - runner
    """One growth sample: make ``reps`` copies of the input of size n, say
    "ready", wait for "go", call the function on each copy and end. The time
    is read from outside: the supervisor reads this process's CPU clock at
    "ready" and its init reports the CPU it had used when it ended, so no
    number this process says is ever taken."""
    perf = body["perf"]
    gens: dict[str, Any] = {"__name__": "__generators__"}
    exec(compile(body["generators"], "<generators>", "exec"), gens)
    gen = gens[perf["generator"]]
    adapt_args = ns.get(body["adapt_args"]) if body.get("adapt_args") else None
    n = int(perf["n"])
    base_args = gen(random.Random(n), n)
    calls = []
    for _ in range(int(perf["reps"])):
        args = copy.deepcopy(base_args)
        if adapt_args is not None:
            args = adapt_args(args)
        calls.append(args)
    gc.collect()
    gc.disable()
    _send(ctrl, {"type": "ready"})
    _read_exact(cmd, 1)
    guard.candidate()
    try:
        for args in calls:
            fn(*args)
    except BaseException as exc:
        guard.runner()
        _send(ctrl, {"type": "perf_error", "message": f"{type(exc).__name__}: {_safe_str(exc)}"})
    # The end of the sample: stopped, this process's CPU clock is read by
    # its init, which then kills it. Stopping early gains nothing: no work
    # can follow the stop, and the work before it counts.
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(0)


def _runner(setup: dict[str, Any], ctrl: int, cmd: int, out: int,
            ns_done: dict[str, bool]) -> None:  # pragma: no cover - child
    """The runner process. Never returns.

    It starts with the set-up part of the payload only (limits, folders to
    hide); what it runs (the code and its cases, or one growth sample)
    comes through ``cmd`` once the sandbox is in place. In this order: the
    process made clean (_reset_runner_process), the sandbox closed around
    it (_confine_runner), and only then the body read (_read_body), the
    candidate's code loaded (_load_solution) and a growth sample taken
    (_perf_call) or the cases run (_run_cases)."""
    try:
        _reset_runner_process(ctrl, cmd, out)
        _confine_runner(setup, ns_done)
        body = _read_body(cmd)
        _open_candidate_streams()
        guard = _BuiltinsGuard()
        ns, fn = _load_solution(body, ctrl, guard)
        if body["mode"] == "perf":
            _perf_call(fn, ns, body, ctrl, cmd, guard)
        _run_cases(ns, fn, body, ctrl, cmd, guard)
    except BaseException as exc:
        # The machinery itself failed (or the candidate broke it): say so.
        try:
            _send(ctrl, {"type": "runner_error", "message": f"{type(exc).__name__}: {exc}",
                         "traceback": traceback.format_exc()[-3000:]})
        except BaseException:
            pass
    os._exit(0)


def _reset_runner_process(ctrl: int, cmd: int, out: int) -> None:  # pragma: no cover - runner
    """What the runner inherited from the fork server, reset first. Its
    stdout and stderr go to ``out`` (captured and capped by the supervisor)
    and its stdin is empty; every other descriptor but the two pipes to the
    supervisor is closed, so that no descriptor the fork server held (its
    socket, say) is left for the candidate's code to use. The signals the
    fork server handled take their default action again (a write over the
    file-size limit fails rather than kills), and the environment is
    RUNNER_ENV only."""
    os.dup2(out, 1)
    os.dup2(out, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    # Close everything inherited but the two pipes to the supervisor.
    low, high = sorted((ctrl, cmd))
    os.closerange(3, low)
    os.closerange(low + 1, high)
    os.closerange(high + 1, 1 << 16)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(RUNNER_ENV)


def _confine_runner(setup: dict[str, Any], ns_done: dict[str, bool]) -> None:  # pragma: no cover
    """The sandbox closed around the runner before it is given anything to
    run. The order matters: the mounts need privileges still, dropping them
    clears the parent-death signal (set again after), and Landlock, no new
    privileges and the limits come last, once nothing of the set-up itself
    needs what they forbid."""
    limits = setup["limits"]
    own_mounts = ns_done["mnt"]
    if own_mounts:
        # A mount and IPC namespace of its own (cheap, unlike a PID one):
        # fresh, empty tmpfs where it may write, gone when it ends, so
        # that no runner finds what another left, in this run or later.
        if _unshare(CLONE_NEWNS | CLONE_NEWIPC):
            _private_mounts(list(setup.get("hide_paths") or []))
        else:
            own_mounts = False
    workdir: str | None = "/tmp" if own_mounts else setup.get("workdir")
    if workdir:
        try:
            os.chdir(workdir)
        except OSError:
            workdir = None
    no_net = not ns_done["net"] and not limits.get("allow_network")
    if no_net:
        _block_network()
    _drop_privileges()
    # A change of user clears the parent-death signal: set it again. Not
    # dumpable: another runner of the same user cannot read its memory.
    _die_with_parent()
    _prctl(PR_SET_DUMPABLE, 0)
    writable = [p for p in PRIVATE_WRITABLE if os.path.isdir(p)] if own_mounts \
        else ([workdir] if workdir else [])
    # Without a mount namespace the pack folders are not hidden: reads
    # are confined (where Landlock is) to Python's standard library and
    # the system's shared files instead.
    _landlock(writable, block_tcp=no_net,
              readable=None if own_mounts else _STANDARD_READABLE or _standard_readable())
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _set_limits(limits)


def _read_body(cmd: int) -> dict[str, Any]:  # pragma: no cover - runner
    """What to run (see _Spawned.send_body), read whole from ``cmd``. It
    comes only now, so that nothing of it is in the process before the
    sandbox is closed."""
    (n,) = struct.unpack("!I", _read_exact(cmd, 4))
    body: dict[str, Any] = json.loads(_read_exact(cmd, n))
    return body


def _open_candidate_streams() -> None:  # pragma: no cover - runner
    """Python's streams on the descriptors _reset_runner_process set up,
    line-buffered so that what a case prints reaches the pipe while that
    case runs (the supervisor counts output per case)."""
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
    sys.stdin = open(0, closefd=False)
    sys.argv = ["solution"]


def _load_solution(body: dict[str, Any], ctrl: int, guard: _BuiltinsGuard
                   ) -> tuple[dict[str, Any], Any]:  # pragma: no cover - runner
    """The prelude and the candidate's code run in a namespace of their own;
    returns it and the function the body names. Code that does not load,
    or that defines no such function, is said as ``load_error`` (the
    supervisor accepts it only before the first case) and the runner ends."""
    import builtins

    ns: dict[str, Any] = {"__name__": "solution", "__builtins__": builtins}
    try:
        if body.get("prelude"):
            exec(compile(body["prelude"], "<prelude>", "exec"), ns)
        code = compile(body["code"], SOLUTION_FILE, "exec", dont_inherit=True)
        try:
            exec(code, ns)
        finally:
            # Whatever the code did to builtins at module level is its own
            # from here on: the runner's code below sees the pristine ones.
            guard.runner()
    except SyntaxError as exc:
        _send(ctrl, {"type": "load_error", "exc_type": type(exc).__name__,
                     "message": exc.msg or "", "line": exc.lineno, "traceback": ""})
        os._exit(0)
    except BaseException as exc:
        _send(ctrl, {"type": "load_error", **_exception_info(exc)})
        os._exit(0)
    fn = ns.get(body["function"])
    if not callable(fn):
        _send(ctrl, {"type": "load_error", "exc_type": "NameError", "line": None,
                     "message": f"your code does not define a function named "
                                f"{body['function']!r}", "traceback": ""})
        os._exit(0)
    return ns, fn


def _run_cases(ns: dict[str, Any], fn: Any, body: dict[str, Any], ctrl: int, cmd: int,
               guard: _BuiltinsGuard) -> None:  # pragma: no cover - runner
    """The body's cases from ``start`` on, each in turn: ``start``, the
    case, ``done`` with its result; then ``end``. This is the order the
    supervisor holds the runner to (see _VisibleCases and _HiddenCase)."""
    cases = body["cases"]
    for pos in range(int(body.get("start", 0)), len(cases)):
        case = cases[pos]
        _send(ctrl, {"type": "start", "index": case["index"]})
        if body["mode"] != "hidden":
            # The supervisor's "go" (see _VisibleCases): what was printed
            # before it is not this case's. (A hidden case's output is
            # dropped: it need not wait.)
            _read_exact(cmd, 1)
        result = _run_case(ns, fn, case, body, guard)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        _send(ctrl, {"type": "done", "index": case["index"], **result})
    _send(ctrl, {"type": "end"})


def _sandbox_init(report: int) -> None:  # pragma: no cover - pid 1 of the sandbox
    """Pid 1 of the fork server's PID namespace (trusted: no code of the
    candidate or the pack runs here). It makes the namespace's file system
    (the read-only tree, its own /proc), reports what took effect, then
    collects orphans until it dies with the fork server; when it dies, the
    kernel kills every runner in the namespace, whatever they did to their
    own parent-death signal."""
    try:
        _die_with_parent()  # (its parent is outside the namespace: getppid() is 0)
        done = _readonly_base(new_proc=True)
        done["pid_namespace"] = os.getpid() == 1
        os.write(report, json.dumps(done).encode())
        os.close(report)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        while True:
            try:
                os.wait()
            except ChildProcessError:
                signal.pause()
            except InterruptedError:
                pass
    finally:
        os._exit(0)


class _ForkServer:
    """A small process started beside the kernel that forks the runners.

    Forking the kernel itself costs milliseconds (its page tables, its
    threads' at-fork work, copy-on-write faults all over a large heap); this
    process imports the standard library modules a solution may use and
    nothing else, so a fork of it is cheaper. It makes the namespaces once
    for all its runners (PID, mount, IPC, network; a user namespace for an
    ordinary user) with an init process as pid 1, and forks each runner into
    them: tearing a namespace down per run would cost the machine
    milliseconds each time. It is each runner's parent: it reports a
    runner's exit code and CPU time on a pipe the runner does not hold. It
    never sees a candidate's code or a test: it gets the runner's pipes
    (passed as file descriptors) and the sandbox settings. It starts with
    the runners' minimal environment and dies with the kernel
    (PR_SET_PDEATHSIG), and its init with it.

    Where it cannot be started as a new program it is forked from the
    kernel, but only before the kernel has ever held a hidden case (at
    start): a copy of the kernel made later could find one in its memory.
    """

    def __init__(self, iso: dict[str, Any], *, forked: bool = False) -> None:
        import socket
        import subprocess

        self.iso = {k: iso.get(k) for k in ("namespaces", "allow_network")}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc: Any = None
        self.child_pid: int | None = None
        if forked:
            if _HIDDEN_HELD:
                raise OSError("the kernel has held hidden cases: it must not be copied")
            gc.freeze()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the fork server
                try:
                    ours.close()
                    fd = theirs.fileno()
                    os.closerange(3, fd)
                    os.closerange(fd + 1, 1 << 16)
                    os.environ.clear()
                    os.environ.update(RUNNER_ENV)
                    _fork_server_main(fd, json.dumps(self.iso))
                finally:
                    os._exit(0)
            self.child_pid = pid
        else:
            boot = ("import sys; sys.path[:0] = " + repr([p for p in sys.path if p]) + "; "
                    "from mock_interviewer_lab.harness.sandbox_runtime import _fork_server_main; "
                    f"_fork_server_main({theirs.fileno()}, {json.dumps(self.iso)!r})")
            with open(os.devnull, "r+b") as devnull:
                self.proc = subprocess.Popen([sys.executable, "-c", boot], pass_fds=[theirs.fileno()],
                                             stdin=devnull, stdout=devnull, stderr=devnull,
                                             env=dict(RUNNER_ENV), cwd="/")
        theirs.close()
        self.sock = ours
        try:
            hello = self._recv()
        except (OSError, EOFError, ValueError):
            self.close()
            raise
        self.pid = int(hello["pid"])
        self.init_pid: int | None = hello.get("init_pid")
        self._next_ticket = self._read_ticket = 0
        self._replies: dict[int, int | None] = {}
        #: The namespaces its runners are in, and the file system made there.
        self.ns: dict[str, bool] = hello.get("ns") or {}
        self.fs: dict[str, bool] = hello.get("fs") or {}

    @property
    def net_isolated(self) -> bool:
        return bool(self.ns.get("net"))

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
        if self.proc is not None:
            return bool(self.proc.poll() is None)
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def spawn(self, setup: dict[str, Any], fds: list[int]) -> int:
        """Ask for a runner with these pipes (ctrl, cmd, out, status); a
        ticket for ``spawned``, which gives its pid. The server forks while
        the caller goes on (a fork costs milliseconds here)."""
        ticket = self._next_ticket
        self._next_ticket += 1
        try:
            self._send({"op": "spawn", "setup": setup}, fds)
        except OSError:
            self._replies[ticket] = None
            self._read_ticket = max(self._read_ticket, ticket + 1)
        return ticket

    def spawned(self, ticket: int) -> int | None:
        """The pid of the runner asked for with ``ticket`` (None: no runner)."""
        self._settle(ticket + 1)
        return self._replies.pop(ticket, None)

    def _settle(self, upto: int | None = None) -> None:
        """Read the replies to spawns still unread, in order (all of them
        before another kind of request)."""
        upto = self._next_ticket if upto is None else upto
        while self._read_ticket < upto:
            try:
                pid = self._recv().get("pid")
                self._replies[self._read_ticket] = None if pid is None else int(pid)
            except (OSError, EOFError, ValueError):
                self._replies[self._read_ticket] = None
            self._read_ticket += 1

    def reap(self, timeout: float, keep: list[int] | None = None) -> None:
        """Wait (a bounded time) until every runner it forked but those in
        ``keep`` has ended and been collected, so that nothing of a run
        outlives it."""
        try:
            self._settle()
            self._send({"op": "reap", "timeout": timeout, "keep": keep or []})
            self._recv()
        except (OSError, EOFError, ValueError):
            pass

    def close(self) -> None:
        self.sock.close()  # it exits when its socket closes


_FORK_SERVER: _ForkServer | None = None
#: How many times one run may replace a fork server that died under it.
_SERVER_REPLACEMENTS = 2
#: A sample whose runner's fork server died under it (see _Spawned.orphaned).
_SERVER_LOST = "the sandbox's fork server stopped during the run"
#: A runner made ready (namespaces, mounts, limits) and given nothing yet.
_SPARES: list[_Spawned] = []
#: How many runners are kept ready ahead.
_SPARE_COUNT = 1


def spare_runner_pids() -> list[int]:
    """The pids of the runners kept ready for the next run."""
    return [spare.pid for spare in _SPARES]
#: Set once this process has held a hidden case: from then on it is never
#: copied by fork() into anything that runs code.
_HIDDEN_HELD = False


def _fork_server(iso: dict[str, Any], *, forked: bool = False, fresh: bool = False
                 ) -> _ForkServer | None:
    """The fork server for these isolation settings, started (again) if it
    died, was made for others or (``fresh``) lost a runner's report: a
    server killed a moment ago may not look dead yet. None if none can
    start (no run can, then)."""
    global _FORK_SERVER
    wanted = {k: iso.get(k) for k in ("namespaces", "allow_network")}
    server = _FORK_SERVER
    if server is not None and not fresh and server.alive() and server.iso == wanted \
            and (server.child_pid is not None) == forked:
        return server
    if server is not None:
        server.close()
        _FORK_SERVER = None
    for as_fork in ((True,) if forked else (False, True)):
        try:
            _FORK_SERVER = _ForkServer(iso, forked=as_fork)
            break
        except (OSError, EOFError, ValueError):
            _FORK_SERVER = None
    return _FORK_SERVER


def _fork_server_main(fd: int, iso_json: str) -> None:  # pragma: no cover - fork server
    import socket

    iso = json.loads(iso_json)
    _die_with_parent(os.getppid())
    # Before any namespace: in a new user namespace the capabilities that let
    # us read the Python installation (when it is not our own) are gone.
    _preload()
    _STANDARD_READABLE[:] = _standard_readable()
    ns = _enter_namespaces(iso, pid=True)
    fs: dict[str, Any] = {}
    init_pid: int | None = None
    if ns["pid"]:
        init_pid, fs = _start_sandbox_init()
        ns["pid"] = bool(fs.pop("pid_namespace", False))
    # Not dumpable: a runner (the same user where no namespace could be
    # made) cannot read this process's memory or descriptors, or ptrace it.
    _prctl(PR_SET_DUMPABLE, 0)
    gc.freeze()
    server = _ForkServerLoop(socket.socket(fileno=fd), ns, init_pid)
    server.reply({"op": "ready", "pid": os.getpid(), "init_pid": init_pid, "ns": ns, "fs": fs})
    server.serve()


def _start_sandbox_init() -> tuple[int, dict[str, Any]]:  # pragma: no cover - fork server
    """Forks pid 1 of the new PID namespace (:func:`_sandbox_init`) and reads
    what it made of the file tree (``{}`` when it said nothing readable)."""
    r, w = os.pipe()
    init_pid = os.fork()
    if init_pid == 0:
        os.close(r)
        _sandbox_init(w)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    try:
        fs = json.loads(data)
    except ValueError:
        fs = {}
    return init_pid, fs


class _ForkServerLoop:  # pragma: no cover - fork server
    """The fork server's requests from the kernel, one at a time: ``spawn``
    forks a runner with the descriptors sent along, ``reap`` waits for the
    run's runners. Each runner's end (exit code, CPU time) is written to its
    status pipe as it is collected."""

    def __init__(self, sock: Any, ns: dict[str, bool], init_pid: int | None) -> None:
        self.sock = sock
        self.ns = ns
        self.init_pid = init_pid
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        #: runner pid → the write end of its status pipe
        self.runners: dict[int, int] = {}

    def reply(self, msg: dict[str, Any]) -> None:
        data = json.dumps(msg).encode()
        self.sock.sendall(struct.pack("!I", len(data)) + data)

    def serve(self) -> None:
        while True:
            self.collect()
            try:
                ready, _, _ = select.select([self.sock.fileno(), self.wake_r], [], [], 1.0)
            except InterruptedError:
                continue
            if self.wake_r in ready:
                self._drain_wakeups()
            if self.sock.fileno() not in ready:
                continue
            received = self._receive()
            if received is None:
                continue
            req, fds = received
            if req["op"] == "spawn":
                self._spawn(req, fds)
            elif req["op"] == "reap":
                self._reap(req)
            else:
                self.reply({})

    def _drain_wakeups(self) -> None:
        try:
            os.read(self.wake_r, 4096)
        except OSError:
            pass

    def _receive(self) -> tuple[dict[str, Any], list[int]] | None:
        """The next request and the descriptors sent with it; None when a
        signal cut the read short. Exits when the kernel went away."""
        import socket

        try:
            head, fds, _, _ = socket.recv_fds(self.sock, 4, 4)
        except InterruptedError:
            return None
        except OSError:
            os._exit(0)
        if not head:
            os._exit(0)  # the kernel went away
        head += self._read_exactly(4 - len(head))
        (n,) = struct.unpack("!I", head)
        return json.loads(self._read_exactly(n)), fds

    def _read_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            more = self.sock.recv(n - len(data))
            if not more:
                os._exit(0)
            data += more
        return data

    def _spawn(self, req: dict[str, Any], fds: list[int]) -> None:
        if len(fds) != 4:
            for f in fds:
                os.close(f)
            self.reply({"pid": None})
            return
        ctrl, cmd, out, status = fds
        pid = os.fork()
        if pid == 0:
            self._become_runner(req, ctrl, cmd, out, status)
        for f in (ctrl, cmd, out):
            os.close(f)
        self.runners[pid] = status
        self.reply({"pid": pid})

    def _become_runner(self, req: dict[str, Any], ctrl: int, cmd: int, out: int,
                       status: int) -> None:
        """In the forked child: never returns."""
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            # (In the PID namespace its parent, outside, reads as 0.)
            _die_with_parent()
            os.setpgid(0, 0)
            # Nothing of the server's (its socket, the other runners'
            # status pipes) stays open in the runner.
            keep = {ctrl, cmd, out}
            for f in [self.sock.fileno(), self.wake_r, self.wake_w, status,
                      *self.runners.values()]:
                if f not in keep:
                    os.close(f)
            _runner(req["setup"], ctrl, cmd, out, self.ns)
        finally:
            os._exit(127)

    def _reap(self, req: dict[str, Any]) -> None:
        # The kernel runs one payload at a time: every runner but the
        # spares kept ready (which have run nothing) is its.
        give_up = time.monotonic() + float(req.get("timeout", 1.0))
        keep = {int(p) for p in req.get("keep") or []}
        while set(self.runners) - keep and time.monotonic() < give_up:
            self.collect()
            if set(self.runners) - keep:
                select.select([self.wake_r], [], [], 0.01)
                self._drain_wakeups()
        self.reply({})

    def _report(self, pid: int, msg: dict[str, Any]) -> None:
        fd = self.runners.pop(pid, None)
        if fd is None:
            return
        try:
            os.write(fd, json.dumps(msg).encode())
        except OSError:
            pass  # the supervisor stopped listening
        os.close(fd)

    def collect(self) -> None:
        """Reports every runner that ended or stopped itself."""
        while True:
            try:
                pid, wstatus, usage = os.wait4(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            except InterruptedError:
                continue
            if pid == 0:
                return
            if pid == self.init_pid:
                os._exit(1)  # the namespace is gone, and every runner with it
            if os.WIFSTOPPED(wstatus):
                # A growth sample's end (see _perf_call): its CPU time now,
                # without what tearing the process down would add.
                self._report(pid, {"code": 128 + os.WSTOPSIG(wstatus), "stopped": True,
                                   "cpu": _process_cpu_seconds(pid)})
                os.kill(pid, signal.SIGKILL)
                continue
            code = os.waitstatus_to_exitcode(wstatus)
            self._report(pid, {"code": 128 - code if code < 0 else code,
                               "cpu": usage.ru_utime + usage.ru_stime})


# --------------------------------------------------------------- supervisor

#: What a runner needs before the sandbox is in place; the rest comes
#: through its pipe afterwards.
_SETUP_KEYS = ("limits", "hide_paths", "workdir")
#: The parts of a payload every runner's body has.
_BODY_KEYS = ("code", "prelude", "function", "adapt_args", "adapt_result")
#: The message of a case whose runner wrote what the protocol does not allow.
CONTROL_CHANNEL = ("the code under test wrote to the test runner's control channel, "
                   "so its runner was stopped")
_RESULT_STATUSES = {"io": {"returned", "error", "memory"}, "generated": {"returned", "error", "memory"},
                    "assert": {"ran"}}


class _NoRunner(RuntimeError):
    """No runner could be started (no fork server)."""


class _Spawned:
    """One runner and the pipes to it: ``ctrl`` (messages from the runner),
    ``cmd`` (its body, then one "go" byte per case), ``out`` (its stdout and
    stderr) and ``status`` (from the fork server, its parent: exit code and
    CPU time; the runner never holds it)."""

    def __init__(self, server: _ForkServer, payload: dict[str, Any],
                 workdir: str | None = None) -> None:
        ctrl_r, ctrl_w = os.pipe()
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        status_r, status_w = os.pipe()
        setup = {k: payload[k] for k in _SETUP_KEYS if k in payload}
        if workdir is not None:
            setup["workdir"] = workdir
        self.server = server
        self.ticket = server.spawn(setup, [ctrl_w, cmd_r, out_w, status_w])
        self._pid: int | None = None
        for fd in (ctrl_w, cmd_r, out_w, status_w):
            os.close(fd)
        self.setup = setup
        self.server_pid = server.pid
        self.cmd_w = cmd_w
        for fd in (ctrl_r, out_r, status_r):
            os.set_blocking(fd, False)
        self.ctrl = _MessageReader(ctrl_r)
        self.out_r = out_r
        self.status_r = status_r
        self.status_data = b""
        self.status_eof = False
        self.status_eof_at: float | None = None
        self.closed = False

    @property
    def pid(self) -> int:
        """Its pid, once the fork server has said it (_NoRunner if it could not)."""
        if self._pid is None:
            pid = self.server.spawned(self.ticket)
            if pid is None:
                self.close()
                raise _NoRunner("the sandbox could not start a runner")
            self._pid = pid
        return self._pid

    def send_body(self, body: dict[str, Any]) -> None:
        """What to run. It goes through the pipe, straight to the runner:
        the fork server never holds a candidate's code or a case."""
        self._write(self.cmd_w, json.dumps(body).encode())

    @staticmethod
    def _write(fd: int, blob: bytes) -> None:
        data = struct.pack("!I", len(blob)) + blob
        try:
            # The runner reads it whole; a pipe buffer is 64 KB, so write from
            # a loop that tolerates the runner dying half way.
            while data:
                n = os.write(fd, data)
                data = data[n:]
        except OSError:
            pass

    def fds(self) -> list[int]:
        fds = [self.out_r]
        if not self.ctrl.eof:
            fds.append(self.ctrl.fd)
        if not self.status_eof:
            fds.append(self.status_r)
        return fds

    def read_status(self) -> None:
        while not self.status_eof:
            try:
                chunk = os.read(self.status_r, 4096)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.status_eof = True
                self.status_eof_at = time.monotonic()
                return
            self.status_data += chunk[:4096]

    def ended(self) -> bool:
        """The runner and its init are gone (its last messages read, or it
        closed its end of ``ctrl`` itself: then a moment's grace)."""
        if not self.status_eof:
            return False
        grace = self.status_eof_at is not None and time.monotonic() - self.status_eof_at > 0.5
        return self.ctrl.eof or grace

    @property
    def orphaned(self) -> bool:
        """Its end was never reported: the fork server, the only holder of
        the status pipe's other end, closed it without a word (it died,
        killed from outside, and took its runners with it). Nothing the
        code did: the case is run again under a new fork server."""
        return self.status_eof and not self.status_data

    def report(self) -> tuple[int | None, float | None]:
        """(exit code, CPU seconds) as the fork server saw them; the code
        is None for a runner that stopped itself (the end of a growth
        sample) and was killed then."""
        try:
            data = json.loads(self.status_data)
            cpu = None if data.get("cpu") is None else float(data["cpu"])
            return (None if data.get("stopped") else int(data["code"])), cpu
        except (ValueError, KeyError, TypeError, AttributeError):
            return -1, None

    def go(self) -> None:
        try:
            os.write(self.cmd_w, b"g")
        except OSError:
            pass

    def kill(self, *, close: bool = True) -> None:
        """Kill the runner (its process group, and itself should it have
        left the group) without waiting: the run's end collects it."""
        try:
            pid = self.pid
        except _NoRunner:
            return
        if not self.closed:
            self.read_status()
        if self.status_eof or self.closed:
            # Its parent has collected it (or is gone, and it with it): the
            # pid may already be another process's.
            if close:
                self.close()
            return
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if close:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for fd in (self.ctrl.fd, self.cmd_w, self.out_r, self.status_r):
            try:
                os.close(fd)
            except OSError:
                pass


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
    if code is None or code < 0:
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


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _clean_result(msg: dict[str, Any], case: dict[str, Any], *, hidden: bool
                  ) -> dict[str, Any] | None:
    """A runner's result for ``case`` reduced to the fields the harness reads,
    each of the right type; None when it is not a well-formed result. For a
    hidden case nothing but what decides its verdict is kept."""
    status = msg.get("status")
    if status not in _RESULT_STATUSES.get(case.get("kind", "io"), set()):
        return None
    if status == "returned":
        if "got" not in msg:
            return None
        out: dict[str, Any] = {"status": status, "got": msg["got"]}
        if not hidden and isinstance(msg.get("ms"), (int, float)):
            out["ms"] = float(msg["ms"])
        return out
    if status == "ran":
        log = msg.get("log")
        if not isinstance(log, list) or not all(isinstance(e, dict) for e in log):
            return None
        entries = []
        for e in log:
            entry: dict[str, Any] = {"call": e.get("call")}
            if "error" in e:
                err = e["error"] if isinstance(e["error"], dict) else {}
                entry["error"] = {"exc_type": "Exception", "message": ""} if hidden else {
                    "exc_type": _text(err.get("exc_type"), 200) or "Exception",
                    "message": _text(err.get("message"), 2000),
                    "line": err.get("line") if isinstance(err.get("line"), int) else None}
            elif "got" in e:
                entry["got"] = e["got"]
            else:
                return None
            entries.append(entry)
        out = {"status": status, "log": entries}
        if not hidden and isinstance(msg.get("stopped"), str):
            out["stopped"] = msg["stopped"][:200]
        return out
    if hidden:
        return {"status": status}
    return {"status": status, "exc_type": _text(msg.get("exc_type"), 200),
            "message": _text(msg.get("message"), 2000),
            "traceback": _text(msg.get("traceback"), 8000),
            "line": msg.get("line") if isinstance(msg.get("line"), int) else None}


def _clean_load_error(msg: dict[str, Any]) -> dict[str, Any]:
    return {"exc_type": _text(msg.get("exc_type"), 200) or "Exception",
            "message": _text(msg.get("message"), 2000),
            "traceback": _text(msg.get("traceback"), 8000),
            "line": msg.get("line") if isinstance(msg.get("line"), int) else None}


class _Run:
    """One payload under way: its runners, its results."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.limits = payload["limits"]
        self.started = time.monotonic()
        self.deadline = self.started + self.limits["run_timeout_ms"] / 1000
        self.results: dict[int, dict[str, Any]] = {}
        self.load_error: dict[str, Any] | None = None
        self.runner_error: str | None = None
        self.perf: dict[str, Any] | None = None
        self.restarts = 0
        self.server_replacements = 0
        self.workdirs: list[str] = []
        self.spares: list[_Spawned] = []
        iso = dict(payload.get("isolation") or {})
        iso["allow_network"] = self.limits.get("allow_network", False)
        self.iso = iso
        self.server = _fork_server(iso, forked=not payload.get("use_fork_server", True))
        # The last run's spare runners, if they were made for the same
        # settings by the same fork server: they hold nothing yet.
        setup = {k: payload[k] for k in _SETUP_KEYS if k in payload}
        for spare in _SPARES:
            if spare.setup == setup and self.server is not None and spare.server_pid == self.server.pid:
                self.spares.append(spare)
            else:
                spare.kill()
        _SPARES.clear()

    def spawn(self, mode: str, *, private_workdir: bool = False, **body: Any) -> _Spawned:
        """A runner for this body. Only one runner of the candidate's code is
        alive at a time (the last one is retired first), so that none can
        pass another what it holds; the next one's process is made (with
        its namespaces, mounts and limits, but nothing to run yet) while
        this one works, to save the time on the next."""
        full = {k: self.payload.get(k) for k in _BODY_KEYS}
        full.update(mode=mode, **body)
        workdir = None
        if private_workdir and not self.iso.get("namespaces"):
            # Without a mount namespace, a folder of its own (Landlock keeps
            # its writes there), removed at the end of the run.
            import tempfile

            workdir = tempfile.mkdtemp(prefix="mil-case-")
            os.chmod(workdir, 0o777)
            self.workdirs.append(workdir)
        child = self.spares.pop(0) if workdir is None and self.spares else None
        if child is not None:
            try:
                child.pid  # noqa: B018 - the fork server's answer, read now
            except _NoRunner:
                child = None
        if child is None:
            child = self._new_runner(workdir)
        child.send_body(full)
        while self.iso.get("namespaces") and len(self.spares) < _SPARE_COUNT:
            try:
                self.spares.append(self._new_runner(None, wait=False))
            except _NoRunner:
                break
        return child

    def _new_runner(self, workdir: str | None, *, wait: bool = True) -> _Spawned:
        if self.server is None:
            raise _NoRunner("the sandbox could not start a runner")
        child = _Spawned(self.server, self.payload, workdir)
        if not wait:
            return child
        try:
            child.pid  # noqa: B018 - the fork server's answer
            return child
        except _NoRunner:
            # The fork server died (killed, say): another, once.
            self.server = _fork_server(self.iso, forked=not self.payload.get("use_fork_server", True))
            if self.server is None:
                raise
            child = _Spawned(self.server, self.payload, workdir)
            child.pid  # noqa: B018
            return child

    def replace_server(self) -> bool:
        """After a runner ended orphaned (its fork server died under it):
        a new fork server, the old one's spare runners dropped. False when
        none starts, or once this run has replaced it _SERVER_REPLACEMENTS
        times (code that could kill it gets no endless reruns)."""
        if self.server_replacements >= _SERVER_REPLACEMENTS:
            return False
        self.server_replacements += 1
        for spare in self.spares:
            spare.kill()
        self.spares.clear()
        self.server = _fork_server(self.iso, forked=not self.payload.get("use_fork_server", True),
                                   fresh=True)
        return self.server is not None

    def retire(self, child: _Spawned) -> None:
        """Kill a runner before the next one is given anything. Its
        teardown is not waited for: after SIGKILL no code of its own runs
        again; the run's end collects it."""
        child.kill()

    def wait(self, fds: list[int], until: float) -> list[int]:
        try:
            ready, _, _ = select.select(fds, [], [], max(0.0, min(until - time.monotonic(), 0.5)))
        except (InterruptedError, ValueError, OSError):
            return []
        return ready

    def finish(self) -> None:
        # Kept for the next run: they have run nothing and hold nothing.
        _SPARES[:] = self.spares
        self.spares = []
        if self.server is not None:
            # Runners killed in the middle of their work (a timeout) are
            # waited for, so that nothing of the run outlives it; the others
            # ended on their own or are ending, and are collected later.
            stopped = any(r.get("status") == "timeout" for r in self.results.values()) or \
                (self.perf is not None and self.perf.get("error") == STOPPED_SLOW)
            spares = []
            for spare in _SPARES:
                try:
                    spares.append(spare.pid)
                except _NoRunner:
                    pass
            self.server.reap(timeout=2.0 if stopped else 0.0, keep=spares)
        if self.workdirs:
            import shutil

            for folder in self.workdirs:
                shutil.rmtree(folder, ignore_errors=True)


class _VisibleCases:
    """The visible cases from ``first`` on, in one runner, followed until it
    is done with. The protocol is strict: the runner may say ``load_error``
    first, then for each case in turn ``start`` and, after the supervisor's
    "go", ``done`` for that very case, then ``end``. Anything else stops the
    runner: the case it was on gets an error, and the phase goes on from
    the next case in another runner (``pos``) unless ``stop_phase`` says
    there is no point."""

    def __init__(self, run: _Run, cases: list[dict[str, Any]], first: int) -> None:
        self.run = run
        self.cases = cases
        self.first = first
        #: the next case to finish
        self.pos = first
        #: no more runners for this phase: the code did not load, every case
        #: ran, the runner broke the machinery itself, or the run's time is up
        self.stop_phase = False
        # The case under way (after its "start"), its own deadline and what
        # it printed since its "go".
        self.current: dict[str, Any] | None = None
        self.case_deadline = math.inf
        self.output: _Output | None = None
        self.child = run.spawn("visible", cases=cases, start=first)

    def follow(self) -> None:
        while not self._step():
            pass

    def _step(self) -> bool:
        """Wait for the runner, read what it says; True once this runner is
        done with (it ended, broke the protocol, or ran out of time)."""
        child = self.child
        until = min(self.run.deadline, self.case_deadline)
        ready = self.run.wait(child.fds(), until)
        if child.out_r in ready:
            _drain(child.out_r, self.output)
        msgs = child.ctrl.feed() if child.ctrl.fd in ready else []
        if child.status_r in ready:
            child.read_status()
        violation, failure = self._read(msgs, violation=child.ctrl.garbled)
        if self.stop_phase:
            return True
        if violation:
            self._broken(failure)
            return True
        if child.ended():
            self._ended()
            return True
        if time.monotonic() >= until:
            self._out_of_time()
            return True
        return False

    def _read(self, msgs: list[dict[str, Any]], *, violation: bool) -> tuple[bool, str | None]:
        """The runner's messages in order, up to the first one out of turn
        (or the first at all on a garbled stream: nothing after it can be
        trusted). Returns (a violation, the runner's own failure text)."""
        failure: str | None = None
        for msg in msgs:
            kind = msg.get("type")
            if self.current is None:
                accepted = self._between_cases(msg, kind)
            elif kind == "done" and msg.get("index") == self.current["index"]:
                accepted = self._done(msg, self.current)
            else:
                accepted = False
            violation = violation or not accepted
            if violation and kind == "runner_error":
                # The runner's machinery failed (or the code says so;
                # either way its own text, about visible work only).
                failure = f"the test runner failed: {_text(msg.get('message'), 2000)}"
                self.run.runner_error = self.run.runner_error or failure
            if violation or self.stop_phase:
                break
        return violation, failure

    def _between_cases(self, msg: dict[str, Any], kind: Any) -> bool:
        """A message while no case is under way: the next case's ``start``,
        a ``load_error`` before the first, or ``end`` after the last."""
        pos, cases = self.pos, self.cases
        if pos < len(cases) and kind == "start" and msg.get("index") == cases[pos]["index"]:
            # Whatever is in the output pipe now was printed
            # before this case (module level, stray threads).
            _drain(self.child.out_r, None)
            self.current = cases[pos]
            self.child.go()
            self.case_deadline = time.monotonic() + self.current["timeout_ms"] / 1000
            limits = self.run.limits
            self.output = _Output(limits["max_output_lines"], limits["max_output_bytes"])
        elif kind == "load_error" and pos == self.first:
            self.run.load_error = _clean_load_error(msg)
            self.stop_phase = True
        elif kind == "end" and pos == len(cases):
            self.stop_phase = True
        else:
            return False
        return True

    def _done(self, msg: dict[str, Any], case: dict[str, Any]) -> bool:
        """The current case's ``done``: its result, if well formed, with
        what it printed."""
        # Output written before the message is already in the pipe.
        _drain(self.child.out_r, self.output)
        result = _clean_result(msg, case, hidden=False)
        if result is None:
            return False
        if self.output is not None:
            result.update(self.output.as_dict())
        self.run.results[case["index"]] = result
        self.pos += 1
        self.current, self.case_deadline, self.output = None, math.inf, None
        return True

    def _give_up_case(self, index: int, entry: dict[str, Any]) -> None:
        """The case the runner was on stands as ``entry`` (with what it
        printed); the next runner starts from the case after it."""
        if self.output is not None:
            entry.update(self.output.as_dict())
        self.run.results[index] = entry
        self.pos += 1
        self.run.restarts += 1

    def _broken(self, failure: str | None) -> None:
        """The runner broke the protocol (or said its machinery failed)."""
        if self.pos < len(self.cases):
            index = self.current["index"] if self.current is not None else self.cases[self.pos]["index"]
            self._give_up_case(index, {"status": "error", "message": failure or CONTROL_CHANNEL,
                                       "exc_type": "", "traceback": "", "line": None})

    def _ended(self) -> None:
        """The runner ended without saying it was done."""
        if self.child.orphaned and self.run.replace_server():
            # Its fork server died under it: the phase goes on from the
            # same case, in a runner of the new one.
            self.current, self.case_deadline, self.output = None, math.inf, None
            return
        code, _ = self.child.report()
        if self.current is not None:
            status, message = _exit_reason(code)
            _drain(self.child.out_r, self.output)
            self._give_up_case(self.current["index"], {"status": status, "message": message})
        elif self.pos == self.first:
            # A runner that ends before saying anything has broken
            # the machinery itself (it rebound json, say):
            # starting another would only do the same again.
            self.stop_phase = True

    def _out_of_time(self) -> None:
        """The case's time or the run's is up."""
        if self.current is not None and time.monotonic() >= self.case_deadline:
            _drain(self.child.out_r, self.output)
            self._give_up_case(self.current["index"],
                               {"status": "timeout", "message": "the time limit was exceeded"})
        else:
            self.stop_phase = True  # the run's own time is up


def _visible_phase(run: _Run) -> None:
    """The visible cases, in order, in one runner (another from the next
    case after a crash, a timeout or a broken protocol; see _VisibleCases
    for what a runner may say)."""
    cases = run.payload["visible"]
    pos = 0
    while pos < len(cases) and time.monotonic() < run.deadline:
        part = _VisibleCases(run, cases, pos)
        try:
            part.follow()
        finally:
            run.retire(part.child)
        if part.stop_phase:
            return
        pos = part.pos


class _HiddenCase:
    """One hidden case in a runner of its own, given only that case. From it
    the supervisor takes one well-formed result for that case, and keeps only
    what decides the verdict; its output, its errors' text and anything else
    it writes are dropped."""

    def __init__(self, run: _Run, case: dict[str, Any]) -> None:
        self.run = run
        self.case = case
        self.result: dict[str, Any] | None = None
        #: its runner ended orphaned (see _Spawned.orphaned)
        self.lost = False
        #: load → running (said "start")
        self.state = "load"
        self.child = run.spawn("hidden", cases=[case], start=0, private_workdir=True)
        # Loading the code may take its time, but not the whole run's.
        self.deadline = min(run.deadline, time.monotonic() + case["timeout_ms"] / 1000 + 5.0)

    def step(self, ready: list[int]) -> None:
        child = self.child
        if child.out_r in ready:
            _drain(child.out_r, None)
        msgs = child.ctrl.feed() if child.ctrl.fd in ready else []
        if child.status_r in ready:
            child.read_status()
        index = self.case["index"]
        for msg in msgs:
            kind = msg.get("type")
            if self.state == "load" and kind == "start" and msg.get("index") == index:
                # It runs the case at once (no "go" for a hidden case).
                self.state = "running"
                self.deadline = min(self.run.deadline,
                                    time.monotonic() + self.case["timeout_ms"] / 1000)
            elif self.state == "running" and kind == "done" and msg.get("index") == index:
                self.result = _clean_result(msg, self.case, hidden=True) or {"status": "error"}
                return
            else:
                self.result = {"status": "error"}
                return
        if child.ctrl.garbled:
            self.result = {"status": "error"}
        elif child.ended():
            code, _ = child.report()
            self.lost = child.orphaned
            self.result = {"status": _exit_reason(code)[0] if self.state == "running" else "error"}
        elif time.monotonic() >= self.deadline:
            self.result = {"status": "timeout"}


def _hidden_phase(run: _Run, cases: list[dict[str, Any]]) -> None:
    """The hidden cases one at a time, each in a runner of its own (the next
    one's process is made ready meanwhile, see _Run.spawn). Cases the run's
    time does not reach are left out: they did not run."""
    for case in cases:
        result: dict[str, Any] | None = None
        while result is None:
            if time.monotonic() >= run.deadline:
                return
            job = _HiddenCase(run, case)
            try:
                while job.result is None:
                    job.step(run.wait(job.child.fds(), job.deadline))
            finally:
                run.retire(job.child)
            # A case whose fork server died under it runs again under a new one.
            result = None if job.lost and run.replace_server() else job.result
        run.results[case["index"]] = result


def _perf_phase(run: _Run) -> None:
    """Time the function at growing n, each size in a runner of its own,
    measured from outside (see ``_perf_call``). The number of calls per
    sample is set here, from the last size's time."""
    spec = run.payload["perf"]
    budget = spec["budget_ms"] / 1000
    perf: dict[str, Any] = {"samples": [], "error": None}
    run.perf = perf
    per_call: float | None = None
    last_n = 0
    for n in spec["sizes"]:
        if per_call is None:
            reps = 1
        else:
            predicted = per_call * n / max(last_n, 1)
            reps = max(1, min(50, math.ceil(0.02 / max(predicted, 1e-7))))
        seconds, error = _perf_sample(run, n, reps)
        if error is None and seconds is not None and per_call is None and seconds < 0.01:
            # One short call is mostly noise: the first size again, repeated.
            reps = max(1, min(50, math.ceil(0.02 / max(seconds, 1e-7))))
            seconds, error = _perf_sample(run, n, reps)
        if error is not None or seconds is None:
            perf["error"] = error or "the measurement failed"
            return
        perf["samples"].append([n, seconds])
        per_call, last_n = seconds, n
        if seconds > budget:
            return


def _perf_sample(run: _Run, n: int, reps: int) -> tuple[float | None, str | None]:
    """(seconds per call, error) for one size, measured again under a new
    fork server if the last one died under the runner."""
    while True:
        seconds, error = _perf_sample_once(run, n, reps)
        if error != _SERVER_LOST or not run.replace_server():
            return seconds, error


def _perf_sample_once(run: _Run, n: int, reps: int) -> tuple[float | None, str | None]:
    """(seconds per call, error) for one size."""
    spec = run.payload["perf"]
    step = max(2.0, spec["budget_ms"] / 100)
    child = run.spawn("perf", generators=run.payload.get("generators") or "",
                      perf={"generator": spec["generator"], "n": n, "reps": reps})
    deadline = min(run.deadline, time.monotonic() + step)
    cpu_at_go: float | None = None
    error: str | None = None
    try:
        while True:
            ready = run.wait(child.fds(), deadline)
            if child.out_r in ready:
                _drain(child.out_r, None)
            msgs = child.ctrl.feed() if child.ctrl.fd in ready else []
            if child.status_r in ready:
                child.read_status()
            for msg in msgs:
                kind = msg.get("type")
                if cpu_at_go is None and kind == "ready":
                    # Read from outside, as the runner waits for "go".
                    cpu_at_go = _process_cpu_seconds(child.pid)
                    if cpu_at_go is None:
                        return None, "the runner's CPU clock could not be read"
                    child.go()
                    deadline = min(run.deadline, time.monotonic() + step + reps * spec["budget_ms"] / 1000)
                elif kind == "load_error":
                    return None, "the code did not load"
                elif kind in ("perf_error", "runner_error") and error is None:
                    error = _text(msg.get("message"), 500) or "the measurement failed"
                # Nothing else a runner says here is read: no number of its own.
            if child.ended():
                code, cpu = child.report()
                if child.orphaned:
                    return None, _SERVER_LOST
                if error is not None:
                    return None, error
                if cpu_at_go is None:
                    return None, "the measurement did not start"
                if code is not None or cpu is None:
                    return None, _exit_reason(code)[1]
                return max(cpu - cpu_at_go, 0.0) / reps, None
            if time.monotonic() >= deadline:
                if cpu_at_go is None:
                    return None, "the measurement did not start in time"
                return None, STOPPED_SLOW
    finally:
        run.retire(child)


def supervise_batch(payloads_json: str) -> str:
    """Run several payloads one after the other in one kernel request (the
    harness's ``run_many``); the hidden cases of run i are asked for with
    the key i."""
    payloads = json.loads(payloads_json)
    return "[" + ",".join(_supervise(p, str(i)) for i, p in enumerate(payloads)) + "]"


def supervise(payload_json: str) -> str:
    """Run one payload; return the results as JSON. Called in the kernel."""
    return _supervise(json.loads(payload_json), "0")


def _supervise(payload: dict[str, Any], key: str) -> str:
    """Visible cases, then the growth measurement, then each hidden case in
    a runner of its own. Runners are forked by the fork server, never from
    this process, so none inherits the hidden cases this process holds."""
    run = _Run(payload)
    hidden_blob: bytes | None = None
    _reap_orphans()
    try:
        if run.server is None:
            raise _NoRunner("the sandbox could not start a runner")
        if payload.get("hidden_count"):
            # Asked for now: the round trip to the harness overlaps the
            # visible cases. Only this process ever holds them.
            hidden_blob = _fetch_hidden(key)
        _visible_phase(run)
        finished_visible = all(c["index"] in run.results for c in payload["visible"])
        if payload.get("perf") and run.load_error is None \
                and finished_visible and time.monotonic() < run.deadline:
            _perf_phase(run)
        if hidden_blob and run.load_error is None and time.monotonic() < run.deadline:
            _hidden_phase(run, json.loads(hidden_blob))
    except _NoRunner as exc:
        run.runner_error = str(exc)
    finally:
        # Nothing of the hidden cases stays referenced in the kernel after the run.
        hidden_blob = None
        run.finish()
        _reap_orphans()
    return json.dumps({
        "results": {str(k): v for k, v in run.results.items()},
        "load_error": run.load_error,
        "perf": run.perf,
        "restarts": run.restarts,
        "seconds": time.monotonic() - run.started,
        "run_timed_out": time.monotonic() >= run.deadline,
        "runner_error": run.runner_error,
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
    global _HIDDEN_HELD
    _HIDDEN_HELD = True
    return input(HIDDEN_PROMPT + key).encode()


#: Imported once in the kernel so that the candidate's code finds them even
#: when the runner has dropped to an unprivileged user who cannot read the
#: Python installation (a root-owned pyenv under /root), and so that no run
#: pays for importing them.
PRELOADED_MODULES = (
    "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "contextlib", "contextvars", "copy", "csv", "dataclasses", "datetime",
    "decimal", "difflib", "encodings.idna", "enum", "fnmatch", "fractions", "functools", "glob",
    "graphlib", "hashlib", "heapq", "io", "ipaddress", "itertools", "json",
    "math", "numbers", "operator", "pprint", "queue", "random", "re", "secrets", "shlex",
    "statistics", "string", "struct", "sys", "textwrap", "time", "traceback", "types", "typing",
    "unicodedata", "warnings", "weakref", "zlib",
)


def bootstrap(allow_network: bool = False) -> str:
    """Called once when the sandbox kernel starts: preload the modules a
    solution may import, start the fork server and report what isolation
    the host allows."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _preload()
    found = probe_isolation()
    server = _fork_server({**found, "allow_network": allow_network})
    found["fork_server_pid"] = server.pid if server is not None else None
    found["fork_server_init_pid"] = server.init_pid if server is not None else None
    # What the runners actually get is what the fork server made.
    ns = server.ns if server is not None else {}
    fs = server.fs if server is not None else {}
    found["namespaces"] = found["mount_namespace"] = bool(found["namespaces"] and ns.get("mnt"))
    found["pid_namespace"] = bool(found["pid_namespace"] and ns.get("pid"))
    found["own_proc"] = bool(found["own_proc"] and fs.get("own_proc"))
    found["readonly_root"] = bool(found["readonly_root"] and fs.get("readonly_root"))
    found["private_tmp"] = bool(found["private_tmp"] and found["namespaces"])
    found["network_namespace"] = bool(found["network_namespace"] and ns.get("net"))
    found["allow_network"] = allow_network
    found["missing"] = _missing(found)
    if server is None:
        found["missing"].insert(0, "the fork server could not start: no run can")
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
