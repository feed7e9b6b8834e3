"""Wrong turns: a pack's pitfalls recognised in what the candidate says or
writes, so that the coach asks its question before the tests show the
problem (and only once a session)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import Pitfall


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def pitfall_said(problem: Problem, said: str, *, asked: Iterable[str] = ()) -> Pitfall | None:
    """The first pitfall whose idea shows in ``said`` and whose question is
    not among the lines already ``asked``."""
    text = f" {_flat(said)} "
    return _first(problem, asked, lambda p: any(f" {_flat(s)} " in text for s in p.says if _flat(s)))


def pitfall_written(problem: Problem, code: str, *, asked: Iterable[str] = ()) -> Pitfall | None:
    """The first pitfall whose code pattern matches ``code`` (never the
    reference's: a pack is checked for that) and has not been asked."""
    return _first(problem, asked,
                  lambda p: any(re.search(pat, code, re.MULTILINE) for pat in p.code))


def _first(problem: Problem, asked: Iterable[str], shows: object) -> Pitfall | None:
    done = {_flat(line) for line in asked}
    for pitfall in problem.hints.pitfalls:
        if _flat(pitfall.question) in done:
            continue
        if callable(shows) and shows(pitfall):
            return pitfall
    return None
