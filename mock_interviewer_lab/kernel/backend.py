"""Where the kernel's interview lives: the server extension, or the kernel itself.

``ServerBackend`` talks to the server extension (docs/api.md) with the URL
and token the server put in the kernel's environment; ``EmbeddedBackend``
runs an :class:`InterviewSession` inside the kernel when no server answers
(plain IPython, VS Code). Both speak in the API's dicts: a snapshot
``{"session", "problem", "state", "actions" | "transcript"}``, Action dicts
and State dicts, so the magics and the panel never know which one they have.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, EventType
from mock_interviewer_lab.protocol import (
    CLASS_ENV,
    REPORT_FORMATS,
    TOKEN_ENV,
    TOKEN_HEADER,
    URL_ENV,
)

if TYPE_CHECKING:
    from tornado.ioloop import IOLoop
    from tornado.websocket import WebSocketClientConnection

    from mock_interviewer_lab.harness.runner import SyncHarness
    from mock_interviewer_lab.interview.clock import Clock
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.problems.registry import ProblemRegistry
    from mock_interviewer_lab.settings import Settings
    from mock_interviewer_lab.store import SessionStore


ActionCallback = Callable[[dict[str, Any]], None]

log = logging.getLogger(__name__)

#: The API's event types and the engine's.
EVENT_NAMES: dict[str, EventType] = {
    "said": "candidate_said", "code": "code_submitted", "hint": "hint_requested",
    "typing": "typing", "silence": "silence", "tick": "tick", "end": "end_requested",
    "next": "next_requested", "skip": "skip_requested",
}
#: The kind of interview a behavioural session stores (sessions.kind).
BEHAVIORAL = "behavioral"
#: A behavioural interview's requests on the server (server/behavioral.py), by event.
BEHAVIORAL_ROUTES = {"said": "responses", "next": "next", "skip": "skip", "end": "end"}
#: What a panel shows as a behavioural session's "problem".
BEHAVIORAL_VIEW = {"id": BEHAVIORAL, "qualified_id": BEHAVIORAL,
                   "title": "Behavioural interview", "kind": BEHAVIORAL}


def behavioral_view(setup: dict[str, Any]) -> dict[str, Any]:
    """The panel's heading data for a behavioural session's set-up."""
    stage = str(setup.get("stage") or "").replace("_", " ")
    parts = [p for p in (stage, setup.get("difficulty"),
                         f"target {setup['level']}" if setup.get("level") else "",
                         "adversarial" if setup.get("adversarial") else "") if p]
    return {**BEHAVIORAL_VIEW, "title": "Behavioural interview" + (
        f" ({', '.join(map(str, parts))})" if parts else ""), "setup": dict(setup)}


class BackendError(Exception):
    """What the user asked cannot be done; the message says why, in one line."""


class ServerUnavailable(BackendError):
    """The server extension does not answer."""


class NoSession(BackendError):
    """No interview is running in this kernel."""


class ServerBusy(BackendError):
    """503: the server's sandbox queue is full (or it is stopping); try again
    after ``retry_after_s``."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Backend(Protocol):
    name: str

    def problems(self) -> list[dict[str, Any]]: ...

    def start(self, problem: str, minutes: float | None = None, mode: str = "normal",
              coach: dict[str, Any] | None = None,
              llm: dict[str, str] | None = None) -> dict[str, Any]: ...

    def start_behavioral(self, options: dict[str, Any],
                         llm: dict[str, str] | None = None) -> dict[str, Any]: ...

    def history(self) -> dict[str, Any]: ...

    @property
    def kind(self) -> str: ...

    def event(self, type_: str, **data: Any) -> list[dict[str, Any]]: ...

    def state(self) -> dict[str, Any]: ...

    def report(self, format: str = "html") -> str: ...

    def sessions(self) -> list[dict[str, Any]]: ...

    def resume(self, session_id: str | None = None) -> dict[str, Any]: ...

    def subscribe(self, callback: ActionCallback) -> None: ...

    @property
    def active(self) -> bool: ...

    def close(self) -> None: ...


def _check_event(type_: str) -> EventType:
    if type_ not in EVENT_NAMES:
        raise BackendError(f"unknown event {type_!r} (one of {', '.join(EVENT_NAMES)})")
    return EVENT_NAMES[type_]


