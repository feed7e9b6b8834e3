"""Replies a candidate can take: the rules a coach's reply must keep, as
pure functions (no I/O, no model), shared by the LLM coach's gate
(``coach/reply_gate.py``) and the eval's checks (``evaluation/grading.py``).

A reply breaks a rule (a :class:`Violation`, by kind) when it

* ``third_person``: talks about the candidate instead of to them ("The
  candidate has understood …", "ask them to …", "their code");
* ``instruction_echo``: repeats what the coach was told rather than saying
  something to the candidate: most of a sentence is a run of the texts given
  to the model (its instructions, the engine's note on what just happened:
  "The interview moved to the reflection phase. Open it with a question.")
  that is not in the texts a reply may repeat (the problem, what was said,
  the example phrasings quoted in the instructions); or a role label
  ("Interviewer: …");
* ``placeholder``: carries a template's slot ("[Candidate's Name]",
  "<name>", "{problem}", "line X");
* ``too_long``: more than :data:`MAX_SENTENCES` sentences or
  :data:`MAX_WORDS` words (it is shown in a panel and spoken aloud);
* ``invented_fact``: claims about the code the engine's records do not
  support: a line number that is neither an analyzer finding's line nor a
  failing test's line (nor one the candidate named); a bug, an error or a
  failure when no test failed and the analyzer found nothing; a pass when
  the latest run failed; or a complexity called efficient/optimal when it is
  slower than the problem's expected class.

A question left unanswered is a property of a reply to a question, not of a
reply alone: :func:`answers_question`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Any

from mock_interviewer_lab.interview.rules.clarify import topics_asked
from mock_interviewer_lab.interview.rules.vocabulary import STOPWORDS, split_sentences
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import (
    CLARIFICATION_TOPICS,
    COMPLEXITY_CLASSES,
    complexity_rank,
    normalise_complexity,
)

#: The kinds of violation, in the order they are reported.
KINDS = ("third_person", "instruction_echo", "placeholder", "too_long", "invented_fact")
#: A reply is spoken aloud: at most this many sentences and words.
MAX_SENTENCES = 5
MAX_WORDS = 90
#: An echo: at least this share of a sentence's words (and at least
#: ECHO_MIN_WORDS of them) lie in runs of ECHO_GRAM words of an instruction.
ECHO_SHARE = 0.8
ECHO_MIN_WORDS = 4
ECHO_GRAM = 5
#: A run this long of an instruction is an echo whatever the sentence's length.
ECHO_LONG_RUN = 10


@dataclass(frozen=True)
class Violation:
    """One rule a reply breaks: its kind (one of :data:`KINDS`), what in the
    reply breaks it, and the sentence."""

    kind: str
    detail: str
    sentence: str = ""

    def describe(self) -> str:
        return f"{self.kind.replace('_', ' ')}: {self.detail}"


@dataclass(frozen=True)
class ReplyFacts:
    """What a reply is judged against: the texts given to the model, the
    texts it may repeat, and what the engine's records say of the code."""

    #: Texts given to the model as instructions (a ``{field}`` in one stands
    #: for any one or two words: templates are instructions too).
    instructions: tuple[str, ...] = ()
    #: Texts a reply may repeat: the problem as the candidate sees it, the
    #: conversation, the pack's facts and questions.
    allowed: tuple[str, ...] = ()
    #: The latest code, when there is one.
    code: str | None = None
    #: Lines of the code the analyzer found something on.
    finding_lines: frozenset[int] = frozenset()
    #: Whether the analyzer found anything on the latest code.
    has_findings: bool = False
    #: Lines the latest run's failures point at (tracebacks, errors).
    failing_lines: frozenset[int] = frozenset()
    #: The latest run: None when the code was never run; else whether it failed
    #: (a case not passed, hidden ones included, or an error).
    run_failed: bool | None = None
    #: The class the candidate's current solution is known to have (measured
    #: reliably, or the engine's own reading), and the problem's expected class.
    solution_class: str | None = None
    expected_class: str | None = None
    @cached_property
    def grams(self) -> frozenset[tuple[str, ...]]:
        """The instructions' word grams (``*`` for a template's field), their
        quoted example phrasings left out."""
        return _instruction_grams(self.instructions)

    @cached_property
    def _allowed(self) -> tuple[str, ...]:
        """What a reply may repeat, with the instructions' quoted phrasings."""
        return (*self.allowed, *(q for text in self.instructions for q in _quoted(text)))

    @cached_property
    def allowed_grams(self) -> frozenset[tuple[str, ...]]:
        return frozenset().union(*(_text_grams(text) for text in self._allowed))

    @cached_property
    def allowed_text(self) -> str:
        return _flat(" \n ".join(self._allowed))


