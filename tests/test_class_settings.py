"""Class settings an administrator owns (``MockInterviewerApp.class_*``,
mock_interviewer_lab/class_policy.py): minutes, hints, allowed packs and
problems, the coach's level, attempts, the exam profile. Neither the API's
fields, the magic's flags nor a student's own settings.toml (or
``$MOCK_INTERVIEWER_SETTINGS``) change them. And each session records its
user and its pack's version (store schema 3).

pytest-jupyter for the API, a real ``jupyter server`` and one of its
kernels for the magic.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from jupyter_client import BlockingKernelClient
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPResponse
from traitlets.config import Config

from mock_interviewer_lab.class_policy import ClassPolicy, ClassRefusal
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.replay import ReplayRefused, replay_session
from mock_interviewer_lab.kernel.backend import EmbeddedBackend, ServerBackend, choose_backend
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.protocol import CLASS_ENV, TOKEN_ENV, TOKEN_HEADER, URL_ENV
from mock_interviewer_lab.reporting.render import render_report
from mock_interviewer_lab.reporting.report import stored_report
from mock_interviewer_lab.server.app import MockInterviewerApp
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import LOCAL_USER, SessionStore, _migrate_to_1, _migrate_to_2

from .conftest import PROBE_PACK, write_server_settings
from .jupyter_process import TOKEN, free_port, private_environment, start_server
from .test_notebook_server_e2e import run_cells

_T = TypeVar("_T")
Run = Callable[[Coroutine[Any, Any, _T]], _T]

#: A student who wants more than the class allows, in their own settings.toml.
GREEDY_STUDENT = """\
[coach]
helpfulness = "insistent"
[coach.intervention]
max_hints = -1
max_hints_before_subproblem = 9
"""

#: A practice class: at most 20 minutes, no hints, a balanced coach, the
#: built-in pack hidden, two attempts a problem.
PRACTICE_CLASS = {"class_max_minutes": 20.0, "class_max_hints": 0,
                  "class_coach_level": "balanced", "class_hide_builtin": True,
                  "class_attempts": 2}
EXAM_CLASS = {"class_profile": "exam", "default_minutes": 30.0}

RIGHT = "def add(a, b):\n    return b + a\n"


# ------------------------------------------------------------ the policy alone


def test_the_exam_profile_fills_what_is_not_set_and_explicit_values_win() -> None:
    exam = ClassPolicy(profile="exam")
    assert (exam.hints, exam.attempts_per_problem, exam.replay_allowed) == (0, 1, False)
    assert exam.fixed_minutes(30) == 30
    assert exam.minutes_for(90, 30) == (30, "the class's interviews last 30 minutes; the "
                                            "90 minutes asked for were not used")
    assert exam.minutes_for(None, 30) == (30, "")
    generous = ClassPolicy(profile="exam", max_hints=2, attempts=3, replay=True, minutes=50)
    assert (generous.hints, generous.attempts_per_problem, generous.replay_allowed) == (2, 3, True)
    assert generous.fixed_minutes(30) == 50
    practice = ClassPolicy()
    assert not practice.active and practice.hints is None and practice.replay_allowed
    assert practice.minutes_for(120, 45) == (120, "")
    capped = ClassPolicy(max_minutes=20)
    assert capped.minutes_for(120, 45) == (20, "the class allows 20 minutes at most; "
                                               "120 minutes asked for")
    assert capped.admin_values() == {}
    assert ClassPolicy(max_hints=0, coach_level="gentle").admin_values() == {
        "coach": {"helpfulness": "gentle", "intervention": {"max_hints": 0}}}


def test_a_bad_class_setting_is_refused_and_the_api_says_why() -> None:
    with pytest.raises(ValueError, match=r"max_hints = -2.*attempts = 0"):
        ClassPolicy(max_hints=-2, attempts=0)
    app = MockInterviewerApp(config=Config({"MockInterviewerApp": {
        "class_profile": "exams", "class_coach_level": "bossy"}}))
    with pytest.raises(ValueError) as refused:
        app.admin_settings()
    text = str(refused.value)
    assert "MockInterviewerApp.class_profile 'exams'" in text
    assert "MockInterviewerApp.class_coach_level 'bossy'" in text


def test_allowed_packs_and_problems(probe_registry: ProblemRegistry,
                                    builtin_registry: ProblemRegistry) -> None:
    add = probe_registry.get("add")
    two_sum = builtin_registry.get("two_sum")
    assert ClassPolicy(packs=frozenset({"probe"})).allows(add)
    assert not ClassPolicy(packs=frozenset({"probe"})).allows(two_sum)
    assert ClassPolicy(problems=frozenset({"core:two_sum"})).allows(two_sum)
    assert ClassPolicy(problems=frozenset({"two_sum"})).allows(two_sum)
    assert not ClassPolicy(problems=frozenset({"two_sum"})).allows(add)
    assert not ClassPolicy(hide_builtin=True).allows(two_sum, {"core"})
    assert ClassPolicy(hide_builtin=True).allows(add, {"core"})
    with pytest.raises(ClassRefusal, match="used your 1 attempt at probe:add"):
        ClassPolicy(profile="exam").check_start(add, 1)
    ClassPolicy(profile="exam").check_start(add, 0)


def test_a_hint_cap_holds_in_the_engine_and_the_coach_offers_none(add_problem: Any) -> None:
    from mock_interviewer_lab.interview.clock import FakeClock
    from mock_interviewer_lab.interview.session import InterviewSession

    for cap, given in ((0, 0), (1, 1)):
        settings = Settings()
        settings.coach.intervention.max_hints = cap
        session = InterviewSession.start(SessionStore(":memory:"), add_problem, settings,
                                         harness=None, clock=FakeClock(), coach=ScriptedCoach())
        for _ in range(3):
            session.hint()
        records = session.records()
        assert len([r for r in records if r.type == "show_hint"]) == given
        refused = [r.data["text"] for r in records
                   if r.type == "coach_says" and r.data["kind"] == "hint_refused"]
        assert len(refused) == 3 - given
        assert ("gives no hints" if cap == 0 else "1 hint at most") in refused[0]
        assert session.state()["hint"]["level"] == given


# ------------------------------------------------------------ the store


def test_a_schema_2_store_migrates_in_place_to_users_and_pack_versions(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    _migrate_to_1(conn)
    _migrate_to_2(conn)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version (version) VALUES (2)")
    conn.execute("INSERT INTO sessions (id, problem, created_at, status, meta) VALUES "
                 "('20240101-0000-abcd', 'core:two_sum', '2024-01-01T00:00:00+00:00', "
                 "'ended', '{}')")
    conn.commit()
    conn.close()
    # read-only, not migrated: the old session reads with no user and its pack
    with SessionStore(db, read_only=True) as readonly:
        (old,) = readonly.sessions()
        assert (old.user, old.pack, old.pack_version) == ("", "", "")
    with SessionStore(db) as store:
        old = store.get("20240101-0000-abcd")
        assert (old.user, old.pack, old.pack_version) == ("", "core", "")
        new = store.create_session("probe:add", user="alice", pack_version="0.0.1")
        assert (new.user, new.pack, new.pack_version) == ("alice", "probe", "0.0.1")
        assert [i.id for i in store.sessions(user="alice")] == [new.id]
        exported = store.export(new.id)
        assert exported["session"]["user"] == "alice"
        assert exported["session"]["pack_version"] == "0.0.1"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    conn.close()
    with SessionStore(tmp_path / "copy.db") as copy:
        assert copy.import_session(exported).user == "alice"


def test_a_session_records_its_user_and_pack_version_everywhere(
        tmp_path: Path, probe_registry: ProblemRegistry) -> None:
    """The store's row, the report's header, sessions list and show."""
    from click.testing import CliRunner

    from mock_interviewer_lab.cli import main
    from mock_interviewer_lab.interview.clock import FakeClock
    from mock_interviewer_lab.interview.session import InterviewSession

    db = tmp_path / "s.db"
    with SessionStore(db) as store:
        session = InterviewSession.start(store, probe_registry.get("add"), Settings(),
                                         harness=None, clock=FakeClock(), coach=ScriptedCoach(),
                                         registry=probe_registry)
        info = store.get(session.info.id)
        assert (info.user, info.pack, info.pack_version) == (LOCAL_USER, "probe", "0.0.1")
        report = stored_report(store, info.id, probe_registry)
        assert report.taken_by == {"user": "local", "pack": "probe", "pack_version": "0.0.1"}
        assert "user local · pack probe 0.0.1" in render_report(report, "html")
        assert "user local" in render_report(report, "md")
    runner = CliRunner()
    listed = runner.invoke(main, ["sessions", "list", "--db", str(db), "--json"])
    assert json.loads(listed.output)[0]["pack_version"] == "0.0.1"
    shown = runner.invoke(main, ["sessions", "show", info.id, "--db", str(db)],
                          env={"COLUMNS": "200"})
    assert "user: local; pack: probe 0.0.1" in shown.output, shown.output


# ------------------------------------------------------------ the server


@pytest.fixture
def class_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", PRACTICE_CLASS))


@pytest.fixture
def student_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The student's own settings, in force through $MOCK_INTERVIEWER_SETTINGS."""
    return write_server_settings(tmp_path, monkeypatch, more=GREEDY_STUDENT)


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(student_settings: Path, class_config: dict[str, Any]) -> Config:
    """pytest-jupyter's fixture of that name: this extension, with the class's settings."""
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}},
                   "MockInterviewerApp": class_config})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


