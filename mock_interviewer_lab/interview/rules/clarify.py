"""Clarifying questions: which topic a question is about, and the pack's
answer to it.

A real interviewer answers "can the numbers be negative?" with the fact, not
with a quote of whichever line of the statement shares a word with the
question. The topics are the pack vocabulary (``CLARIFICATION_TOPICS``);
each has patterns for the ways candidates ask about it, paraphrases
included ("could some values be below zero?" is about negatives). A
question may touch several topics ("negatives or zeros?"): each is answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import CLARIFICATION_TOPICS

_N = r"(?:numbers?|values?|elements?|entries|items?|integers?|nums|heights?|coins?|amounts?)"

#: topic -> patterns over the lower-cased question. Order matters only for
#: reading: every topic whose pattern matches is reported, in the order its
#: first match appears in the question.
_TOPIC_PATTERNS: dict[str, tuple[str, ...]] = {
    "negatives": (r"\bnegative", r"\bbelow (?:0|zero)\b", r"\bless than (?:0|zero)\b",
                  r"\bunder (?:0|zero)\b", r"\bnon-?positive\b", r"\bminus\b", r"<\s*0\b",
                  r"\bsigned\b"),
    "zero": (r"(?<!below )(?<!than )(?<!under )\bzero(?:e?s)?\b(?![- ]length)(?![- ]size)"
             r"(?! elements)", r"\b0s\b", r"\bvalue (?:of )?0\b",
             r"(?<!length )(?<!length of )(?<!size )\b(?:exactly|equal to|equals|be) 0\b",
             r"\b0 (?:a |an )?(?:possible|valid|allowed)\b"),
    # "sorted", not the verb: "should I sort them?" proposes a step, it asks no fact.
    "sorted": (r"\b(?:pre-?)?sorted\b", r"\bsort order\b", r"\bordering\b",
               r"\b(?:already|come|comes|given|arrive|arrives) in (?:\w+ )?order\b",
               r"\barranged\b", r"\bin (?:any|some|a particular|increasing|"
               r"decreasing|ascending|descending) order\b(?!.*\b(?:return|output|result|answer))",
               r"\bascending\b", r"\bdescending\b", r"\bordered\b", r"\bmonoton"),
    "duplicates": (r"\bduplicat", r"\brepeat", r"\bdistinct\b", r"\bunique\b",
                   r"\b(?:appear|occur|show up)s? (?:more than once|twice|multiple times)\b",
                   r"\bsame (?:value|number|interval|pair|character|letter)s?\b(?! twice)",
                   r"\b(?:two|some|any) (?:elements|values|numbers|entries) (?:be |are )?equal\b"),
    "empty": (r"\bempty\b", r"\bzero[- ](?:length|size|sized)\b", r"\bno input\b",
              r"\bno (?:elements|numbers|values|items|characters|nodes|intervals)\b",
              r"\b(?:zero|0) (?:length|elements|items|nodes)\b", r"\blength (?:of )?(?:0|zero)\b",
              r"\bblank\b", r"\bnull\b", r"\bnone\b(?! of)", r"\bnothing in\b"),
    "single": (r"\bsingle\b", r"\bone (?:element|number|value|item|node|interval|bar|"
               r"character|coin|course|cell|height|entry|digit|letter|word|price|point)\b", r"\blength (?:of )?(?:1|one)\b", r"\bonly one\b",
               r"\bjust one\b"),
    "size": (r"\bhow (?:big|large|long|many)\b(?! (?:can|could|are|is|do|will) the (?:"
             r"values?|numbers?|integers?|heights?|elements?) (?:be|get))"
             r"(?! (?:can |could |will )?(?:each|a|an|any|one|every|single|a single) (?:value|"
             r"number|integer|height|element|entry|item))",
             r"\bsize\b", r"\blength of the (?:input|list|array|string)\b",
             r"\bmax(?:imum)? (?:length|size|number of)\b", r"\bupper bound\b", r"\bconstraints?\b",
             r"\bbig (?:is|can) (?:the )?(?:input|n)\b", r"\bvalue of n\b", r"\bhuge\b"),
    "value_range": (rf"\bhow (?:big|large|small) (?:can|could|are|is|do|will) the {_N}\b",
                    r"\bhow (?:big|large|small) (?:can |could |will )?(?:each|a|an|any|one|every|"
                    r"single|a single) (?:value|number|integer|height|element|entry|item)\b",
                    rf"\brange of (?:the )?{_N}\b", r"\boverflow", rf"\bmax(?:imum)? {_N}\b",
                    rf"\b{_N} (?:be )?(?:bounded|limited)\b", r"\bbounds? on the values\b",
                    rf"\blargest {_N}\b", r"\bwhat range\b", r"\bfall in\b",
                    r"\bbounds? (?:on|of|for) (?:each |the |a |any )?(?:values?|numbers?|"
                    r"elements?|entries|entry|items?)\b", r"\b(?:32|64)[- ]?bits?\b",
                    r"\b(?:min|max)(?:imum)? and (?:min|max)(?:imum)? values?\b",
                    r"\blargest value\b", r"\bsmallest value\b"),
    "no_answer": (r"\bno (?:valid )?(?:answer|solution|pair|match|result|way|triplet)s?\b",
                  r"\b(?:isn't|is not|there's no|doesn't exist|does not exist|not found|not there|"
                  r"not in the)\b", r"\bimpossible\b", r"\bcan'?t be (?:made|done|reached|finished)\b",
                  r"\bnot (?:possible|reachable)\b", r"\bif none\b",
                  r"\bnothing (?:matches|works|adds up|fits|sums|qualifies)\b"),
    "multiple_answers": (r"\b(?:more than one|multiple|several|many) (?:valid )?(?:answers?|"
                         r"solutions?|pairs?|results?|ways?|substrings?|matches)\b",
                         r"\bwhich (?:one|pair|answer) (?:should|do)\b", r"\bties?\b"),
    "modify_input": (r"\bmodify", r"\bmutat", r"\bchange the (?:input|list|array|grid|string|tree)\b",
                     r"\bin[- ]place\b", r"\boverwrite\b", r"\bdestroy", r"\bedit the (?:input|grid)\b",
                     r"\bmark (?:the )?(?:cells|visited)\b"),
    "output_order": (r"\border (?:of|in) (?:the )?(?:output|result|answer|indices|triplets|pairs|"
                     r"intervals)\b", r"\bdoes (?:the )?order matter\b",
                     r"\b(?:return|output|results?|answer)\b.*\bany order\b",
                     r"\bany order\b.*\b(?:return|output|result|answer)\b",
                     r"\border matters?\b", r"\bsorted (?:output|result|answer)\b",
                     r"\b(?:output|result|answer)s? (?:be |come back |need to be )?sorted\b"),
    "output_format": (r"\bwhat (?:exactly |precisely )?(?:should|do|does|must) (?:i|we|it|the "
                      r"function) return\b",
                      r"\breturn type\b", r"\bwhat (?:do|would) you want (?:back|returned)\b",
                      r"\breturn (?:the )?(?:indices|indexes|values|index|value|count|length|"
                      r"list|string|number|bool|boolean)\b.*\bor\b",
                      r"\b(?:format|shape|type|form) of the (?:output|result|answer)\b",
                      r"\bwhat (?:form|format|shape|type) should (?:the )?(?:output|result|answer)",
                      r"\bwhat (?:should|does|will) (?:the )?(?:output|result|answer) look like\b",
                      r"\bwhat (?:is|'s) the (?:expected )?output\b"),
    "same_element": (r"\bsame (?:element|index|position|number|value|item) twice\b",
                     r"\b(?:use|reuse|pick|take) (?:the same|an element|a number|a coin|one) "
                     r"(?:element |number |coin |value )?(?:twice|more than once|again|multiple times)",
                     r"\breuse\b", r"\bunlimited\b",
                     r"\b(?:pick|use|take|choose|select|count) (?:one|an|the same|a single) "
                     r"(?:index|element|position|number|value|item|coin) (?:two|2|multiple|several) "
                     r"times\b"),
    "charset": (r"\bcharacters?\b(?! (?:are|is) (?:the same|different|compared))", r"\bascii\b",
                r"\bunicode\b", r"\balphabet", r"\bletters?\b(?!.*\bcase\b)", r"\bdigits?\b",
                r"\bspecial char", r"\bemoji", r"\bpunctuation\b", r"\bspaces?\b", r"\bsymbols?\b"),
    "case": (r"\bcase[- ]sensitiv", r"\bcase[- ]insensitiv", r"\bupper ?case\b", r"\blower ?case\b",
             r"\bcapital", r"\bcase matter"),
    "cycles": (r"\bcycl", r"\bloops? (?:in|between)\b", r"\bcircular\b", r"\bself[- ]loops?\b",
               r"\b(?:requires?|depends? on|prerequisite of) itself\b", r"\bmutual"),
    "connectivity": (r"\bconnect", r"\bdisconnect", r"\bdiagonal", r"\bseparate (?:groups|parts|"
                     r"components)\b", r"\bcomponents?\b", r"\bisolated\b", r"\bneighbou?rs?\b",
                     r"\bdirections?\b"),
    "shape": (r"\bbalanced\b(?! (?:brackets|parentheses|string))", r"\brectangular\b", r"\bjagged\b",
              r"\bsame length\b", r"\bskewed\b", r"\bbinary search tree\b", r"\bbst\b",
              r"\bsquare grid\b", r"\bcomplete tree\b", r"\bfull tree\b"),
    "integers": (r"\bintegers? only\b", r"\bonly integers\b", r"\bfloat", r"\bdecimal",
                 r"\bfraction", r"\bwhole numbers?\b", r"\breal numbers?\b", r"\bnon-?integer"),
    "boundaries": (r"\btouch", r"\bedges? of\b", r"\bborder", r"\bboundar", r"\boutside the\b",
                   r"\bat the ends?\b", r"\bspill", r"\bshare (?:a|an|one) (?:point|end|endpoint)\b",
                   r"\bendpoints?\b", r"\bwrap around\b"),
    "definition": (r"\bwhat (?:exactly )?counts as\b", r"\bwhat (?:do you|does it) mean by\b", r"\bdefin",
                   r"\bsubsequence\b", r"\bconsecutive\b", r"\bcontiguous\b",
                   r"\bdoes (?:a|an) \w+ count\b", r"\bswap", r"\bsame kind\b"),
    "complexity_target": (r"\bcomplexity\b", r"\bhow fast\b", r"\btime limit\b", r"\bbig[- ]?o\b",
                          r"\bruntime\b", r"\brunning time\b", r"\boptimal\b",
                          r"\bhow efficient\b", r"\bperformance\b", r"\bo\([^)]*\)",
                          r"\bspeed\b", r"\baim for\b", r"\bhow quick(?:ly)?\b",
                          r"\bfast enough\b", r"\bexpected (?:time|efficiency|running)\b"),
}
_COMPILED = {topic: [re.compile(p) for p in pats] for topic, pats in _TOPIC_PATTERNS.items()}
assert set(_COMPILED) == set(CLARIFICATION_TOPICS), "every pack topic needs patterns"

_ABOUT_OUTPUT = re.compile(r"\b(?:output|result|return(?:ed)?|answer)\b")

#: What an interviewer says when the pack is silent on what was asked.
OPEN_TOPIC = ("The problem doesn't pin that down. What would you assume? Say it, and go on "
              "with that assumption.")


def topics_asked(text: str) -> list[str]:
    """The topics a question is about, in the order they come up in it."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    found: list[tuple[int, str]] = []
    for topic, patterns in _COMPILED.items():
        starts = [m.start() for p in patterns if (m := p.search(lowered))]
        if starts:
            found.append((min(starts), topic))
    topics = [topic for _, topic in sorted(found)]
    # "Should the result be sorted?" asks about the output, not the input.
    if "output_order" in topics and "sorted" in topics and _ABOUT_OUTPUT.search(lowered):
        topics.remove("sorted")
    return topics


