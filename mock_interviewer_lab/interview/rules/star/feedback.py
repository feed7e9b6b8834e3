"""Feedback without a model: on a question (what landed, what didn't,
coaching, a revised answer) and on a session (the mean, readiness, ranked
priorities, next steps).

The revised answer is the candidate's own sentences in STAR order, fillers
and hedges trimmed, with marked placeholders (``[the number: by how
much?]``) where something is missing. It never adds a fact: the tests check
it with :func:`~mock_interviewer_lab.interview.rules.star.grounding.ungrounded`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from mock_interviewer_lab.competencies import (
    LEVEL_DEFINITIONS,
    LEVELS,
    Competency,
    Gap,
    Level,
    readiness_for,
)
from mock_interviewer_lab.interview.rules.star.features import Labelled, label
from mock_interviewer_lab.interview.rules.star.model import (
    AnswerScore,
    QuestionFeedback,
    SessionFeedback,
    StarPart,
)
from mock_interviewer_lab.interview.rules.star.score import COMPETENCY_NAMES, quote
from mock_interviewer_lab.interview.rules.star.text import compile_any, sentences_of, strip_fillers

#: What to practise for each gap: tactical, not "be more strategic".
COACHING: dict[Gap, str] = {
    "hypothetical": ("Answer with one real story, in the past tense: 'Last spring, at …, I …'. "
                     "If you have no example, say so and give the closest one you have."),
    "too_short": ("Give the whole arc in four to six sentences: one for the situation, one for "
                  "your task, two or three for what you did, one for the result."),
    "off_topic": ("Restate the question's key word in your first sentence and pick a story where "
                  "that competency decided the outcome."),
    "no_action": ("Spend most of the answer on your actions: three concrete steps, each starting "
                  "with 'I' and a verb (I proposed, I built, I convinced)."),
    "no_result": ("End every story with its outcome: what changed, for whom, and how you knew."),
    "we_not_i": ("Keep 'we' for the team's context and switch to 'I' for your own part: what you "
                 "decided, what you wrote, who you talked to."),
    "no_situation": ("Open with one sentence of context: where you were, when, and what was at stake."),
    "no_task": ("Say what you owned before the steps: 'My job was to … by …'."),
    "below_level": ("Pick a story at the target level's scope and name the people outside your "
                    "team you worked with, what you had to convince them of, and what changed beyond "
                    "your own work."),
    "no_numbers": ("Put one number on the result: a percentage, a time saved, users or incidents "
                   "affected. If you didn't measure it, say how you would have known."),
    "vague": ("Replace general words with names: the system, the team, the tool, the week. "
              "Say it as fact: drop 'I think' and 'probably'."),
    "no_reflection": ("Close with one line on what you learned or now do differently."),
    "too_long": ("Lead with the result, keep the situation to two sentences, and stop after the "
                 "reflection: about two minutes."),
}

#: How much each gap weighs in a session's priorities (beside how often it came up).
_WEIGHT: dict[Gap, int] = {
    "hypothetical": 9, "off_topic": 8, "too_short": 8, "no_action": 8, "no_result": 7,
    "we_not_i": 7, "below_level": 6, "no_numbers": 5, "vague": 5, "no_situation": 4,
    "no_task": 3, "no_reflection": 3, "too_long": 2,
}

_TRIMMED_HEDGES = compile_any((
    r"i think(?: that)?\b,?", r"i guess\b,?", r"probably\b", r"maybe\b,?", r"perhaps\b,?",
    r"i believe(?: that)?\b,?", r"i suppose\b,?", r"something like that\b", r"or something\b",
    r"more or less\b",
))


def _tidy(text: str) -> str:
    """A sentence without fillers and hedges, capitalised and ended."""
    cleaned = strip_fillers(text)
    cleaned = _TRIMMED_HEDGES.sub(" ", cleaned)
    cleaned = re.sub(r"\s+([,.!?;])", r"\1", re.sub(r"\s{2,}", " ", cleaned)).strip(" ,;")
    cleaned = re.sub(r"^(?:and|so|then|but|because|okay|ok|well)\b[\s,]*", "", cleaned,
                     flags=re.IGNORECASE).strip(" ,;")
    cleaned = re.sub(r"(?:[\s,]+(?:and|so|but|then|because|or))+[\s,]*([.!?]?)$", r"\1", cleaned,
                     flags=re.IGNORECASE).strip(" ,;")
    cleaned = re.sub(r"\bi\b", "I", cleaned)
    cleaned = re.sub(r"\bi'", "I'", cleaned)
    if not cleaned:
        return ""
    cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned if cleaned[-1] in ".!?" else cleaned + "."


def _labelled(answers: Sequence[str]) -> list[Labelled]:
    seen: set[str] = set()
    out: list[Labelled] = []
    for text in answers:
        for sentence in sentences_of(text):
            if sentence.clean in seen:
                continue
            seen.add(sentence.clean)
            out.append(label(sentence))
    return out


_PLACEHOLDERS: dict[StarPart, str] = {
    "situation": "[the situation: where and when, and what was at stake]",
    "task": "[your task: what you were responsible for]",
    "action": "[the steps you took yourself]",
    "result": "[the result: what happened in the end]",
    "reflection": "[what you'd do differently]",
}
_LEVEL_PLACEHOLDERS: dict[Level, str] = {
    "L4": "[what you delivered yourself]",
    "L5A": "[at L5A: who outside your team you worked with or convinced, and how]",
    "L5B": "[at L5B: the decision or direction you set beyond your team, and for how long]",
}


def revised_answer(answers: Sequence[str], score: AnswerScore, target_level: Level) -> str:
    """The candidate's answer (all their replies) rewritten in STAR order
    from their own sentences: fillers and hedges trimmed, hypotheticals left
    out, placeholders in ``[brackets]`` where a part, their own decision, a
    number or the target level's scope is missing. Never adds a fact."""
    sections: dict[StarPart, list[str]] = {p: [] for p in _PLACEHOLDERS}
    unlabelled: list[str] = []
    own_action = False
    result_number = False
    for s in _labelled(answers):
        if s.hypothetical:
            continue
        text = _tidy(s.sentence.text)
        if not text:
            continue
        part = s.primary
        if part is None:
            unlabelled.append(text)
            continue
        sections[part].append(text)
        own_action = own_action or s.i_action
        if part == "result" and s.numbers:
            result_number = True
    sections["situation"].extend(unlabelled[:2])
    extra: dict[StarPart, list[str]] = {p: [] for p in _PLACEHOLDERS}
    if sections["action"] and not own_action:
        extra["action"].append("[what you decided yourself]")
    if LEVELS.index(score.level) < LEVELS.index(target_level):
        extra["action"].append(_LEVEL_PLACEHOLDERS[target_level])
    if sections["result"] and not result_number:
        extra["result"].append("[the number: by how much?]")
    if score.gap_ids and "hypothetical" in score.gap_ids and not any(sections.values()):
        sections["situation"].append("[one real time this happened: where and when]")
    lines = []
    for part, placeholder in _PLACEHOLDERS.items():
        body = sections[part] or [placeholder]
        lines.append(f"{part.capitalize()}: " + " ".join([*body, *extra[part]]))
    return "\n".join(lines)


