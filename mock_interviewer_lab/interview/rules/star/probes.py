"""Generic follow-up probes, keyed by the gap they probe.

A question bank's own probes are preferred by the interview; these are what
the scorer suggests for any question.
"""

from __future__ import annotations

from collections.abc import Iterable

from mock_interviewer_lab.competencies import Gap
from mock_interviewer_lab.interview.rules.star.model import AnswerScore

PROBES: dict[Gap, tuple[str, ...]] = {
    "no_situation": ("Can you set the scene: where were you working, and what was at stake?",
                     "When was this, and who else was involved?"),
    "no_task": ("What exactly were you responsible for in that situation?",
                "What did success look like for you, specifically?"),
    "no_action": ("Can you walk me through the steps you took yourself, one by one?",
                  "What was the first thing you did?"),
    "no_result": ("What was the outcome, and how did you know it had worked?",
                  "What happened in the end?"),
    "no_reflection": ("Looking back, what would you do differently?",
                      "What did you learn from it that you still use?"),
    "we_not_i": ("You said 'we' a lot: what did you personally decide or do?",
                 "Which part of that was yours alone?"),
    "vague": ("Can you be more concrete: which system, which people, over what timeframe?",
              "Give me one specific moment from that: what did you say or build?"),
    "no_numbers": ("How did you measure the result: by how much did it change?",
                   "Can you put a number on the impact: time, money, users, incidents?"),
    "below_level": ("Who outside your own team did you have to work with or convince, and how?",
                    "How did this change what other teams or the organisation did?"),
    "off_topic": ("Let me bring you back to the question: can you give an example that shows it directly?",),
    "hypothetical": ("That's what you would do: can you tell me about one time it actually happened?",
                     "Can you think of a real example, and what you did then?"),
    "too_short": ("Can you tell me more: the situation, what you did and how it ended?",),
    "too_long": ("In one sentence: what was the result?",),
}


#: For an answer without gaps: probes of depth, that push it past the story.
DEPTH_PROBES: tuple[str, ...] = (
    "What was the hardest part of that, and how did you handle it?",
    "What alternatives did you consider, and why did you choose this one?",
    "If you had to do it again with half the time, what would you cut?",
)


def follow_ups(score: AnswerScore, *, limit: int = 3, asked: Iterable[str] = ()) -> tuple[str, ...]:
    """Up to ``limit`` probes for the gaps of ``score`` (most important gap
    first, one probe per gap, none already ``asked``); probes of depth when
    the answer has no gap."""
    done = set(asked)
    out: list[str] = []
    for gap in score.gap_ids:
        for probe in PROBES.get(gap, ()):
            if probe not in done and probe not in out:
                out.append(probe)
                break
        if len(out) >= limit:
            break
    if not score.gaps:
        out.extend(p for p in DEPTH_PROBES if p not in done)
    return tuple(out[:limit])