@dataclass(frozen=True)
class ClarificationAnswer:
    #: Topics answered with a fact from the pack, in the order asked.
    answered: tuple[str, ...]
    #: Topics asked about on which the pack says nothing.
    open: tuple[str, ...]
    text: str


def answer_clarification(problem: Problem, question: str, *, max_topics: int = 2
                         ) -> ClarificationAnswer | None:
    """The pack's facts for the topics asked about (at most ``max_topics``,
    first asked first); ``OPEN_TOPIC`` where the pack is silent; None when
    the question names no known topic."""
    topics = topics_asked(question)
    if not topics:
        return None
    facts = dict(problem.spec.clarifications)
    # A pack without the fact may still state it: a constraint or a sentence
    # of the statement about the same topic ("-10^9 <= nums[i]" is not, but
    # "nums is sorted in ascending order" is), quoted as the problem's words.
    for topic in topics:
        if topic not in facts and (line := _stated(problem, topic, question)):
            facts[topic] = f'The problem says: "{line}".'
    answered = tuple(t for t in topics if t in facts)[:max_topics]
    open_ = tuple(t for t in topics if t not in facts)
    parts = [facts[t].strip() for t in answered]
    if not parts:
        return ClarificationAnswer((), open_, OPEN_TOPIC)
    return ClarificationAnswer(answered, open_, " ".join(parts))


def _stated(problem: Problem, topic: str, question: str) -> str | None:
    """The line of the problem that speaks to ``topic``: about the topic
    itself, or naming an identifier the question names (``max_len``)."""
    spec = problem.spec
    public = "\n".join([problem.signature, spec.statement, *spec.constraints])
    named = _identifiers(question) & _identifiers(public)
    lines = [*spec.constraints, *re.split(r"(?<=[.!?])\s+|\n\s*\n", spec.statement)]
    for line in lines:
        line = " ".join(line.replace("`", "").replace("**", "").split())
        if not line or line.endswith(":") or len(line) > 200:
            continue
        if topic in topics_asked(line) or named & _identifiers(line):
            return line
    return None


def _identifiers(text: str) -> set[str]:
    """Names as code writes them: with an underscore, or a parameter."""
    names = {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if "_" in w.strip("_")}
    for params in re.findall(r"def \w+\(([^)]*)\)", text):
        names |= {p.split(":")[0].split("=")[0].strip() for p in params.split(",")} - {""}
    return {n.lower() for n in names if len(n) > 1}