def question_feedback(question: str, competency: Competency, target_level: Level,
                      answers: Sequence[str], score: AnswerScore) -> QuestionFeedback:
    """Feedback on one question once its replies are in."""
    name = COMPETENCY_NAMES[competency]
    landed = score.strengths[:3] or (
        "Not much landed yet: the answer needs one real example told from situation to result",)
    didnt = tuple(g.text for g in score.gaps[:3]) or (
        "Nothing major: rehearse it so it stays this concrete under pressure",)
    verdict = ("at" if score.level == target_level else
               "above" if LEVELS.index(score.level) > LEVELS.index(target_level) else "below")
    assessment = (f"{score.score}/10 on {name}: the answer shows {score.level} scope, {verdict} "
                  f"the {target_level} target. "
                  + (f"The main gap: {score.gaps[0].text[0].lower()}{score.gaps[0].text[1:]}."
                     if score.gaps else "It has every part of a strong answer."))
    paragraphs = [COACHING[g.id] for g in score.gaps[:3]]
    paragraphs.append(f"At {target_level} an answer on {name} shows "
                      f"{LEVEL_DEFINITIONS[target_level].lower()}.")
    return QuestionFeedback(
        overall_assessment=assessment, what_landed=tuple(landed), what_didnt_land=didnt,
        coaching="\n\n".join(paragraphs),
        revised_answer=revised_answer(answers, score, target_level),
    )


