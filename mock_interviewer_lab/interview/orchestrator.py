"""The orchestrator: events in, actions out, no I/O of its own.

It keeps the interview's state — the phase machine, the timer, the hint
ladder, the transcript — and decides what happens next. What is specific to
one kind of interview (a coding interview's code, tests and big-O talk) it
leaves to the kind (``interview/kinds/``) and the kind's phase plan: it
names no phase but those every interview has. Time comes only from the
events (``Event.t``, seconds since the session started), so a 45-minute
interview can be played in a second.

Every coach message, scripted or not, passes the safeguards here: a message
that leaks is replaced by a safe Socratic question and a ``leak_blocked``
action records the incident.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from mock_interviewer_lab.events import Action, ActionType, Event
from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.coaching import Coach, CoachContext, CoachReply, Trigger
from mock_interviewer_lab.interview.difficulty import DifficultyCalibrator, PerformanceMetrics
from mock_interviewer_lab.interview.intent import (
    Intent,
    IntentClassifier,
    Utterance,
    accepts_offered_hint,
    is_only_thinking_sounds,
)
from mock_interviewer_lab.interview.kinds import DEFAULT_KIND, make_kind
from mock_interviewer_lab.interview.kinds.base import InterviewKind
from mock_interviewer_lab.interview.phases import WRAP_UP_AT_S, Phase, PhaseMachine
from mock_interviewer_lab.interview.rules.clarify import topics_asked
from mock_interviewer_lab.interview.rules.fishing import FISHING_REDIRECT_VARIANTS, FishingDetector
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS
from mock_interviewer_lab.interview.rules.hints import LIMIT_REASON, HintLadder
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.interview.state import InterviewState
from mock_interviewer_lab.interview.timers import InterviewTimer, PhaseOverrun, TimeWarning
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.settings import Settings

#: How often the calibrator looks at the session (it needs a few minutes of it).
_CALIBRATE_EVERY_S = 180.0
_NUDGE_SCALE = {"gentle": 2.0, "balanced": 1.0, "insistent": 0.5}
#: A quiet candidate hears from the coach less and less often. The first nudge
#: comes once they have been quiet for ``silence_before_nudge_ms`` (and as long
#: since the coach's last line); each further one, counted from the coach's
#: last line, after the nudge interval (scaled by helpfulness) plus the
#: unscaled interval for each nudge since they last did anything (up to this
#: many), and never longer than _MAX_NUDGE_WAIT_S (unless the interval itself
#: is longer). Balanced, every 30 s: 8 s, then 30, 60, 90, 120, 150 s.
_NUDGE_BACKOFF_STEPS = 5
_MAX_NUDGE_WAIT_S = 150.0
#: Lines that set the interview's agenda rather than help the candidate where
#: they are (with the plan's ``agenda_replies``): a quiet candidate still
#: hears help at least every _MAX_NUDGE_WAIT_S, whatever of these came in
#: between.
_AGENDA_KINDS = frozenset({"warning", "wrap_up", "intro"})
#: What the coach's context holds of its own (any other ``say`` keyword goes
#: to the kind's ``coach_view``).
_CONTEXT_FIELDS = frozenset(f.name for f in fields(CoachContext))
#: A fishing redirect said within this long is worded another way next time.
_REDIRECT_MEMORY_S = 300.0
#: "Let's end the interview": words never end it (time does, or End); the
#: coach says how.
_STOP_WORDS = re.compile(
    r"\b(?:end|stop|finish|wrap up|close)\s+(?:the\s+|this\s+)?(?:interview|session)\b"
    r"|\b(?:let's|lets|let us|can we|could we|i'd like to|i want to)\s+(?:stop|end|finish|wrap up)\b")


class _EventClock:
    """The timer's clock: the time of the event being handled."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


