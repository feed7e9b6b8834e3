"""What the handlers share: the settings, the problem registry, the session
store, one sandbox harness (started on the first test run) and the table of
live interview sessions.

Everything here is synchronous: handlers call it through
``asyncio.to_thread``, and a submission through the run queue's own threads
(``run_queue``), so that a test run never blocks the server's loop nor the
threads every other request needs. The exceptions live on the loop: the
voice sockets' tasks (``VoiceService``) and the clock's ticker
(``InterviewService.start_ticker``), whose engine calls run on threads of
their own.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.behavioral_shell import (
    BehavioralOptions,
    behavioral_scorer,
    start_behavioral_session,
)
from mock_interviewer_lab.class_policy import (
    ClassPolicy,
    attempts_used,
    builtin_pack_names,
    coach_notices,
)
from mock_interviewer_lab.classroom.client import post_session, service_url, with_held_back
from mock_interviewer_lab.coach.factory import session_coach
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import Clock, SystemClock
from mock_interviewer_lab.interview.session import InterviewSession, settings_with_llm
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, UnknownProblem
from mock_interviewer_lab.protocol import ReportFormat
from mock_interviewer_lab.reporting.behavioral import BEHAVIORAL_KIND
from mock_interviewer_lab.reporting.behavioral_report import (
    BehavioralReport,
    history_json,
    stored_behavioral_report,
)
from mock_interviewer_lab.reporting.render import render_report
from mock_interviewer_lab.reporting.report import SessionReport, stored_report
from mock_interviewer_lab.server import metrics
from mock_interviewer_lab.server.run_queue import RunQueue, RunQueueClosed
from mock_interviewer_lab.settings import HarnessSettings, Settings
from mock_interviewer_lab.store import LOCAL_USER, SessionStore

if TYPE_CHECKING:
    from mock_interviewer_lab.voice.stt import SpeechEngine
    from mock_interviewer_lab.voice.tts import Synthesizer

log = logging.getLogger(__name__)

#: The content type of each report format (protocol.REPORT_FORMATS).
REPORT_CONTENT_TYPES: dict[ReportFormat, str] = {
    "json": "application/json; charset=UTF-8",
    "md": "text/markdown; charset=UTF-8",
    "html": "text/html; charset=UTF-8",
    "ipynb": "application/x-ipynb+json; charset=UTF-8",
}


class LazyHarness:
    """The sandbox kernels, each started by the first run that needs it
    rather than with the server (most servers never run a test, and a
    kernel costs memory), and stopped again after ``idle_stop_s`` without a
    run (0: never); the next run starts it again.

    Up to ``workers`` kernels, each a harness of its own: a run takes the
    first free one, so a second kernel starts only when two runs are under
    way at once (a growth measurement and someone's test run, on a server
    many candidates share) and a server with one candidate keeps one."""

    def __init__(self, settings: HarnessSettings, *, workers: int = 1,
                 hide_paths: Sequence[Path] = (), idle_stop_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 factory: Callable[[], SyncHarness] | None = None) -> None:
        self._settings = settings
        self.workers = max(1, workers)
        self._hide_paths = list(hide_paths)
        self.idle_stop_s = settings.idle_stop_s if idle_stop_s is None else idle_stop_s
        self._clock = clock
        self._factory = factory or self._new_harness
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._slots: list[SyncHarness | None] = [None] * self.workers
        self._busy: set[int] = set()
        self._last_used: list[float] = [clock()] * self.workers
        self._closed = False
        self._idle_timer: threading.Timer | None = None
        self.starts = 0
        self.idle_stops = 0

    def _new_harness(self) -> SyncHarness:
        return SyncHarness(self._settings, workers=1, hide_paths=self._hide_paths)

    @property
    def started(self) -> SyncHarness | None:
        """The first running harness, or None before the first run (or after an idle stop)."""
        return next((h for h in self._slots if h is not None), None)

    @property
    def kernels_running(self) -> int:
        return sum(h is not None for h in self._slots)

    def _take(self) -> tuple[int, SyncHarness]:
        """The first free kernel, started if need be; busy until ``_give_back``."""
        with self._free:
            while True:
                if self._closed:
                    raise RunQueueClosed()
                free = [i for i in range(self.workers) if i not in self._busy]
                if free:
                    break
                self._free.wait()
            index = free[0]
            self._busy.add(index)
            harness = self._slots[index]
        if harness is None:
            try:
                harness = self._factory().start()  # a second or so: not under the lock
            except BaseException:
                self._give_back(index)
                raise
            with self._lock:
                self._slots[index] = harness
                self.starts += 1
            metrics.SANDBOX_STARTS.inc()
        return index, harness

    def _give_back(self, index: int) -> None:
        with self._free:
            self._busy.discard(index)
            self._last_used[index] = self._clock()
            self._arm_idle_timer(self.idle_stop_s)
            self._free.notify()

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        index, harness = self._take()
        try:
            local = harness.run(problem, code, complexity=complexity)
        finally:
            self._give_back(index)
        # A released problem's held-back cases run on the class service, if any.
        return with_held_back(problem, code, local)

    # ------------------------------------------------------ idle stop

    def _arm_idle_timer(self, delay_s: float) -> None:
        # Under self._lock. One timer at a time; it re-arms itself while a
        # kernel is still running.
        if self.idle_stop_s <= 0 or self._closed or self._idle_timer is not None:
            return
        timer = threading.Timer(max(0.05, delay_s), self._idle_timer_fired)
        timer.daemon = True
        timer.name = "mil-harness-idle"
        self._idle_timer = timer
        timer.start()

    def _idle_timer_fired(self) -> None:
        with self._lock:
            self._idle_timer = None
        self.stop_if_idle()
        with self._lock:
            now = self._clock()
            waits = [self.idle_stop_s - (now - self._last_used[i])
                     for i, h in enumerate(self._slots) if h is not None]
            if waits:
                self._arm_idle_timer(max(min(waits), 0.05))

    def stop_if_idle(self) -> bool:
        """Stop every kernel that has no run under way and had none for
        ``idle_stop_s``; True when any was stopped."""
        stopped: list[SyncHarness] = []
        with self._lock:
            if self.idle_stop_s <= 0:
                return False
            now = self._clock()
            for i, harness in enumerate(self._slots):
                if harness is not None and i not in self._busy \
                        and now - self._last_used[i] >= self.idle_stop_s:
                    stopped.append(harness)
                    self._slots[i] = None
            self.idle_stops += len(stopped)
        for harness in stopped:
            metrics.SANDBOX_IDLE_STOPS.inc()
            harness.close()
        return bool(stopped)

    def close(self) -> None:
        """Shut the sandbox kernels down (idempotent)."""
        with self._free:
            self._closed = True
            running = [h for h in self._slots if h is not None]
            self._slots = [None] * self.workers
            timer, self._idle_timer = self._idle_timer, None
            self._free.notify_all()
        if timer is not None:
            timer.cancel()
        for harness in running:
            harness.close()


class VoiceService:
    """The speech engines of one server, loaded by the first voice socket that
    needs them (never with the server: most servers never hear a voice), and
    which session has a microphone streaming to it.

    ``engine()`` and ``synthesizer()`` block while loading: call them
    through ``asyncio.to_thread``. A failed load is not remembered, so a
    model installed meanwhile is found by the next socket.

    It also holds the sockets' tasks (``spawn``), those of closed sockets
    too while they finish (the last final is posted after the socket is
    gone), so that stopping the server (``close_sockets``) can end every one
    of them while its event loop still runs. A task left pending when the
    loop closes keeps a coroutine suspended in ``asyncio.Queue.get`` until
    the interpreter collects it at exit, after asyncio's C module is freed,
    and CPython 3.11 crashes there (SIGSEGV after every test passed).
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
        # Every socket task not finished yet (asyncio keeps only weak references).
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closing = False

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

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A socket's task, held here until it is done."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def pending_tasks(self) -> int:
        """Socket tasks not finished yet (open sockets, closed ones finishing)."""
        return len(self._tasks)

    async def close_sockets(self, timeout_s: float = 5.0) -> None:
        """The server is stopping: close every streaming socket, let the tasks
        of all sockets finish what they hold for up to ``timeout_s``, cancel
        the rest and wait for them, then let go of the engines. Nothing is
        left pending for the garbage collector."""
        self.closing = True
        for owner in list(self._microphones.values()):
            shutdown = getattr(owner, "shutdown", None)
            if shutdown is not None:
                await shutdown()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
        while self._tasks:  # a task may start another as it ends: until none is left
            stuck = set(self._tasks)
            for task in stuck:
                task.cancel()
            await asyncio.gather(*stuck, return_exceptions=True)
            self._tasks -= stuck
        # No lock: a load still running in a thread must not hold up the loop.
        self._engine = None
        self._synthesizer, self._synthesizer_loaded = None, False


