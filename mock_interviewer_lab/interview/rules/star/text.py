"""Text: words, sentences (of typed answers and of speech transcripts),
numbers (digits and spelled out) and fillers.

A transcript is lower-case words without punctuation; its "sentences" are
found at clause cues ("so", "then", "and then", "because", "in the end"…)
once a stretch runs long. Sentences are always verbatim slices of the
candidate's text, so they can be quoted as evidence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from mock_interviewer_lab.interview.rules.star.cues import FILLERS

WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)*|[%$]")


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower-cased (digits are words; "%" and "$" too)."""
    return WORD.findall(text.lower())


def compile_any(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any of ``patterns`` at a word start."""
    return re.compile(r"(?<![\w'])(?:" + "|".join(f"(?:{p})" for p in patterns) + ")",
                      re.IGNORECASE)


_FILLER = re.compile(compile_any(FILLERS).pattern + r",?", re.IGNORECASE)
_SPACES = re.compile(r"\s{2,}")
_ORPHAN_COMMAS = re.compile(r"\s*,(?:\s*,)+|^\s*,\s*|(?<=[.!?])\s*,")


def strip_fillers(text: str) -> str:
    """``text`` without its fillers (the words and their commas)."""
    cleaned = _FILLER.sub(" ", text)
    cleaned = _ORPHAN_COMMAS.sub(",", cleaned)
    cleaned = re.sub(r"\s+([,.!?;])", r"\1", cleaned)
    cleaned = re.sub(r"^[\s,]+", "", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


def count_fillers(text: str) -> int:
    return len(_FILLER.findall(text.lower()))


# --------------------------------------------------------------- sentences

_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
#: Clause cues where a long unpunctuated stretch is split (before the cue).
_CLAUSE_CUE = re.compile(
    r"\b(?:and then|and so|so then|so (?!that\b|much\b|far\b|many\b|long\b|i\b(?= think))|then (?!i\b(?= think))|"
    r"because|in the end|after that|as a result|but|which meant|eventually|finally|"
    r"afterwards|next time|looking back|in hindsight|"
    r"and (?=i\b|we\b|my\b|that\b|it\b|after\b|the thing\b|what i\b|now\b|since\b)|"
    r"when (?=i\b|we\b))")
#: A stretch longer than this (in words, fillers excepted) is split at clause cues.
LONG_SENTENCE = 28
#: Pieces shorter than this are not split off.
MIN_PIECE = 5


@dataclass(frozen=True)
class Sentence:
    """A sentence: the candidate's verbatim text, its lower-cased form
    without fillers, and its words."""

    text: str
    clean: str
    words: tuple[str, ...]


def _split_long(piece: str) -> list[str]:
    if len(words_of(strip_fillers(piece))) <= LONG_SENTENCE:
        return [piece]
    low = piece.lower()
    cuts = [0]
    for m in _CLAUSE_CUE.finditer(low):
        start = m.start()
        if len(words_of(strip_fillers(low[cuts[-1]:start]))) >= MIN_PIECE:
            cuts.append(start)
    if len(cuts) > 1 and len(words_of(strip_fillers(low[cuts[-1]:]))) < MIN_PIECE:
        cuts.pop()
    cuts.append(len(piece))
    return [piece[a:b].strip(" ,;") for a, b in itertools.pairwise(cuts)
            if piece[a:b].strip(" ,;")]


@lru_cache(maxsize=512)
def sentences_of(text: str) -> tuple[Sentence, ...]:
    """The sentences of ``text``: at . ! ? and line ends, then long stretches
    (typical of transcripts) at clause cues."""
    out: list[Sentence] = []
    for chunk in _END.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        for piece in _split_long(chunk):
            clean = strip_fillers(piece.lower())
            ws = tuple(words_of(clean))
            if ws:
                out.append(Sentence(piece, clean, ws))
    return tuple(out)


# ----------------------------------------------------------------- numbers

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_CORE = "|".join([*_UNITS_WORDS, *_SCALES, "dozen", "half"])
#: After a lone "one" or "half": what makes it a quantity rather than a pronoun.
_UNIT = (r"(?:percent|per cent|%|weeks?|days?|months?|years?|hours?|minutes?|seconds?|ms|"
         r"milliseconds?|quarters?|sprints?|people|engineers?|teams?|customers?|users?|"
         r"tickets?|times|x|k|dollars?|pounds?|euros?|releases?|incidents?|outages?|bugs?|"
         r"developers?|services?|clients?|requests?|points?|orders?|accounts?|hires?)\b")
_SPELLED = re.compile(
    rf"\b(?:a\s+(?=dozen|hundred|thousand|million|half))?(?:{_CORE})"
    rf"(?:(?:\s+and\s+a\s+|\s+and\s+|[\s-]+)(?:{_CORE}))*\b(?:\s+(?:percent|per cent)\b)?")
_DIGITS = re.compile(
    r"(?<![\w.])[$£€]?\d+(?:[.,]\d+)*(?:\s*(?:%|percent|per cent|k\b|m\b|x\b|ms\b|bn\b))?")
_PERCENT = re.compile(r"%|percent|per cent")


@dataclass(frozen=True)
class Number:
    """A number as said, and its value (None when it cannot be read)."""

    said: str
    value: float | None
    percent: bool


def _words_value(tokens: list[str]) -> float | None:
    total = 0.0
    current = 0.0
    seen = False
    prev = ""
    for tok in tokens:
        before, prev = prev, tok
        if tok == "and":
            continue
        if tok == "a":
            continue
        if tok == "half":
            current = current + 0.5 if before in ("a", "and") and current else (current or 1.0) * 0.5
            seen = True
        elif tok == "dozen":
            current = (current or 1.0) * 12
            seen = True
        elif tok in _UNITS_WORDS:
            current += _UNITS_WORDS[tok]
            seen = True
        elif tok in _SCALES:
            scale = _SCALES[tok]
            if scale == 100:
                current = (current or 1.0) * 100
            else:
                total += (current or 1.0) * scale
                current = 0.0
            seen = True
    return total + current if seen else None


def _digits_value(said: str) -> float | None:
    m = re.search(r"\d+(?:[.,]\d+)*", said)
    if not m:
        return None
    raw = m.group(0)
    # "1,000" is a thousand; "3,5" is read as 3.5 only when it cannot be thousands.
    raw = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw) else raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    tail = said[m.end():].strip().lower()
    if tail.startswith("k"):
        value *= 1000
    elif tail.startswith("m") and not tail.startswith("ms"):
        value *= 1_000_000
    elif tail.startswith("bn"):
        value *= 1_000_000_000
    return value


def numbers_in(text: str) -> list[Number]:
    """The numbers of ``text``: digits ("40%", "1,200", "$3k") and spelled out
    ("twenty percent", "three weeks", "a dozen", "in half"). A lone "one" or
    "half" counts only before a unit ("one week") or as "in/by half"."""
    low = text.lower()
    found: list[tuple[int, Number]] = []
    for m in _DIGITS.finditer(low):
        said = m.group(0).strip()
        found.append((m.start(), Number(said, _digits_value(said), bool(_PERCENT.search(said)))))
    for m in _SPELLED.finditer(low):
        said = m.group(0).strip()
        percent = "percent" in said or "per cent" in said
        core = [t for t in re.split(r"[\s-]+", said) if t not in ("percent", "per", "cent")]
        if core in (["one"], ["half"]) and not percent:
            unit_after = re.match(r"\s*" + _UNIT, low[m.end():])
            in_half = core == ["half"] and re.search(r"\b(?:in|by)\s+$", low[:m.start()])
            if not (unit_after or in_half):
                continue
        value = _words_value(core)
        if value is not None:
            found.append((m.start(), Number(said, value, percent)))
    found.sort(key=lambda item: item[0])
    return [n for _, n in found]


_YEAR = re.compile(r"(?:19|20)\d\d")


def is_year(number: Number) -> bool:
    return bool(_YEAR.fullmatch(number.said)) and not number.percent


_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'&.\-]*[A-Za-z0-9]|[A-Za-z]")
_PRONOUN_I = frozenset(("I", "I'm", "I'd", "I've", "I'll"))


def capitalised_words(text: str) -> list[tuple[str, bool]]:
    """The capitalised words of ``text`` in order, each with whether it opens
    a sentence (or follows a line's "Label:"): a name there looks like any
    other opener. Acronyms ("AWS") and mixed-case words ("PostgreSQL") are
    never openers. "I" is not a name."""
    out: list[tuple[str, bool]] = []
    for chunk in re.split(r"(?<=[.!?:;])\s+|\n+", text):
        for i, tok in enumerate(_TOKEN.findall(chunk)):
            tok = tok.rstrip(".")
            if tok in _PRONOUN_I or not tok:
                continue
            acronym = len(tok) >= 2 and tok.replace("'", "").isupper()
            mixed = any(c.isupper() for c in tok[1:]) and not tok.isupper()
            if acronym or mixed or (i > 0 and tok[0].isupper()):
                out.append((tok, False))
            elif i == 0 and tok[0].isupper():
                out.append((tok, True))
    return out


def names_in(text: str) -> list[str]:
    """The names and organisations of ``text``: capitalised words not at a
    sentence's start (nor after a line's "Label:"), acronyms ("AWS") and
    mixed-case words ("PostgreSQL") anywhere. "I" is not a name."""
    return [tok for tok, opener in capitalised_words(text) if not opener]
