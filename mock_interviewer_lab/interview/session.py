"""The imperative shell around the orchestrator: one interview session.

``InterviewSession.post`` stamps an event with the session's clock, appends
it to the store (committed before anything happens), lets the orchestrator
decide, appends the actions, and has the interview's kind carry out the
actions with a side effect (a coding interview's ``run_tests``, whose result
comes back as ``tests_finished``). A crash at any point loses nothing:
``resume`` rebuilds the orchestrator from the stored events, appends the
actions of an event that had none yet, and has the kind carry out what was
asked for but never finished (tests, a growth measurement).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from mock_interviewer_lab.events import Action, Event, EventType, Record, validate_payload
from mock_interviewer_lab.interview.clock import Clock
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.kinds import DEFAULT_KIND, make_kind
from mock_interviewer_lab.interview.kinds.base import CodeRunner as CodeRunner
from mock_interviewer_lab.interview.kinds.base import InterviewKind
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS
from mock_interviewer_lab.interview.rules.star import BehavioralScorer
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.feedback import engine_feedback
from mock_interviewer_lab.reporting.report import session_report
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import LOCAL_USER, SessionInfo, SessionStore


def _problems(registry: ProblemRegistry | None, ids: list[str]) -> list[Problem]:
    """The problems of ``ids`` the registry has (a pack may name one it lacks)."""
    out = []
    for pid in ids if registry else []:
        try:
            out.append(registry.get(pid))  # type: ignore[union-attr]
        except LookupError:
            continue
    return out


def _titles(registry: ProblemRegistry | None, ids: list[str]) -> list[str]:
    out = []
    for pid in ids:
        try:
            out.append(registry.get(pid).spec.title if registry else pid)
        except LookupError:
            continue
    return out


def settings_for_session(settings: Settings, coach: dict[str, Any]) -> Settings:
    """The settings with the session's own coach choices applied, except
    those an administrator decided (``settings.is_locked``): the API's
    ``coach`` fields and the magic's ``--coach`` do not change them."""
    merged = settings.model_copy(deep=True)
    for key, value in coach.items():
        if value is not None and not settings.is_locked(f"coach.{key}"):
            setattr(merged.coach, key, value)
    return merged


#: The ``[llm]`` settings a session may choose for itself (the plugin
#: settings, ``%interview --model/--api-base``); empty means the server's own.
SESSION_LLM_FIELDS = ("model", "api_base")


def settings_with_llm(settings: Settings, llm: Mapping[str, Any] | None) -> Settings:
    """The settings with the session's own ``[llm] model``/``api_base``
    (``llm`` may come from a stored session's meta: anything else is ignored).

    Only these two, and only where the server's administrator did not decide
    them (``settings.is_locked``): ``privacy.local_only`` stays the server's,
    so the coach factory still refuses a remote provider whoever asked for it."""
    chosen = {key: value for key, value in (llm or {}).items()
              if key in SESSION_LLM_FIELDS and isinstance(value, str) and value
              and not settings.is_locked(f"llm.{key}")}
    if not chosen:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=chosen)})


