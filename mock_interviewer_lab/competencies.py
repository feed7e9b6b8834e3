"""The vocabulary of a behavioural interview (seed 002): stages, competencies,
levels, the gaps an answer can have, the rubric's dimensions and readiness.

One home for these names: the question banks (``problems/``), the scorer
(``interview/rules/star/``), the behavioural interview (``interview/kinds/``),
the coach, the reports and the API all take them from here. The functions are
the spec's rules, written once.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Stage = Literal["recruiter_screen", "hiring_manager"]
Difficulty = Literal["easy", "medium", "hard"]
Level = Literal["L4", "L5A", "L5B"]
Readiness = Literal["Ready", "Almost Ready", "Needs Practice"]

Competency = Literal[
    # recruiter screen
    "communication", "motivation", "culture_fit", "technical_basics", "availability",
    # hiring manager
    "leadership", "problem_solving", "ambiguity_tolerance", "stakeholder_management",
    "technical_depth",
]

#: The competencies each stage tests, in the order the questions take them
#: (the spec's ``get_competency_for_stage``).
COMPETENCIES_BY_STAGE: dict[Stage, tuple[Competency, ...]] = {
    "recruiter_screen": ("communication", "motivation", "culture_fit", "technical_basics",
                         "availability"),
    "hiring_manager": ("leadership", "problem_solving", "ambiguity_tolerance",
                       "stakeholder_management", "technical_depth"),
}

STAGES: tuple[Stage, ...] = get_args(Stage)
DIFFICULTIES: tuple[Difficulty, ...] = get_args(Difficulty)
LEVELS: tuple[Level, ...] = get_args(Level)
COMPETENCIES: tuple[Competency, ...] = get_args(Competency)

#: What each level shows (the spec's level guidelines).
LEVEL_DEFINITIONS: dict[Level, str] = {
    "L4": "Execution-focused, task completion, individual contributor scope",
    "L5A": "Cross-team coordination, strategic input, influence without authority",
    "L5B": "Organizational impact, strategic decisions, ambiguity navigation",
}

#: The gaps an answer can have. A gap names what is missing, specifically
#: ("didn't say what you decided yourself", not "needs more detail"); the
#: follow-up probes of a question bank are keyed by these ids.
Gap = Literal[
    "no_situation",   # no context: where, when, what was at stake
    "no_task",        # not said what the candidate had to achieve or own
    "no_action",      # no steps the candidate took
    "no_result",      # no outcome
    "no_reflection",  # nothing learned or done differently since
    "we_not_i",       # "we" throughout: not said what the candidate did or decided
    "vague",          # no concrete detail: systems, people, timeframe, constraints
    "no_numbers",     # the result is not quantified
    "below_level",    # scope below the target level
    "off_topic",      # does not answer the question or show the competency
    "hypothetical",   # what they would do, not what they did
    "too_short",      # too little to judge
    "too_long",       # well past the two-minute guide
]
GAPS: tuple[Gap, ...] = get_args(Gap)

#: The rubric's named dimensions; their points add up to the answer's score.
Dimension = Literal[
    "star",         # situation, task, action, result present (order not penalised)
    "ownership",    # first person in the actions: what the candidate decided and did
    "specificity",  # concrete detail
    "impact",       # a quantified result
    "scope",        # scope against the target level
    "relevance",    # answers the question, shows the competency
    "reflection",   # what they learned or would do differently
]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

#: Questions per session, follow-ups per question (the spec's response
#: numbers 2-4).
QUESTIONS_PER_SESSION = 5
MAX_FOLLOW_UPS = 3


def competency_for_stage(stage: Stage, question_number: int) -> Competency:
    """The competency question ``question_number`` (from 1) tests at ``stage``."""
    if question_number < 1:
        raise ValueError(f"question numbers start at 1, not {question_number}")
    order = COMPETENCIES_BY_STAGE[stage]
    return order[(question_number - 1) % len(order)]


_L5B_SIGNS = ("lead strategic initiatives", "define organizational direction",
              "influence senior leadership", "drive company-wide", "principal", "staff")
_L5A_SIGNS = ("lead cross-functional", "coordinate across teams", "strategic input",
              "senior", "lead")


def _says(text: str, phrase: str) -> bool:
    # Whole words: "staff" is a sign of the level, "staffing" is not; "lead"
    # is, "leader" and "misleading" are not.
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def target_level_from_job(job_description: str) -> Level:
    """The level a job description asks for, by the spec's phrases (L4 when
    none of them is there)."""
    text = job_description.lower()
    if any(_says(text, phrase) for phrase in _L5B_SIGNS):
        return "L5B"
    if any(_says(text, phrase) for phrase in _L5A_SIGNS):
        return "L5A"
    return "L4"


def readiness_for(overall_score: float) -> Readiness:
    """The spec's bands: Ready at 8 and above, Almost Ready from 6, else
    Needs Practice."""
    if overall_score >= 8:
        return "Ready"
    if overall_score >= 6:
        return "Almost Ready"
    return "Needs Practice"
