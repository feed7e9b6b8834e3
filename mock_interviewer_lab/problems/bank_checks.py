"""What ``problems validate`` checks in a question bank beyond its schema
(which loading already enforced: known competencies, gaps and difficulties,
required probes, text lengths, unique ids).

Errors: a probe that repeats its question (the candidate would hear the same
question twice), two probes of one question alike, two questions with the
same text. Warnings: a stage the bank serves with a competency it has no
question for, or a competency with no question at some difficulty — the
interview then takes them from other banks, or a neighbouring difficulty.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from mock_interviewer_lab.competencies import COMPETENCIES_BY_STAGE, DIFFICULTIES
from mock_interviewer_lab.problems.loader import PackIssue
from mock_interviewer_lab.problems.questions import Question, QuestionBank

#: Two texts at least this alike (difflib's ratio, on lower-case words) are
#: the same question.
SAME_TEXT_RATIO = 0.8
#: A follow-up this alike to one sentence of its question repeats it.
SAME_SENTENCE_RATIO = 0.85


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _sentences(text: str) -> list[str]:
    return [w for w in (_words(part) for part in re.split(r"[.?!]+", text)) if w]


def alike(a: str, b: str) -> bool:
    """The same question in other words: nearly the same words in the same
    order, whole or one of its sentences (of five words or more)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return wa == wb

    def ratio(x: str, y: str) -> float:
        return SequenceMatcher(None, x, y, autojunk=False).ratio()

    if ratio(wa, wb) >= SAME_TEXT_RATIO:
        return True
    short, long = sorted((a, b), key=len)
    return any(ratio(_words(short), sentence) >= SAME_SENTENCE_RATIO
               for sentence in _sentences(long) if len(sentence.split()) >= 5)


def _rel(bank: QuestionBank, q: Question) -> str:
    try:
        return str(q.path.relative_to(bank.path.parent))
    except ValueError:
        return str(q.path)


def _issue(bank: QuestionBank, q: Question, name: str, message: str) -> PackIssue:
    loc, line = q.where(name)
    return PackIssue(_rel(bank, q), message, field=loc, line=line)


def _question_issues(bank: QuestionBank, q: Question) -> list[PackIssue]:
    issues = []
    probes = list(q.probes.items())
    for n, (gap, probe) in enumerate(probes):
        if alike(probe, q.text):
            issues.append(_issue(bank, q, f"probes.{gap}",
                                 "repeats the question; a follow-up must ask something new"))
        for other_gap, other in probes[:n]:
            if alike(probe, other):
                issues.append(_issue(bank, q, f"probes.{gap}",
                                     f"is the same follow-up as probes.{other_gap}"))
    return issues


def _coverage_warnings(bank: QuestionBank) -> list[PackIssue]:
    warnings = []
    meta = f"{bank.path.name}/pack.yaml"
    coverage = bank.coverage()
    for stage in bank.stages():
        for competency in COMPETENCIES_BY_STAGE[stage]:
            counts = coverage[competency]
            if not any(counts.values()):
                warnings.append(PackIssue(
                    meta, f"no {competency} question for the {stage} stage: the interview "
                    "takes it from other banks"))
                continue
            missing = [d for d in DIFFICULTIES if not counts[d]]
            if missing:
                warnings.append(PackIssue(
                    meta, f"no {' or '.join(missing)} {competency} question: the interview "
                    "asks one of a neighbouring difficulty instead"))
    return warnings


def bank_issues(bank: QuestionBank) -> tuple[list[PackIssue], list[PackIssue]]:
    """(errors, warnings) of a loaded bank."""
    errors: list[PackIssue] = []
    questions = list(bank.questions.values())
    for n, q in enumerate(questions):
        errors.extend(_question_issues(bank, q))
        for earlier in questions[:n]:
            if alike(q.text, earlier.text):
                errors.append(_issue(bank, q, "text", f"is the same question as {earlier.id!r} "
                                     f"({_rel(bank, earlier)}:{earlier.line})"))
                break
    return errors, _coverage_warnings(bank)
