"""Scoring one answer: the rubric, its caps, gaps, strengths and the one-line
coaching note.

The rubric (out of 10; a direct question such as availability reads the
same dimensions as a direct answer's qualities, see :func:`_direct_parts`): STAR completeness 2 (context, action and result all
there: 2; two of them: 1), ownership 2, specificity 1, quantified impact 1,
scope against the target level 2, relevance 1, reflection 1. Caps take
points away from the parts (largest first) so that the parts still add up
to the score: a hypothetical answer at most 4, a heavily hedged one at most
6, one off the question at most 3, one too short to judge at most 3 (under
ten words: 1). A sum of 0 is a score of 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mock_interviewer_lab.competencies import (
    LEVEL_DEFINITIONS,
    LEVELS,
    Competency,
    Dimension,
    Gap,
    Level,
    Stage,
)
from mock_interviewer_lab.interview.rules.star.features import Labelled, Reading, read_answer
from mock_interviewer_lab.interview.rules.star.model import (
    STAR_PARTS,
    AnswerScore,
    Evidence,
    GapNote,
    RubricPart,
    StarLabels,
)
from mock_interviewer_lab.interview.rules.star.text import is_year

OUT_OF: dict[Dimension, int] = {
    "star": 2, "ownership": 2, "specificity": 1, "impact": 1, "scope": 2, "relevance": 1,
    "reflection": 1,
}
#: Answers shorter than this (in words, fillers excepted) are too short to judge.
TOO_SHORT = 25
#: Longer than this is well past the two-minute guide (about 300 words).
TOO_LONG = 450
HYPOTHETICAL_CAP = 4
HEDGED_CAP = 6
OFF_TOPIC_CAP = 3
TOO_SHORT_CAP = 3
#: Relevance (0-1) at which the relevance point is given; below OFF_TOPIC an
#: answer long enough to judge is off the question.
RELEVANT = 0.4
OFF_TOPIC = 0.12

COMPETENCY_NAMES: dict[Competency, str] = {
    "communication": "communication", "motivation": "motivation", "culture_fit": "culture fit",
    "technical_basics": "technical basics", "availability": "availability",
    "leadership": "leadership", "problem_solving": "problem solving",
    "ambiguity_tolerance": "handling ambiguity", "stakeholder_management": "stakeholder management",
    "technical_depth": "technical depth",
}


def quote(text: str, words: int = 14) -> str:
    """The start of ``text`` (at most ``words`` words), in single quotes."""
    parts = text.strip().rstrip(".!?").split()
    cut = " ".join(parts[:words])
    return f"'{cut}…'" if len(parts) > words else f"'{cut}'"


def _rank(level: Level) -> int:
    return LEVELS.index(level)


def _star_points(reading: Reading) -> RubricPart:
    context = reading.has("situation") or reading.has("task")
    present = [name for name, ok in (("context", context), ("action", reading.has("action")),
                                     ("result", reading.has("result"))) if ok]
    missing = [n for n in ("context", "action", "result") if n not in present]
    points = 2 if len(present) == 3 else 1 if len(present) == 2 else 0
    why = ("situation or task, action and result all there" if not missing
           else f"missing: {', '.join(missing)}")
    return RubricPart("star", points, 2, why)


def _ownership_points(reading: Reading) -> RubricPart:
    f = reading.features
    we_actions = sum(1 for s in reading.sentences if s.we_action and not s.i_action)
    if f.first_person_actions >= 2 and f.first_person_actions >= we_actions:
        return RubricPart("ownership", 2, 2,
                          f"{f.first_person_actions} sentences say what you did yourself")
    if f.first_person_actions >= 1:
        return RubricPart("ownership", 1, 2,
                          f"{f.first_person_actions} sentence(s) in the first person, "
                          f"{we_actions} about what 'we' did")
    return RubricPart("ownership", 0, 2, "no sentence says what you did yourself")


def _result_numbers(reading: Reading) -> list[str]:
    return [n.said for s in reading.of("result") for n in s.numbers if not is_year(n)]


def _specificity_points(reading: Reading) -> RubricPart:
    f = reading.features
    found = len(set(f.specific_terms)) + len(set(f.numbers))
    if found >= 3:
        return RubricPart("specificity", 1, 1, f"{found} concrete details (names, systems, "
                          "numbers, dates)")
    return RubricPart("specificity", 0, 1, f"only {found} concrete detail(s)")


def _impact_points(reading: Reading) -> RubricPart:
    numbers = _result_numbers(reading)
    if numbers:
        return RubricPart("impact", 1, 1, f"the result has a number ({numbers[0]})")
    if reading.has("result"):
        return RubricPart("impact", 0, 1, "the result has no number")
    return RubricPart("impact", 0, 1, "no result to measure")


def _scope_points(reading: Reading, target: Level) -> RubricPart:
    gap = _rank(target) - _rank(reading.level)
    own = reading.features.first_person_actions > 0 or reading.has("action")
    points = 2 if gap <= 0 else 1 if gap == 1 else 0
    if not own:
        points = min(points, 1)
    signals = [sig for level, sig in reading.features.scope_signals]
    shown = f"shows {reading.level}" + (f" ({', '.join(signals[:3])})" if signals else "")
    return RubricPart("scope", points, 2, f"{shown} against a target of {target}"
                      + ("" if own else "; no action of your own"))


def _relevance_points(reading: Reading, competency: Competency) -> RubricPart:
    f = reading.features
    said = ", ".join((*f.competency_cues[:3], *f.question_overlap[:2])) or "nothing"
    ok = f.relevance >= RELEVANT
    return RubricPart("relevance", 1 if ok else 0, 1,
                      f"relevance {f.relevance:.2f} to {COMPETENCY_NAMES[competency]} "
                      f"and the question (said: {said})")


def _reflection_points(reading: Reading) -> RubricPart:
    if reading.has("reflection"):
        return RubricPart("reflection", 1, 1, "says what you learned or would change")
    return RubricPart("reflection", 0, 1, "nothing learned or done differently")


def _caps(reading: Reading, *, direct: bool = False) -> list[tuple[int, str]]:
    f = reading.features
    caps: list[tuple[int, str]] = []
    short = TOO_SHORT // 2 if direct else TOO_SHORT
    if f.words < 10:
        caps.append((1, f"too short to judge ({f.words} words)"))
    elif f.words < short:
        caps.append((TOO_SHORT_CAP, f"too short to judge ({f.words} words)"))
    if not direct and _is_hypothetical(reading):
        caps.append((HYPOTHETICAL_CAP, "hypothetical: what you would do, not what you did"))
    if _is_hedged(reading):
        caps.append((HEDGED_CAP, f"hedged ({', '.join(sorted(set(f.hedged))[:3])})"))
    if f.words >= TOO_SHORT and f.relevance < OFF_TOPIC:
        caps.append((OFF_TOPIC_CAP, "off the question"))
    return caps


def _is_hypothetical(reading: Reading) -> bool:
    hyp = sum(1 for s in reading.sentences if s.hypothetical)
    done = sum(1 for s in reading.sentences if s.i_action or s.we_action)
    return hyp > 0 and hyp >= done


def _is_hedged(reading: Reading) -> bool:
    hedged = sum(1 for s in reading.sentences if s.hedges)
    return hedged >= 2 and hedged * 2 >= len(reading.sentences)


def _apply_cap(parts: list[RubricPart], cap: int, reason: str) -> list[RubricPart]:
    excess = sum(p.points for p in parts) - cap
    if excess <= 0:
        return parts
    out = list(parts)
    while excess > 0:
        i = max(range(len(out)), key=lambda k: (out[k].points, -k))
        part = out[i]
        if part.points == 0:
            break
        note = part.why if "capped" in part.why else f"{part.why}; capped: {reason}"
        out[i] = RubricPart(part.dimension, part.points - 1, part.out_of, note)
        excess -= 1
    return out


def fit_rubric(parts: Sequence[RubricPart], score: int, reason: str) -> tuple[RubricPart, ...]:
    """``parts`` moved to add up to ``score`` (another judge's, e.g. a
    model's): points taken from the largest parts, or given to the parts with
    the most room, each moved part saying why."""
    out = _apply_cap(list(parts), score, reason)
    short = score - sum(p.points for p in out)
    while short > 0:
        i = max(range(len(out)), key=lambda k: (out[k].out_of - out[k].points, -k))
        part = out[i]
        if part.points >= part.out_of:
            break
        note = part.why if reason in part.why else f"{part.why}; raised: {reason}"
        out[i] = RubricPart(part.dimension, part.points + 1, part.out_of, note)
        short -= 1
    return tuple(out)


# -------------------------------------------------------------------- gaps

_GAP_ORDER: tuple[Gap, ...] = (
    "hypothetical", "too_short", "off_topic", "no_action", "no_result", "we_not_i",
    "no_situation", "no_task", "below_level", "no_numbers", "vague", "no_reflection", "too_long",
)


def _direct_gaps(reading: Reading, competency: Competency, question: str) -> list[GapNote]:
    f = reading.features
    notes: list[GapNote] = []
    if f.words < TOO_SHORT // 2:
        notes.append(GapNote("too_short", f"Only {f.words} words: answer each part of the question"))
    if f.relevance < RELEVANT:
        notes.append(GapNote("off_topic", f"The answer doesn't address {quote(question, 12)}"))
    if _is_hedged(reading):
        notes.append(GapNote("vague", f"You hedged ('{f.hedged[0]}'): give a date and your conditions plainly"))
    elif not f.numbers:
        notes.append(GapNote("vague", "No date or number: say when you can start and what notice you have"))
    return notes


def _gaps(reading: Reading, competency: Competency, target: Level,
          question: str, *, direct: bool = False) -> list[GapNote]:
    if direct:
        return _direct_gaps(reading, competency, question)
    f = reading.features
    notes: dict[Gap, str] = {}
    if _is_hypothetical(reading):
        said = f.hypothetical[0] if f.hypothetical else "would"
        notes["hypothetical"] = (f"You said what you would do ('{said}'): tell one real time it "
                                 "happened and what you actually did")
    if f.words < TOO_SHORT:
        notes["too_short"] = (f"Only {f.words} words: tell the whole story, from the situation "
                              "to the result")
    if f.words >= TOO_SHORT and f.relevance < RELEVANT:
        notes["off_topic"] = (f"The answer doesn't show {COMPETENCY_NAMES[competency]}: "
                              f"the question asked {quote(question, 12)}")
    if not reading.has("action"):
        notes["no_action"] = "You didn't say what you did: the steps you took, in the first person"
    if not reading.has("result"):
        notes["no_result"] = ("The story stops before the outcome: say what happened in the "
                              "end and how you knew it worked")
    we_actions = sum(1 for s in reading.sentences if s.we_action and not s.i_action)
    if reading.has("action") and f.first_person_actions < 2 and we_actions >= f.first_person_actions:
        notes["we_not_i"] = (f"You said 'we' {f.we_count} times and 'I' {f.i_count}: "
                             "say what you decided and did yourself")
    if not reading.has("situation") and not reading.has("task"):
        notes["no_situation"] = "You didn't set the scene: where this was, when, and what was at stake"
    elif not reading.has("task"):
        notes["no_task"] = ("You didn't say what you were responsible for: "
                            "'my job was to…' before the steps")
    if _rank(reading.level) < _rank(target):
        notes["below_level"] = (f"The scope reads as {reading.level} ({LEVEL_DEFINITIONS[reading.level].lower()}); "
                                f"at {target} show {LEVEL_DEFINITIONS[target].lower()}")
    if reading.has("result") and not _result_numbers(reading):
        result = reading.of("result")[0].sentence.text
        notes["no_numbers"] = f"Your result ({quote(result, 10)}) has no number: by how much, how fast, for how many?"
    if _is_hedged(reading):
        notes["vague"] = (f"You hedged ('{f.hedged[0]}'): say what happened as fact, "
                          "and name the system, the people and the timeframe")
    elif len(set(f.specific_terms)) + len(set(f.numbers)) < 2:
        notes["vague"] = "No concrete detail: name the system, the people involved and the timeframe"
    if not reading.has("reflection"):
        notes["no_reflection"] = "You didn't say what you learned or would do differently next time"
    if f.words > TOO_LONG:
        notes["too_long"] = (f"{f.words} words is well past the two-minute guide: lead with the "
                             "result, keep the situation to two sentences")
    return [GapNote(g, notes[g]) for g in _GAP_ORDER if g in notes]


def _strengths(reading: Reading, target: Level) -> list[str]:
    out: list[str] = []
    f = reading.features
    results = [s for s in reading.of("result") if any(not is_year(n) for n in s.numbers)]
    if results:
        out.append(f"Quantified the result: {quote(results[0].sentence.text)}")
    mine = [s for s in reading.sentences if s.i_action]
    if len(mine) >= 2:
        out.append(f"Clear ownership, in the first person: {quote(mine[0].sentence.text)}")
    if reading.level != "L4" and _rank(reading.level) >= _rank(target):
        signals = [sig for level, sig in f.scope_signals if level != "L4"]
        out.append(f"Showed {reading.level} scope ({', '.join(signals[:3])})")
    if all(reading.has(p) for p in ("action", "result")) and (reading.has("situation") or reading.has("task")):
        out.append("A complete story: situation, action and result all there")
    reflections = reading.of("reflection")
    if reflections:
        out.append(f"Reflected on it: {quote(reflections[0].sentence.text)}")
    named = [t for t in f.specific_terms if len(t) > 2][:3]
    if len(named) >= 2:
        out.append(f"Concrete detail: {', '.join(named)}")
    return out


def _direct_strengths(reading: Reading) -> list[str]:
    f = reading.features
    out = []
    if f.numbers:
        out.append(f"Gave a concrete answer: {', '.join(f.numbers[:3])}")
    if len(reading.sentences) and not _is_hedged(reading) and f.words >= TOO_SHORT // 2:
        out.append(f"Direct and plain: {quote(reading.sentences[0].sentence.text)}")
    return out


def _brief(score: int, gaps: Sequence[GapNote], strengths: Sequence[str]) -> str:
    if not gaps:
        top = strengths[0] if strengths else "Keep it this concrete"
        return f"Strong answer. {top}."
    top = gaps[0].text
    if score >= 8 and strengths:
        return f"Good answer ({strengths[0].split(':')[0].lower()}); to make it stronger: {top[0].lower()}{top[1:]}."
    return top + "."


def _evidence(sentences: Sequence[Labelled]) -> tuple[Evidence, ...]:
    return tuple(Evidence(part, s.sentence.text) for s in sentences
                 for part in STAR_PARTS if part in s.parts)


#: Competencies asked as a direct question, not for a story (the recruiter's
#: logistics): the rubric's dimensions read as a direct answer's qualities.
DIRECT_ANSWER: frozenset[Competency] = frozenset({"availability"})
_COMMITMENT = re.compile(
    r"\bi(?:'m| am| have| can| could|'d| would| will|'ll| don't| do not)\s+(?:not\s+)?"
    r"(?!have to\b)(?:start|prefer|be|like|need|relocate|work|open|available|happy|give|have|"
    r"travel|commute|move|require)\b", re.IGNORECASE)
_CONDITIONS = re.compile(r"\b(?:prefer|open to|flexible|happy to|don't need|do not need|"
                         r"can't|cannot|except|as long as|provided|only)\b", re.IGNORECASE)


def _direct_parts(reading: Reading, competency: Competency) -> list[RubricPart]:
    """The rubric for a direct answer: answered (star), in your own voice
    (ownership), concrete (specificity), a date or number (impact), scope not
    judged (full marks when relevant), relevance, conditions said (reflection)."""
    f = reading.features
    text = " ".join(s.sentence.clean for s in reading.sentences)
    concrete = len(set(f.specific_terms)) + len(set(f.numbers))
    relevant = f.relevance >= RELEVANT
    commitments = len(_COMMITMENT.findall(text))
    return [
        RubricPart("star", 2 if relevant and concrete >= 2 else 1 if relevant else 0, 2,
                   "a direct question: answered directly" if relevant else "the question not answered"),
        RubricPart("ownership", min(2, commitments), 2,
                   f"{commitments} plain statement(s) of what you can or will do"),
        _specificity_points(reading),
        RubricPart("impact", 1 if f.numbers else 0, 1,
                   f"a date or number ({f.numbers[0]})" if f.numbers else "no date or number"),
        RubricPart("scope", 2 if relevant and concrete >= 2 else 1 if relevant else 0, 2,
                   "not a level question: a complete answer has full marks"),
        _relevance_points(reading, competency),
        RubricPart("reflection", 1 if _CONDITIONS.search(text) else 0, 1,
                   "says your conditions and flexibility" if _CONDITIONS.search(text)
                   else "no conditions or preferences said"),
    ]


def score_reading(reading: Reading, *, question: str, competency: Competency,
                  target_level: Level) -> AnswerScore:
    """The score of an answer already read (:func:`read_answer`)."""
    direct = competency in DIRECT_ANSWER
    if direct:
        parts = _direct_parts(reading, competency)
    else:
        parts = [_star_points(reading), _ownership_points(reading), _specificity_points(reading),
                 _impact_points(reading), _scope_points(reading, target_level),
                 _relevance_points(reading, competency), _reflection_points(reading)]
    caps = _caps(reading, direct=direct)
    for cap, reason in sorted(caps):
        parts = _apply_cap(parts, cap, reason)
    total = sum(p.points for p in parts)
    score = max(1, min(10, total))
    gaps = _gaps(reading, competency, target_level, question, direct=direct)
    strengths = ([] if score <= 3 and caps else
                 _direct_strengths(reading) if direct else _strengths(reading, target_level))
    labels = StarLabels(**{p: reading.has(p) for p in STAR_PARTS})
    return AnswerScore(
        score=score, level=reading.level, rubric=tuple(parts), star=labels,
        evidence=_evidence(reading.sentences), gaps=tuple(gaps), strengths=tuple(strengths),
        brief_feedback=_brief(score, gaps, strengths), features=reading.features, total=total,
        caps=tuple(f"at most {cap}: {reason}" for cap, reason in sorted(caps)),
        cap=min((cap for cap, _ in caps), default=None),
    )


def held_to_caps(score: int, rules: AnswerScore) -> int:
    """Another judge's ``score`` of an answer (a model's) held to the caps
    these rules put on the same answer (``rules``, its offline score): a
    hypothetical answer scores at most 4 whoever judges it."""
    return max(1, score if rules.cap is None else min(score, rules.cap))


def score_answer(answer: str, *, question: str, competency: Competency, target_level: Level,
                 stage: Stage, earlier: Sequence[str] = ()) -> AnswerScore:
    """Score ``answer`` (with ``earlier``, the candidate's previous replies to
    the same question, read together with it) against the question, its
    competency and the target level. ``stage`` is the interview stage (the
    rubric is the same at both; it is taken so callers pass it once)."""
    del stage
    reading = read_answer([*earlier, answer], question=question, competency=competency)
    return score_reading(reading, question=question, competency=competency,
                         target_level=target_level)