def _check_format(format: str) -> None:
    if format not in REPORT_FORMATS:
        raise BackendError(f"unknown report format {format!r} (one of {', '.join(REPORT_FORMATS)})")


# ------------------------------------------------------------------- server


class ServerBackend:
    """The server extension's REST API with urllib; its WebSocket on a thread
    with its own event loop, so the panel keeps updating while the
    candidate's code runs in the kernel's main thread."""

    name = "server"

    def __init__(self, url: str, token: str, *, timeout_s: float = 60.0,
                 max_backoff_s: float = 10.0, busy_wait_s: float = 120.0) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.token = token
        self.timeout_s = timeout_s
        self.max_backoff_s = max_backoff_s
        #: How long a submission waits, in all, for a busy server (503).
        self.busy_wait_s = busy_wait_s
        self.session_id: str | None = None
        #: The running session's kind of interview (coding or behavioral).
        self.kind = "coding"
        self._ended = False
        self._callbacks: list[ActionCallback] = []
        self._ws_thread: threading.Thread | None = None
        self._ws_stop = threading.Event()
        self._ws_loop: IOLoop | None = None
        self._ws_conn: WebSocketClientConnection | None = None

    # --------------------------------------------------------------- REST

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                timeout_s: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={TOKEN_HEADER: self.token,
                                              "Content-Type": "application/json",
                                              "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout_s or self.timeout_s) as answer:
                raw = answer.read()
                kind = answer.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerUnavailable(f"the interview server at {self.url} is not answering "
                                    f"({reason}); your session resumes when it is back") from None
        if "json" in kind:
            return json.loads(raw or b"null")
        return raw.decode("utf-8", "replace")

    def _http_error(self, exc: urllib.error.HTTPError) -> Exception:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        message = str(body.get("error") or body.get("message") or exc.reason)
        if exc.code == 404 and "suggestions" in body:
            from mock_interviewer_lab.problems.registry import UnknownProblem

            return UnknownProblem(str(body.get("ref", "")), list(body["suggestions"]),
                                  reason=message)
        if exc.code == 403:
            return BackendError(f"the interview server refused the kernel's token ({message})")
        if exc.code == 503 and exc.headers.get("Retry-After") is not None:
            # Busy (the queue says when to come back); a 503 without it is a
            # server that cannot serve (its store or settings): no retrying.
            try:
                retry_after = float(exc.headers.get("Retry-After") or 1)
            except ValueError:
                retry_after = 1.0
            return ServerBusy(f"the interview server says: {message} (HTTP 503)",
                              max(0.1, retry_after))
        return BackendError(f"the interview server says: {message} (HTTP {exc.code})")

    def ping(self, timeout_s: float = 1.5) -> bool:
        try:
            self.request("GET", "problems", timeout_s=timeout_s)
        except BackendError:
            return False
        return True

    def problems(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "problems")["problems"])

    def start(self, problem: str, minutes: float | None = None, mode: str = "normal",
              coach: dict[str, Any] | None = None,
              llm: dict[str, str] | None = None) -> dict[str, Any]:
        """``minutes`` None: the server's default length. The answer's
        ``notices`` say what the class's settings changed of the request."""
        body: dict[str, Any] = {"problem": problem, "mode": mode}
        if minutes is not None:
            body["minutes"] = minutes
        if coach:
            body["coach"] = coach
        if llm:
            body["llm"] = llm
        answer: dict[str, Any] = self.request("POST", "sessions", body)
        self.kind = "coding"
        self._attach(answer["session"]["id"], bool(answer["state"].get("ended")))
        return answer

    def start_behavioral(self, options: dict[str, Any],
                         llm: dict[str, str] | None = None) -> dict[str, Any]:
        body = {key: value for key, value in options.items() if value not in (None, "")}
        if llm:
            body["llm"] = llm
        answer: dict[str, Any] = self.request("POST", "behavioral/sessions", body)
        self.kind = BEHAVIORAL
        self._attach(answer["session"]["id"], bool(answer["state"].get("ended")))
        setup = {"stage": answer.get("interview_stage"),
                 "difficulty": answer.get("difficulty_level"), "level": answer.get("target_level"),
                 "adversarial": bool(options.get("adversarial"))}
        return {"session": answer["session"], "problem": behavioral_view(setup),
                "state": answer["state"], "actions": answer.get("actions") or [],
                "kind": BEHAVIORAL}

    def history(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.request("GET", "behavioral/history")
        return answer

    def _attach(self, session_id: str, ended: bool) -> None:
        self.stop_subscription()
        self.session_id = session_id
        self._ended = ended
        if self._callbacks:
            self._start_subscription()

    def _session(self) -> str:
        if self.session_id is None:
            raise NoSession("no interview is running; start one with %interview PROBLEM")
        return self.session_id

    def event(self, type_: str, **data: Any) -> list[dict[str, Any]]:
        _check_event(type_)
        waited = 0.0
        while True:
            try:
                if self.kind == BEHAVIORAL and type_ in BEHAVIORAL_ROUTES:
                    answer = self.request(
                        "POST", f"behavioral/sessions/{self._session()}/"
                        f"{BEHAVIORAL_ROUTES[type_]}", data)
                    break
                answer = self.request("POST", f"sessions/{self._session()}/events",
                                      {"type": type_, **data})
                break
            except ServerBusy as busy:
                # A full sandbox queue: the submission is sent again when the
                # server says, for up to busy_wait_s in all.
                pause = min(busy.retry_after_s, self.busy_wait_s - waited)
                if type_ != "code" or pause <= 0:
                    raise
                time.sleep(pause)
                waited += pause
        self._ended = bool(answer.get("state", {}).get("ended"))
        return list(answer.get("actions") or [])

    def state(self) -> dict[str, Any]:
        answer = self.request("GET", f"sessions/{self._session()}")
        state: dict[str, Any] = answer["state"]
        self._ended = bool(state.get("ended"))
        return state

    def report(self, format: str = "html") -> str:
        _check_format(format)
        answer = self.request("GET", f"sessions/{self._session()}/report?format={format}")
        return answer if isinstance(answer, str) else json.dumps(answer, indent=2)

    def sessions(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "sessions")["sessions"])

    def resume(self, session_id: str | None = None) -> dict[str, Any]:
        if session_id is None:
            open_ones = [s for s in self.sessions() if s.get("status") == "open"]
            if not open_ones:
                raise BackendError("no open session to resume (see %interview list)")
            session_id = str(open_ones[0]["id"])
        answer: dict[str, Any] = self.request(
            "GET", f"sessions/{urllib.parse.quote(session_id)}")
        info = answer["session"]
        if info.get("kind") == BEHAVIORAL:
            # The panel is built again from the session's own actions.
            exported = self.request("GET", f"sessions/{urllib.parse.quote(info['id'])}/export")
            self.kind = BEHAVIORAL
            self._attach(str(info["id"]), bool(answer["state"].get("ended")))
            return behavioral_snapshot(info, answer["state"], list(exported["records"]))
        problem = self.request("GET", f"problems/{urllib.parse.quote(info['problem'])}")
        self.kind = "coding"
        self._attach(str(info["id"]), bool(answer["state"].get("ended")))
        return {"session": info, "problem": problem, "state": answer["state"],
                "transcript": []}

    @property
    def active(self) -> bool:
        return self.session_id is not None and not self._ended

    # ---------------------------------------------------------- WebSocket

    def subscribe(self, callback: ActionCallback) -> None:
        self._callbacks.append(callback)
        if self.session_id is not None and self._ws_thread is None:
            self._start_subscription()

    def _start_subscription(self) -> None:
        self._ws_stop.clear()
        self._ws_thread = threading.Thread(target=self._ws_thread_main, args=(self._session(),),
                                           daemon=True, name="mil-ws")
        self._ws_thread.start()

    def ws_url(self, session_id: str) -> str:
        http = self.url + f"sessions/{urllib.parse.quote(session_id)}/ws"
        return "ws" + http[len("http"):] if http.startswith("http") else http

    def _ws_thread_main(self, session_id: str) -> None:
        # Its own IOLoop: the kernel's main thread (and its loop) may be busy
        # with the candidate's code for minutes.
        from tornado.ioloop import IOLoop

        io_loop = IOLoop(make_current=False)
        self._ws_loop = io_loop
        try:
            io_loop.run_sync(lambda: self._ws_follow(session_id))
        finally:
            self._ws_loop = None
            io_loop.close()

    async def _ws_follow(self, session_id: str) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        backoff = 0.5
        while not self._ws_stop.is_set():
            request = HTTPRequest(self.ws_url(session_id), headers={TOKEN_HEADER: self.token},
                                  connect_timeout=5)
            try:
                conn = await websocket_connect(request)
            except Exception:  # the server is away: try again later, a little later each time
                await self._ws_sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
                continue
            backoff = 0.5
            self._ws_conn = conn
            if self._ws_stop.is_set():
                conn.close()
            while True:
                # stop_subscription closes the connection, which ends this wait.
                message = await conn.read_message()
                if message is None:
                    break  # closed: reconnect (the snapshot on reconnecting catches us up)
                self._deliver(message)
            self._ws_conn = None

    async def _ws_sleep(self, seconds: float) -> None:
        waited = 0.0
        while waited < seconds and not self._ws_stop.is_set():
            await asyncio.sleep(0.1)
            waited += 0.1

    def _deliver(self, message: str | bytes) -> None:
        try:
            payload = json.loads(message)
        except ValueError:
            return
        if payload.get("type") == "action" and isinstance(payload.get("action"), dict):
            item: dict[str, Any] = payload["action"]
        elif payload.get("type") == "snapshot":
            item = payload
        elif payload.get("type") == "event" and isinstance(payload.get("event"), dict):
            item = payload["event"]  # a candidate_said (a spoken line, say)
        else:
            return
        if item.get("type") == "report_ready" or (item.get("state") or {}).get("ended"):
            self._ended = True  # the session ended on the server (time, or another client)
        for callback in list(self._callbacks):
            try:
                callback(item)
            except Exception as exc:  # one broken listener must not stop the others
                print(f"interview: panel update failed: {exc}", file=sys.stderr)

    def stop_subscription(self) -> None:
        self._ws_stop.set()
        loop, conn = self._ws_loop, self._ws_conn
        if loop is not None and conn is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.add_callback(conn.close)
        if self._ws_thread is not None:
            self._ws_thread.join(timeout=5)
            self._ws_thread = None

    def close(self) -> None:
        self.stop_subscription()