@pytest.fixture
def api(jp_fetch: Any, run: Run[Any]) -> Iterator[Callable[..., HTTPResponse]]:
    def call(method: str, *parts: str, body: Any = None, **kwargs: Any) -> HTTPResponse:
        if body is not None:
            kwargs["body"] = json.dumps(body)
        response: HTTPResponse = run(jp_fetch("mock-interviewer", "api", *parts,
                                              method=method, raise_error=False, **kwargs))
        return response

    yield call


def _json(response: HTTPResponse) -> Any:
    return json.loads(response.body)


def _records(tmp_path: Path, session_id: str) -> list[Any]:
    with SessionStore(tmp_path / "sessions.db", read_only=True) as store:
        return store.records(session_id)


def test_hidden_built_in_pack_is_neither_listed_nor_startable(
        api: Callable[..., HTTPResponse]) -> None:
    listed = {p["qualified_id"] for p in _json(api("GET", "problems"))["problems"]}
    assert "probe:add" in listed and not [q for q in listed if q.startswith("core:")]
    for ref in ("two_sum", "core:two_sum"):
        assert api("GET", "problems", ref).code == 404
        refused = api("POST", "sessions", body={"problem": ref})
        assert refused.code == 404 and _json(refused)["field"] == "problem", refused.body
        assert "unknown problem" in _json(refused)["error"]


