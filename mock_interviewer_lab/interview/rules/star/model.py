"""What the offline behavioural scorer returns: the score of one answer, the
feedback on one question and on a session.

Every type is a frozen dataclass with ``to_json()`` (tuples become lists,
nested dataclasses dicts), so the interview kind can store and send them as
they are. The vocabulary (levels, competencies, gap ids, rubric dimensions,
readiness) is :mod:`mock_interviewer_lab.competencies`'.

**How the score is made.** The rubric has one part per
:data:`~mock_interviewer_lab.competencies.Dimension`; their ``out_of`` add up
to 10 and their ``points`` add up to the score. A cap (a hypothetical or
hedged answer, one too short to judge, one off the question) takes points
away from the parts, largest first, and says so in each part's ``why``, so
the parts still add up to the score. The only adjustment outside the parts
is the floor: a sum of 0 is a score of 1 (the spec's scale is 1-10);
``AnswerScore.total`` keeps the sum.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from mock_interviewer_lab.competencies import Dimension, Gap, Level, Readiness

StarPart = Literal["situation", "task", "action", "result", "reflection"]
STAR_PARTS: tuple[StarPart, ...] = get_args(StarPart)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


class _Json:
    def to_json(self) -> dict[str, Any]:
        """The value as JSON-able dicts, lists, strings and numbers."""
        out: dict[str, Any] = _plain(self)
        return out


@dataclass(frozen=True)
class RubricPart(_Json):
    """One dimension of the rubric: ``points`` of ``out_of``, and why."""

    dimension: Dimension
    points: int
    out_of: int
    why: str


@dataclass(frozen=True)
class StarLabels(_Json):
    """Which STAR parts the answer has (order does not matter)."""

    situation: bool = False
    task: bool = False
    action: bool = False
    result: bool = False
    reflection: bool = False

    def has(self, part: StarPart) -> bool:
        return bool(getattr(self, part))

    def missing(self) -> tuple[StarPart, ...]:
        return tuple(p for p in STAR_PARTS if not self.has(p))


@dataclass(frozen=True)
class Evidence(_Json):
    """A sentence of the candidate's, verbatim, labelled with a STAR part."""

    part: StarPart
    sentence: str


@dataclass(frozen=True)
class GapNote(_Json):
    """A gap, by its id, said specifically."""

    id: Gap
    text: str


@dataclass(frozen=True)
class AnswerFeatures(_Json):
    """What the scorer measured in the answer (all replies together); given
    to a model as facts too."""

    words: int = 0
    sentences: int = 0
    first_person_actions: int = 0     # sentences with "I" + an action verb
    i_count: int = 0                   # I, me, my, myself
    we_count: int = 0                  # we, us, our, the team
    numbers: tuple[str, ...] = ()      # as said: "20%", "twenty percent", "three weeks"
    hedged: tuple[str, ...] = ()       # "I think", "probably", "sort of"…
    hypothetical: tuple[str, ...] = ()  # "I would usually", "typically I"…
    fillers: int = 0                   # um, uh, like, you know, basically…
    specific_terms: tuple[str, ...] = ()  # named systems, tools, roles, time frames
    scope_signals: tuple[tuple[Level, str], ...] = ()  # (level, phrase)
    competency_cues: tuple[str, ...] = ()  # the competency's cue words said
    question_overlap: tuple[str, ...] = ()  # the question's content words said
    relevance: float = 0.0             # 0-1


@dataclass(frozen=True)
class AnswerScore(_Json):
    """The score of one answer (with its follow-up replies)."""

    score: int                          # 1-10
    level: Level                        # the level the answer demonstrates
    rubric: tuple[RubricPart, ...]      # points add up to ``total``
    star: StarLabels
    evidence: tuple[Evidence, ...]
    gaps: tuple[GapNote, ...]
    strengths: tuple[str, ...]
    brief_feedback: str
    features: AnswerFeatures
    total: int = 0                      # the rubric's sum before the floor of 1
    caps: tuple[str, ...] = ()          # the caps applied, said
    cap: int | None = None              # the lowest of them (None: no cap)

    @property
    def gap_ids(self) -> tuple[Gap, ...]:
        return tuple(g.id for g in self.gaps)


@dataclass(frozen=True)
class QuestionFeedback(_Json):
    """Feedback on a question once its follow-ups are over."""

    overall_assessment: str
    what_landed: tuple[str, ...]
    what_didnt_land: tuple[str, ...]
    coaching: str
    revised_answer: str


@dataclass(frozen=True)
class SessionFeedback(_Json):
    """Feedback on a whole session."""

    overall_score: float
    readiness: Readiness
    overall_assessment: str
    key_strengths: tuple[str, ...]
    areas_to_improve: tuple[str, ...]
    coaching_priorities: tuple[str, ...]   # most important first
    next_steps: str
    per_competency: tuple[tuple[str, int], ...] = field(default=())
