"""Kinds of interview: what is specific to one (the coding interview's code,
tests and growth), behind the seam in :mod:`.base`.

A session stores its kind's name (``session_started``'s ``kind``, the store's
``sessions.kind``); :func:`make_kind` makes a kind from that name again on
resume and replay, for the session's problem and its follow-ups, with the
set-up the session stored under the kind's name (``session_started``'s
``behavioral`` for a behavioural interview)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mock_interviewer_lab.interview.kinds.base import InterviewKind
from mock_interviewer_lab.interview.kinds.behavioral import BehavioralInterview
from mock_interviewer_lab.interview.kinds.coding import CodingInterview
from mock_interviewer_lab.interview.rules.star import BehavioralScorer
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry

#: A kind of interview for a problem and its follow-up problems.
KindFactory = Callable[[Problem, list[Problem]], InterviewKind]

#: The kind a session has when none is named (and every session stored
#: before sessions named theirs).
DEFAULT_KIND = "coding"

#: Every kind of interview, by the name a session stores.
KINDS: dict[str, KindFactory] = {CodingInterview.name: CodingInterview,
                                  BehavioralInterview.name: BehavioralInterview}


class UnknownKind(LookupError):
    """A stored session names a kind of interview this version does not know."""


def make_kind(name: str, problem: Problem, followups: list[Problem], *,
              setup: Mapping[str, Any] | None = None,
              registry: ProblemRegistry | None = None,
              scorer: BehavioralScorer | None = None) -> InterviewKind:
    """A new kind of interview ``name`` on ``problem`` (and its follow-ups);
    a kind that is set up (a behavioural interview: its stage, difficulty,
    level...) is given its ``setup`` and the ``registry`` it draws from, and
    a behavioural interview the ``scorer`` its shell chose (None: the
    offline scorer; the engine cannot build a model's itself)."""
    factory = KINDS.get(name)
    if factory is None:
        raise UnknownKind(f"unknown kind of interview {name!r} (this version knows "
                          f"{', '.join(sorted(KINDS))})")
    if setup is None:
        return factory(problem, followups)
    extra: dict[str, Any] = {"scorer": scorer} if scorer is not None else {}
    made: InterviewKind = factory(problem, followups, setup=setup,  # type: ignore[call-arg]
                                  registry=registry, **extra)
    return made
