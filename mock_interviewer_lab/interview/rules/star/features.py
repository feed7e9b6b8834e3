"""Reading an answer: each sentence labelled with its STAR parts, and the
answer's features (ownership, numbers, hedges, hypotheticals, fillers,
specific terms, scope signals, relevance).

Every feature is read from the sentences without their fillers, and none
depends on the order of the sentences: a story told in another order reads
the same, and padding adds nothing but the filler count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mock_interviewer_lab.competencies import LEVELS, Competency, Level
from mock_interviewer_lab.interview.rules.star.cues import (
    ACTION_ADVERBS,
    COMPETENCY_CUES,
    HEDGES,
    HYPOTHETICALS,
    IRREGULAR_ACTIONS,
    NOT_ACTIONS,
    QUESTION_STOPWORDS,
    REFLECTION_CUES,
    RESULT_CUES,
    SCOPE_SIGNALS,
    SITUATION_CUES,
    SPECIFIC_TERMS,
    TASK_CUES,
)
from mock_interviewer_lab.interview.rules.star.model import STAR_PARTS, AnswerFeatures, StarPart
from mock_interviewer_lab.interview.rules.star.text import (
    Number,
    Sentence,
    compile_any,
    count_fillers,
    is_year,
    names_in,
    numbers_in,
    sentences_of,
    strip_fillers,
    words_of,
)

_SITUATION = compile_any(SITUATION_CUES)
_TASK = compile_any(TASK_CUES)
_RESULT = compile_any(RESULT_CUES)
_REFLECTION = compile_any(REFLECTION_CUES)
_HEDGE = compile_any(HEDGES)
_HYPOTHETICAL = compile_any(HYPOTHETICALS)
_SPECIFIC = compile_any(SPECIFIC_TERMS)
_SCOPE = {level: compile_any(SCOPE_SIGNALS[level]) for level in SCOPE_SIGNALS}
_CUES = {c: compile_any(cues) for c, cues in COMPETENCY_CUES.items()}

#: "I"/"we" then (adverbs, an auxiliary) then a past-tense verb.
_SUBJECT_VERB = re.compile(
    r"\b(i|we|the team|our team|they|he|she)\s+(?:" + ACTION_ADVERBS + r")\s+)*"
    r"(?:(?:had|then|also)\s+)?([a-z]+)\b")
_I_WORDS = frozenset(("i", "me", "my", "myself", "i'd", "i'm", "i've", "i'll", "mine"))
_WE_WORDS = frozenset(("we", "us", "our", "ourselves", "we'd", "we're", "we've", "we'll", "ours"))


def _is_action_verb(word: str) -> bool:
    if word in NOT_ACTIONS:
        return False
    return word in IRREGULAR_ACTIONS or (word.endswith("ed") and len(word) > 4)


@dataclass(frozen=True)
class Labelled:
    """A sentence, its STAR parts and what it says about ownership."""

    sentence: Sentence
    parts: frozenset[StarPart]
    i_action: bool
    we_action: bool
    hypothetical: tuple[str, ...]
    hedges: tuple[str, ...]
    numbers: tuple[Number, ...]

    @property
    def primary(self) -> StarPart | None:
        """The one part the sentence stands for in a STAR-ordered rewrite."""
        order: tuple[StarPart, ...] = ("reflection", "result", "task", "action", "situation")
        return next((part for part in order if part in self.parts), None)


def _subject_actions(clean: str) -> tuple[bool, bool]:
    i_action = we_action = False
    for m in _SUBJECT_VERB.finditer(clean):
        if not _is_action_verb(m.group(2)):
            continue
        if m.group(1) == "i":
            i_action = True
        else:
            we_action = True
    return i_action, we_action


def label(sentence: Sentence) -> Labelled:
    """The STAR parts of one sentence, by its cues."""
    clean = sentence.clean
    parts: set[StarPart] = set()
    i_action, we_action = _subject_actions(clean)
    reflective = bool(_REFLECTION.search(clean))
    hypothetical = () if reflective else tuple(m.group(0) for m in _HYPOTHETICAL.finditer(clean))
    numbers = tuple(numbers_in(clean))
    if reflective:
        parts.add("reflection")
    if _RESULT.search(clean):
        parts.add("result")
    if _TASK.search(clean):
        parts.add("task")
    if (i_action or we_action) and not hypothetical:
        parts.add("action")
    if _SITUATION.search(clean):
        parts.add("situation")
    if hypothetical:
        parts.discard("result")
        parts.discard("action")
    return Labelled(sentence, frozenset(parts), i_action and not hypothetical,
                    we_action and not hypothetical, hypothetical,
                    tuple(m.group(0) for m in _HEDGE.finditer(clean)), numbers)


def content_stems(text: str) -> set[str]:
    """The content words of ``text``, cut to five letters (a light stem)."""
    return {w[:5] for w in words_of(text) if w not in QUESTION_STOPWORDS and len(w) > 2
            and not w.isdigit()}


@dataclass(frozen=True)
class Reading:
    """An answer read: its labelled sentences and its features."""

    sentences: tuple[Labelled, ...]
    features: AnswerFeatures
    level: Level

    def of(self, part: StarPart) -> tuple[Labelled, ...]:
        return tuple(s for s in self.sentences if part in s.parts)

    def has(self, part: StarPart) -> bool:
        return any(part in s.parts for s in self.sentences)


def _level(signals: dict[Level, set[str]]) -> Level:
    l5a, l5b = len(signals["L5A"]), len(signals["L5B"])
    if l5b >= 2:
        return "L5B"
    if l5a + l5b >= 2:
        return "L5A"
    return "L4"


def read_answer(answers: Sequence[str], *, question: str, competency: Competency) -> Reading:
    """All the replies to one question, read together."""
    labelled = tuple(label(s) for text in answers for s in sentences_of(text))
    joined = " ".join(s.sentence.clean for s in labelled)
    words = [w for s in labelled for w in s.sentence.words]
    signals: dict[Level, set[str]] = {level: set() for level in LEVELS}
    for level, pattern in _SCOPE.items():
        signals[level] = {m.group(0) for s in labelled if not s.hypothetical
                          for m in pattern.finditer(s.sentence.clean)}
    cues = sorted({m.group(0) for m in _CUES[competency].finditer(joined)})
    q_stems = content_stems(question)
    overlap = sorted(q_stems & content_stems(joined))
    cue_part = min(1.0, len(cues) / 3)
    overlap_part = min(1.0, len(overlap) / max(1, min(3, len(q_stems)))) if q_stems else cue_part
    names = {n.lower() for s in labelled for n in names_in(strip_fillers(s.sentence.text))}
    specific = sorted({m.group(0) for m in _SPECIFIC.finditer(joined)} | names)
    numbers = [n for s in labelled for n in s.numbers]
    features = AnswerFeatures(
        words=len(words),
        sentences=len(labelled),
        first_person_actions=sum(1 for s in labelled if s.i_action),
        i_count=sum(1 for w in words if w in _I_WORDS),
        we_count=sum(1 for w in words if w in _WE_WORDS) + joined.count("the team"),
        numbers=tuple(n.said for n in numbers if not is_year(n)),
        hedged=tuple(h for s in labelled for h in s.hedges),
        hypothetical=tuple(h for s in labelled for h in s.hypothetical),
        fillers=sum(count_fillers(text) for text in answers),
        specific_terms=tuple(specific),
        scope_signals=tuple((level, sig) for level in LEVELS for sig in sorted(signals[level])),
        competency_cues=tuple(cues),
        question_overlap=tuple(overlap),
        relevance=round(0.6 * max(cue_part, overlap_part) + 0.4 * min(cue_part, overlap_part), 2),
    )
    return Reading(labelled, features, _level(signals))


__all__ = ["STAR_PARTS", "Labelled", "Reading", "content_stems", "label", "read_answer"]