def _load_speech_engine(settings: Settings) -> SpeechEngine:
    from mock_interviewer_lab.voice.stt import load_engine

    return load_engine(settings.stt)


def _load_synthesizer(settings: Settings) -> Synthesizer | None:
    from mock_interviewer_lab.voice.tts import load_synthesizer

    return load_synthesizer(settings.tts)


@dataclass(frozen=True)
class RenderedReport:
    content_type: str
    body: str


def _stored_llm(store: SessionStore, session_id: str) -> dict[str, Any] | None:
    """The ``[llm]`` choices a session was started with (its meta), if any."""
    chosen = store.get(session_id).meta.get("llm")
    return chosen if isinstance(chosen, dict) else None


#: A session used this recently stays, however full the table: the request
#: that used it may still hold it.
_MIN_IDLE_BEFORE_EVICTION_S = 10.0


@dataclass
class _Live:
    """A session in memory, with what the sweep needs to know about it."""

    session: InterviewSession
    last_used: float
    frontends: int = 0


def keep_time(session: InterviewSession) -> list[Action]:
    """One step of the server's clock for a live session that no event is
    being handled for (the caller holds its event lock): at time-up, the end
    (the time rules wrap it up and the report is built, as for an explicit
    end); else, once the candidate has said, typed and submitted nothing for
    ``coach.intervention.silence_before_nudge_ms``, a ``silence`` event with
    the seconds since (the orchestrator decides whether a nudge is due and
    backs off, whoever else posts silences); else a ``tick`` (time warnings,
    the phases time moves on, hints for a stuck candidate). Nothing for an
    ended session or one whose clock stands."""
    if session.ended or session.clock_paused:
        return []
    if session.time_left_s() <= 0:
        return session.end_if_time_up() or []
    quiet = session.now() - session.orchestrator.state.last_activity_t
    threshold = session.settings.coach.intervention.silence_before_nudge_ms / 1000
    if quiet >= threshold:
        return session.post("silence", {"seconds": round(quiet, 1)})
    return session.tick()


