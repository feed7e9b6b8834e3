"""What the server leaves on disk: a private session store, and nothing else
once it has stopped — after SIGINT too, which is how JupyterHub's stop button
ends a user's server."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from mock_interviewer_lab.store import SessionStore

from .jupyter_process import private_environment, processes_mentioning, start_server

TWO_SUM = ("def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
           "        if target - x in seen:\n            return [seen[target - x], i]\n"
           "        seen[x] = i\n")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_folder_and_its_files_are_the_owners_alone(tmp_path: Path) -> None:
    db = tmp_path / "made" / "by" / "store" / "sessions.db"
    with SessionStore(db) as store:
        store.create_session("two_sum")
        assert mode_of(db.parent) == 0o700
        for name in ("sessions.db", "sessions.db-wal", "sessions.db-shm"):
            assert mode_of(db.parent / name) == 0o600, name


def test_a_store_left_readable_by_an_older_version_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    SessionStore(db).close()
    db.chmod(0o644)
    folder_mode = mode_of(tmp_path)
    with SessionStore(db) as store:
        store.create_session("two_sum")
        assert mode_of(db) == 0o600
        assert mode_of(tmp_path / "sessions.db-wal") == 0o600
    # A folder the store did not make is the user's business.
    assert mode_of(tmp_path) == folder_mode


def test_a_sigint_stop_shuts_everything_down_and_leaves_no_files(tmp_path: Path) -> None:
    store = tmp_path / "store" / "sessions.db"
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[app]\nsession_db = {json.dumps(str(store))}\n", encoding="utf-8")
    env = private_environment(tmp_path, MOCK_INTERVIEWER_SETTINGS=str(settings))
    runtime, temporary = Path(env["JUPYTER_RUNTIME_DIR"]), Path(env["TMPDIR"])
    server = start_server(tmp_path, env=env)
    try:
        sid = server.call("POST", "sessions", {"problem": "two_sum"})["session"]["id"]
        answer = server.call("POST", f"sessions/{sid}/events", {"type": "code", "code": TWO_SUM})
        assert any(a["type"] == "show_results" for a in answer["actions"]), answer
        # What a running sandbox has: its folders, its connection file, a WAL.
        assert sorted(p.name.split("-")[1] for p in temporary.glob("mil-*")) \
            == ["ipc", "kernelspec"]
        connection_files = list(temporary.glob("*.json")) + list(runtime.glob("kernel-*.json"))
        assert len(connection_files) == 1
        assert processes_mentioning(str(connection_files[0]))
        assert list(runtime.glob("jpserver-*.json"))
        assert store.with_name("sessions.db-wal").stat().st_size > 0

        code = server.interrupt()
    finally:
        server.stop()
    log = server.log()
    assert code == 0, log
    assert "Shutting down" in log and "Traceback" not in log, log
    assert processes_mentioning(str(connection_files[0])) == []
    assert list(temporary.iterdir()) == []
    assert list(runtime.glob("kernel-*.json")) == list(runtime.glob("jpserver-*")) == []
    wal = store.with_name("sessions.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed into the database
    with SessionStore(store) as reopened:
        assert reopened.get(sid).record_count > 0
