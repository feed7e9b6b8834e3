"""Delivery metrics: how the candidate spoke, from a session's records alone.

:func:`compute_delivery` reads the records of one session and returns a
:class:`DeliveryMetrics`: one :class:`DeliveryFigures` for the whole session
and one per phase. Like :mod:`~mock_interviewer_lab.reporting.metrics` it has
no clock, no store and no I/O; every figure is a count, a sum of durations
recorded in the records, or a ratio of those.

What the records give (see docs/voice.md, "Delivery metrics"):

* A **spoken answer** is a ``candidate_said`` event with ``source: "voice"``
  and ``speech: {start, end}`` in seconds on the session clock (the voice
  contract). One with ``source: "voice"`` but no usable ``speech`` (missing,
  not numbers, end before start) is left out of every figure (it only ends a
  silence, at its ``t``) and counted in
  :attr:`DeliveryMetrics.untimed_spoken_answers`. One with no words in it
  (the recogniser heard noise) is left out too: it is not speech.
* A **typed answer** is any other ``candidate_said`` with at least one word.

The figures (``words`` are counted by
:func:`~mock_interviewer_lab.interview.words.words_of`, the tokeniser the
session metrics use too, fillers included: they take speaking time too).
``words_per_minute`` here is the speaking rate; the metrics'
``words_per_minute`` is another figure: words said *or typed*, thinking
sounds left out, over the whole interview.

=====================  ===================================================
figure                 definition
=====================  ===================================================
speaking_seconds       sum of ``speech.end - speech.start`` over the spoken
                       answers
words_per_minute       spoken words / (speaking_seconds / 60); None without
                       spoken answers
spoken_fillers         fillers (see below) in the spoken answers
fillers_per_minute     spoken_fillers / (speaking_seconds / 60); None
                       without spoken answers
typed_fillers          fillers in the typed answers, reported apart (typing
                       has no speaking time, so no rate per minute)
coach_seconds          estimated: the words of every ``coach_says`` at the
                       session's ``tts.rate_wpm`` (from the
                       ``session_started`` settings snapshot, else 180)
talk_ratio             speaking_seconds / (speaking_seconds + coach_seconds);
                       None when both are 0
longest_silence        the longest stretch of session time covered neither
                       by the coach speaking (its messages, timed as above,
                       from their ``t``) nor by candidate activity: a spoken
                       answer's [start, end], or the moment of a typed
                       answer, ``typing``, ``code_submitted`` or
                       ``hint_requested``. The session runs from its first
                       record to its last one, or to the move into DONE or
                       ABORT when there is one.
=====================  ===================================================

Per phase: a spoken answer belongs to the phase in effect when its speech
*started*; a typed answer and a coach message to the phase in effect at
their record (by ``seq``, so a message caused by a phase change belongs to
the new phase); a silence is cut at phase boundaries and each piece counts
for its phase. Visits to the same phase add up.

When a session has no spoken answer, the speaking figures (WPM, fillers per
minute, coach time, talk ratio, silences) are None and
:attr:`DeliveryMetrics.note` says "no spoken answers": zeros would pretend
to be measurements. A session with at least one spoken answer is taken to
have had the microphone on throughout (the records cannot say otherwise), so
a phase in which the candidate said nothing while the coach spoke has a talk
ratio of 0.

**Fillers** (:data:`DEFAULT_FILLERS`, any list can be passed) are matched as
whole words, the longest filler first, without overlaps; a drawn-out sound
counts as its filler ("ummm" is "um", "sooo" is "so"). Six of them are also
ordinary words, so simple context rules keep the obvious ordinary uses out
(the previous / next word is what is checked; no grammar is parsed):

* "like" is not a filler after a subject, an auxiliary or a comparing word
  ("I like", "would like", "don't like", "looks like", "something like",
  "just like") nor before a determiner ("like a", "like the", "like this"),
  where it is a verb or a preposition. Everything else counts, so "it's,
  like, fast" counts; "it is like the other one" does not, and neither does
  the filler in "like, the first one" (a transcript has no commas).
* "so" counts only as the first word of an answer or right after another
  filler ("so I would...", "um so"), and not before "that", "far", "much",
  "many" or "long"; mid-sentence "so" ("it is sorted so we can...") is a
  conjunction.
* "kind of" and "sort of" do not count after a determiner or a question word
  ("what kind of", "a sort of").
* "you know" does not count after "do", "did", "if"... or before a
  question word or a determiner ("do you know", "you know the size").
* "I mean" does not count after "what", "if", "do"... or before "it"/"to".
* "um", "uh", "er", "basically", "actually" always count (so "actually"
  meant as "in fact" is counted too: the list is the user's to change).

A filler that is not one of these is counted wherever it occurs as words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from mock_interviewer_lab import payloads
from mock_interviewer_lab.events import Event, Record
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.words import words_of
from mock_interviewer_lab.reporting.records import (
    ACTIVITY_EVENTS,
    PhaseSpan,
    is_action,
    is_event,
    jsonable,
    numbered,
    phase_spans_of,
)
from mock_interviewer_lab.settings import TtsSettings

#: Filler words and phrases counted by default (lower case, words as spoken).
DEFAULT_FILLERS: tuple[str, ...] = (
    "um", "uh", "er", "like", "you know", "so", "basically", "actually", "i mean",
    "kind of", "sort of",
)

#: The coach's speaking rate when the session's settings snapshot has none.
DEFAULT_COACH_RATE_WPM: int = TtsSettings().rate_wpm

#: What a session without a spoken answer says instead of speaking figures.
NO_SPOKEN_ANSWERS = "no spoken answers"

#: The label of the whole-session figures.
OVERALL = "overall"

_ENDED_PHASES = frozenset({Phase.DONE.value, Phase.ABORT.value})


# --------------------------------------------------------------------------
# Words (interview/words.py) and fillers


def _squeeze(word: str) -> str:
    """A drawn-out word reduced: "ummm" -> "um", "sooo" -> "so" (and "actually" -> "actualy")."""
    return re.sub(r"(.)\1+", r"\1", word)


_SUBJECTS = frozenset({"i", "you", "we", "they", "he", "she", "who", "people"})
_AUXILIARIES = frozenset({
    "would", "i'd", "you'd", "we'd", "they'd", "he'd", "she'd", "do", "does", "did", "don't",
    "doesn't", "didn't", "to", "will", "might", "may", "could", "should", "can", "not",
    "wouldn't", "really", "also",
})
_COMPARERS = frozenset({
    "look", "looks", "looked", "looking", "seem", "seems", "seemed", "sound", "sounds",
    "sounded", "feel", "feels", "felt", "something", "anything", "nothing", "more", "much",
    "just", "exactly", "things", "stuff",
})
_DETERMINERS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its",
    "our", "their", "some", "any", "each", "every",
})
_QUESTION_WORDS = frozenset({"what", "which", "what's", "how", "why", "where", "when", "who",
                             "whether", "if"})


@dataclass(frozen=True)
class _Context:
    """Where a filler that is also an ordinary word is *not* a filler."""

    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()
    #: Only as an answer's first word or right after another filler.
    only_first: bool = False


_CONTEXTS: dict[tuple[str, ...], _Context] = {
    ("like",): _Context(not_after=_SUBJECTS | _AUXILIARIES | _COMPARERS,
                        not_before=_DETERMINERS),
    ("so",): _Context(not_before=frozenset({"that", "far", "much", "many", "long"}),
                      only_first=True),
    ("kind", "of"): _Context(not_after=_DETERMINERS | _QUESTION_WORDS
                             | frozenset({"same", "different", "one", "other"})),
    ("sort", "of"): _Context(not_after=_DETERMINERS | _QUESTION_WORDS
                             | frozenset({"same", "different", "one", "other"})),
    ("you", "know"): _Context(
        not_after=frozenset({"do", "did", "don't", "didn't", "if", "as", "would", "whether"}),
        not_before=_QUESTION_WORDS | _DETERMINERS,
    ),
    ("i", "mean"): _Context(
        not_after=frozenset({"what", "if", "do", "did", "don't", "didn't"}),
        not_before=frozenset({"it", "to"}),
    ),
}


def _filler_phrases(fillers: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(name, words) for each filler with words, longest first (ties: as listed)."""
    phrases = [(" ".join(words), tuple(words)) for words in map(words_of, fillers) if words]
    unique = list(dict.fromkeys(phrases))
    return sorted(unique, key=lambda phrase: -len(phrase[1]))


