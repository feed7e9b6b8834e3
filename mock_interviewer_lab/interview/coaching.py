"""The ``Coach`` protocol: what any coach (scripted or LLM) is given and
returns. The orchestrator builds the context; every reply then passes the
safeguards before anyone sees it. What the coach sees of the candidate's work
is the kind of interview's (``CoachContext.work``: for a coding interview a
``kinds.coding.CodingView``, read with ``kinds.coding.view_of``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mock_interviewer_lab.interview.intent import Utterance
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.problems.loader import Problem

Trigger = Literal[
    "intro",        # the session starts
    "said",         # the candidate said something
    "tests",        # a test run finished
    "silence",      # no words and no typing for a while
    "phase",        # the interview moved to a phase that opens with a question
    "time_warning", # minutes left
    "complexity",   # ask for the complexity
    "complexity_verdict",  # the candidate stated a complexity
    "subproblem",   # hints are used up: offer a simpler problem
    "wrap_up",      # the interview is over
]


@dataclass(frozen=True)
class CoachContext:
    trigger: Trigger
    problem: Problem
    phase: Phase
    helpfulness: str
    personality: str
    elapsed_s: float
    time_left_s: float
    silence_s: float = 0.0
    utterance: Utterance | None = None
    #: (role, text) pairs, oldest first: role is "candidate" or "coach".
    transcript: tuple[tuple[str, str], ...] = ()
    #: What the coach sees of the candidate's work, as the kind of interview
    #: gives it (``InterviewKind.coach_view``); None: nothing.
    work: Any = None
    hints_given: int = 0
    #: False when the session's cap on hints (a class setting) allows no more:
    #: the coach then offers none.
    hints_allowed: bool = True
    minutes_left: int | None = None
    mode: str = "normal"
    #: A counter that makes the scripted coach vary its wording deterministically.
    turn: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: What the interviewer wants next, when the engine or the kind decided
    #: it: an agenda goal of the plan ("edge_cases", "tradeoff", "variation"…),
    #: "second_problem", "open", or the kind's own ("better": the solution
    #: passes but is slower than it needs to be: ask for a faster one);
    #: ``goal_count`` says how many times this goal came.
    goal: str | None = None
    goal_count: int = 0
    #: Gives the next hint of the ladder when a coach's tool asks for one
    #: (level -> the hint, or why not); None where hints cannot be given.
    #: The orchestrator keeps the ladder's rules and records the hint.
    request_hint: Callable[[int], dict[str, Any]] | None = None


@dataclass(frozen=True)
class BlockedSentence:
    """A sentence of a streamed reply the leak filter stopped before anyone saw it."""

    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CoachReply:
    text: str
    kind: str
    #: Who answered when it is not the coach itself (the scripted fallback).
    by: str | None = None
    #: Why a model did not answer ("timeout", "error", "malformed", "refusal",
    #: "rejected", "unavailable"); None when it did. The reply is then the scripted one.
    fallback: str | None = None
    fallback_detail: str = ""
    #: A model's figures for this turn (tokens, cost, latency, tools); None otherwise.
    usage: dict[str, Any] | None = None
    #: How many sentences were already shown as they streamed.
    streamed: int = 0
    #: Sentences the coach's own streaming filter stopped (recorded as leak_blocked).
    blocked: tuple[BlockedSentence, ...] = ()


class Coach(Protocol):
    #: "scripted", or the model's name.
    name: str

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        """What to say, or None to stay quiet."""
        ...
