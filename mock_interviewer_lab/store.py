"""The session store: an append-only log of records per interview session.

One SQLite file (``app.session_db``) holds every session. A session is a row
in ``sessions`` and an ordered log in ``records``: each event and action gets
the next ``seq`` (0, 1, 2 …) of its session. Nothing in the log is ever
updated; a session is resumed or replayed by reading its records back.

Durability contract: :meth:`SessionStore.append` returns only after the row
is committed, so a caller that appends an event before acting on it never
acts on something the log does not hold.

Concurrency:

* Threads: a store holds ONE connection (``check_same_thread=False``) and a
  lock around every use of it, so any number of threads may share one
  :class:`SessionStore`. Calls are serialised; each one is short.
* Processes: the file is in WAL mode, every write transaction starts with
  ``BEGIN IMMEDIATE`` (takes the write lock before reading the next ``seq``)
  and the connection waits up to ``busy_timeout_s`` for a lock, so several
  processes can append to the same file without losing or duplicating a
  ``seq``; readers never block the writer.

Every failure of the file itself (not SQLite, corrupt, unwritable folder,
written by a newer version) is a :class:`StoreError` naming the file.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from mock_interviewer_lab.events import (
    ACTION_TYPES,
    EVENT_TYPES,
    Action,
    Event,
    Record,
    record_from_dict,
)

if TYPE_CHECKING:
    from mock_interviewer_lab.settings import Settings

SessionStatus = Literal["open", "ended", "aborted"]
STATUSES: frozenset[str] = frozenset(("open", "ended", "aborted"))

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

#: The schema this code writes. A file with a higher version is refused.
SCHEMA_VERSION = 3

#: Who a session is recorded for when no server says (a laptop, a terminal,
#: a kernel running the interview itself).
LOCAL_USER = "local"

#: What :meth:`SessionStore.export` writes and :meth:`SessionStore.import_session` reads.
EXPORT_FORMAT = "mock-interviewer-session"
EXPORT_VERSION = 1

MEMORY = ":memory:"
_URL_PREFIX = "sqlite://"


class StoreError(Exception):
    """The store cannot do what was asked; the message says why (and names the file)."""


class UnknownSession(StoreError):
    """No session has this id or an id starting with it."""


class AmbiguousSession(StoreError):
    """More than one session id starts with the prefix given."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class InvalidRecord(StoreError, ValueError):
    """A record (or exported session) that the log cannot hold as it is."""


@dataclass(frozen=True)
class SessionInfo:
    id: str
    problem: str
    #: Wall-clock creation time, ISO 8601 in UTC.
    created_at: str
    status: SessionStatus
    meta: dict[str, Any]
    #: The largest ``t`` appended so far; None for an empty session.
    last_t: float | None
    record_count: int
    #: The kind of interview (``interview/kinds/``): "coding" for every
    #: session stored before sessions named theirs.
    kind: str = "coding"
    #: Who took the interview: the Jupyter (JupyterHub) user the server
    #: named, or ``LOCAL_USER``; "" for a session stored before schema 3.
    user: str = ""
    #: The problem's pack and that pack's version when the session started
    #: (``pack_version`` "": not known, a session stored before schema 3).
    pack: str = ""
    pack_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ----------------------------------------------------------------- schema

def _migrate_to_1(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE sessions (
            id           TEXT PRIMARY KEY,
            problem      TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('open', 'ended', 'aborted')),
            meta         TEXT NOT NULL,
            last_t       REAL,
            record_count INTEGER NOT NULL DEFAULT 0
        )""")
    conn.execute("CREATE INDEX sessions_by_created ON sessions (created_at)")
    conn.execute("""
        CREATE TABLE records (
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            seq        INTEGER NOT NULL,
            kind       TEXT NOT NULL CHECK (kind IN ('event', 'action')),
            type       TEXT NOT NULL,
            t          REAL NOT NULL,
            cause      INTEGER,
            data       TEXT NOT NULL,
            PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID""")


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """Sessions name their kind of interview; the older ones were coding."""
    conn.execute("ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'coding'")


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """Sessions name who took them and their pack's version. The older ones
    name no user (''), and their pack comes from the problem's qualified id."""
    conn.execute("ALTER TABLE sessions ADD COLUMN user TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sessions ADD COLUMN pack TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sessions ADD COLUMN pack_version TEXT NOT NULL DEFAULT ''")
    conn.execute("UPDATE sessions SET pack = substr(problem, 1, instr(problem, ':') - 1) "
                 "WHERE instr(problem, ':') > 0")
    conn.execute("CREATE INDEX sessions_by_user_problem ON sessions (user, problem)")


#: Migration hook: ``MIGRATIONS[n]`` turns a version n-1 file into version n.
#: Each runs inside the opening transaction, so a failed one changes nothing.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1,
                                                               2: _migrate_to_2,
                                                               3: _migrate_to_3}

