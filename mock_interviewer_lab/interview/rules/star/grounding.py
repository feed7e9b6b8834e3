"""The guard that a rewrite invents nothing: every number, name and
organisation in it must be the candidate's own.

Numbers are compared by value ("twenty percent" in the answer grounds "20%"
in a rewrite), names and organisations case-blind (a transcript is
lower-case). Placeholders in ``[brackets]`` are the rewrite's questions to
the candidate, not claims, and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mock_interviewer_lab.interview.rules.star.text import names_in, numbers_in, words_of

_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
#: Words a rewrite may capitalise that are its own structure, not a claim.
_STRUCTURE = frozenset(("situation", "task", "action", "result", "reflection", "star"))


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def ungrounded(rewrite: str, answers: Sequence[str]) -> list[str]:
    """The numbers (digits and spelled out), names and organisations of
    ``rewrite`` that the candidate did not say in ``answers``, as written in
    the rewrite, each once, in order. Empty when the rewrite is grounded."""
    text = _PLACEHOLDER.sub(" ", rewrite)
    said_values = [n.value for a in answers for n in numbers_in(a) if n.value is not None]
    said_numbers = {n.said for a in answers for n in numbers_in(a)}
    said_words = {w for a in answers for w in words_of(a)}
    out: list[str] = []
    for number in numbers_in(text):
        if number.said in said_numbers:
            continue
        if number.value is not None and any(_same(number.value, v) for v in said_values):
            continue
        out.append(number.said)
    for name in names_in(text):
        parts = [w for w in words_of(name) if w not in _STRUCTURE]
        if parts and not all(w in said_words for w in parts):
            out.append(name)
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]