def _matches(words: Sequence[str], at: int, phrase: tuple[str, ...]) -> bool:
    if at + len(phrase) > len(words):
        return False
    if len(phrase) == 1:
        return _squeeze(words[at]) == _squeeze(phrase[0])
    return tuple(words[at: at + len(phrase)]) == phrase


def _in_context(words: Sequence[str], at: int, phrase: tuple[str, ...],
                after_filler: bool) -> bool:
    """Whether the filler matched at ``at`` is used as a filler there (see the docstring)."""
    context = _CONTEXTS.get(phrase)
    if context is None:
        return True
    before = words[at - 1] if at > 0 else None
    after = words[at + len(phrase)] if at + len(phrase) < len(words) else None
    if context.only_first and not (at == 0 or after_filler):
        return False
    if before is not None and before in context.not_after:
        return False
    return not (after is not None and after in context.not_before)


def count_fillers(text: str, fillers: Iterable[str] = DEFAULT_FILLERS) -> Counter[str]:
    """Filler name -> how many times it is used as a filler in ``text``."""
    words = words_of(text)
    phrases = _filler_phrases(fillers)
    found: Counter[str] = Counter()
    at, last_filler_end = 0, -1
    while at < len(words):
        for name, phrase in phrases:
            if _matches(words, at, phrase) and _in_context(
                words, at, phrase, after_filler=last_filler_end == at
            ):
                found[name] += 1
                at += len(phrase)
                last_filler_end = at
                break
        else:
            at += 1
    return found