#: A session's columns as SessionInfo reads them, each with what an older
#: file opened read-only (not migrated) reads in its place.
_SESSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", ""), ("problem", ""), ("created_at", ""), ("status", ""), ("meta", ""),
    ("last_t", ""), ("record_count", ""), ("kind", "'coding'"), ("user", "''"),
    ("pack", "''"), ("pack_version", "''"))


def _session_columns(present: set[str]) -> str:
    return ", ".join(name if name in present else default
                     for name, default in _SESSION_COLUMNS)

_OWN_TABLES = frozenset(("schema_version", "sessions", "records"))


# ------------------------------------------------------------------ paths

def resolve_db_path(path: str | Path) -> str:
    """A filesystem path (``~`` expanded) or ``:memory:`` for ``path``, which
    may be a path, ``sqlite:///relative.db``, ``sqlite:////abs.db``,
    ``sqlite:///~/in/home.db`` or ``:memory:``."""
    text = str(path)
    if text.startswith(_URL_PREFIX):
        rest = text[len(_URL_PREFIX):]
        if rest in ("", "/", "/" + MEMORY):
            return MEMORY
        if not rest.startswith("/"):
            raise StoreError(f"{text}: a sqlite URL needs three slashes (sqlite:///path)")
        text = rest[1:]
    if text == MEMORY:
        return MEMORY
    if not text:
        raise StoreError("no session database path given")
    return str(Path(text).expanduser())