def problem_texts(problem: Problem) -> tuple[str, ...]:
    """What a reply may repeat of a problem: what the candidate sees, the
    pack's answers to clarifying questions, its pitfall questions."""
    spec = problem.spec
    out = [spec.title, spec.statement, *spec.constraints, problem.signature,
           *(str(v) for v in spec.clarifications.values()),
           *(p.question for p in problem.hints.pitfalls)]
    out += [str(e) for e in problem.public_view().get("examples") or ()]
    return tuple(t for t in out if t)


# ------------------------------------------------------------------ words

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FIELD = re.compile(r"\{[a-z_]+(?::[^{}]*)?\}")
_WILD = "*"
_QUOTED = re.compile(r'"([^"\n]{3,200})"|“([^”\n]{3,200})”')


def _flat(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("‘", "'").split())


def words_of(text: str) -> list[str]:
    return _WORD.findall(_flat(text))


def _grams_of(words: Sequence[str], n: int = ECHO_GRAM) -> Iterable[tuple[str, ...]]:
    return (tuple(words[i:i + n]) for i in range(len(words) - n + 1))


@lru_cache(maxsize=4096)
def _text_grams(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(_grams_of(words_of(text)))


@lru_cache(maxsize=256)
def _quoted(text: str) -> tuple[str, ...]:
    return tuple(q for pair in _QUOTED.findall(text) for q in pair if q)


@lru_cache(maxsize=64)
def _instruction_grams(instructions: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for text in instructions:
        out |= _template_grams(_QUOTED.sub(" ", text))
    return frozenset(out)


def _template_grams(text: str) -> set[tuple[str, ...]]:
    """The word grams of an instruction; a ``{field}`` stands for one or two words."""
    pieces = _FIELD.split(text)
    if len(pieces) > 4:  # many fields: read them as one word each
        variants = [(1,) * (len(pieces) - 1)]
    else:
        variants = list(itertools.product((1, 2), repeat=len(pieces) - 1))
    grams: set[tuple[str, ...]] = set()
    for widths in variants:
        words: list[str] = words_of(pieces[0])
        for width, piece in zip(widths, pieces[1:], strict=True):
            words += [_WILD] * width + words_of(piece)
        grams |= set(_grams_of(words))
    return grams


def _matches(gram: tuple[str, ...], grams: frozenset[tuple[str, ...]]) -> bool:
    if gram in grams:
        return True
    return any(pick(gram) in kept for pick, kept in _wild_index(grams))


@lru_cache(maxsize=64)
def _wild_index(grams: frozenset[tuple[str, ...]]
                ) -> tuple[tuple[Callable[[tuple[str, ...]], Any], frozenset[Any]], ...]:
    """The instruction grams with a field's ``*``, by where the ``*`` stand:
    a getter of the other positions, and those positions' words."""
    by_kept: dict[tuple[int, ...], set[Any]] = {}
    for g in grams:
        if _WILD in g:
            kept = tuple(i for i, w in enumerate(g) if w != _WILD)
            by_kept.setdefault(kept, set()).add(itemgetter(*kept)(g) if kept else ())
    return tuple((itemgetter(*kept) if kept else (lambda _g: ()), frozenset(words))
                 for kept, words in by_kept.items())


# ------------------------------------------------------------------ rules

_THIRD_PERSON = tuple(re.compile(p) for p in (
    r"\bthe (?:candidate|interviewee|applicant|user|student|participant|coder|programmer)s?\b",
    r"\bcandidate's\b",
    r"\b(?:he|she|him|his|hers|himself|herself)\b",
    r"\btheir (?:code|solution|approach|answer|answers|question|questions|function|idea|ideas|"
    r"understanding|thinking|reasoning|explanation|submission|attempt|progress|work|"
    r"implementation|program|tests|own)\b",
    r"\b(?:ask|asks|tell|tells|help|helps|let|encourage|remind|guide|prompt|nudge|invite|thank|"
    r"welcome|push|congratulate|praise|give|show) them\b",
    r"\bthey (?:have (?:understood|explained|asked|written|solved|submitted)|understood|"
    r"seem|appear|are ready|'re ready|explained|wrote|submitted|mentioned|should now|"
    r"need to explain)\b",
    r"\bhe or she\b",
))
#: The engine's and the prompt's own words, whatever the prompt says today:
#: talk about phases, notes and instructions is never said to a candidate.
_ENGINE_TALK = tuple(re.compile(p) for p in (
    r"\bthe interview (?:has )?(?:moved|moves|switched|advanced) (?:on )?(?:to|into)\b",
    r"\b(?:intro|understanding|approach|coding|testing|complexity|reflection|follow-?up|wrap-?up|"
    r"calibration)(?: phase| state)\b",
    r"\b(?:current|next|new|this) (?:phase|state)\b",
    r"\bopen (?:it|the phase|this part) with a question\b",
    r"\b(?:these|my|the|your) (?:instructions|notes|system prompt|interviewer'?s notes)\b",
    r"\b(?:helpfulness level|silence duration|time elapsed:|what just happened|reply now as|"
    r"as an ai\b|language model)",
    r"\b(?:name|say) the problem(?:'s name)? and ask\b",
))
_ROLE_LABEL = re.compile(r"^\W*(?:interviewer|candidate|assistant|coach|user|system)\s*:",
                         re.IGNORECASE)
_PLACEHOLDERS = tuple(re.compile(p) for p in (
    r"(?<![\w\]])\[(?=[A-Za-z][^\]]*[A-Za-z])[^\]\d,\"=+*/()]{2,40}\]",
    r"<\s*/?[A-Za-z][A-Za-z _'-]{1,30}>",
    r"\{\s*[A-Za-z_][^{}\n]{0,39}\}",
    r"\bline [XNxn]\b",
    r"\b(?:X{3,}|_{3,}|INSERT|TODO|PLACEHOLDER)\b",
))
_LINE = re.compile(r"\blines? (\d+)(?:\s*(?:-|–|to|and|or|,)\s*(\d+))?", re.IGNORECASE)
_BUG = "(?:bug|issue|error|mistake|typo|flaw|problem)s?"
_BUG_CLAIMS = tuple(re.compile(p) for p in (
    rf"\b(?:i|we) (?:can )?(?:see|notice|spot|spotted|noticed|found|think there'?s)\b[^.?!]{{0,30}}"
    rf"\b{_BUG}\b",
    r"\bthere(?:'s| is| are| seems to be| might be| may be)\b[^.?!]{0,20}"
    r"\b(?:bug|error|mistake|typo|flaw)s?\b",
    rf"\b{_BUG} (?:on|in|at) (?:line|your code|your function|your solution|the code|"
    r"your implementation)\b",
    rf"\byour (?:code|solution|function|implementation|program|loop)\b[^.?!]{{0,25}}"
    rf"\b(?:has|have|contains?)\b[^.?!]{{0,15}}\b{_BUG}\b",
))
_FAIL_CLAIM = re.compile(
    r"\byour (?:code|solution|function|implementation|program) (?:still )?(?:fails|is failing|"
    r"failed|doesn't work|does not work|isn't working|is not working|is wrong|is incorrect|"
    r"is broken|breaks|crashes|returns the wrong|gives the wrong)\b")
_CASE_FAILS = re.compile(
    r"\b(?:test|tests|case|cases|example)\b[^.?!]{0,25}\b(?:still )?(?:fails|failed|is failing|"
    r"are failing|doesn't pass|does not pass|don't pass|do not pass)\b")
_PASS_CLAIM = re.compile(
    r"\b(?:all (?:the |your |of the )?(?:visible )?tests? (?:pass|passed|are passing)|"
    r"your (?:code|solution|function|implementation) (?:passes|passed|works|is correct)\b)")
_GOOD_COST = re.compile(
    r"\b(?:efficient|optimal|optimum|optimi[sz]ed|fast enough|quick enough|good enough|scales well|"
    r"best possible|as good as it gets|as fast as (?:it|this) (?:can|gets)|"
    r"(?:can't|cannot|can not) (?:do|get|be done) (?:any |much )?better|"
    r"(?:within|meets?|satisf(?:y|ies)|fits?) the (?:running[- ]time|time|complexity|performance|"
    r"efficiency) (?:requirement|limit|constraint|target|bound|goal)s?)\b")
_NOT_GOOD = re.compile(
    r"\b(?:not|\w+n't|never|less|more|most|improve|faster|better|could be|can be|inefficient|"
    r"than|if|whether)\b")
_CLASS = re.compile(r"\bO\([^()]{1,20}\)", re.IGNORECASE)
_COST_OF_YOURS = re.compile(
    r"\byour (?:code|solution|approach|function|implementation|algorithm)(?: is| runs in| takes|"
    r" has)(?: an?)?(?: time complexity of| running time of)? (o\([^()]{1,20}\))")


def check_reply(text: str, f: ReplyFacts) -> list[Violation]:
    """Every rule ``text`` (a whole reply) breaks, sentence by sentence, then
    its length."""
    sentences = [s.strip() for s in split_sentences(text) if s.strip()]
    out: list[Violation] = []
    for sentence in sentences:
        out += check_sentence(sentence, f)
    out += check_length(sentences)
    return out


def check_length(sentences: Sequence[str]) -> list[Violation]:
    words = sum(len(words_of(s)) for s in sentences)
    if len(sentences) > MAX_SENTENCES or words > MAX_WORDS:
        return [Violation("too_long", f"{len(sentences)} sentences, {words} words "
                                      f"(at most {MAX_SENTENCES} and {MAX_WORDS})")]
    return []


def check_sentence(sentence: str, f: ReplyFacts) -> list[Violation]:
    """The rules one sentence breaks (all but the length of the reply)."""
    out = [Violation(kind, detail, sentence) for kind, detail in (
        *_third_person(sentence, f), *_echo(sentence, f), *_placeholders(sentence),
        *_invented(sentence, f))]
    out.sort(key=lambda v: KINDS.index(v.kind))
    return out


def _third_person(sentence: str, f: ReplyFacts) -> list[tuple[str, str]]:
    flat = _flat(sentence)
    for pattern in _THIRD_PERSON:
        m = pattern.search(flat)
        if m and m.group(0) not in f.allowed_text:
            return [("third_person", f"speaks of the candidate: '{m.group(0)}'")]
    return []


def _echo(sentence: str, f: ReplyFacts) -> list[tuple[str, str]]:
    if _ROLE_LABEL.match(sentence):
        return [("instruction_echo", "a role label, as in the transcript given to the model")]
    flat = _flat(sentence)
    for pattern in _ENGINE_TALK:
        m = pattern.search(flat)
        if m and m.group(0) not in f.allowed_text:
            return [("instruction_echo", f"the engine's own words: '{m.group(0)}'")]
    words = words_of(sentence)
    if len(words) < ECHO_GRAM or not f.grams:
        return []
    covered = [False] * len(words)
    for i, gram in enumerate(_grams_of(words)):
        if gram not in f.allowed_grams and _matches(gram, f.grams):
            covered[i:i + ECHO_GRAM] = [True] * ECHO_GRAM
    share = sum(covered) / len(words)
    longest = max((len(list(g)) for k, g in itertools.groupby(covered) if k), default=0)
    if (share >= ECHO_SHARE and sum(covered) >= ECHO_MIN_WORDS) or longest >= ECHO_LONG_RUN:
        run = " ".join(w for w, c in zip(words, covered, strict=True) if c)
        return [("instruction_echo", f"repeats the instructions: '{run}'")]
    return []


def _placeholders(sentence: str) -> list[tuple[str, str]]:
    for pattern in _PLACEHOLDERS:
        m = pattern.search(sentence)
        if m:
            return [("placeholder", f"a template's slot: '{m.group(0)}'")]
    return []


def _invented(sentence: str, f: ReplyFacts) -> list[tuple[str, str]]:
    flat = _flat(sentence)
    out: list[tuple[str, str]] = []
    supported = f.finding_lines | f.failing_lines
    for m in _LINE.finditer(flat):
        for number in (int(g) for g in m.groups() if g):
            if number in supported or re.search(rf"\bline {number}\b", f.allowed_text):
                continue
            why = "no analyzer finding or failing test points there"
            if f.code is not None and number > len(f.code.splitlines()):
                why = f"the code has {len(f.code.splitlines())} lines"
            out.append(("invented_fact", f"line {number}: {why}"))
    failed = f.run_failed is True
    claim = next((b.group(0) for p in _BUG_CLAIMS if (b := p.search(flat))), None)
    if claim and not failed and not f.has_findings:
        out.append(("invented_fact", f"'{claim}': " + _no_failure(f)))
    fails = _FAIL_CLAIM.search(flat) or (
        None if sentence.rstrip().endswith("?") else _CASE_FAILS.search(flat))
    if fails and not failed and not claim:
        out.append(("invented_fact", f"'{fails.group(0)}': " + _no_failure(f)))
    passes = _PASS_CLAIM.search(flat)
    if passes and not sentence.rstrip().endswith("?") and f.run_failed is not False:
        out.append(("invented_fact", f"'{passes.group(0)}': " + (
            "the latest run failed" if failed else "the code was not run")))
    out += _cost_claims(sentence, flat, f)
    return out


def _no_failure(f: ReplyFacts) -> str:
    if f.run_failed is None:
        return "the code was not run and the analyzer found nothing"
    return "the latest run passed every test and the analyzer found nothing"


def _cost_claims(sentence: str, flat: str, f: ReplyFacts) -> list[tuple[str, str]]:
    """A cost called good that is slower than the problem needs; a class
    said to be the solution's that is not the one known."""
    if sentence.rstrip().endswith("?"):
        return []
    stated = _COST_OF_YOURS.search(flat)
    said = normalise_complexity(stated.group(1)) if stated else None
    if said and f.solution_class in COMPLEXITY_CLASSES and said != f.solution_class:
        return [("invented_fact", f"says the solution is {said}; it is {f.solution_class}")]
    expected = f.expected_class
    if expected not in COMPLEXITY_CLASSES:
        return []
    m = _GOOD_COST.search(flat)
    if m is None or _NOT_GOOD.search(flat[max(0, m.start() - 40):m.start()]):
        return []
    named = [c for c in (normalise_complexity(x) for x in _CLASS.findall(sentence)) if c]
    target = named[0] if named else f.solution_class
    if target in COMPLEXITY_CLASSES and complexity_rank(target) > complexity_rank(expected):
        return [("invented_fact", f"calls {target} '{m.group(0)}' where {expected} is expected")]
    return []


# ------------------------------------------------------------ questions

_OPEN_ANSWER = re.compile(
    r"\b(?:assum\w*|up to you|your call|doesn't (?:say|specify|pin)|does not (?:say|specify)|"
    r"isn't (?:specified|stated)|not (?:specified|stated)|you (?:can|may) (?:pick|choose|decide)|"
    r"worth deciding|yours to decide|what would make sense|what would you (?:choose|pick|prefer))\b")
_YES_NO = re.compile(r"^\W*(?:yes|yeah|yep|no|nope|correct|right|exactly|sure|it can|they can|"
                     r"it can't|they can't|it is|they are|it isn't|they aren't)\b")
#: Words a question and its answer share without one answering the other.
_QUESTION_WORDS = STOPWORDS | frozenset(("input", "inputs", "list", "array", "numbers", "number",
                                         "values", "value", "can", "could", "would", "will"))


def answers_question(question: str, reply: str, pack_facts: dict[str, str]) -> bool:
    """Whether ``reply`` speaks to the candidate's ``question`` at all: a
    sentence of it opens with a yes or no; where the pack states no fact on
    the topics asked, it says what to assume or that the problem leaves it
    open; it carries a content word of the pack's fact on a topic asked or a
    word naming the topic; or (a question on no known topic) it shares a
    content word with the question. A reply that only asks something else
    back, or says nothing, leaves it unanswered. Whether the answer is the
    pack's fact is another rule (the eval's check 10)."""
    flat = _flat(reply)
    if not flat:
        return False
    if any(_YES_NO.match(_flat(s)) for s in split_sentences(reply)):
        return True
    said = set(words_of(reply))
    topics = [t for t in topics_asked(question) if t in CLARIFICATION_TOPICS]
    if _OPEN_ANSWER.search(flat) and not any(t in pack_facts for t in topics):
        return True  # the pack is silent: what to assume is the answer
    if topics:
        for topic in topics:
            fact = set(words_of(pack_facts.get(topic, ""))) - _QUESTION_WORDS
            if said & (fact | set(words_of(topic.replace("_", " "))) - _QUESTION_WORDS):
                return True
            if topics_asked(reply) and topic in topics_asked(reply):
                return True
        return False
    return bool(said & (set(words_of(question)) - _QUESTION_WORDS))