def test_a_student_cannot_raise_minutes_change_the_coach_or_get_hints_via_the_api(
        api: Callable[..., HTTPResponse], tmp_path: Path) -> None:
    created = api("POST", "sessions", body={"problem": "add", "minutes": 120,
                                            "coach": {"helpfulness": "insistent"}})
    assert created.code == 201, created.body
    answer = _json(created)
    session = answer["session"]
    assert session["meta"]["minutes"] == 20
    assert session["meta"]["coach"]["helpfulness"] == "balanced"
    assert session["meta"]["class"] == {"profile": "practice", "max_minutes": 20.0, "hints": 0,
                                        "coach_level": "balanced", "attempts": 2,
                                        "replay": True}
    assert answer["notices"] == [
        "the class allows 20 minutes at most; 120 minutes asked for",
        "the class's settings decide the coach's helpfulness (balanced); 'insistent' was "
        "not used"]
    assert answer["state"]["time_left_s"] <= 20 * 60
    # the user and the pack's version, from the server (a laptop's token user: local)
    assert (session["user"], session["pack"], session["pack_version"]) == (
        "local", "probe", "0.0.1")
    sid = session["id"]
    hinted = api("POST", "sessions", sid, "events", body={"type": "hint"})
    assert hinted.code == 200
    actions = _json(hinted)["actions"]
    assert not [a for a in actions if a["type"] == "show_hint"]
    assert [a["data"]["kind"] for a in actions if a["type"] == "coach_says"] == ["hint_refused"]
    # the student's own settings.toml asked for hints without end: not used
    started = next(r for r in _records(tmp_path, sid) if r.type == "session_started")
    assert started.data["settings"]["coach"]["intervention"]["max_hints"] == 0
    assert started.data["settings"]["coach"]["helpfulness"] == "balanced"
    # within the cap, a shorter interview is the student's choice
    shorter = _json(api("POST", "sessions", body={"problem": "add", "minutes": 10}))
    assert shorter["session"]["meta"]["minutes"] == 10 and shorter["notices"] == []


def test_attempts_are_counted_per_user_and_problem_from_the_store(
        api: Callable[..., HTTPResponse], jp_serverapp: Any) -> None:
    for _ in range(2):
        assert api("POST", "sessions", body={"problem": "add"}).code == 201
    third = api("POST", "sessions", body={"problem": "add"})
    assert third.code == 403, third.body
    assert _json(third)["error"] == ("you have used your 2 attempts at probe:add: the class "
                                     "allows 2 attempts per problem")
    # the kernel's requests are the same user's (the server's owner)
    secret = jp_serverapp.extension_manager.extension_points[
        "mock_interviewer_lab"].app.secret
    assert api("POST", "sessions", body={"problem": "add"},
               headers={TOKEN_HEADER: secret}).code == 403