def behavioral_snapshot(info: dict[str, Any], state: dict[str, Any],
                        records: list[dict[str, Any]]) -> dict[str, Any]:
    """A resumed behavioural session's snapshot: its set-up, and its actions
    to show again (the panel's screens are made of them)."""
    from mock_interviewer_lab.events import record_from_dict
    from mock_interviewer_lab.reporting.transcript import transcript_json

    started = next((r for r in records if r.get("type") == "session_started"), {})
    setup = dict((started.get("data") or {}).get(BEHAVIORAL) or {})
    return {"session": info, "problem": behavioral_view(setup), "state": state,
            "actions": [r for r in records if r.get("kind") == "action"], "kind": BEHAVIORAL,
            "transcript": transcript_json(record_from_dict(r) for r in records)}


# ----------------------------------------------------------------- embedded


class EmbeddedBackend:
    """The interview inside the kernel: a session, a store from the settings,
    a harness started on first use and a ticker so time rules fire."""

    name = "embedded"

    def __init__(self, settings: Settings | None = None, *,
                 registry: ProblemRegistry | None = None, store: SessionStore | None = None,
                 harness: SyncHarness | None = None, clock: Clock | None = None,
                 tick_interval_s: float = 5.0) -> None:
        from mock_interviewer_lab.interview.clock import SystemClock
        from mock_interviewer_lab.settings import load_settings

        self.settings = settings or load_settings()
        self._registry = registry
        self._store = store
        self._harness = harness
        self._own_harness = harness is None
        self.clock: Clock = clock or SystemClock()
        self.tick_interval_s = tick_interval_s
        self.session: InterviewSession | None = None
        self._callbacks: list[ActionCallback] = []
        self._lock = threading.RLock()
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # ----------------------------------------------------- lazy resources

    @property
    def registry(self) -> ProblemRegistry:
        if self._registry is None:
            from mock_interviewer_lab.problems.registry import ProblemRegistry

            self._registry = ProblemRegistry.discover(self.settings)
        return self._registry

    @property
    def store(self) -> SessionStore:
        if self._store is None:
            from mock_interviewer_lab.store import SessionStore

            self._store = SessionStore.from_settings(self.settings)
        return self._store

    def harness(self) -> SyncHarness:
        if self._harness is None:
            from mock_interviewer_lab.harness.runner import SyncHarness

            self._harness = SyncHarness(self.settings.harness).start()
        return self._harness

    # ------------------------------------------------------------ sessions

    def problems(self) -> list[dict[str, Any]]:
        return [p.summary() for p in self.registry.problems()]

    def start(self, problem: str, minutes: float | None = None, mode: str = "normal",
              coach: dict[str, Any] | None = None,
              llm: dict[str, str] | None = None) -> dict[str, Any]:
        """The kernel's own interview: the user's settings alone decide (no
        class settings hold here; docs/jupyterhub.md says why)."""
        from mock_interviewer_lab.coach.factory import session_coach
        from mock_interviewer_lab.interview.session import InterviewSession, settings_with_llm

        found = self.registry.get(problem)  # UnknownProblem with suggestions
        # This session's [llm] model/api_base over settings.toml's; the
        # settings' privacy.local_only still decides whether they may be used.
        settings = settings_with_llm(self.settings, llm)
        meta: dict[str, Any] = {"backend": "embedded"}
        if llm:
            meta["llm"] = dict(llm)  # a resumed session gets the same coach
        with self._lock:
            session = InterviewSession.start(
                self.store, found, settings, harness=self.harness(), clock=self.clock,
                minutes=45.0 if minutes is None else minutes, mode=mode,
                coach_settings=dict(coach or {}), registry=self.registry, meta=meta,
                # The LLM coach when [llm] model is set, else scripted (which
                # says why when privacy.local_only refuses the model).
                coach=session_coach(settings, runner=self.harness(), problem=found))
            self._attach(session)
        actions = [r.to_dict() for r in session.records() if isinstance(r, Action)]
        return {"session": session.info.to_dict(), "problem": session.public_view(),
                "state": session.state(), "actions": actions}

    def start_behavioral(self, options: dict[str, Any],
                         llm: dict[str, str] | None = None) -> dict[str, Any]:
        from mock_interviewer_lab.behavioral_shell import (
            BehavioralOptions,
            SetupError,
            start_behavioral_session,
        )
        from mock_interviewer_lab.coach.factory import session_coach
        from mock_interviewer_lab.interview.session import settings_with_llm
        from mock_interviewer_lab.problems.registry import NoQuestion

        settings = settings_with_llm(self.settings, llm)
        meta: dict[str, Any] = {"backend": "embedded"}
        if llm:
            meta["llm"] = dict(llm)
        try:
            with self._lock:
                session = start_behavioral_session(
                    self.store, settings, BehavioralOptions(**options), registry=self.registry,
                    clock=self.clock, coach=session_coach(settings), meta=meta)
                self._attach(session)
        except (NoQuestion, SetupError) as exc:
            raise BackendError(str(exc)) from None
        return self._behavioral_snapshot(session)

    def _behavioral_snapshot(self, session: InterviewSession) -> dict[str, Any]:
        return behavioral_snapshot(session.info.to_dict(), session.state(),
                                   [r.to_dict() for r in session.records()])

    def history(self) -> dict[str, Any]:
        from mock_interviewer_lab.reporting.behavioral_report import history_json

        return history_json(self.store)

    def _attach(self, session: InterviewSession) -> None:
        if self.session is not None and self._deliver in self.session.listeners:
            self.session.listeners.remove(self._deliver)
        session.listeners.append(self._deliver)
        self.session = session
        self._start_ticker()

    def _deliver(self, action: Action) -> None:
        item = action.to_dict()
        for callback in list(self._callbacks):
            try:
                callback(item)
            except Exception as exc:  # one broken listener must not stop the session
                print(f"interview: panel update failed: {exc}", file=sys.stderr)

    def _current(self) -> InterviewSession:
        if self.session is None:
            raise NoSession("no interview is running; start one with %interview PROBLEM")
        return self.session

    def event(self, type_: str, **data: Any) -> list[dict[str, Any]]:
        event_type = _check_event(type_)
        session = self._current()
        if session.ended and event_type != "tick":
            raise BackendError(f"session {session.info.id} has ended; "
                               "see %interview report, or start another")
        return [a.to_dict() for a in session.post(event_type, data)]

    def state(self) -> dict[str, Any]:
        return self._current().state()

    def report(self, format: str = "html") -> str:
        from mock_interviewer_lab.reporting.render import render_report
        from mock_interviewer_lab.reporting.report import session_report

        _check_format(format)
        session = self._current()
        if session.info.kind == BEHAVIORAL:
            from mock_interviewer_lab.reporting.behavioral_report import stored_behavioral_report

            return render_report(stored_behavioral_report(self.store, session.info.id), format)
        built = session_report(session.records(), session.problem, session.info.id,
                               self.registry)
        return render_report(built, format)

    def sessions(self) -> list[dict[str, Any]]:
        return [info.to_dict() for info in self.store.sessions(limit=50)]

    def resume(self, session_id: str | None = None) -> dict[str, Any]:
        from mock_interviewer_lab.behavioral_shell import behavioral_scorer
        from mock_interviewer_lab.coach.factory import session_coach
        from mock_interviewer_lab.interview.session import InterviewSession, settings_with_llm
        from mock_interviewer_lab.reporting.transcript import transcript_json
        from mock_interviewer_lab.store import StoreError

        try:
            if session_id is None:
                open_ones = self.store.sessions(status="open", limit=1)
                if not open_ones:
                    raise BackendError("no open session to resume (see %interview list)")
                session_id = open_ones[0].id
            chosen = self.store.get(session_id).meta.get("llm")
            settings = settings_with_llm(self.settings,
                                         chosen if isinstance(chosen, dict) else None)
            coach = session_coach(settings, runner=self.harness())
            session = InterviewSession.resume(self.store, session_id, self.registry,
                                              settings, harness=self.harness(),
                                              clock=self.clock, coach=coach,
                                              replay_coach=ScriptedCoach(),
                                              scorer=behavioral_scorer(settings, coach))
        except StoreError as exc:
            raise BackendError(str(exc)) from None
        with self._lock:
            self._attach(session)
        if session.info.kind == BEHAVIORAL:
            return self._behavioral_snapshot(session)
        return {"session": session.info.to_dict(), "problem": session.public_view(),
                "state": session.state(), "transcript": transcript_json(session.records())}

    @property
    def active(self) -> bool:
        return self.session is not None and not self.session.ended

    @property
    def kind(self) -> str:
        """The running session's kind of interview (coding when none runs)."""
        return self.session.info.kind if self.session is not None else "coding"

    def subscribe(self, callback: ActionCallback) -> None:
        self._callbacks.append(callback)

    # -------------------------------------------------------------- ticker

    def _start_ticker(self) -> None:
        if self._ticker is not None:
            return
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick_loop, daemon=True, name="mil-ticker")
        self._ticker.start()

    def _tick_loop(self) -> None:
        while not self._stop.wait(self.tick_interval_s):
            session = self.session
            if session is None or session.ended:
                continue
            try:
                session.tick()
            except Exception as exc:  # a failed tick must not kill the timer for good
                print(f"interview: timer tick failed: {exc}", file=sys.stderr)

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None
        if self._harness is not None and self._own_harness:
            self._harness.close()
            self._harness = None


# ------------------------------------------------------------------ choice


def choose_backend(*, announce: Callable[[str], None] | None = None,
                   timeout_s: float = 1.5) -> Backend:
    """The server when ``MOCK_INTERVIEWER_URL`` is set and answers, else the
    embedded backend. The server is the expected case and goes unsaid (its
    address only in the debug log: it is not what a candidate should read
    first); falling back to the kernel is said once."""
    # Information, not an error: stdout (a notebook shows stderr in red).
    say = announce or print
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        server = ServerBackend(url, os.environ.get(TOKEN_ENV, ""))
        if server.ping(timeout_s):
            log.debug("using the interview server at %s", server.url)
            return server
        if os.environ.get(CLASS_ENV):
            # The class's settings hold on the server only: never run here.
            say(f"interview: the interview server at {url} does not answer; this class's "
                "interviews run on the server only: try again in a moment")
            return server
        say(f"interview: the interview server at {url} does not answer; "
            "running the interview inside this kernel")
    else:
        say("interview: no interview server; running the interview inside this kernel")
    return EmbeddedBackend()
