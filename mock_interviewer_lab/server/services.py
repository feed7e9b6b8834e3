"""What the handlers share: the settings, the problem registry, the session
store, one sandbox harness (started on the first test run) and the table of
live interview sessions.

Everything here is synchronous: handlers call it through
``asyncio.to_thread`` so that a test run never blocks the server's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..coach.factory import session_coach
from ..harness.outcome import RunResult
from ..harness.runner import SyncHarness
from ..interview.clock import Clock, SystemClock
from ..interview.events import Action, Event, Record
from ..interview.report import (
    SessionReport,
    build_report,
    render_html,
    render_json,
    render_markdown,
    render_notebook,
    session_report,
)
from ..interview.session import InterviewSession, settings_with_llm
from ..problems.loader import Problem
from ..problems.registry import ProblemRegistry
from ..settings import HarnessSettings, Settings
from ..store import SessionStore

if TYPE_CHECKING:
    from ..voice.stt import SpeechEngine
    from ..voice.tts import Synthesizer

#: format → (content type, renderer name); the order is the one documented.
REPORT_FORMATS: dict[str, str] = {
    "json": "application/json; charset=UTF-8",
    "md": "text/markdown; charset=UTF-8",
    "html": "text/html; charset=UTF-8",
    "ipynb": "application/x-ipynb+json; charset=UTF-8",
}


class LazyHarness:
    """The sandbox harness, started by the first test run rather than with
    the server: most servers never run a test, and a kernel costs memory."""

    def __init__(self, settings: HarnessSettings, *, workers: int = 1,
                 hide_paths: Sequence[Path] = ()) -> None:
        self._settings = settings
        self._workers = workers
        self._hide_paths = list(hide_paths)
        self._lock = threading.Lock()
        self._harness: SyncHarness | None = None
        self._closed = False

    @property
    def started(self) -> SyncHarness | None:
        """The running harness, or None before the first run."""
        return self._harness

    def _get(self) -> SyncHarness:
        with self._lock:
            if self._closed:
                raise RuntimeError("the server is shutting down; tests cannot run now")
            if self._harness is None:
                self._harness = SyncHarness(self._settings, workers=self._workers,
                                            hide_paths=self._hide_paths).start()
            return self._harness

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        return self._get().run(problem, code, complexity=complexity)

    def close(self) -> None:
        """Shut the sandbox kernels down (idempotent)."""
        with self._lock:
            self._closed = True
            harness, self._harness = self._harness, None
        if harness is not None:
            harness.close()


class VoiceService:
    """The speech engines of one server, loaded by the first voice socket that
    needs them (never with the server: most servers never hear a voice), and
    which session has a microphone streaming to it.

    ``engine()`` and ``synthesizer()`` block while loading: call them
    through ``asyncio.to_thread``. A failed load is not remembered, so a
    model installed meanwhile is found by the next socket.
    """

    def __init__(self, settings: Settings, *,
                 engine_loader: Callable[[Settings], SpeechEngine] | None = None,
                 synthesizer_loader: Callable[[Settings], Synthesizer | None] | None = None
                 ) -> None:
        self.settings = settings
        self.engine_loader = engine_loader or _load_speech_engine
        self.synthesizer_loader = synthesizer_loader or _load_synthesizer
        self._engine_lock = threading.Lock()
        self._synthesizer_lock = threading.Lock()
        self._engine: SpeechEngine | None = None
        self._synthesizer: Synthesizer | None = None
        self._synthesizer_loaded = False
        # session id -> the socket streaming its microphone (loop thread only)
        self._microphones: dict[str, object] = {}

    def engine(self) -> SpeechEngine:
        """Raises VoiceUnavailable (no engine; the message says how to get one)."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self.engine_loader(self.settings)
            return self._engine

    def synthesizer(self) -> Synthesizer | None:
        """None when ``tts.engine = "none"``; raises TtsUnavailable."""
        with self._synthesizer_lock:
            if not self._synthesizer_loaded:
                self._synthesizer = self.synthesizer_loader(self.settings)
                self._synthesizer_loaded = True
            return self._synthesizer

    def claim_microphone(self, session_id: str, owner: object) -> bool:
        """True when ``owner`` may stream to the session (no one else does)."""
        holder = self._microphones.setdefault(session_id, owner)
        return holder is owner

    def release_microphone(self, session_id: str, owner: object) -> None:
        if self._microphones.get(session_id) is owner:
            del self._microphones[session_id]

    async def close_sockets(self, timeout_s: float = 5.0) -> None:
        """Close every streaming socket and wait for its tasks (the server is
        stopping): none is left pending for the garbage collector."""
        for owner in list(self._microphones.values()):
            shutdown = getattr(owner, "shutdown", None)
            if shutdown is not None:
                await shutdown(timeout_s)


def _load_speech_engine(settings: Settings) -> SpeechEngine:
    from ..voice.stt import load_engine

    return load_engine(settings.stt)


def _load_synthesizer(settings: Settings) -> Synthesizer | None:
    from ..voice.tts import load_synthesizer

    return load_synthesizer(settings.tts)


@dataclass(frozen=True)
class RenderedReport:
    content_type: str
    body: str