@pytest.mark.parametrize("class_config", [EXAM_CLASS], indirect=True)
def test_the_exam_profile_holds(api: Callable[..., HTTPResponse], tmp_path: Path,
                                probe_registry: ProblemRegistry) -> None:
    created = api("POST", "sessions", body={"problem": "add", "minutes": 90,
                                            "coach": {"helpfulness": "gentle"}})
    assert created.code == 201, created.body
    answer = _json(created)
    sid = answer["session"]["id"]
    # fixed time: the server's default length, whatever was asked
    assert answer["session"]["meta"]["minutes"] == 30
    assert answer["notices"] == ["the class's interviews last 30 minutes; the 90 minutes "
                                 "asked for were not used"]
    assert answer["session"]["meta"]["class"] == {"profile": "exam", "minutes": 30.0,
                                                  "hints": 0, "attempts": 1, "replay": False}
    # the coach's level was not fixed by the class: the request's stands
    assert answer["session"]["meta"]["coach"]["helpfulness"] == "gentle"
    # no hints
    actions = _json(api("POST", "sessions", sid, "events", body={"type": "hint"}))["actions"]
    assert not [a for a in actions if a["type"] == "show_hint"]
    # one attempt
    again = api("POST", "sessions", body={"problem": "add", "minutes": 30})
    assert again.code == 403 and "1 attempt" in _json(again)["error"]
    # no replay
    with SessionStore(tmp_path / "sessions.db") as store, \
            pytest.raises(ReplayRefused, match="exam settings, which allow no replay"):
        replay_session(store, sid, probe_registry, Settings(), replay_coach=ScriptedCoach())


@pytest.mark.parametrize("class_config", [{"class_problems": ["two_sum"]}], indirect=True)
def test_allowed_problems_list_only_those(api: Callable[..., HTTPResponse]) -> None:
    listed = [p["qualified_id"] for p in _json(api("GET", "problems"))["problems"]]
    assert listed == ["core:two_sum"]
    assert api("POST", "sessions", body={"problem": "add"}).code == 404


# ------------------------------------------------------------ the kernel


def _wait_for_ready(client: BlockingKernelClient, timeout_s: float = 90) -> None:
    """The client's own wait takes a heartbeat that has not beaten yet
    (a kernel still starting) for a dead kernel: wait again until it answers."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.wait_for_ready(timeout=max(1.0, deadline - time.monotonic()))
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _jupyter_api(port: int, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


def test_a_class_kernel_never_runs_the_interview_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{free_port()}/mock-interviewer/api/"
    monkeypatch.setenv(URL_ENV, dead)
    monkeypatch.setenv(TOKEN_ENV, "x")
    said: list[str] = []
    monkeypatch.delenv(CLASS_ENV, raising=False)
    assert isinstance(choose_backend(announce=said.append, timeout_s=0.3), EmbeddedBackend)
    monkeypatch.setenv(CLASS_ENV, "1")
    backend = choose_backend(announce=said.append, timeout_s=0.3)
    assert isinstance(backend, ServerBackend)
    assert "run on the server only" in said[-1]


@pytest.mark.slow
def test_the_magics_flags_and_the_students_own_settings_change_nothing(
        tmp_path: Path) -> None:
    """A real server with the class's settings in its configuration, one of
    its kernels: the student points $MOCK_INTERVIEWER_SETTINGS at a greedy
    file from the kernel and asks for more with the magic's flags."""
    greedy = tmp_path / "greedy.toml"
    greedy.write_text(GREEDY_STUDENT, encoding="utf-8")
    db = tmp_path / "class-store" / "sessions.db"
    runtime = tmp_path / "runtime"
    server = start_server(tmp_path, env=private_environment(tmp_path), server_config={
        "MockInterviewerApp": {**PRACTICE_CLASS, "class_packs": ["probe"],
                               "app": {"session_db": str(db)},
                               "problems": {"extra_dirs": [str(PROBE_PACK)]}}})
    try:
        kernel = _jupyter_api(server.port, "POST", "api/kernels", {"name": "python3"})
        client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel['id']}.json"))
        client.load_connection_file()
        client.start_channels()
        try:
            _wait_for_ready(client)
            outputs = run_cells(client, [
                "import os; print(os.environ.get('MOCK_INTERVIEWER_CLASS'))",
                f"%env MOCK_INTERVIEWER_SETTINGS={greedy}",
                "%load_ext mock_interviewer_lab",
                "%interview add --minutes 120 --coach insistent",
                "%interview hint",
            ])
        finally:
            client.stop_channels()
    finally:
        server.stop()
    streams = ["".join(o.get("text", "") for o in cell if o["type"] == "stream")
               for cell in outputs]
    assert streams[0].strip() == "1"
    started = streams[3]
    assert "interview: the class allows 20 minutes at most; 120 minutes asked for" in started
    assert "the coach's helpfulness (balanced); 'insistent' was not used" in started
    assert "(20 minutes)" in started and "embedded" not in started.lower()
    with SessionStore(db, read_only=True) as store:
        (info,) = store.sessions()
        assert info.meta["minutes"] == 20 and info.meta["coach"]["helpfulness"] == "balanced"
        assert (info.user, info.pack_version) == ("local", "0.0.1")
        records = store.records(info.id)
    assert not [r for r in records if r.type == "show_hint"]
    assert [r for r in records if r.type == "coach_says" and r.data["kind"] == "hint_refused"]