def _make_private(path: str) -> None:
    """The database file 0600 before SQLite opens it: SQLite gives its -wal
    and -shm files the database's mode. A file an older version left readable
    by others is tightened (when it is ours to change)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        return  # unreadable or read-only: opening it says why
    for name in (path, path + "-wal", path + "-shm"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except OSError:  # absent, or not ours
            pass


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_session_id(created: datetime) -> str:
    """Minute of creation (UTC) plus 16 random bits: sorts by time, reads well."""
    return f"{created:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def _to_json(value: Any, what: str) -> str:
    # allow_nan=False: the export must be JSON a browser can parse.
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"{what} is not JSON: {exc}") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ------------------------------------------------------------------ store

class SessionStore:
    """Sessions and their append-only record logs in one SQLite file.

    ``synchronous``: NORMAL (the default) with WAL fsyncs only at checkpoints.
    A commit has still been written to the WAL file through the OS before it
    returns, so a crash of this process (even SIGKILL) loses nothing that was
    acknowledged; only an OS crash or power cut can lose the last commits
    (never corrupt the file). FULL fsyncs the WAL at every commit for that case.
    """

    def __init__(self, path: str | Path, *, synchronous: Synchronous = "NORMAL",
                 busy_timeout_s: float = 10.0,
                 wall_clock: Callable[[], datetime] = _utc_now,
                 read_only: bool = False) -> None:
        self.path = resolve_db_path(path)
        #: Opened for reading only: nothing is created (no folder, no file,
        #: no table), a missing file is a StoreError, every write fails.
        self.read_only = read_only and self.path != MEMORY
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        self._wall_clock = wall_clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._conn = self._open(synchronous, busy_timeout_s)
        with self._reading() as conn:
            present = {str(row[1]) for row in conn.execute("PRAGMA table_info(sessions)")}
        self._session_columns = _session_columns(present)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> SessionStore:
        """The store at ``app.session_db``."""
        return cls(settings.app.session_db, **options)

    # -------------------------------------------------------------- opening

    def _open(self, synchronous: str, busy_timeout_s: float) -> sqlite3.Connection:
        if self.read_only:
            return self._open_read_only(busy_timeout_s)
        if self.path != MEMORY:
            parent = Path(self.path).parent
            try:
                # Transcripts are the user's alone: a folder made here is
                # 0700 (its parents keep the usual mode).
                parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the folder {parent}: "
                                 f"{exc.strerror or exc}") from None
            if Path(self.path).is_dir():
                raise StoreError(f"{self.path}: is a folder, not a session database")
            _make_private(self.path)
        try:
            # isolation_level=None: we write BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the session database: {exc}") from None
        try:
            self._configure(conn, synchronous)
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self, busy_timeout_s: float) -> sqlite3.Connection:
        file = Path(self.path)
        if not file.exists():
            raise StoreError(f"{self.path}: no session database there (nothing has been "
                             "stored yet, or another app.session_db / --db was meant)")
        if file.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a session database")
        try:
            conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the session database: {exc}") from None
        try:
            with self._translate_errors("cannot open the session database"):
                tables = {row[0] for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if "schema_version" not in tables:
                    raise StoreError(f"{self.path}: not a session store (no sessions in it)")
                version = int(conn.execute(
                    "SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
            # An older file reads as it is (what it lacks has its default).
            if not 1 <= version <= SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {version}; this version reads "
                                 f"{SCHEMA_VERSION} (a command that writes upgrades an older "
                                 "file; a newer one needs a newer Mock Interviewer Lab)")
        except BaseException:
            conn.close()
            raise
        return conn

    def _configure(self, conn: sqlite3.Connection, synchronous: str) -> None:
        with self._translate_errors("cannot open the session database"):
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if self.path != MEMORY and str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch the database to WAL mode "
                                 f"(it stays in {mode!r} mode)")
            conn.execute(f"PRAGMA synchronous = {synchronous}")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the file to SCHEMA_VERSION, all in one transaction."""
        with self._translate_errors("cannot open the session database"), _transaction(conn):
            version = self._schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer Mock Interviewer Lab (schema version "
                    f"{version}; this one knows up to {SCHEMA_VERSION}); upgrade to open it")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
            if version < SCHEMA_VERSION:
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)",
                             (SCHEMA_VERSION,))

    def _schema_version(self, conn: sqlite3.Connection) -> int:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if "schema_version" not in tables:
            if tables:
                raise StoreError(f"{self.path}: an SQLite database, but not a session store "
                                 f"(it has the tables {', '.join(sorted(tables))})")
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            return 0
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _translate_errors(self, doing: str) -> Iterator[None]:
        """sqlite3 errors become a StoreError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {doing}: {exc}") from None

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._translate_errors("cannot read the session database"):
            yield self._connection()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed when the block ends, rolled back
        if it raises. BEGIN IMMEDIATE takes the file's write lock up front."""
        with self._lock, self._translate_errors("cannot write the session database"):
            conn = self._connection()
            with _transaction(conn):
                yield conn

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: the session store is closed")
        return self._conn

    def _resolve(self, conn: sqlite3.Connection, session_id: str) -> str:
        """The full id for an id or a unique prefix of one."""
        if not session_id:
            raise UnknownSession("no session id given")
        if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
            return session_id
        matches = [row[0] for row in conn.execute(
            "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 11",
            (_escape_like(session_id) + "%",))]
        if not matches:
            raise UnknownSession(f"no session {session_id!r} in {self.path}")
        if len(matches) > 1:
            shown = ", ".join(matches[:10]) + (", …" if len(matches) > 10 else "")
            raise AmbiguousSession(f"session id {session_id!r} is ambiguous: it starts "
                                   f"{shown}", matches[:10])
        return str(matches[0])

    def _info(self, conn: sqlite3.Connection, session_id: str) -> SessionInfo:
        row = conn.execute(f"SELECT {self._session_columns} FROM sessions WHERE id = ?",
                           (session_id,)).fetchone()
        return self._info_from_row(row)

    def _info_from_row(self, row: Sequence[Any]) -> SessionInfo:
        sid, problem, created_at, status, meta, last_t, count, kind, user, pack, version = row
        return SessionInfo(id=sid, problem=problem, created_at=created_at, status=status,
                           meta=self._load_json(meta, f"session {sid} meta"),
                           last_t=last_t, record_count=count, kind=kind, user=user,
                           pack=pack, pack_version=version)

    def _load_json(self, text: str, what: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise StoreError(f"{self.path}: {what} is damaged: {exc}") from None

    def _fresh_id(self, conn: sqlite3.Connection, created: datetime) -> str:
        for _ in range(64):
            candidate = _new_session_id(created)
            if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (candidate,)).fetchone():
                return candidate
        # 64 collisions in one minute: that minute is crowded; widen the random part.
        return f"{created:%Y%m%d-%H%M}-{secrets.token_hex(6)}"

    # ------------------------------------------------------------ sessions

    def create_session(self, problem: str, meta: dict[str, Any] | None = None, *,
                       kind: str = "coding", user: str = LOCAL_USER,
                       pack_version: str = "") -> SessionInfo:
        """A new open session for ``problem`` (its qualified id), an
        interview of ``kind`` taken by ``user``; its pack is the qualified
        id's, at ``pack_version``."""
        meta_json = _to_json(meta or {}, "session meta")
        created = self._wall_clock().astimezone(UTC)
        pack = problem.split(":", 1)[0] if ":" in problem else ""
        with self._writing() as conn:
            sid = self._fresh_id(conn, created)
            conn.execute(
                "INSERT INTO sessions (id, problem, created_at, status, meta, kind, user, pack, "
                "pack_version) VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?)",
                (sid, problem, created.isoformat(timespec="seconds"), meta_json, kind,
                 user, pack, pack_version))
            return self._info(conn, sid)

    def get(self, session_id: str) -> SessionInfo:
        with self._reading() as conn:
            return self._info(conn, self._resolve(conn, session_id))

    def resolve(self, session_id: str) -> str:
        """The full id of a session given its id or a unique prefix."""
        with self._reading() as conn:
            return self._resolve(conn, session_id)

    def sessions(self, *, limit: int | None = None, problem: str | None = None,
                 status: str | None = None, user: str | None = None) -> list[SessionInfo]:
        """Sessions, newest first. ``problem`` matches the qualified id
        (``core:two_sum``) or the bare id (``two_sum``); ``user``, who took them."""
        where: list[str] = []
        params: list[Any] = []
        if problem is not None:
            where.append("(problem = ? OR substr(problem, instr(problem, ':') + 1) = ?)")
            params += [problem, problem]
        if user is not None:
            where.append("user = ?")
            params.append(user)
        if status is not None:
            _check_status(status)
            where.append("status = ?")
            params.append(status)
        sql = (f"SELECT {self._session_columns} FROM sessions"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY created_at DESC, rowid DESC")
        if limit is not None:
            sql += " LIMIT ?"
            # SQLite's integers stop at 2**63 - 1; any limit past that is "all".
            params.append(min(max(0, int(limit)), 2**63 - 1))
        with self._reading() as conn:
            return [self._info_from_row(row) for row in conn.execute(sql, params)]

    def set_status(self, session_id: str, status: str) -> SessionInfo:
        _check_status(status)
        with self._writing() as conn:
            sid = self._resolve(conn, session_id)
            conn.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, sid))
            return self._info(conn, sid)

    def delete(self, session_id: str) -> None:
        """Remove a session and its whole log."""
        with self._writing() as conn:
            sid = self._resolve(conn, session_id)
            conn.execute("DELETE FROM records WHERE session_id = ?", (sid,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))

    # ------------------------------------------------------------- records

    def append(self, session_id: str, record: Record) -> Record:
        """Append one record; it is committed when this returns. Returns the
        record with its ``seq`` set."""
        return self.append_many(session_id, [record])[0]

    def append_many(self, session_id: str, records: Iterable[Record]) -> list[Record]:
        """Append several records in ONE transaction: all of them or none."""
        batch = list(records)
        with self._writing() as conn:
            sid = self._resolve(conn, session_id)
            return self._insert(conn, sid, batch) if batch else []

    def _insert(self, conn: sqlite3.Connection, sid: str, batch: list[Record]) -> list[Record]:
        row = conn.execute("SELECT MAX(seq) FROM records WHERE session_id = ?", (sid,)).fetchone()
        next_seq = 0 if row[0] is None else int(row[0]) + 1
        stored: list[Record] = []
        for record in batch:
            kind, cause = _kind_and_cause(record)
            conn.execute(
                "INSERT INTO records (session_id, seq, kind, type, t, cause, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, next_seq, kind, record.type, _checked_t(record),
                 cause, _to_json(record.data, f"the data of {record.type} record")))
            stored.append(dataclasses.replace(record, seq=next_seq))
            next_seq += 1
        latest_t = max(float(r.t) for r in batch)
        conn.execute(
            "UPDATE sessions SET record_count = ?, last_t = MAX(COALESCE(last_t, ?), ?) "
            "WHERE id = ?", (next_seq, latest_t, latest_t, sid))
        return stored

    def records(self, session_id: str, *, since: int | None = None) -> list[Record]:
        """The session's records in ``seq`` order; with ``since``, only those
        whose seq is ``>= since`` (pass the number of records you already have)."""
        with self._reading() as conn:
            sid = self._resolve(conn, session_id)
            rows = conn.execute(
                "SELECT seq, kind, type, t, cause, data FROM records "
                "WHERE session_id = ? AND seq >= ? ORDER BY seq", (sid, since or 0)).fetchall()
            return [self._record_from_row(sid, row) for row in rows]

    def _record_from_row(self, sid: str, row: Sequence[Any]) -> Record:
        seq, kind, rtype, t, cause, data = row
        what = f"record {seq} of session {sid}"
        try:
            return record_from_dict({"kind": kind, "type": rtype, "t": t, "seq": seq,
                                     "cause": cause, "data": self._load_json(data, what)})
        except (ValueError, TypeError) as exc:
            raise StoreError(f"{self.path}: {what} cannot be read: {exc}") from None

    # ------------------------------------------------------ export / import

    def export(self, session_id: str) -> dict[str, Any]:
        """The session and its records as plain JSON-ready data."""
        with self._reading() as conn:
            sid = self._resolve(conn, session_id)
            info = self._info(conn, sid)
            rows = conn.execute("SELECT seq, kind, type, t, cause, data FROM records "
                                "WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
            records = [self._record_from_row(sid, row).to_dict() for row in rows]
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                "session": info.to_dict(), "records": records}

    def import_session(self, data: dict[str, Any]) -> SessionInfo:
        """Store an exported session. It keeps its id unless that id is
        taken here, in which case it gets a new one."""
        session, records = _parse_export(data)
        created = _parse_created_at(session["created_at"])
        with self._writing() as conn:
            sid = str(session.get("id") or "")
            taken = conn.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone()
            if not sid or taken:
                sid = self._fresh_id(conn, created)
            conn.execute(
                "INSERT INTO sessions (id, problem, created_at, status, meta, kind, user, pack, "
                "pack_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, session["problem"], session["created_at"], session["status"],
                 _to_json(session.get("meta") or {}, "session meta"),
                 session.get("kind") or "coding", session.get("user") or "",
                 session.get("pack") or (session["problem"].split(":", 1)[0]
                                         if ":" in session["problem"] else ""),
                 session.get("pack_version") or ""))
            if records:
                self._insert(conn, sid, records)
            return self._info(conn, sid)

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SessionStore({self.path!r})"


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back if the block raises or the
    commit fails. IMMEDIATE takes the file's write lock up front, so the
    next seq read inside cannot be taken by another process meanwhile."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # SQLite rolls some failures back by itself (disk full, I/O errors).
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ------------------------------------------------------------ validation