# --------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class DeliveryFigures:
    """Delivery over one stretch of a session: one phase, or the whole of it."""

    #: The phase's name, or :data:`OVERALL`.
    phase: str
    spoken_answers: int
    spoken_words: int
    speaking_seconds: float
    words_per_minute: float | None
    spoken_fillers: int
    fillers_per_minute: float | None
    typed_answers: int
    typed_words: int
    typed_fillers: int
    #: Estimated from the coach's words at tts.rate_wpm; None without spoken answers.
    coach_seconds: float | None
    talk_ratio: float | None
    longest_silence: float | None
    spoken_filler_words: dict[str, int] = field(default_factory=dict)
    typed_filler_words: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryMetrics:
    """The delivery of one session; see the module docstring for each figure."""

    #: At least one spoken answer with its timing.
    spoken: bool
    #: :data:`NO_SPOKEN_ANSWERS` when ``spoken`` is False, else None.
    note: str | None
    overall: DeliveryFigures
    #: The phases visited (or spoken in), in the order first visited.
    phases: tuple[DeliveryFigures, ...]
    fillers: tuple[str, ...]
    coach_rate_wpm: int
    #: Spoken answers left out because their ``speech`` timing was unusable.
    untimed_spoken_answers: int
    #: (start, end) of the longest silence, in session seconds.
    longest_silence_span: tuple[float, float] | None
    #: Figure name -> the seqs of the records it was computed from.
    evidence: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types only."""
        return jsonable(asdict(self))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# Reading records


@dataclass(frozen=True)
class _Answer:
    seq: int
    t: float
    phase: str
    words: int
    fillers: Counter[str]
    #: (start, end) of the speech for a spoken answer; None for a typed one.
    speech: tuple[float, float] | None

    @property
    def seconds(self) -> float:
        return self.speech[1] - self.speech[0] if self.speech else 0.0


@dataclass(frozen=True)
class _CoachSpeech:
    seq: int
    phase: str
    start: float
    seconds: float


def _speech_of(data: Mapping[str, Any]) -> tuple[float, float] | None:
    """``speech: {start, end}`` as numbers, or None when it is missing or unusable."""
    speech = data.get("speech")
    if not isinstance(speech, Mapping):
        return None
    start, end = speech.get("start"), speech.get("end")
    if isinstance(start, bool) or isinstance(end, bool):
        return None
    if not isinstance(start, (int, float)) or not isinstance(end, (int, float)):
        return None
    if not (math.isfinite(start) and math.isfinite(end)) or end < start:
        return None
    return float(start), float(end)


def _coach_rate(rows: Sequence[tuple[int, Record]], override: int | None) -> int:
    """The rate the session's coach spoke at: given, else its settings snapshot, else 180."""
    if override is not None:
        return override
    started = next((cast(payloads.SessionStarted, r.data) for _, r in rows
                    if is_event(r, "session_started")), None)
    settings = started.get("settings") if started is not None else None
    tts = settings.get("tts") if isinstance(settings, Mapping) else None
    rate = tts.get("rate_wpm") if isinstance(tts, Mapping) else None
    if isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 0:
        return int(rate)
    return DEFAULT_COACH_RATE_WPM


