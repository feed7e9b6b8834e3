"""The session store: order, atomicity, ids, export, concurrency and crash durability."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.settings import AppSettings, Settings
from mock_interviewer_lab.store import (
    AmbiguousSession,
    InvalidRecord,
    SessionStore,
    StoreError,
    UnknownSession,
    resolve_db_path,
)

ROOT = Path(__file__).resolve().parents[1]


class SteppingWallClock:
    """Wall time that moves on by ``step`` at each reading."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.current = start
        self.step = step

    def __call__(self) -> datetime:
        now = self.current
        self.current += self.step
        return now


START = datetime(2026, 11, 22, 3, 47, 5, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "sessions.db"


@pytest.fixture
def store(db: Path) -> Iterator[SessionStore]:
    with SessionStore(db, wall_clock=SteppingWallClock(START, timedelta(minutes=1))) as s:
        yield s


def said(i: int) -> Event:
    return Event("candidate_said", float(i), {"text": f"line {i}"})


def run_child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# ------------------------------------------------------------- append / read

def test_append_sets_seq_and_reads_back_in_order(store: SessionStore) -> None:
    info = store.create_session("core:two_sum", {"minutes": 45, "mode": "text"})
    assert info.status == "open" and info.record_count == 0 and info.last_t is None
    first = store.append(info.id, Event("session_started", 0.0, {"problem": "two_sum"}))
    assert first.seq == 0 and isinstance(first, Event)
    action = store.append(info.id, Action("coach_says", 0.5, {"text": "hello", "kind": "intro"},
                                          cause=0))
    assert action.seq == 1 and isinstance(action, Action) and action.cause == 0
    rest = [store.append(info.id, said(i)) for i in range(2, 6)]
    assert [r.seq for r in rest] == [2, 3, 4, 5]

    back = store.records(info.id)
    assert [r.seq for r in back] == list(range(6))
    assert back[0] == first and back[1] == action and back[2:] == rest
    assert store.records(info.id, since=4) == rest[2:]
    assert store.records(info.id, since=6) == []
    got = store.get(info.id)
    assert got.record_count == 6 and got.last_t == 5.0 and got.meta == {"minutes": 45,
                                                                        "mode": "text"}


def test_append_is_committed_before_it_returns(store: SessionStore, db: Path) -> None:
    info = store.create_session("core:two_sum", {})
    store.append(info.id, said(0))
    # Another connection (as another process would) sees the row at once.
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT seq, type, data FROM records").fetchall()
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert rows == [(0, "candidate_said", '{"text":"line 0"}')]


def test_sessions_have_their_own_seq(store: SessionStore) -> None:
    a = store.create_session("core:two_sum", {})
    b = store.create_session("core:valid_parentheses", {})
    assert store.append(a.id, said(0)).seq == 0
    assert store.append(b.id, said(0)).seq == 0
    assert store.append(a.id, said(1)).seq == 1
    assert [r.seq for r in store.records(b.id)] == [0]


def test_append_many_is_all_or_nothing(store: SessionStore) -> None:
    info = store.create_session("core:two_sum", {})
    store.append(info.id, said(0))
    not_json = Event("code_submitted", 3.0, {"code": object()})
    with pytest.raises(InvalidRecord, match="not JSON"):
        store.append_many(info.id, [said(1), said(2), not_json, said(4)])
    bad_t = Event("tick", float("nan"))
    with pytest.raises(InvalidRecord, match="finite"):
        store.append_many(info.id, [said(1), bad_t])
    unknown_type = Event("nonsense", 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match="nonsense"):
        store.append_many(info.id, [said(1), unknown_type])

    assert [r.seq for r in store.records(info.id)] == [0]
    after = store.get(info.id)
    assert after.record_count == 1 and after.last_t == 0.0

    batch = store.append_many(info.id, [said(1), said(2), said(3)])
    assert [r.seq for r in batch] == [1, 2, 3]
    assert store.records(info.id) == [replace(said(0), seq=0), *batch]
    assert store.append_many(info.id, []) == []


# ----------------------------------------------------------------- ids

def test_ids_are_short_sortable_and_prefixes_resolve(store: SessionStore) -> None:
    first = store.create_session("core:two_sum", {})
    second = store.create_session("core:two_sum", {})
    assert first.id.startswith("20261122-0347-") and second.id.startswith("20261122-0348-")
    assert len(first.id) == len("20261122-0347-3fa9") and first.id < second.id
    assert store.get("20261122-0347").id == first.id
    assert store.resolve(first.id) == first.id

    with pytest.raises(AmbiguousSession) as ambiguous:
        store.get("20261122-034")
    assert sorted(ambiguous.value.candidates) == [first.id, second.id]
    assert first.id in str(ambiguous.value) and second.id in str(ambiguous.value)

    for missing in ("19991231", "2026%", "2026112_", ""):
        with pytest.raises(UnknownSession):
            store.records(missing)
    with pytest.raises(UnknownSession, match="19991231"):
        store.append("19991231", said(0))


def test_ids_stay_unique_within_one_minute(db: Path) -> None:
    frozen = SteppingWallClock(START, timedelta(0))
    with SessionStore(db, wall_clock=frozen) as s:
        ids = {s.create_session("core:two_sum", {}).id for _ in range(300)}
    assert len(ids) == 300


# ------------------------------------------------------ status and listing

def test_status_changes_and_is_checked(store: SessionStore) -> None:
    info = store.create_session("core:two_sum", {})
    assert store.set_status(info.id, "ended").status == "ended"
    assert store.get(info.id).status == "ended"
    with pytest.raises(ValueError, match="open"):
        store.set_status(info.id, "paused")
    assert store.get(info.id).status == "ended"


def test_listing_newest_first_with_filters(store: SessionStore) -> None:
    made = [store.create_session(p, {"n": n}) for n, p in enumerate(
        ["core:two_sum", "core:valid_parentheses", "core:two_sum", "extra:two_sum"])]
    store.set_status(made[0].id, "ended")
    store.set_status(made[3].id, "aborted")

    assert [s.id for s in store.sessions()] == [m.id for m in reversed(made)]
    assert [s.id for s in store.sessions(limit=2)] == [made[3].id, made[2].id]
    assert [s.id for s in store.sessions(problem="core:two_sum")] == [made[2].id, made[0].id]
    assert [s.id for s in store.sessions(problem="two_sum")] == [made[3].id, made[2].id,
                                                                 made[0].id]
    assert [s.id for s in store.sessions(status="open")] == [made[2].id, made[1].id]
    assert [s.id for s in store.sessions(problem="two_sum", status="ended")] == [made[0].id]
    assert store.sessions(problem="missing") == []


def test_delete_removes_session_and_records(store: SessionStore) -> None:
    keep = store.create_session("core:two_sum", {})
    gone = store.create_session("core:two_sum", {})
    store.append_many(gone.id, [said(0), said(1)])
    store.append(keep.id, said(0))
    store.delete(gone.id)
    with pytest.raises(UnknownSession):
        store.get(gone.id)
    assert [s.id for s in store.sessions()] == [keep.id]
    assert len(store.records(keep.id)) == 1


# ------------------------------------------------------- export / import

def test_export_import_round_trip(store: SessionStore, tmp_path: Path) -> None:
    info = store.create_session("core:two_sum", {"minutes": 30, "coach": {"helpfulness": "gentle"}})
    store.append(info.id, Event("session_started", 0.0, {"problem": "two_sum", "minutes": 30}))
    store.append(info.id, Action("coach_says", 0.25, {"text": "Hi — ready?", "kind": "intro"},
                                 cause=0))
    store.append(info.id, Event("code_submitted", 61.5, {"code": "def f():\n    return 1\n"}))
    store.set_status(info.id, "ended")
    exported = store.export(info.id)
    wire = json.loads(json.dumps(exported, allow_nan=False))
    assert wire == exported

    with SessionStore(tmp_path / "other.db") as other:
        copy = other.import_session(wire)
        assert copy == store.get(info.id)  # same id: it was free there
        assert other.records(copy.id) == store.records(info.id)
        assert other.export(copy.id) == exported

    again = store.import_session(wire)  # the id is taken here: a new one
    assert again.id != info.id
    assert (again.problem, again.created_at, again.status, again.meta, again.last_t,
            again.record_count) == (info.problem, info.created_at, "ended", info.meta, 61.5, 3)
    assert store.records(again.id) == store.records(info.id)


def test_import_refuses_bad_data(store: SessionStore) -> None:
    info = store.create_session("core:two_sum", {})
    store.append_many(info.id, [said(0), said(1)])
    good = store.export(info.id)
    with pytest.raises(InvalidRecord, match="not an exported session"):
        store.import_session({"records": []})
    gap = json.loads(json.dumps(good))
    gap["records"][1]["seq"] = 5
    with pytest.raises(InvalidRecord, match="without gaps"):
        store.import_session(gap)
    unknown = json.loads(json.dumps(good))
    unknown["records"][0]["type"] = "teleport"
    with pytest.raises(InvalidRecord, match="record 0"):
        store.import_session(unknown)
    assert len(store.sessions()) == 1


# -------------------------------------------------------------- opening

def test_sqlite_url_with_home_and_from_settings(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_db_path("sqlite:///~/practice/s.db") == str(tmp_path / "home/practice/s.db")
    assert resolve_db_path("sqlite:////abs/s.db") == "/abs/s.db"
    assert resolve_db_path("sqlite:///:memory:") == ":memory:"
    settings = Settings(app=AppSettings(session_db="sqlite:///~/interview_practice/sessions.db"))
    with SessionStore.from_settings(settings) as s:
        s.create_session("core:two_sum", {})
    assert (tmp_path / "home" / "interview_practice" / "sessions.db").is_file()


def test_memory_store_works() -> None:
    with SessionStore(":memory:") as s:
        info = s.create_session("core:two_sum", {})
        assert s.append(info.id, said(0)).seq == 0


def test_reopening_keeps_everything(db: Path) -> None:
    with SessionStore(db) as s:
        info = s.create_session("core:two_sum", {"minutes": 45})
        s.append_many(info.id, [said(0), said(1)])
    with SessionStore(db) as s:
        assert s.get(info.id) == replace(info, record_count=2, last_t=1.0)
        assert s.append(info.id, said(2)).seq == 2


def test_closed_store_says_so(db: Path) -> None:
    s = SessionStore(db)
    s.close()
    s.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        s.sessions()


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(StoreError, match=re.escape(str(junk))):
        SessionStore(junk)


def test_damaged_pages_are_a_store_error(db: Path) -> None:
    with SessionStore(db) as s:
        info = s.create_session("core:two_sum", {})
        s.append_many(info.id, [Event("candidate_said", float(i), {"text": "x" * 300})
                                for i in range(200)])
    size = db.stat().st_size
    assert size > 16 * 4096
    with db.open("r+b") as f:  # keep page 1 (header and schema), wreck the rest
        f.seek(4096)
        f.write(b"\xa5" * (size - 4096))
    # Opening or reading fails, either way with the file's name.
    with pytest.raises(StoreError, match=re.escape(str(db))), SessionStore(db) as s:
        s.records(info.id)


def test_damaged_record_data_is_a_store_error(store: SessionStore, db: Path) -> None:
    info = store.create_session("core:two_sum", {})
    store.append(info.id, said(0))
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE records SET data = '{broken'")
    with pytest.raises(StoreError, match="record 0"):
        store.records(info.id)


def test_unusable_places_are_store_errors(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SessionStore(a_file / "sub" / "sessions.db")
    with pytest.raises(StoreError, match="is a folder"):
        SessionStore(tmp_path)
    with pytest.raises(StoreError, match="three slashes"):
        SessionStore("sqlite://relative.db")


def test_newer_schema_and_foreign_databases_are_refused(db: Path, tmp_path: Path) -> None:
    SessionStore(db).close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match=r"newer.*schema version 99") as exc:
        SessionStore(db)
    assert str(db) in str(exc.value)

    foreign = tmp_path / "other_app.db"
    with sqlite3.connect(foreign) as raw:
        raw.execute("CREATE TABLE notes (x)")
    with pytest.raises(StoreError, match="not a session store"):
        SessionStore(foreign)


# ---------------------------------------------------------- concurrency

def test_threads_appending_concurrently(store: SessionStore) -> None:
    info = store.create_session("core:two_sum", {})
    writers, per_writer = 4, 150
    start = threading.Barrier(writers)
    acknowledged: list[list[int]] = [[] for _ in range(writers)]

    def write(w: int) -> None:
        start.wait()
        for i in range(per_writer):
            rec = store.append(info.id, Event("candidate_said", float(i), {"w": w, "i": i}))
            assert rec.seq is not None
            acknowledged[w].append(rec.seq)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    records = store.records(info.id)
    assert [r.seq for r in records] == list(range(writers * per_writer))
    assert sorted(s for acks in acknowledged for s in acks) == list(range(writers * per_writer))
    for w in range(writers):  # each writer's records in its own order, none lost
        assert [r.data["i"] for r in records if r.data["w"] == w] == list(range(per_writer))
    assert store.get(info.id).record_count == writers * per_writer


CHILD_WRITER = """
import sys
from mock_interviewer_lab.events import Event
from mock_interviewer_lab.store import SessionStore
with SessionStore(sys.argv[1]) as store:
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(sys.argv[3])):
        store.append(sys.argv[2], Event("candidate_said", float(i), {"w": "child", "i": i}))
"""


def test_two_processes_on_one_file(db: Path) -> None:
    count = 200
    with SessionStore(db) as store:
        info = store.create_session("core:two_sum", {})
        child = subprocess.Popen([sys.executable, "-c", CHILD_WRITER, str(db), info.id,
                                  str(count)], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        child.stdin.write("go\n")
        child.stdin.flush()
        for i in range(count):
            store.append(info.id, Event("candidate_said", float(i), {"w": "parent", "i": i}))
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err

        records = store.records(info.id)
    assert [r.seq for r in records] == list(range(2 * count))
    for writer in ("child", "parent"):
        assert [r.data["i"] for r in records if r.data["w"] == writer] == list(range(count))


CHILD_CRASHER = """
import json, sys
from mock_interviewer_lab.events import Event
from mock_interviewer_lab.store import SessionStore
store = SessionStore(sys.argv[1])
sid = sys.argv[2]
for i in range(200000):
    if i % 5 == 4:
        batch = [Event("candidate_said", float(i), {"i": i, "batch": i, "k": k, "text": "é" * k})
                 for k in range(3)]
        done = store.append_many(sid, batch)
    else:
        done = [store.append(sid, Event("code_submitted", float(i),
                                        {"i": i, "code": f"x = {i}\\n" * (i % 40)}))]
    print(json.dumps([[r.seq, r.data] for r in done]), flush=True)
"""


def test_acknowledged_records_survive_sigkill(db: Path) -> None:
    with SessionStore(db) as store:
        sid = store.create_session("core:two_sum", {}).id
    child = run_child(CHILD_CRASHER, str(db), sid)
    assert child.stdout is not None and child.stderr is not None
    acknowledged: dict[int, Any] = {}
    try:
        while len(acknowledged) < 400:
            line = child.stdout.readline()
            assert line, f"the writer died: {child.stderr.read()}"
            acknowledged.update({seq: data for seq, data in json.loads(line)})
    finally:
        child.send_signal(signal.SIGKILL)
        # Read through the same buffered stream (communicate() would skip its buffer).
        tail = child.stdout.read()
        child.stdout.close()
        child.stderr.close()
    assert child.wait(timeout=30) == -signal.SIGKILL
    for line in tail.splitlines(keepends=True):
        if line.endswith("\n"):  # a line cut by the kill was never acknowledged
            acknowledged.update({seq: data for seq, data in json.loads(line)})

    with SessionStore(db) as store:
        records = store.records(sid)
        by_seq = {r.seq: r.data for r in records}
        for seq, data in acknowledged.items():
            assert by_seq.get(seq) == data, f"acknowledged record {seq} lost or changed"
        assert [r.seq for r in records] == list(range(len(records)))
        batches: dict[int, int] = {}
        for r in records:
            if "batch" in r.data:
                batches[r.data["batch"]] = batches.get(r.data["batch"], 0) + 1
        assert set(batches.values()) <= {3}, "a batch was half written"
        assert store.get(sid).record_count == len(records)
        assert store.append(sid, said(0)).seq == len(records)
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