class InterviewSession:
    def __init__(self, *, store: SessionStore, info: SessionInfo, problem: Problem,
                 settings: Settings, orchestrator: Orchestrator, harness: CodeRunner | None,
                 clock: Clock, t0: float, registry: ProblemRegistry | None = None) -> None:
        self.store = store
        self.info = info
        self.problem = problem
        self.settings = settings
        self.orchestrator = orchestrator
        self.harness = harness
        self.clock = clock
        self.t0 = t0
        self._lock = threading.RLock()
        # The clock's reading when it stopped: no frontend connected, or the
        # interview ended. None while it runs.
        self._stopped_at: float | None = None
        self.registry = registry
        self.listeners: list[Callable[[Action], None]] = []
        # Told of each event as it is stored, before its actions: the session
        # socket pushes a spoken candidate_said to the panel this way.
        self.event_listeners: list[Callable[[Event], None]] = []
        # A coach that streams (the LLM coach) hands each checked sentence
        # here as it comes: the panel and the voice get it before the reply ends.
        self._wire_coach(orchestrator.coach)

    # ------------------------------------------------------------- set up

    @classmethod
    def start(cls, store: SessionStore, problem: Problem, settings: Settings, *,
              harness: CodeRunner | None, clock: Clock, coach: Coach, minutes: float = 45,
              mode: str = "normal",
              coach_settings: dict[str, Any] | None = None,
              registry: ProblemRegistry | None = None,
              meta: dict[str, Any] | None = None,
              kind: InterviewKind | None = None,
              kind_name: str = DEFAULT_KIND,
              kind_options: Mapping[str, Any] | None = None,
              scorer: BehavioralScorer | None = None,
              user: str = LOCAL_USER) -> InterviewSession:
        """A new session of ``user`` (who the store records: the server's
        Jupyter user, else ``local``); the store records the pack's version
        too, as ``registry`` knows it. ``kind`` is the kind of interview (when None, a new
        one of the kind named ``kind_name``: a coding interview on
        ``problem``). The store and ``session_started`` keep its name, and
        ``kind_options`` (a kind's set-up: for a behavioural interview
        ``kinds.behavioral.behavioral_setup``'s, on
        ``problems.questions.interview_problem(stage)``) under that name.
        ``scorer``: a behavioural interview's (the shell's choice,
        ``coach.behavioral_llm.session_scorer``; None: the offline one)."""
        coach_settings = {k: v for k, v in (coach_settings or {}).items() if v is not None}
        effective = settings_for_session(settings, coach_settings)
        if kind is None:
            kind = make_kind(kind_name, problem, _problems(registry, problem.spec.harder_variants),
                             setup=kind_options, registry=registry, scorer=scorer)
        info = store.create_session(problem.qualified_id, {
            "minutes": minutes, "mode": mode, "coach": {
                "helpfulness": effective.coach.helpfulness,
                "personality": effective.coach.personality},
            **(meta or {}),
        }, kind=kind.name, user=user,
            pack_version=registry.pack_version(problem.pack) if registry else "")
        session = cls._build(store, info, problem, effective, harness, clock, minutes, mode, coach,
                             registry, t0=clock.now(), kind=kind)
        started: dict[str, Any] = {
            "problem": problem.id, "qualified_id": problem.qualified_id, "minutes": minutes,
            "mode": mode, "coach": info.meta["coach"],
            "settings": effective.model_dump(mode="json"), "kind": kind.name,
        }
        if kind_options is not None:
            started[kind.name] = dict(kind_options)
        session.post("session_started", started)
        return session

    @classmethod
    def _build(cls, store: SessionStore, info: SessionInfo, problem: Problem, settings: Settings,
               harness: CodeRunner | None, clock: Clock, minutes: float, mode: str,
               coach: Coach, registry: ProblemRegistry | None, *, t0: float,
               kind: InterviewKind | None = None) -> InterviewSession:
        orchestrator = Orchestrator(
            problem, settings, coach=coach, minutes=minutes, mode=mode,
            harder_variant_titles=_titles(registry, problem.spec.harder_variants),
            prerequisite_titles=_titles(registry, problem.spec.prerequisites),
            followups=_problems(registry, problem.spec.harder_variants), kind=kind,
        )
        return cls(store=store, info=info, problem=problem, settings=settings,
                   orchestrator=orchestrator, harness=harness, clock=clock, t0=t0,
                   registry=registry)

    @classmethod
    def resume(cls, store: SessionStore, session_id: str, registry: ProblemRegistry,
               settings: Settings, *, harness: CodeRunner | None, clock: Clock,
               replay_coach: Coach, coach: Coach | None = None,
               kind: InterviewKind | None = None,
               scorer: BehavioralScorer | None = None) -> InterviewSession:
        """Pick a session up where its records end (after a crash, or later).

        The past is replayed with ``replay_coach`` (the scripted one: a
        replay must not ask a model about every past event); ``coach``, when
        given, takes over from there. ``kind``: a new one of the kind the
        session was started with (when None, made from the kind the store
        names; :class:`~.kinds.UnknownKind` when this version lacks it).
        ``scorer``: a behavioural interview's from here on (the past's
        questions, scores and feedback are the stored ones, never asked of a
        model again)."""
        info = store.get(session_id)
        records = store.records(info.id)
        started = next((r for r in records if isinstance(r, Event) and r.type == "session_started"),
                       None)
        if started is None:
            raise ValueError(f"session {info.id} has no session_started event")
        problem = registry.get(info.problem)
        if kind is None:
            setup = started.data.get(info.kind)
            kind = make_kind(info.kind, problem, _problems(registry, problem.spec.harder_variants),
                             setup=setup if isinstance(setup, dict) else None, registry=registry,
                             scorer=scorer)
        effective = settings_for_session(settings, dict(started.data.get("coach") or {}))
        minutes = float(started.data.get("minutes", info.meta.get("minutes", 45)))
        mode = str(started.data.get("mode", "normal"))
        last_t = max((r.t for r in records), default=0.0)
        # The interview's clock goes on from where the records stop: the time
        # the process was down is not the candidate's.
        session = cls._build(store, info, problem, effective, harness, clock, minutes, mode,
                             replay_coach, registry, t0=clock.now() - last_t, kind=kind)
        session._replay(records)
        if coach is not None:
            session.orchestrator.coach = coach
            session._wire_coach(coach)
        return session

    def _replay(self, records: list[Record]) -> None:
        caused: dict[int, int] = {}
        for r in records:
            if isinstance(r, Action) and r.cause is not None:
                caused[r.cause] = caused.get(r.cause, 0) + 1
        events = [r for r in records if isinstance(r, Event)]
        kind = self.orchestrator.kind
        # A kind whose results came from outside the engine (a behavioural
        # interview's model scorer) takes them from the records: never asked again.
        recorded = getattr(kind, "recorded", None)
        if callable(recorded):
            recorded(records)
        pending = [r for r in records if isinstance(r, Action) and r.type in kind.side_effects]
        for event in events:
            actions = self.orchestrator.handle(event)
            if event.seq is not None and event.seq not in caused and actions:
                # The process stopped between this event and its actions.
                pending += [a for a in self._commit_actions(actions)
                            if a.type in kind.side_effects]
        # What was asked for and never came back: the kind does it now.
        kind.resume(self, events, pending)
        if self.orchestrator.state.ended and self.info.status == "open":
            self.store.set_status(self.info.id, "ended")
        self._stop_clock_if_ended()

    # -------------------------------------------------------------- events

    def now(self) -> float:
        """Seconds of interview so far: the clock stands still while it is
        paused (no frontend connected) and once the interview has ended."""
        at = self._stopped_at if self._stopped_at is not None else self.clock.now()
        return max(0.0, at - self.t0)

    @property
    def clock_paused(self) -> bool:
        return self._stopped_at is not None

    def pause_clock(self) -> None:
        """Stop the interview's clock (the last frontend went away)."""
        with self._lock:
            if self._stopped_at is None:
                self._stopped_at = self.clock.now()

    def resume_clock(self) -> None:
        """Start the clock again from where it stopped; an ended interview's stays."""
        with self._lock:
            if self._stopped_at is None or self.ended:
                return
            self.t0 += self.clock.now() - self._stopped_at
            self._stopped_at = None

    def _stop_clock_if_ended(self) -> None:
        if self.orchestrator.state.ended and self._stopped_at is None:
            self._stopped_at = self.clock.now()

    def time_left_s(self) -> float:
        with self._lock:
            self.orchestrator.observe_time(self.now())
            return float(self.orchestrator.timer.time_left_s)

    def end_if_time_up(self) -> list[Action] | None:
        """The server's sweep: a session whose time is up, that no request is
        handling now, gets a tick (the time rules wrap it up) and, should it
        still be open, ends ("time"). None when busy, paused or not yet up."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self.ended or self.clock_paused or self.time_left_s() > 0:
                return None
            actions = self.tick()
            if not self.ended:
                actions += self.end("time")
            return actions
        finally:
            self._lock.release()

    def post(self, type_: EventType, data: dict[str, Any] | None = None) -> list[Action]:
        """One event in; every action it led to out (tests included).

        Every event enters the engine here, from every shell: its data must
        have its type's shape (:data:`~mock_interviewer_lab.events.EVENT_PAYLOADS`),
        else :class:`~mock_interviewer_lab.events.PayloadError` and nothing
        is stored. The check takes 1 to 20 µs; the cheapest post takes 80."""
        payload = dict(data or {})
        validate_payload("event", type_, payload)
        with self._lock:
            event = self.store.append(self.info.id, Event(type=type_, t=self.now(), data=payload))
            assert isinstance(event, Event)
            for event_listener in list(self.event_listeners):
                try:
                    event_listener(event)
                except Exception:  # a broken listener must not lose the event's actions
                    continue
            actions = self.orchestrator.handle(event)
            stored = self._commit_actions(actions)
            out = list(stored)
            kind = self.orchestrator.kind
            for action in stored:
                if action.type in kind.side_effects:
                    out += kind.carry_out(self, action)
            return out

    def _commit_actions(self, actions: list[Action]) -> list[Action]:
        if any(a.type == "report_ready" for a in actions):
            pending = [a for a in actions if a.type != "report_ready"]
            records = [*self.store.records(self.info.id), *pending]
            actions = [replace(a, data=self.build_report(records)) if a.type == "report_ready"
                       else a for a in actions]
        stored = [a for a in self.store.append_many(self.info.id, actions) if isinstance(a, Action)]
        if self.orchestrator.state.ended:
            status = "aborted" if self.orchestrator.phase == Phase.ABORT else "ended"
            self.store.set_status(self.info.id, status)
            self._stop_clock_if_ended()
        for action in stored:
            for listener in list(self.listeners):
                listener(action)
        return stored

    def _wire_coach(self, coach: Coach) -> None:
        wire = getattr(coach, "set_sentence_sink", None)
        if callable(wire):
            wire(self._push_partial)

    def _push_partial(self, sentence: str) -> None:
        """One sentence of a reply being streamed, already through the leak
        filter: to every listener now (``coach_partial``), never stored; the
        ``coach_says`` that follows holds the whole reply."""
        action = Action(type="coach_partial", t=self.now(),
                        data={"text": sentence, "coach": self.orchestrator.coach.name})
        for listener in list(self.listeners):
            try:
                listener(action)
            except Exception:  # one broken listener must not cut the reply short
                continue

    # -------------------------------------------------------- conveniences

    def say(self, text: str) -> list[Action]:
        return self.post("candidate_said", {"text": text})

    def submit(self, code: str) -> list[Action]:
        return self.post("code_submitted", {"code": code})

    def hint(self) -> list[Action]:
        return self.post("hint_requested")

    def tick(self) -> list[Action]:
        return self.post("tick")

    def end(self, reason: str = "candidate") -> list[Action]:
        return self.post("end_requested", {"reason": reason})

    @property
    def busy(self) -> bool:
        """Another thread is handling an event of this session now."""
        if self._lock.acquire(blocking=False):
            self._lock.release()
            return False
        return True

    @property
    def ended(self) -> bool:
        return self.orchestrator.state.ended

    @property
    def phase(self) -> Phase:
        return self.orchestrator.phase

    def records(self) -> list[Record]:
        return self.store.records(self.info.id)

    def public_view(self) -> dict[str, Any]:
        """What a panel may show of the session's problem (its kind decides:
        for a coding interview, the statement, the stub and the visible cases)."""
        return self.orchestrator.kind.public_view(self.problem)

    def state(self) -> dict[str, Any]:
        """What a panel shows of the session now (see docs/api.md, State)."""
        orch = self.orchestrator
        orch.observe_time(self.now())
        timer = orch.timer
        last = orch.kind.last_results(orch.state)
        return {
            "phase": self.phase.value,
            "ended": self.ended,
            "elapsed_s": round(timer.elapsed_s, 3),
            "time_left_s": round(timer.time_left_s, 3),
            "phase_budget_left_s": timer.budget_left_s,
            "hint": {"level": orch.ladder.level, "of": HINT_LEVELS, "label": orch.ladder.label()},
            "last_results": last,
            "mode": orch.mode,
        }

    def build_report(self, records: list[Record]) -> dict[str, Any]:
        report = session_report(records, self.problem, self.info.id, self.registry)
        data: dict[str, Any] = report.as_dict()
        # The model's feedback (or the engine's own, labelled) is asked for once,
        # here, and kept in report_ready: a report rendered later reads it back.
        # A coach that can write feedback (one with a model) does; else the
        # engine's own report stands. A behavioural session's feedback is its
        # scorer's (session_feedback): the coach's prompts are for coding.
        write = getattr(self.orchestrator.coach, "write_feedback", None) \
            if self.info.kind == DEFAULT_KIND else None
        feedback = write(records, self.problem, report) if callable(write) \
            else engine_feedback(report)
        data["feedback"] = feedback.as_dict()
        return data