class _Phases:
    """Which phase a moment or a record belongs to."""

    def __init__(self, spans: Sequence[PhaseSpan], first_seq: int) -> None:
        self.spans = list(spans) or [PhaseSpan(Phase.INIT.value, 0.0, 0.0, first_seq)]

    def at_seq(self, seq: int) -> str:
        """The phase in effect at a record: opened by the last change at or before it."""
        opened = [span for span in self.spans if span.seq <= seq]
        return (opened[-1] if opened else self.spans[0]).phase

    def at_time(self, t: float) -> str:
        """The phase in effect at a moment (of phases entered at the same moment, the last)."""
        started = [span for span in self.spans if span.start <= t]
        return (started[-1] if started else self.spans[0]).phase


# --------------------------------------------------------------------------
# Silences


@dataclass(frozen=True)
class _Gap:
    start: float
    end: float
    #: The records on either side: what was going on before, and what ended it.
    seqs: tuple[int, int]

    @property
    def seconds(self) -> float:
        return self.end - self.start


def _silences(busy: Iterable[tuple[float, float, int]], start: float, end: float,
              start_seq: int, end_seq: int) -> list[_Gap]:
    """The stretches of [start, end] that no busy (start, end, seq) interval covers."""
    gaps: list[_Gap] = []
    cursor, cursor_seq = start, start_seq
    for s, e, seq in sorted(busy):
        if s > cursor:
            gaps.append(_Gap(cursor, min(s, end), (cursor_seq, seq)))
        if e >= cursor:
            cursor, cursor_seq = e, seq
        if cursor >= end:
            return [g for g in gaps if g.seconds > 0]
    if end > cursor:
        gaps.append(_Gap(cursor, end, (cursor_seq, end_seq)))
    return [g for g in gaps if g.seconds > 0]


def _longest_in(gaps: Sequence[_Gap], spans: Sequence[PhaseSpan]) -> float | None:
    """The longest piece of a gap inside one of ``spans``; None if no gap touches them."""
    pieces = [
        min(g.end, span.end) - max(g.start, span.start)
        for g in gaps for span in spans
        if min(g.end, span.end) > max(g.start, span.start)
    ]
    return max(pieces, default=None)


# --------------------------------------------------------------------------
# The figures


def _per_minute(count: int, seconds: float) -> float | None:
    return count / (seconds / 60.0) if seconds > 0 else None