class Orchestrator:
    def __init__(
        self,
        problem: Problem,
        settings: Settings | None = None,
        *,
        coach: Coach,
        minutes: float = 45,
        mode: str = "normal",
        harder_variant_titles: list[str] | None = None,
        prerequisite_titles: list[str] | None = None,
        calibrate: bool = True,
        followups: list[Problem] | None = None,
        kind: InterviewKind | None = None,
    ) -> None:
        self.problem = problem
        #: The problem the candidate works on now: ``problem``, then the
        #: kind's follow-up problem once it starts.
        self.active = problem
        #: What is specific to this kind of interview (interview/kinds/): the
        #: default kind on ``problem`` (and its ``followups``) unless given.
        self.kind: InterviewKind = kind if kind is not None \
            else make_kind(DEFAULT_KIND, problem, list(followups or []))
        self.calibrate = calibrate
        self.settings = settings or Settings()
        self.coach: Coach = coach
        self.minutes = minutes
        self.mode = mode
        c = self.settings.coach
        self.helpfulness: str = c.helpfulness
        self.personality = c.personality
        self._clock = _EventClock()
        # The kind's phases (its plan); the machine runs them. With less than
        # the plan's wrap-up budget left, the work stops.
        plan = self.kind.plan
        self.machine = PhaseMachine(plan=plan, wrap_up_at_s=plan.wrap_up_at(c.timing)
                                    if plan.wrap_up_at is not None else WRAP_UP_AT_S)
        self.timer = InterviewTimer(self._clock, minutes, c.timing, started_at=0.0)
        self.classifier = IntentClassifier(c.behavioral)
        self.leaks = LeakFilter(problem)
        self.fishing = FishingDetector()
        self.ladder = HintLadder(problem.hints, c.helpfulness,
                                 c.intervention.max_hints_before_subproblem,
                                 limit=c.intervention.max_hints)
        self.state = InterviewState(work=self.kind.new_work())
        self.calibrator = DifficultyCalibrator()
        self.extra: dict[str, Any] = {"harder_variant_titles": harder_variant_titles or [],
                                      "prerequisite_titles": prerequisite_titles or []}
        self._out: list[Action] = []
        self._cause: int | None = None
        #: Hint level -> the text given at it (a coach's tool may ask again).
        self._hint_texts: dict[int, str] = {}

    # ------------------------------------------------------------ the core

    @property
    def phase(self) -> Phase:
        return self.machine.phase

    @property
    def _working_on_followup(self) -> bool:
        """The follow-up problem is under way and not yet solved: talk and
        hints are about it, not the time after a solution."""
        return self.kind.working_on_followup(self)

    def observe_time(self, t: float) -> None:
        """Bring the timer to ``t`` for reading its figures between events
        (it only moves forward; no rule fires until the next event)."""
        self._clock.t = max(self._clock.t, t)

    def handle(self, event: Event) -> list[Action]:
        """Take one event; return what should happen, in order."""
        self._clock.t = event.t
        self._out = []
        self._cause = event.seq
        st = self.state
        if st.ended and event.type != "session_started":
            self.kind.after_end(self, event)  # a kind may refuse it in words
            return self._out
        if event.type in self.kind.events:
            self.kind.handle(self, event)  # the candidate's work: the kind's
        else:
            # An event neither takes (code in an interview without code)
            # changes nothing; the time rules still run.
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is not None:
                handler(event)
        if event.type not in ("session_started", "end_requested") and not st.ended:
            self._time_rules(event.t)
        return self._out

    # ------------------------------------------------------------- events

    def _on_session_started(self, event: Event) -> None:
        st = self.state
        if st.started:
            return
        st.started = True
        st.last_activity_t = st.stuck_since = event.t
        self.go(Phase.INTRO, "the session started")
        self.kind.started(self)
        self.say("intro")
        self.kind.introduced(self)

    def _on_candidate_said(self, event: Event) -> None:
        st = self.state
        text = str(event.data.get("text", "")).strip()
        if not text:
            return
        utterance = self.classifier.classify(text)
        st.transcript.append((event.t, "candidate", text))
        st.candidate_words.append(text)
        if not is_only_thinking_sounds(text, self.settings.coach.behavioral.thinking_sounds):
            st.last_activity_t = event.t
        verdict = self.fishing.classify(text)
        # "Is it just letters, or digits too?" asks about the input, not the answer.
        about_input = verdict.kind == "guess_structure" and bool(topics_asked(text))
        if verdict.fishing and verdict.redirect and not about_input:
            self.emit("fishing_redirected", {"kind": verdict.kind})
            self._coach_text(self._redirect_text(verdict.kind, verdict.redirect), "redirect")
            return
        if self.phase == Phase.INTRO:
            self.go(self.machine.plan.first, "the candidate spoke")
        self.kind.heard(self, utterance)
        offered = st.coach_texts[-1] if st.coach_texts else ""
        if utterance.intent == Intent.HINT_REQUEST or accepts_offered_hint(text, offered):
            # "Can I get a hint?" (or "yes" to "Would a hint help?") is the hint
            # button in words: the same ladder.
            self._follow_intent(utterance)
            self._give_requested_hint(event.t)
            return
        if utterance.intent == Intent.DONE and _STOP_WORDS.search(text.lower()):
            self._coach_text(self._how_to_end(), "question")
            return
        if self.kind.answer_first(self, utterance):
            return
        on_followup = self._working_on_followup
        if utterance.intent == Intent.DONE and self.phase in self.machine.plan.agenda \
                and not on_followup:
            self._advance_agenda()
            return
        self._follow_intent(utterance)
        if self.kind.answer(self, utterance):
            if st.end_pending:
                self._finish("candidate")
            return
        if utterance.words >= 4 and not utterance.is_question and not on_followup \
                and self.phase in self.machine.plan.agenda:
            # Answered: the next thing worth the time that is left.
            self._advance_agenda()
            return
        if utterance.intent == Intent.APPROACH:
            st.stuck_since = event.t  # a new idea is progress
        self.kind.went_on(self, utterance)
        self.say("said", utterance=utterance)

    def _on_hint_requested(self, event: Event) -> None:
        self._give_requested_hint(event.t)

    def _give_requested_hint(self, t: float) -> None:
        self.state.hints_requested += 1
        step = self.ladder.request(t)
        if step.reason == LIMIT_REASON:
            cap = self.settings.coach.intervention.max_hints
            self._coach_text("This interview gives no hints." if cap == 0 else
                             f"This interview gives {plural(cap, 'hint')} at most, and you "
                             "have had them; keep going on your own.", "hint_refused",
                             checked=True)
            return
        self._give_hint(step.kind, step.level, step.text, "requested")

    def _on_typing(self, event: Event) -> None:
        self.state.last_activity_t = event.t

    def _on_silence(self, event: Event) -> None:
        st = self.state
        seconds = float(event.data.get("seconds", event.t - st.last_activity_t))
        if self.kind.quiet(self, seconds):
            return  # the kind took the pause (the end of a spoken answer)
        threshold = self.settings.coach.intervention.silence_before_nudge_ms / 1000
        due = event.t - st.last_prompt_t >= self._nudge_wait(threshold) \
            or event.t - st.last_help_t >= _MAX_NUDGE_WAIT_S
        if seconds >= threshold and due and self.phase not in (Phase.INIT, Phase.DONE, Phase.ABORT):
            st.nudge_pending = seconds  # said after the time rules (see _time_rules)

    def _nudge_wait(self, threshold: float) -> float:
        """How long after the coach's last line a quiet candidate is nudged:
        the silence threshold for the first nudge, the interval after it, then
        longer with each nudge they did not answer (a real interviewer gives a
        silent candidate room rather than asking again every half minute), up
        to a ceiling."""
        st = self.state
        nudges = st.quiet_nudges if st.quiet_since == st.last_activity_t else 0
        if nudges == 0:
            return threshold
        base = float(self.settings.coach.nudge_interval_s)
        interval = base * _NUDGE_SCALE.get(self.helpfulness, 1.0)
        steps = min(nudges, _NUDGE_BACKOFF_STEPS)
        return min(interval + base * (steps - 1), max(interval, _MAX_NUDGE_WAIT_S))

    def _on_tick(self, event: Event) -> None:
        pass  # the time rules run after every event

    def _on_end_requested(self, event: Event) -> None:
        reason = str(event.data.get("reason", "candidate"))
        if reason == "abort":
            self.go(Phase.ABORT, "the session was aborted")
            self._end()
            return
        if self.kind.last_question(self, reason):
            return  # the end comes with the answer
        self._finish(reason)

    # ---------------------------------------------------------- time rules

    def _time_rules(self, t: float) -> None:
        st = self.state
        for notice in self.timer.due_warnings():
            if isinstance(notice, TimeWarning):
                self.emit("time_warning", {"minutes_left": notice.minutes_left})
                self.say("time_warning", minutes_left=notice.minutes_left)
            elif isinstance(notice, PhaseOverrun):
                pass  # the budgets shape the timer in the panel; the warnings speak
        left = self.timer.time_left_s
        before = self.phase
        self.step_until_none(lambda: self.machine.on_time(left), "time")
        if self.phase != before:
            self.kind.clock_moved(self, before)
        if left <= 0 and not st.ended:
            self._finish("time")
            return
        if self.calibrate and t - st.calibrated_t >= _CALIBRATE_EVERY_S:
            self._calibrate(t)
        # Automatic hints: in the plan's stuck phases without progress; in
        # its stuck-when-idle phases only once the candidate has stopped
        # typing and talking for a while.
        plan = self.machine.plan
        idle_long = t - st.last_activity_t >= plan.idle_stuck_s
        stuck_phase = self.phase in plan.stuck or self._working_on_followup \
            or self.kind.stuck_while_improving(self, idle_long) \
            or (self.phase in plan.stuck_when_idle and idle_long)
        if stuck_phase and self.kind.hint_serves(st):
            step = self.ladder.due(t, st.stuck_since)
            if step.kind != "none":
                self._give_hint(step.kind, step.level, step.text, "stuck")
        silence_s, st.nudge_pending = st.nudge_pending, None
        if silence_s is not None and st.last_prompt_t < t and not st.ended:
            st.last_nudge_t = t
            said = len(st.coach_texts)
            self.say("silence", silence_s=silence_s)
            if len(st.coach_texts) > said:
                if st.quiet_since != st.last_activity_t:
                    st.quiet_since, st.quiet_nudges = st.last_activity_t, 0
                st.quiet_nudges += 1

    def _calibrate(self, t: float) -> None:
        """The spec's difficulty calibrator, mid-session: when the candidate
        finds the problem too easy, too hard or is struggling, the coach
        changes how soon and how much it helps (and says so in the log)."""
        st = self.state
        st.calibrated_t = t
        perf = PerformanceMetrics(
            time_to_first_approach=st.first_approach_t, hints_requested=st.hints_requested,
            silence_periods=(), session_duration=t,
            **self.kind.progress(st))
        assessment = self.calibrator.assess(perf)
        if assessment.level == st.assessment or assessment.level in ("appropriate", "comfortable"):
            return
        st.assessment = assessment.level
        adjust = self.calibrator.adjust_coaching(assessment, self.settings.coach)
        self.helpfulness = adjust.helpfulness
        self.ladder.helpfulness = adjust.helpfulness
        self.ladder.threshold_scale = adjust.hint_threshold_multiplier
        self.emit("coach_adjusted", {
            "assessment": assessment.level, "reason": assessment.reason,
            "helpfulness": adjust.helpfulness,
            "hint_threshold_multiplier": adjust.hint_threshold_multiplier})
        if adjust.offer_subproblem and not self.ladder.subproblem_offered \
                and self.phase in self.machine.plan.stuck:
            self.ladder.subproblem_offered = True
            self.say("subproblem")

    # ------------------------------------------------------------- helpers
    # emit, go, step_until_none and say (and state, settings, mode, timer,
    # machine, phase, active) are what a kind may use: interview/kinds/base.py's
    # Engine.

    def emit(self, type_: ActionType, data: dict[str, Any]) -> None:
        """An action, caused by the event being handled."""
        self._out.append(Action(type=type_, t=self._clock.t, data=data, cause=self._cause))

    def go(self, to: Phase, reason: str, *, quiet: bool = False) -> bool:
        """Move the phase machine (False when the move is not allowed)."""
        before = self.phase
        verdict = self.machine.go(to, at=self._clock.t, reason=reason,
                                  time_left_s=self.timer.time_left_s)
        if verdict:
            self.timer.enter(to)
            self.state.stuck_since = self._clock.t  # a new phase is progress
            if to in self.machine.plan.approach and self.state.first_approach_t is None:
                self.state.first_approach_t = self._clock.t
            self.emit("phase_changed", {"from": before.value, "to": to.value, "reason": reason})
            if to in self.machine.plan.agenda and not quiet:
                self._advance_agenda()
        return bool(verdict)

    def step_until_none(self, step: Any, reason: str) -> None:
        """Follow a trigger of the phase machine until it names no step."""
        for _ in range(len(Phase)):
            target = step()
            if target is None or target == self.phase or not self.go(target, reason):
                return

    def speak(self, text: str, kind: str, by: str = "scripted") -> None:
        """Say the kind's own line (a question it chose, its feedback)
        through the safeguards, as a coach line of ``kind`` written ``by``
        the scripted interviewer or a model (a behavioural scorer's)."""
        self._coach_text(text, kind, reply=CoachReply(text, kind, by=by))

    def finish(self, reason: str) -> None:
        """End the interview now (the kind's work is over): the plan's way to
        close, the wrap-up, the report."""
        self._finish(reason)

    def _follow_intent(self, utterance: Utterance) -> None:
        left = self.timer.time_left_s
        self.step_until_none(lambda: self.machine.on_intent(utterance.intent, left),
                              f"the candidate: {utterance.intent.value}")

    def _how_to_end(self) -> str:
        minutes = int(self.timer.time_left_s // 60)
        return (f"We still have about {plural(minutes, 'minute')}. If you want "
                "to stop now, end the interview (End in the panel, %interview end, or /end in "
                "the terminal); otherwise let's use the time.")

    # ------------------------------------------------- the time after a solution

    def _advance_agenda(self) -> None:
        """The next thing worth the time that is left, as the plan's agenda
        has it (never the end: that is the clock's or the candidate's)."""
        step = self.machine.plan.agenda.get(self.phase)
        if step is None:
            return
        if step.followup_first and self.kind.followup_due(self):
            goal: str | None = "second_problem"
        else:
            goal = step.next_goal(self.state.goals)
        if goal is None and step.then is not None and self.go(step.then, step.then_reason):
            return  # go() asked the next phase's first question
        self._ask_goal(goal or "open")

    def _ask_goal(self, goal: str) -> None:
        st = self.state
        if goal == "second_problem":
            self._start_followup()
        st.goals.append(goal)
        self.say("phase", goal=goal, goal_count=st.goals.count(goal))

    def _start_followup(self) -> None:
        """The kind starts its follow-up problem (and says so); its hints and
        safeguards take over here."""
        variant = self.kind.start_followup(self)
        self.active = variant
        c = self.settings.coach
        self.leaks = LeakFilter(variant)
        self.ladder = HintLadder(variant.hints, self.helpfulness,
                                 c.intervention.max_hints_before_subproblem,
                                 # the session's cap counts the first problem's hints too
                                 limit=max(0, c.intervention.max_hints - self.ladder.given)
                                 if c.intervention.max_hints >= 0 else -1)
        self._hint_texts = {}
        self.state.stuck_since = self._clock.t

    def problem_for(self, qualified_id: str | None) -> Problem:
        """The session's problem with this id (the first, or a follow-up it
        started); the first when ``qualified_id`` is none of them."""
        return self.kind.problem_for(qualified_id)

    def _give_hint(self, kind: str, level: int, text: str, reason: str) -> None:
        if kind == "hint":
            safe = self._safe(text, "hint")
            self._hint_texts[level] = safe
            self.emit("show_hint", {"level": level, "of": HINT_LEVELS, "text": safe,
                                     "reason": reason, "label": f"hint {level} of {HINT_LEVELS}"})
            self._coach_text(f"Hint {level} of {HINT_LEVELS}: {safe}", "hint", checked=True)
        elif kind == "subproblem":
            self.say("subproblem")

    def _finish(self, reason: str) -> None:
        st = self.state
        if st.ended:
            return
        why = f"ended ({reason})"
        self.kind.stop_improving(self)
        # The plan's way to close from here; else the machine calls it ABORT.
        for path in self.machine.plan.endings:
            if self.machine.can(path[0], time_left_s=self.timer.time_left_s):
                for phase in path:
                    self.go(phase, why, quiet=True)
                break
        else:
            self.go(Phase.ABORT, why, quiet=True)
        self.extra["end_reason"] = reason
        self.say("wrap_up")
        self._end()

    def _end(self) -> None:
        self.state.ended = True
        self.emit("report_ready", {})

    def _context(self, trigger: Trigger, **kw: Any) -> CoachContext:
        st = self.state
        # The kind's part (ctx.work): what the coach sees of the candidate's
        # work, with what the caller passed for it.
        work = self.kind.coach_view(self, {k: kw.pop(k) for k in list(kw)
                                           if k not in _CONTEXT_FIELDS})
        return CoachContext(
            trigger=trigger, problem=self.active, phase=self.phase,
            helpfulness=self.helpfulness, personality=self.personality,
            elapsed_s=self.timer.elapsed_s, time_left_s=self.timer.time_left_s,
            transcript=tuple((role, text) for _, role, text in st.transcript[-20:]),
            hints_given=self.ladder.given, hints_allowed=not self.ladder.used_up,
            mode=self.mode, turn=st.turn,
            extra=self.extra, request_hint=self._coach_hint, work=work, **kw,
        )

    def _coach_hint(self, level: int) -> dict[str, Any]:
        """A model's ``get_hint`` tool: the ladder's next level only (its rules
        stand), shown on the panel like any hint; the model words it."""
        ladder = self.ladder
        if level < 1 or level > HINT_LEVELS:
            return {"error": f"level must be 1 to {HINT_LEVELS}"}
        if level <= ladder.level and level in self._hint_texts:
            return {"level": level, "text": self._hint_texts[level],
                    "note": "already given; ask how it helps rather than repeating it"}
        if level > ladder.level + 1:
            return {"refused": f"hints go one level at a time: the next one is level "
                               f"{ladder.level + 1}"}
        step = ladder.offer(self._clock.t)
        if step.kind == "subproblem":
            return {"refused": "the hints are used up: offer a simpler sub-problem instead"}
        if step.kind != "hint":
            return {"refused": step.reason or "no hint now"}
        safe = self._safe(step.text, "hint")
        self._hint_texts[step.level] = safe
        self.emit("show_hint", {"level": step.level, "of": HINT_LEVELS, "text": safe,
                                 "reason": "coach", "label": f"hint {step.level} of {HINT_LEVELS}"})
        return {"level": step.level, "text": safe}

    def _redirect_text(self, kind: str | None, redirect: str) -> str:
        """The fishing redirect, in words not said lately (a candidate who
        fishes twice the same way hears another wording the second time)."""
        st = self.state
        lately = {text for t, role, text in st.transcript
                  if role == "coach" and self._clock.t - t < _REDIRECT_MEMORY_S}
        options = FISHING_REDIRECT_VARIANTS.get(kind or "", (redirect,))
        return next((o for o in options if o not in lately), redirect)

    def say(self, trigger: Trigger, **kw: Any) -> None:
        """Ask the coach; its reply passes the safeguards."""
        st = self.state
        recent = set(st.coach_texts[-2:])
        reply: CoachReply | None = None
        # A good interviewer does not ask the same question twice in a row:
        # let the coach word it another way, or stay quiet. A reply streamed
        # to the candidate as it was written has been said already: it is
        # recorded, repeat or not (asking again would leave shown sentences
        # without a record, and give the turn a second voice).
        for _ in range(3):
            reply = self.coach.reply(self._context(trigger, **kw))
            st.turn += 1
            if reply is None or reply.streamed or reply.text not in recent:
                break
        else:
            return
        if reply is not None and reply.text.strip():
            self._coach_text(reply.text, reply.kind, reply=reply)

    def _safe(self, text: str, kind: str) -> str:
        verdict = self.leaks.check(text, candidate_words=self.state.candidate_words,
                                   phase=self.phase.value)
        if verdict.leak:
            self.emit("leak_blocked", {"reasons": verdict.reasons, "original_kind": kind,
                                        "original": text})
            return verdict.safe_text
        return text

    def _coach_text(self, text: str, kind: str, *, checked: bool = False,
                    reply: CoachReply | None = None) -> None:
        for blocked in reply.blocked if reply else ():
            # Stopped by the coach's own streaming filter: never shown.
            self.emit("leak_blocked", {"reasons": list(blocked.reasons), "original_kind": kind,
                                        "original": blocked.text, "streaming": True})
        if reply is not None and reply.fallback:
            self.emit("coach_fallback", {
                "reason": reply.fallback, "detail": reply.fallback_detail,
                "model": self.coach.name, "coach": reply.by or "scripted",
                "message": fallback_message(reply.fallback, reply.fallback_detail)})
        safe = text if checked else self._safe(text, kind)
        st = self.state
        st.transcript.append((self._clock.t, "coach", safe))
        st.coach_texts.append(safe)
        if kind != "warning":  # a time warning announces the clock; it asks nothing
            st.last_prompt_t = self._clock.t
        if kind not in _AGENDA_KINDS and kind not in self.machine.plan.agenda_replies:
            st.last_help_t = self._clock.t
        data: dict[str, Any] = {"text": safe, "kind": kind,
                                "coach": (reply.by if reply and reply.by else self.coach.name),
                                "fallback": bool(reply and reply.fallback)}
        if reply is not None and reply.usage is not None:
            data["usage"] = reply.usage
        if reply is not None and reply.streamed:
            # The panel and the voice already have these sentences.
            data["streamed"] = reply.streamed
        self.emit("coach_says", data)


def fallback_message(reason: str, detail: str = "") -> str:
    """What the panel says, in plain words, when the scripted coach answered for a model."""
    if reason == "unavailable":
        return f"The model is not used ({detail or 'see the [llm] settings'}); the scripted coach replies."
    why = {"timeout": "did not answer in time (timeout)",
           "error": "returned an error",
           "malformed": "sent an answer that could not be read (malformed)",
           "refusal": "refused to answer",
           "rejected": "gave replies a candidate cannot take, twice (rejected)",
           }.get(reason, f"did not answer ({reason})")
    return f"The model {why}; the scripted coach replied."
