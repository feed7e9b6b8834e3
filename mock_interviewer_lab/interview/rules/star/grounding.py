"""The guard that a rewrite invents nothing: every number, name and
organisation in it must be the candidate's own.

Numbers are compared by value ("twenty percent" in the answer grounds "20%"
in a rewrite), names and organisations case-blind (a transcript is
lower-case). Placeholders in ``[brackets]`` are the rewrite's questions to
the candidate, not claims, and are skipped.

A capitalised word opening a sentence ("Priya led…", "Acme shipped…") is a
name too, unless it is a common English word ("Then", "After", "We") or a
word the candidate said (in any case, or without a plural "s"): a name that
opens a sentence must not slip through where the same name mid-sentence
would be caught.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mock_interviewer_lab.interview.rules.star.text import capitalised_words, numbers_in, words_of

_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
#: Words a rewrite may capitalise that are its own structure, not a claim.
_STRUCTURE = frozenset(("situation", "task", "action", "result", "reflection", "star"))
#: Common English words that open a sentence of a rewrite: pronouns,
#: determiners, conjunctions, prepositions, sentence adverbs and the verbs a
#: STAR answer opens with. Words ending in -ly, -ing or -ed pass as well.
_OPENERS_TEXT = """
a an the this that these those there here it its he she they we you i my our your his her their
them us me one each every all both some any many most few several no none another other such
and but or so yet nor because since although though while when whenever where after before
until once as if unless then next first second third finally later meanwhile afterwards
also still instead however therefore thus overall eventually ultimately together again soon
now today yesterday last this next previously initially early late at in on by for from with
without within during between among against about above below across through over under into
onto around toward towards behind beyond despite given per to of up down out off near
what which who whom whose why how not never always often sometimes usually only just even
ok okay yes well sure right so
is was were be been are am do did does done had has have having can could would should will
shall may might must
led ran built made took gave got set put cut saw found kept met wrote drove began brought
sent spent told thought knew felt chose left lost won paid sold bought held
lead run build make take give get set put cut see find keep meet write drive begin bring send
spend tell think know feel choose leave decide plan start ship work talk ask agree propose
looking working using having being given based going
key main most more less much little big small new old good bad great best worst better worse
both either neither whether
"""
COMMON_OPENERS: frozenset[str] = frozenset(_OPENERS_TEXT.split())


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _common(word: str, said: set[str]) -> bool:
    """A sentence's first word that is no name: a common word, an adverb, a
    participle, or a word the candidate said (a plural's singular too)."""
    return (word in COMMON_OPENERS or word in said or word.rstrip("s") in said
            or (len(word) > 4 and word.endswith(("ly", "ing", "ed"))))


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
    for name, opener in capitalised_words(text):
        parts = [w for w in words_of(name) if w not in _STRUCTURE]
        if opener:
            parts = [w for w in parts if not _common(w, said_words)]
        if parts and not all(w in said_words for w in parts):
            out.append(name)
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


# ------------------------------------------------------------------ quotes

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_ELLIPSIS = re.compile(r"\s*(?:\u2026|\.\.\.)\s*")
#: Quoted spans in a model's prose: 'like this', "like this", ‘this’ or “this”.
_QUOTED = re.compile(r"(?<![\w])'([^']+?)'(?![\w])|\"([^\"]+)\"|\u2018([^\u2019]+)\u2019"
                     r"|\u201c([^\u201d]+)\u201d")
#: A quoted span shorter than this (in words) is a term, not a quote.
QUOTE_MIN_WORDS = 3


def _normal(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def said_verbatim(quote: str, answers: Sequence[str]) -> bool:
    """Whether ``quote`` occurs word for word in one of ``answers`` (case and
    whitespace aside; curly quotes read as straight ones). An ellipsis
    ("…" or "...") marks a cut: the pieces must occur in order. Punctuation
    closing the quote is not part of it."""
    pieces = [p.strip(" .,;:!?") for p in _ELLIPSIS.split(_normal(quote))]
    pieces = [p for p in pieces if p]
    if not pieces:
        return False
    for answer in answers:
        said, at = _normal(answer), 0
        for piece in pieces:
            found = said.find(piece, at)
            if found < 0:
                break
            at = found + len(piece)
        else:
            return True
    return False


def quotes_in(text: str) -> list[str]:
    """The quoted spans of ``text`` (a model's strength or gap) long enough to
    be quotes of the candidate."""
    spans = (next(g for g in m.groups() if g) for m in _QUOTED.finditer(text))
    return [s for s in spans if len(s.split()) >= QUOTE_MIN_WORDS]


def misquotes(text: str, answers: Sequence[str]) -> list[str]:
    """The quotes of ``text`` that the candidate never said."""
    return [q for q in quotes_in(text) if not said_verbatim(q, answers)]