def _figures(phase: str, answers: Sequence[_Answer], coach: Sequence[_CoachSpeech],
             spoken_session: bool, longest_silence: float | None) -> DeliveryFigures:
    spoken = [a for a in answers if a.speech is not None]
    typed = [a for a in answers if a.speech is None]
    spoken_fillers: Counter[str] = sum((a.fillers for a in spoken), Counter())
    typed_fillers: Counter[str] = sum((a.fillers for a in typed), Counter())
    speaking = sum((a.seconds for a in spoken), 0.0)
    spoken_words = sum(a.words for a in spoken)
    coach_seconds = sum((c.seconds for c in coach), 0.0) if spoken_session else None
    talk = speaking + (coach_seconds or 0.0)
    return DeliveryFigures(
        phase=phase,
        spoken_answers=len(spoken),
        spoken_words=spoken_words,
        speaking_seconds=speaking,
        words_per_minute=_per_minute(spoken_words, speaking),
        spoken_fillers=sum(spoken_fillers.values()),
        fillers_per_minute=_per_minute(sum(spoken_fillers.values()), speaking),
        typed_answers=len(typed),
        typed_words=sum(a.words for a in typed),
        typed_fillers=sum(typed_fillers.values()),
        coach_seconds=coach_seconds,
        talk_ratio=speaking / talk if spoken_session and talk > 0 else None,
        longest_silence=longest_silence if spoken_session else None,
        spoken_filler_words=dict(sorted(spoken_fillers.items())),
        typed_filler_words=dict(sorted(typed_fillers.items())),
    )


def compute_delivery(
    records: Iterable[Record],
    *,
    fillers: Sequence[str] = DEFAULT_FILLERS,
    coach_rate_wpm: int | None = None,
) -> DeliveryMetrics:
    """The delivery figures of a session, from its records alone (see the module docstring).

    ``coach_rate_wpm`` overrides the rate in the session's settings snapshot.
    """
    if coach_rate_wpm is not None and coach_rate_wpm <= 0:
        raise ValueError(f"coach_rate_wpm must be positive, not {coach_rate_wpm}")
    rows = numbered(records)
    rate = _coach_rate(rows, coach_rate_wpm)
    fillers = tuple(fillers)
    phases = _Phases(phase_spans_of(rows), rows[0][0] if rows else 0)
    talk = _talk_of(rows, phases, fillers, rate)
    spoken_session = any(a.speech is not None for a in talk.answers)
    gaps = _silence_gaps(rows, phases, talk) if spoken_session and rows else []
    longest = max(gaps, key=lambda g: g.seconds, default=None)
    return DeliveryMetrics(
        spoken=spoken_session,
        note=None if spoken_session else NO_SPOKEN_ANSWERS,
        overall=_figures(OVERALL, talk.answers, talk.coach, spoken_session,
                         longest.seconds if longest else None),
        phases=_per_phase(phases, talk, gaps, spoken_session),
        fillers=fillers,
        coach_rate_wpm=rate,
        untimed_spoken_answers=len(talk.untimed),
        longest_silence_span=(longest.start, longest.end) if longest else None,
        evidence=_evidence(talk, spoken_session, longest),
    )


@dataclass(frozen=True)
class _Talk:
    """What was said, read from the records: answers, coach messages, and the
    spoken answers without usable timing ((seq, t) each)."""

    answers: list[_Answer]
    coach: list[_CoachSpeech]
    untimed: list[tuple[int, float]]


def _talk_of(rows: Sequence[tuple[int, Record]], phases: _Phases, fillers: Sequence[str],
             rate: int) -> _Talk:
    """The candidate's answers (spoken or typed) and the coach's messages, each
    with its phase (see the module docstring)."""
    talk = _Talk([], [], [])
    for seq, r in rows:
        if is_event(r, "candidate_said"):
            said_data = cast(payloads.CandidateSaid, r.data)
            text = str(said_data.get("text", ""))
            words = words_of(text)
            voice = said_data.get("source") == "voice"
            speech = _speech_of(r.data) if voice else None
            if voice and speech is None:
                talk.untimed.append((seq, r.t))
                continue
            if not words:
                continue  # nothing recognised or typed: not an answer
            phase = phases.at_time(speech[0]) if speech else phases.at_seq(seq)
            talk.answers.append(_Answer(seq, r.t, phase, len(words),
                                        count_fillers(text, fillers), speech))
        elif is_action(r, "coach_says"):
            said = len(words_of(str(r.data.get("text", ""))))
            talk.coach.append(_CoachSpeech(seq, phases.at_seq(seq), r.t, said / rate * 60.0))
    return talk