def session_feedback(scores: Sequence[tuple[Competency, AnswerScore]]) -> SessionFeedback:
    """Feedback on a session from its questions' scores (in the order asked)."""
    if not scores:
        return SessionFeedback(
            overall_score=0.0, readiness=readiness_for(0.0),
            overall_assessment="No question was answered, so there is nothing to judge yet.",
            key_strengths=(), areas_to_improve=(),
            coaching_priorities=("Answer at least one question from situation to result",),
            next_steps="Start a new session and answer all five questions.")
    overall = round(sum(s.score for _, s in scores) / len(scores), 2)
    readiness = readiness_for(overall)
    strengths: list[str] = []
    kinds: set[str] = set()
    for competency, s in sorted(scores, key=lambda cs: -cs[1].score):
        # One strength per answer, of a kind not yet named (quantified, ownership…).
        fresh = [x for x in s.strengths if x.split(":")[0].split("(")[0] not in kinds]
        if fresh and len(strengths) < 3:
            kinds.add(fresh[0].split(":")[0].split("(")[0])
            strengths.append(f"{COMPETENCY_NAMES[competency].capitalize()}: {fresh[0]}")
    counts: Counter[Gap] = Counter()
    where: dict[Gap, list[str]] = {}
    for competency, s in scores:
        for gap in s.gap_ids:
            counts[gap] += 1
            where.setdefault(gap, []).append(COMPETENCY_NAMES[competency])
    ranked = sorted(counts, key=lambda g: (-counts[g] * _WEIGHT[g], -_WEIGHT[g]))
    areas = [f"{_GAP_TITLES[g]} in {counts[g]} of {len(scores)} answers "
             f"({', '.join(dict.fromkeys(where[g]))})" for g in ranked[:3]]
    priorities = [COACHING[g] for g in ranked[:3]]
    weakest_c, weakest = min(scores, key=lambda cs: cs[1].score)
    levels = Counter(s.level for _, s in scores)
    assessment = (f"Average {overall:.1f}/10 over {len(scores)} question(s): {readiness}. "
                  f"Most answers showed {levels.most_common(1)[0][0]} scope"
                  + (f"; the most common gap: {_GAP_TITLES[ranked[0]].lower()}." if ranked else "."))
    focus = _GAP_TITLES[ranked[0]].lower() if ranked else "keeping answers this concrete"
    next_steps = (f"Write out your {COMPETENCY_NAMES[weakest_c]} story again ({weakest.score}/10), "
                  f"fixing {focus}; say it aloud in about two minutes, then run another "
                  "session on the same stage.")
    return SessionFeedback(
        overall_score=overall, readiness=readiness, overall_assessment=assessment,
        key_strengths=tuple(strengths), areas_to_improve=tuple(areas),
        coaching_priorities=tuple(priorities), next_steps=next_steps,
        per_competency=tuple((c, s.score) for c, s in scores),
    )


_GAP_TITLES: dict[Gap, str] = {
    "no_situation": "No context set", "no_task": "Your own task not said",
    "no_action": "No steps of your own", "no_result": "No outcome",
    "no_reflection": "Nothing learned or changed", "we_not_i": "'We' instead of what you did",
    "vague": "Vague or hedged", "no_numbers": "Results without numbers",
    "below_level": "Scope below the target level", "off_topic": "Off the question",
    "hypothetical": "What you would do instead of what you did", "too_short": "Too short",
    "too_long": "Too long",
}

__all__ = ["COACHING", "question_feedback", "quote", "revised_answer", "session_feedback"]