def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(sorted(STATUSES))}, not {status!r}")


def _kind_and_cause(record: Record) -> tuple[str, int | None]:
    if isinstance(record, Event):
        if record.type not in EVENT_TYPES:
            raise InvalidRecord(f"unknown event type {record.type!r}")
        return "event", None
    if isinstance(record, Action):
        if record.type not in ACTION_TYPES:
            raise InvalidRecord(f"unknown action type {record.type!r}")
        return "action", record.cause
    raise InvalidRecord(f"not an Event or Action: {record!r}")


def _checked_t(record: Record) -> float:
    # SQLite stores NaN as NULL; refuse anything that would not read back.
    if isinstance(record.t, bool) or not isinstance(record.t, (int, float)) \
            or not math.isfinite(record.t):
        raise InvalidRecord(f"{record.type} record: t must be a finite number, not {record.t!r}")
    return float(record.t)


def _parse_export(data: Any) -> tuple[dict[str, Any], list[Record]]:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidRecord(f"not an exported session (no \"format\": \"{EXPORT_FORMAT}\")")
    if data.get("version") != EXPORT_VERSION:
        raise InvalidRecord(f"exported session version {data.get('version')!r} is not "
                            f"supported (this version reads {EXPORT_VERSION})")
    session = data.get("session")
    if not isinstance(session, dict):
        raise InvalidRecord("exported session: \"session\" must be an object")
    for key in ("problem", "created_at", "status"):
        if not isinstance(session.get(key), str):
            raise InvalidRecord(f"exported session: session.{key} must be a string")
    if not isinstance(session.get("kind", "coding"), str):  # absent: exported before kinds
        raise InvalidRecord("exported session: session.kind must be a string")
    for key in ("user", "pack", "pack_version"):  # absent: exported before schema 3
        if not isinstance(session.get(key, ""), str):
            raise InvalidRecord(f"exported session: session.{key} must be a string")
    _check_status(session["status"])
    raw = data.get("records")
    if not isinstance(raw, list):
        raise InvalidRecord("exported session: \"records\" must be a list")
    records: list[Record] = []
    for index, item in enumerate(raw):
        try:
            record = record_from_dict(item)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRecord(f"exported session: record {index} is not valid: {exc}") from None
        if record.seq is not None and record.seq != index:
            raise InvalidRecord(f"exported session: record {index} has seq {record.seq}; "
                                "the log must run 0, 1, 2 … without gaps")
        records.append(record)
    return session, records


def _parse_created_at(text: str) -> datetime:
    try:
        created = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRecord(f"exported session: created_at {text!r} is not an ISO time") from None
    return created if created.tzinfo else created.replace(tzinfo=UTC)
