"""The scripted coach's lines in a behavioural interview: the welcome, the
silence nudges, the time warnings and the wrap-up (the questions, the
follow-ups and the feedback are the interview's own: kinds/behavioral.py).

:class:`~.scripted.ScriptedCoach` hands a context here when its work is a
:class:`~mock_interviewer_lab.interview.kinds.behavioral.BehavioralView`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.kinds.behavioral import BehavioralView

_STAGES = {"recruiter_screen": "recruiter screen", "hiring_manager": "hiring-manager interview"}

#: A quiet candidate, while an answer is awaited: room first, then help to start.
_NUDGES_ANSWER: tuple[str, ...] = (
    "Take your time. Think of one specific time it happened: where were you, and what was "
    "at stake?",
    "It's fine to take a moment. Which project or situation comes to mind first?",
    "If it helps, start with the situation in a sentence, then tell me what you did.",
)
_NUDGES_FOLLOW_UP: tuple[str, ...] = (
    "Take a moment if you need it; a short, concrete answer is fine.",
    "If you don't have an example for that, say so, and we can skip this follow-up.",
)
_NUDGES_OTHER: tuple[str, ...] = (
    "Ready when you are.",
)


def _fresh(options: Sequence[str], ctx: CoachContext) -> str:
    """The first of ``options`` from the turn's place that the transcript
    shown does not hold; the turn's own when each is there."""
    said = {text for role, text in ctx.transcript if role == "coach"}
    start = ctx.turn % len(options)
    ordered = [*options[start:], *options[:start]]
    return next((o for o in ordered if o not in said), ordered[0])


def _intro(ctx: CoachContext, view: BehavioralView) -> CoachReply:
    minutes = round((ctx.elapsed_s + ctx.time_left_s) / 60)
    welcome = {"supportive": "Welcome! ", "neutral": "", "challenging": ""}.get(ctx.personality, "")
    stage = _STAGES.get(view.stage, view.stage)
    tone = (" I'll push back on what you say, the way a tough interviewer does."
            if view.adversarial else "")
    return CoachReply(
        f"{welcome}This is a {stage} practice: {plural(view.total, 'question')} in about "
        f"{plural(minutes, 'minute')}, at the {view.level} level. Answer each with a real "
        "example: the situation, your task, what you did yourself and the result, in about two "
        f"minutes. I'll ask follow-ups, then give you feedback.{tone}", "intro")


def _silence(ctx: CoachContext, view: BehavioralView) -> CoachReply:
    options = _NUDGES_ANSWER if view.awaiting == "answer" else \
        _NUDGES_FOLLOW_UP if view.awaiting == "follow_up" else _NUDGES_OTHER
    return CoachReply(_fresh(options, ctx), "nudge")


def _time_warning(ctx: CoachContext, view: BehavioralView) -> CoachReply:
    m = ctx.minutes_left or 0
    left = view.total - view.question_number
    if left > 0:
        advice = (f"{plural(left, 'question')} to go after this one: keep each answer to about "
                  "two minutes.")
    else:
        advice = "This is the last question: finish your answer, then end the session for "
        advice += "your results."
    return CoachReply(f"{plural(m, 'minute')} left. {advice}", "warning")


def _wrap_up(ctx: CoachContext, view: BehavioralView) -> CoachReply:
    reason = ctx.extra.get("end_reason")
    opening = "That's time." if reason == "time" else \
        "That was the last question." if reason == "completed" else "Let's stop here."
    if view.answered:
        text = (f"{opening} Thank you: your feedback on {plural(view.answered, 'answer')} "
                "and the session summary are in your report.")
    else:
        text = f"{opening} No answer to score this time; your report is ready."
    return CoachReply(text, "wrap_up")


def _quiet(ctx: CoachContext, view: BehavioralView) -> None:
    """The interview asks its own questions: nothing to add."""
    return None


_HANDLERS: dict[str, Callable[[CoachContext, BehavioralView], CoachReply | None]] = {
    "intro": _intro,
    "silence": _silence,
    "time_warning": _time_warning,
    "wrap_up": _wrap_up,
}


def behavioral_reply(ctx: CoachContext, view: BehavioralView) -> CoachReply | None:
    """The scripted coach's line for ``ctx`` in a behavioural interview
    (None: the interview speaks for itself)."""
    return _HANDLERS.get(ctx.trigger, _quiet)(ctx, view)