def transcript(records: list[Record]) -> list[dict[str, Any]]:
    """What was said and done, one line each, for a panel that joins late."""
    lines: list[dict[str, Any]] = []
    for r in records:
        if isinstance(r, Event) and r.type == "candidate_said":
            lines.append({"t": r.t, "seq": r.seq, "who": "candidate",
                          "text": r.data.get("text", "")})
        elif isinstance(r, Event) and r.type == "code_submitted":
            lines.append({"t": r.t, "seq": r.seq, "who": "candidate", "text": "[submits code]"})
        elif isinstance(r, Action) and r.type == "coach_says":
            lines.append({"t": r.t, "seq": r.seq, "who": "interviewer",
                          "text": r.data.get("text", "")})
        elif isinstance(r, Action) and r.type == "show_results":
            lines.append({"t": r.t, "seq": r.seq, "who": "tests",
                          "text": f"{r.data.get('passed')}/{r.data.get('total')} passed"})
    return lines


def _stored_llm(store: SessionStore, session_id: str) -> dict[str, Any] | None:
    """The ``[llm]`` choices a session was started with (its meta), if any."""
    chosen = store.get(session_id).meta.get("llm")
    return chosen if isinstance(chosen, dict) else None


class InterviewService:
    """The sessions of one server."""

    def __init__(self, *, settings: Settings, registry: ProblemRegistry, store: SessionStore,
                 harness: LazyHarness, default_minutes: float,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self.registry = registry
        self.store = store
        self.harness = harness
        self.default_minutes = default_minutes
        self.clock: Clock = clock or SystemClock()
        self._sessions: dict[str, InterviewSession] = {}
        self._table_lock = threading.Lock()
        # Resuming appends to the log (actions of an event that had none,
        # tests never finished): two first requests must not both do it.
        self._resume_lock = threading.Lock()
        # One asyncio lock per session: events of a session are handled one
        # at a time, in the order they came, without holding a thread.
        self._event_locks: dict[str, asyncio.Lock] = {}

    # ---------------------------------------------------------- sessions

    def start(self, problem: Problem, *, minutes: float, mode: str,
              coach: dict[str, Any], llm: dict[str, str] | None = None) -> InterviewSession:
        # The session's own [llm] model/api_base (the plugin settings) over
        # the server's; privacy.local_only stays the server's and still decides.
        settings = settings_with_llm(self.settings, llm)
        meta: dict[str, Any] = {"source": "server"}
        if llm:
            meta["llm"] = dict(llm)  # a resumed session gets the same coach
        session = InterviewSession.start(
            self.store, problem, settings, harness=self.harness, clock=self.clock,
            minutes=minutes, mode=mode, coach_settings=coach, registry=self.registry,
            meta=meta,
            # The LLM coach when [llm] model is set, else scripted; a model that
            # privacy.local_only refuses leaves the scripted coach, which says why.
            coach=session_coach(settings, runner=self.harness, problem=problem))
        with self._table_lock:
            self._sessions[session.info.id] = session
        return session

    def session(self, session_id: str) -> InterviewSession:
        """The live session; one stored by an earlier server is resumed.
        Raises the store's UnknownSession / AmbiguousSession, or
        UnknownProblem when its pack is no longer installed."""
        full_id = self.store.resolve(session_id)
        with self._table_lock:
            live = self._sessions.get(full_id)
        if live is not None:
            return live
        with self._resume_lock:
            with self._table_lock:
                live = self._sessions.get(full_id)
            if live is not None:  # resumed while this request waited
                return live
            settings = settings_with_llm(self.settings, _stored_llm(self.store, full_id))
            resumed = InterviewSession.resume(self.store, full_id, self.registry,
                                              settings, harness=self.harness,
                                              clock=self.clock,
                                              coach=session_coach(settings,
                                                                  runner=self.harness))
            with self._table_lock:
                self._sessions[full_id] = resumed
            return resumed

    def event_lock(self, full_id: str) -> asyncio.Lock:
        return self._event_locks.setdefault(full_id, asyncio.Lock())

    # ----------------------------------------------------------- reports

    def report(self, session_id: str) -> SessionReport:
        info = self.store.get(session_id)
        records = self.store.records(info.id)
        try:
            problem = self.registry.get(info.problem)
        except LookupError:  # a pack no longer installed: the report without advice
            return build_report(records, problem_title=info.problem, problem_id=info.problem,
                                expected_time=None, session_id=info.id)
        return session_report(records, problem, info.id, self.registry)

    def rendered_report(self, session_id: str, fmt: str) -> RenderedReport:
        report = self.report(session_id)
        if fmt == "md":
            body = render_markdown(report)
        elif fmt == "html":
            body = render_html(report)
        elif fmt == "ipynb":
            import nbformat

            body = nbformat.writes(nbformat.from_dict(render_notebook(report)))  # type: ignore[no-untyped-call]
        else:
            body = render_json(report)
        return RenderedReport(REPORT_FORMATS[fmt], body)

    # ---------------------------------------------------------- lifetime

    def close(self) -> None:
        self.harness.close()
        self.store.close()