@dataclass
class TickRound:
    """What one round of the ticker did: the sessions it stepped (and the
    actions each step led to, already pushed to the session's listeners),
    and those it left for the next round because an event was being
    handled for them."""

    ticked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    actions: dict[str, list[Action]] = field(default_factory=dict)


class InterviewService:
    """The sessions of one server.

    Live sessions are kept in a bounded table: a session with no frontend
    (session WebSocket) connected leaves memory ``ended_linger_s`` after it
    ended, or after ``idle_evict_s`` without a request, or the least
    recently used first when more than ``max_live_sessions`` are held; the
    next request reads it back from the store (its clock goes on from its
    last record). Test runs go through ``runs``, the sandbox's own queue.

    The clock keeps time on its own: every ``tick_interval_s`` (0: never)
    the ticker (``start_ticker``, on the server's loop) steps each session
    that has a frontend connected (``keep_time``), so time warnings, silence
    nudges and the end at time-up come when they are due and reach the
    session's sockets. A session without a frontend is not ticked: its clock
    stands once the last one left, and one never connected is driven by its
    client's own events (the sweep still ends it at time-up).
    """

    def __init__(self, *, settings: Settings, registry: ProblemRegistry, store: SessionStore,
                 harness: LazyHarness, default_minutes: float,
                 clock: Clock | None = None, max_live_sessions: int = 256,
                 idle_evict_s: float = 1800.0, ended_linger_s: float = 60.0,
                 sweep_interval_s: float = 15.0, tick_interval_s: float = 5.0,
                 policy: ClassPolicy | None = None, owner: str = LOCAL_USER) -> None:
        self.settings = settings
        self.registry = registry
        #: The class settings (class_policy.py): what a request cannot change.
        self.policy = policy or ClassPolicy()
        self._builtin_packs = builtin_pack_names(registry)
        #: Who a kernel's request is for: the server's JupyterHub user, else local.
        self.owner = owner
        # Counting a user's attempts and starting one more is one step.
        self._start_lock = threading.Lock()
        self.store = store
        self.harness = harness
        self.runs = RunQueue(harness, size=settings.harness.run_queue_size,
                             kernels=harness.workers,
                             measure_growth=settings.harness.measure_growth)
        self.default_minutes = default_minutes
        self.clock: Clock = clock or SystemClock()
        self.max_live_sessions = max(1, max_live_sessions)
        self.idle_evict_s = idle_evict_s
        self.ended_linger_s = ended_linger_s
        self.sweep_interval_s = sweep_interval_s
        self.tick_interval_s = tick_interval_s
        self._sessions: OrderedDict[str, _Live] = OrderedDict()
        self._table_lock = threading.Lock()
        # Resuming appends to the log (actions of an event that had none,
        # tests never finished): two first requests must not both do it.
        self._resume_lock = threading.Lock()
        # One asyncio lock per session: events of a session are handled one
        # at a time, in the order they came, without holding a thread.
        self._event_locks: dict[str, asyncio.Lock] = {}
        #: Ended sessions whose report went to the class service (or was tried).
        self._sent_to_class: set[str] = set()
        self._sweeper: threading.Thread | None = None
        self._stop_sweeping = threading.Event()
        # The clock's ticker (loop only): its task, what stops it, and its
        # threads (not the default executor's, which every request needs).
        self._ticker: asyncio.Task[None] | None = None
        self._stop_ticking: asyncio.Event | None = None
        self._tick_pool: ThreadPoolExecutor | None = None
        metrics.register_source(self)

    # ---------------------------------------------------------- problems

    def problems(self) -> list[Problem]:
        """The problems a user may see and start (the class's settings)."""
        return [p for p in self.registry.problems()
                if self.policy.allows(p, self._builtin_packs)]

    def problem(self, ref: str) -> Problem:
        """A problem a user may start; UnknownProblem (as for one not
        installed) when the class's settings hide it."""
        found = self.registry.get(ref)
        if not self.policy.allows(found, self._builtin_packs):
            allowed = [p.qualified_id if ":" in ref else p.id for p in self.problems()]
            raise UnknownProblem(ref, difflib.get_close_matches(ref.strip(), allowed, n=3,
                                                                cutoff=0.5))
        return found

    # ---------------------------------------------------------- sessions

    def start(self, problem: Problem, *, minutes: float | None, mode: str,
              coach: dict[str, Any], llm: dict[str, str] | None = None,
              user: str | None = None, notices: list[str] | None = None) -> InterviewSession:
        """A coding interview of ``user`` (None: the server's owner) on
        ``problem``, within the class's settings: ``minutes`` None is the
        server's default; what the class changed of the request is appended
        to ``notices``. Raises ClassRefusal when the user has no attempt left."""
        who = user or self.owner
        policy = self.policy
        length, said = policy.minutes_for(minutes, self.default_minutes)
        told = [said] if said else []
        locked = [key for key in coach if self.settings.is_locked(f"coach.{key}")]
        told += coach_notices(coach, locked, self.settings.coach.model_dump())
        # The session's own [llm] model/api_base (the plugin settings) over
        # the server's; privacy.local_only stays the server's and still decides.
        settings = settings_with_llm(self.settings, llm)
        meta: dict[str, Any] = {"source": "server"}
        if llm:
            meta["llm"] = dict(llm)  # a resumed session gets the same coach
        if policy.active:
            meta["class"] = policy.described(self.default_minutes)
        with self._start_lock:
            policy.check_start(problem, attempts_used(self.store, problem, who))
            session = InterviewSession.start(
                self.store, problem, settings, harness=self.runs, clock=self.clock,
                minutes=length, mode=mode, coach_settings=coach, registry=self.registry,
                meta=meta, user=who,
                # The LLM coach when [llm] model is set, else scripted; a model that
                # privacy.local_only refuses leaves the scripted coach, which says why.
                coach=session_coach(settings, runner=self.runs, problem=problem))
        self._keep(session)
        if notices is not None:
            notices += told
        return session

    def start_behavioral(self, options: BehavioralOptions,
                         llm: dict[str, str] | None = None,
                         user: str | None = None) -> InterviewSession:
        """A behavioural interview (behavioral_shell.py) of ``user`` (None:
        the server's owner); SetupError says what is wrong with ``options``."""
        settings = settings_with_llm(self.settings, llm)
        meta: dict[str, Any] = {"source": "server"}
        if llm:
            meta["llm"] = dict(llm)
        session = start_behavioral_session(self.store, settings, options,
                                           registry=self.registry, clock=self.clock,
                                           coach=session_coach(settings), meta=meta,
                                           user=user or self.owner)
        self._keep(session)
        return session

    def behavioral_history(self) -> dict[str, Any]:
        """Every behavioural session and the trend (``GET behavioral/history``)."""
        return history_json(self.store)

    def session(self, session_id: str) -> InterviewSession:
        """The live session; one stored by an earlier server (or dropped
        from memory) is resumed. Raises the store's UnknownSession /
        AmbiguousSession, or UnknownProblem when its pack is no longer installed."""
        full_id = self.store.resolve(session_id)
        live = self._touch(full_id)
        if live is not None:
            return live
        with self._resume_lock:
            live = self._touch(full_id)
            if live is not None:  # resumed while this request waited
                return live
            settings = settings_with_llm(self.settings, _stored_llm(self.store, full_id))
            coach = session_coach(settings, runner=self.runs)
            resumed = InterviewSession.resume(self.store, full_id, self.registry,
                                              settings, harness=self.runs,
                                              clock=self.clock, coach=coach,
                                              replay_coach=ScriptedCoach(),
                                              scorer=behavioral_scorer(settings, coach))
            self._keep(resumed)
            return resumed

    def _touch(self, full_id: str) -> InterviewSession | None:
        with self._table_lock:
            live = self._sessions.get(full_id)
            if live is None:
                return None
            live.last_used = self.clock.now()
            self._sessions.move_to_end(full_id)
            return live.session

    def _keep(self, session: InterviewSession) -> None:
        with self._table_lock:
            self._sessions[session.info.id] = _Live(session, self.clock.now())
            self._sessions.move_to_end(session.info.id)
            over = len(self._sessions) - self.max_live_sessions
        if over > 0:
            self._evict_least_recent(over)
        self._start_sweeper()

    @property
    def live_session_ids(self) -> list[str]:
        with self._table_lock:
            return list(self._sessions)

    def event_lock(self, full_id: str) -> asyncio.Lock:
        return self._event_locks.setdefault(full_id, asyncio.Lock())

    # --------------------------------------------------------- frontends

    def frontend_opened(self, session: InterviewSession) -> None:
        """A session WebSocket opened: the interview's clock runs."""
        with self._table_lock:
            live = self._sessions.get(session.info.id)
            if live is not None and live.session is session:
                live.frontends += 1
                live.last_used = self.clock.now()
        session.resume_clock()

    def frontend_closed(self, session: InterviewSession) -> None:
        """A session WebSocket closed: with none left the clock stops until
        one comes back (an abandoned tab is not the candidate's time)."""
        with self._table_lock:
            live = self._sessions.get(session.info.id)
            if live is None or live.session is not session:
                return
            live.frontends = max(0, live.frontends - 1)
            live.last_used = self.clock.now()
            left = live.frontends
        if left == 0:
            session.pause_clock()

    def frontends(self, session_id: str) -> int:
        with self._table_lock:
            live = self._sessions.get(session_id)
            return live.frontends if live is not None else 0

    # -------------------------------------------------------------- sweep

    def sweep(self) -> None:
        """End sessions whose time is up, and drop from memory those nobody
        uses (see the class docstring). Run every ``sweep_interval_s``."""
        with self._table_lock:
            lives = list(self._sessions.values())
        for live in lives:
            try:
                live.session.end_if_time_up()
            except Exception:  # one broken session must not stop the sweep
                continue
        now = self.clock.now()
        with self._table_lock:
            stale = [sid for sid, live in self._sessions.items()
                     if now - live.last_used >= (self.ended_linger_s if live.session.ended
                                                 else self.idle_evict_s)]
        for sid in stale:
            self._evict(sid)

    def _evict_least_recent(self, count: int) -> None:
        with self._table_lock:
            oldest = list(self._sessions)  # least recently used first
        for sid in oldest:
            if count <= 0:
                break
            if self._evict(sid, min_idle_s=_MIN_IDLE_BEFORE_EVICTION_S):
                count -= 1

    def _evict(self, session_id: str, *, min_idle_s: float = 0.0) -> bool:
        """Drop a session from memory unless something holds it: a socket,
        a listener, an event under way, a request of the last moments."""
        with self._table_lock:
            live = self._sessions.get(session_id)
            if live is None or not _evictable(live, self._event_locks.get(session_id)) \
                    or self.clock.now() - live.last_used < min_idle_s:
                return False
            del self._sessions[session_id]
            self._event_locks.pop(session_id, None)
        metrics.SESSIONS_EVICTED.inc()
        return True

    def _start_sweeper(self) -> None:
        if self._sweeper is not None or self.sweep_interval_s <= 0:
            return
        with self._table_lock:
            if self._sweeper is not None:
                return
            self._sweeper = threading.Thread(target=self._sweep_loop, daemon=True,
                                             name="mil-session-sweep")
        self._sweeper.start()

    def _sweep_loop(self) -> None:
        while not self._stop_sweeping.wait(self.sweep_interval_s):
            try:
                self.sweep()
            except Exception:  # the next sweep tries again
                continue

    # ------------------------------------------------------------- ticker

    def start_ticker(self) -> bool:
        """Tick every ``tick_interval_s`` from now on; call it on the
        server's loop. False when the interval is 0 or it already runs."""
        if self.tick_interval_s <= 0 or self._ticker is not None:
            return False
        self._stop_ticking = asyncio.Event()
        self._tick_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mil-ticker")
        self._ticker = asyncio.get_running_loop().create_task(
            self._tick_loop(self._stop_ticking), name="mil-clock-ticker")
        return True

    @property
    def ticker_running(self) -> bool:
        return self._ticker is not None and not self._ticker.done()

    async def stop_ticker(self, timeout_s: float = 10.0) -> None:
        """Stop ticking: a round under way finishes first (for up to
        ``timeout_s``, then it is cancelled). Idempotent."""
        task, self._ticker = self._ticker, None
        if task is not None:
            assert self._stop_ticking is not None
            self._stop_ticking.set()
            done, _ = await asyncio.wait({task}, timeout=timeout_s)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        pool, self._tick_pool = self._tick_pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    async def _tick_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.tick_interval_s)
            except TimeoutError:
                try:
                    await self.tick_round()
                except Exception:  # the next round tries again
                    log.exception("mock_interviewer_lab: a round of the clock's ticker failed")

    def _tickable(self) -> list[InterviewSession]:
        with self._table_lock:
            lives = list(self._sessions.values())
        return [live.session for live in lives if live.frontends > 0
                and not live.session.ended and not live.session.clock_paused]

    async def tick_round(self) -> TickRound:
        """One round of the ticker: ``keep_time`` for every session with a
        frontend, one session after another, each under its event lock on
        the ticker's thread. A session an event is being handled for is
        skipped this round, never waited for. Call it on the server's loop.

        One at a time on purpose: a session's lock is held only while its
        own step runs. Taking every lock first and queueing the steps held
        each session's lock for the whole round, so a candidate's request
        waited behind the other sessions' ticks (with 40 users, a correct
        solution's answer went from p50 0.9 s to 3.4 s in
        bench/capacity_bench.py)."""
        done = TickRound()
        for session in self._tickable():
            sid = session.info.id
            lock = self.event_lock(sid)
            if lock.locked() or session.busy:
                done.skipped.append(sid)
                continue
            await lock.acquire()  # free: taken at once, without yielding to the loop
            try:
                actions = await self._step(session)
            except Exception as exc:  # one broken session must not stop the rest
                log.warning("mock_interviewer_lab: session %s: the clock's tick failed: %s",
                            sid, exc)
                continue
            finally:
                lock.release()
            done.ticked.append(sid)
            done.actions[sid] = actions
            if session.ended:  # time is up
                await asyncio.to_thread(self.report_to_class, session)
        return done

    async def _step(self, session: InterviewSession) -> list[Action]:
        pool = self._tick_pool
        if pool is None:  # a round driven without the ticker (tests)
            return await asyncio.to_thread(keep_time, session)
        return await asyncio.get_running_loop().run_in_executor(pool, keep_time, session)

    def metric_values(self) -> dict[str, float]:
        with self._table_lock:
            lives = list(self._sessions.values())
        return {"active_sessions": float(sum(not live.session.ended for live in lives)),
                "live_sessions": float(len(lives)),
                "connected_frontends": float(sum(live.frontends for live in lives)),
                "sandbox_kernels_running": float(self.harness.kernels_running),
                **self.runs.metric_values()}

    # ----------------------------------------------------------- reports

    def report(self, session_id: str) -> SessionReport | BehavioralReport:
        if self.store.get(session_id).kind == BEHAVIORAL_KIND:
            return stored_behavioral_report(self.store, session_id)
        return stored_report(self.store, session_id, self.registry)

    def rendered_report(self, session_id: str, fmt: ReportFormat) -> RenderedReport:
        return RenderedReport(REPORT_CONTENT_TYPES[fmt],
                              render_report(self.report(session_id), fmt))

    def report_to_class(self, session: InterviewSession) -> bool:
        """An ended session of a released problem: its report (as ``GET
        …/report`` gives it) goes to the class service, once. False when
        there is nothing to send or no service (practice alone)."""
        sid = session.info.id
        if not session.ended or not session.problem.released or service_url() is None:
            return False
        with self._table_lock:
            if sid in self._sent_to_class:
                return False
            self._sent_to_class.add(sid)
        report = json.loads(self.rendered_report(sid, "json").body)
        return post_session(session.problem, sid, report)

    # ---------------------------------------------------------- lifetime

    def close(self) -> None:
        self._stop_sweeping.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        pool = self._tick_pool  # stop_ticker, on the loop, ends the ticker itself
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.runs.close()
        self.harness.close()
        self.store.close()
        metrics.unregister_source(self)


def _evictable(live: _Live, event_lock: asyncio.Lock | None) -> bool:
    session = live.session
    if live.frontends or session.listeners or session.event_listeners:
        return False
    if event_lock is not None and event_lock.locked():
        return False
    return not session.busy