def _silence_gaps(rows: Sequence[tuple[int, Record]], phases: _Phases, talk: _Talk) -> list[_Gap]:
    """The silences of a session with spoken answers, from its first record
    to the move into DONE or ABORT (else its last record)."""
    closing = next(((span.start, span.seq) for span in phases.spans
                    if span.phase in _ENDED_PHASES), None)
    end_t, end_seq = closing or (rows[-1][1].t, rows[-1][0])
    busy = [(c.start, c.start + c.seconds, c.seq) for c in talk.coach]
    busy += [(a.speech[0], a.speech[1], a.seq) if a.speech else (a.t, a.t, a.seq)
             for a in talk.answers]
    busy += [(t, t, seq) for seq, t in talk.untimed]  # heard, if not timed: activity
    busy += [(r.t, r.t, seq) for seq, r in rows
             if isinstance(r, Event) and r.type in ACTIVITY_EVENTS]
    return _silences(busy, rows[0][1].t, end_t, rows[0][0], end_seq)


def _per_phase(phases: _Phases, talk: _Talk, gaps: Sequence[_Gap],
               spoken_session: bool) -> tuple[DeliveryFigures, ...]:
    """The figures of each phase visited (or spoken in), in the order first visited."""
    names = list(dict.fromkeys(
        [span.phase for span in phases.spans if span.seconds > 0]
        + [a.phase for a in talk.answers] + [c.phase for c in talk.coach]
    ))
    order = {name: i for i, name in enumerate(dict.fromkeys(s.phase for s in phases.spans))}
    names.sort(key=lambda name: order.get(name, len(order)))
    return tuple(
        _figures(
            name,
            [a for a in talk.answers if a.phase == name],
            [c for c in talk.coach if c.phase == name],
            spoken_session,
            _longest_in(gaps, [s for s in phases.spans if s.phase == name]),
        )
        for name in names
    )


def _evidence(talk: _Talk, spoken_session: bool,
              longest: _Gap | None) -> dict[str, tuple[int, ...]]:
    answers = talk.answers
    evidence: dict[str, tuple[int, ...]] = {
        "spoken_answers": tuple(a.seq for a in answers if a.speech is not None),
        "typed_answers": tuple(a.seq for a in answers if a.speech is None),
        "spoken_fillers": tuple(a.seq for a in answers if a.speech is not None and a.fillers),
        "typed_fillers": tuple(a.seq for a in answers if a.speech is None and a.fillers),
        "coach_seconds": tuple(c.seq for c in talk.coach) if spoken_session else (),
        "untimed_spoken_answers": tuple(seq for seq, _ in talk.untimed),
    }
    if longest is not None:
        evidence["longest_silence"] = tuple(sorted(set(longest.seqs)))
    return evidence


# --------------------------------------------------------------------------
# Across sessions


def delivery_stats(deliveries: Iterable[DeliveryMetrics]) -> dict[str, Any] | None:
    """Delivery pooled over the sessions with spoken answers; None when there are none.

    Rates are pooled (all spoken words over all speaking time), not means of
    per-session rates, so a long session weighs more than a short one.
    """
    spoken = [d.overall for d in deliveries if d.spoken]
    if not spoken:
        return None
    speaking = sum(f.speaking_seconds for f in spoken)
    coach = sum(f.coach_seconds or 0.0 for f in spoken)
    silences = [f.longest_silence for f in spoken if f.longest_silence is not None]
    return {
        "sessions_with_speech": len(spoken),
        "speaking_seconds": round(speaking, 1),
        "words_per_minute": _round(_per_minute(sum(f.spoken_words for f in spoken), speaking)),
        "fillers_per_minute": _round(
            _per_minute(sum(f.spoken_fillers for f in spoken), speaking)),
        "talk_ratio": _round(speaking / (speaking + coach) if speaking + coach > 0 else None,
                             digits=3),
        "longest_silence": _round(max(silences, default=None)),
        "last_session": {
            "words_per_minute": _round(spoken[-1].words_per_minute),
            "fillers_per_minute": _round(spoken[-1].fillers_per_minute),
            "talk_ratio": _round(spoken[-1].talk_ratio, digits=3),
        },
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
