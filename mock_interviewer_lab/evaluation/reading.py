"""How ``mock-interviewer eval`` reads a coach's lines against the pack: the
rules the newer personas (``coach/personas.py``) react by and the grader
(``coach/grading.py``) judges by, in one place so that both read a line the
same way.

Graded against the pack, never against the coach's own wording or kinds:

* :func:`fact_missing`: does an answer carry a clarification fact of the
  pack (its yes/no, its numbers, its content words)?
* :func:`concern_missing`: does a reply raise a pitfall's concern (the
  content words, numbers and quoted examples of its question, less what the
  candidate said)?

And what kind of question a line asks, by rules over its words (as the
older checks read "a complexity question"): :func:`pushes_for_better`,
:func:`asks_complexity`, :func:`asks_edge_cases`, :func:`asks_tradeoff`,
:func:`asks_followup`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import yaml

from mock_interviewer_lab.interview.rules.vocabulary import STOPWORDS, stem
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import (
    COMPLEXITY_CLASSES,
    Pitfall,
    complexity_rank,
    normalise_complexity,
)

_WORD = re.compile(r"[a-z][a-z0-9]*")
#: A number as facts write them: 7, -1, 10^5, 10**5, 2^31, 100,000, 1.5.
_NUMBER = re.compile(r"(?<![\w.^*])-?\d+(?:,\d{3})*(?:\.\d+)?(?:\s*(?:\^|\*\*)\s*\d+)?")
#: Example data inside a fact ("as in [3, 3] with target 6"): its numbers
#: illustrate, they are not the fact.
_EXAMPLE = re.compile(r"\[[^\]]*\]")
_QUOTED = re.compile(r"(?<![a-z])'([^']{2,40})'|\"([^\"]{2,40})\"")

#: Words any answer may use that say nothing about the fact.
_NOISE = frozenset(stem(w) for w in (
    "yes", "no", "not", "problem", "here", "need", "fine", "way", "thing", "get",
    "give", "make", "say", "happen", "true", "real", "best", "answer", "question", "good",
    "how", "many", "much", "does", "don't", "doesn't", "isn't", "can't", "won't", "let",
    "sure", "exactly", "always", "never", "ever", "else", "other", "only", "like", "well",
    "now", "then", "them", "they", "their", "one's", "i'd", "what", "when", "where", "why",
    "whether",
)) | frozenset(stem(w) for w in STOPWORDS)

_YES = frozenset({"yes", "yeah", "yep", "yup", "correct", "indeed"})
_NO = frozenset({"no", "nope"})
_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|neither|nor|cannot|without|nope)\b|n't\b")
#: How far into an answer a leading yes or no is looked for ("Good question. Yes, …").
_LEAD_WORDS = 6


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'").replace("_", " "))


def content_stems(text: str) -> set[str]:
    """Light stems of the words that carry meaning (3+ letters, no stopwords)."""
    return {s for s in (stem(w) for w in _words(text)) if len(s) >= 3 and s not in _NOISE}


def numbers_in(text: str) -> set[float]:
    """The numbers of ``text`` as absolute values (10^5 and 100,000 meet;
    the sign is left to the words, as "down to -10^9" and "as low as 10^9"
    would both be read)."""
    out = set()
    for raw in _NUMBER.findall(text.replace("−", "-")):
        raw = raw.replace(",", "").replace(" ", "").lstrip("-")
        base, _, power = raw.replace("**", "^").partition("^")
        try:
            value = float(base) ** int(power) if power else float(base)
        except (ValueError, OverflowError):
            continue
        out.add(value)
    return out


def _quoted(text: str) -> set[str]:
    return {"".join((a or b).split()).lower() for a, b in _QUOTED.findall(text)}


def _polarity(text: str) -> str | None:
    """"yes" or "no" when the text opens with one (within its first words)."""
    for w in _words(text)[:_LEAD_WORDS]:
        if w in _YES:
            return "yes"
        if w in _NO:
            return "no"
    return None


#: Words that name each clarification topic (``CLARIFICATION_TOPICS``): an
#: answer that uses one is about the topic asked, whatever else it says.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "negatives": ("negative", "below", "minus", "positive", "signed"),
    "zero": ("zero", "zeros", "zeroes"),
    "sorted": ("sorted", "order", "ascending", "descending", "rotated", "unsorted"),
    "duplicates": ("duplicate", "repeat", "distinct", "unique", "twice", "once"),
    "empty": ("empty",),
    "single": ("single", "alone", "lone", "one"),
    "size": ("size", "large", "big", "long", "length", "most"),
    "value_range": ("range", "between", "large", "big", "bound", "overflow"),
    "no_answer": ("exist", "absent", "impossible", "missing"),
    "multiple_answers": ("several", "multiple", "tie", "matter"),
    "modify_input": ("modify", "change", "mutate", "place", "leave", "copy", "overwrite"),
    "output_order": ("order", "matter"),
    "output_format": (),
    "same_element": ("twice", "reuse", "again", "position"),
    "charset": ("character", "letter", "ascii", "unicode", "digit"),
    "case": ("case", "upper", "lower", "uppercase", "lowercase"),
    "cycles": ("cycle", "loop", "itself"),
    "connectivity": ("connected", "diagonal", "separate", "neighbour", "neighbor"),
    "shape": ("balanced", "rectangular", "shape", "chain"),
    "integers": ("integer", "whole", "float", "decimal"),
    "boundaries": ("touch", "edge", "end", "outside", "spill"),
    "definition": ("count", "mean", "consecutive", "subsequence", "contiguous"),
    "complexity_target": ("linear", "logarithmic", "quadratic", "proportional", "time"),
}
_TOPIC_STEMS = {t: frozenset(stem(w) for w in ws) for t, ws in TOPIC_WORDS.items()}


def fact_missing(fact: str, answer: str, *, topic: str | None = None,
                 others: Iterable[str] = ()) -> str | None:
    """Why ``answer`` does not carry the pack's ``fact`` (on ``topic``), or
    None when it does. ``others`` are the pack's other facts for the same
    problem: words they share say little about this one.

    * every number of the fact outside its example data is in the answer;
    * the yes/no agrees: a fact that opens with "No" needs a negation in the
      answer and no leading "yes"; one that opens with "Yes" is not answered
      with a leading "no";
    * the answer is about this fact: it has one of the fact's own words (in
      none of the other facts) or a word naming the topic (a fact with no
      words of its own: a topic word, its numbers, or two thirds of its
      words);
    * and carries it: with the yes/no said outright (for a "no", any
      negation), or the fact's numbers all there, that is enough; otherwise
      half of the fact's content words (rounded up; topic words count) are
      in the answer.
    """
    required = numbers_in(_EXAMPLE.sub(" ", fact))
    missing = sorted(required - numbers_in(answer))
    if missing:
        return "misses the number(s) " + ", ".join(_fmt(n) for n in missing)
    fp, ap = _polarity(fact), _polarity(answer)
    lowered = answer.lower().replace("’", "'")
    if fp == "no" and (ap == "yes" or not _NEGATION.search(lowered)):
        return "does not say no (the pack: no)"
    if fp == "yes" and ap == "no":
        return "says no (the pack: yes)"
    stems = content_stems(fact)
    shared: set[str] = set()
    for other in others:
        if other != fact:
            shared |= content_stems(other)
    own = stems - shared
    topical = _TOPIC_STEMS.get(topic or "", frozenset())
    said = content_stems(answer)
    if own:
        about = bool(said & (own | topical))
    else:
        about = bool(said & topical or required or 3 * len(said & stems) >= 2 * len(stems))
    if (own or topical) and not about:
        return (f"not about the fact: none of its own words ({', '.join(sorted(own)) or '-'}) "
                f"or of the topic ({', '.join(sorted(topical)) or '-'})")
    hits = (stems | topical) & said
    # A "no" is said outright once the answer negates (checked above).
    explicit = fp is not None and (ap == fp or fp == "no")
    need = 1 if explicit or required else math.ceil(len(stems) / 2)
    need = min(need, len(stems))
    if len(hits) < need:
        return (f"carries {len(hits)} of the fact's words ({', '.join(sorted(stems))}); "
                f"needs {need}")
    return None


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def concern_tokens(pitfall: Pitfall, candidate_said: str = "") -> set[str]:
    """What raising the pitfall's concern means in words: the content stems,
    numbers and quoted examples of its question, less the words the
    candidate used (echoing their idea back is not raising a concern)."""
    question = pitfall.question
    said = content_stems(candidate_said)
    tokens = {s for s in content_stems(question) if s not in said}
    tokens |= {f"#{_fmt(n)}" for n in numbers_in(question)}
    tokens |= {f"'{q}'" for q in _quoted(question)}
    return tokens


def concern_missing(pitfall: Pitfall, reply: str, candidate_said: str = "") -> str | None:
    """Why ``reply`` does not raise ``pitfall``'s concern, or None when it
    does: at least two (or all, when fewer) of :func:`concern_tokens`."""
    tokens = concern_tokens(pitfall, candidate_said)
    if not tokens:
        return None
    squashed = "".join(reply.split()).lower()
    have = content_stems(reply) | {f"#{_fmt(n)}" for n in numbers_in(reply)}
    hits = {t for t in tokens if t in have or (t.startswith("'") and t.strip("'") in squashed)}
    need = min(2, len(tokens))
    if len(hits) >= need:
        return None
    shown = ", ".join(sorted(t.lstrip("#") for t in tokens))
    return f"{len(hits)} of the pitfall question's words ({shown}); needs {need}"


# ----------------------------------------------------------------------
# What a line asks
# ----------------------------------------------------------------------

_PUSH_WORDS = re.compile(
    r"\b(?:(?:do|something|anything|a|any) better\b(?! next time)|better (?:approach|solution|way|time|"
    r"complexity|than|algorithm|idea)|faster|quicker|optimi[sz]\w*|optimal|more efficient\w*|"
    r"improve (?:on |the |its |your |that |this )?(?:time|speed|complexity|running time|runtime|"
    r"performance|o\()|speed (?:it |this |that )?up|reduce (?:the |that |its )?(?:time|cost|"
    r"work|complexity)|cut (?:it |this |that )?down|too slow|beat|fewer (?:operations|comparisons|"
    r"steps|passes)|less (?:time|work)|sub-?quadratic|in (?:a |one )?(?:single )?pass|"
    r"single pass|bottleneck|redundant|repeated work|avoid (?:checking|comparing|scanning|"
    r"looking|the|that|re-?)\w*|without (?:checking|comparing|scanning|the nested|a nested|"
    r"the inner)\b)", re.IGNORECASE)
_REQUEST = re.compile(r"\b(?:try|see if|let's|let us|aim|look for|find|think about|can you|"
                      r"could you|is there|would you|what would)\b", re.IGNORECASE)
_CLASS = re.compile(r"O\(\s*(?:1|log\s*n|n|n\s*log\s*n|n\s*(?:\^|\*\*)\s*2|n²)\s*\)", re.IGNORECASE)


def pushes_for_better(text: str, current: str | None = None) -> bool:
    """The line asks for a faster solution: improvement words in a question
    or a request ("Can you do better?", "See if you can avoid checking every
    pair."), or a question naming a class better than ``current``."""
    asks = "?" in text or bool(_REQUEST.search(text))
    if not asks:
        return False
    if _PUSH_WORDS.search(text):
        return True
    rank = _rank(current)
    if rank is None or "?" not in text:
        return False
    return any((r := _rank(m.group(0))) is not None and r < rank for m in _CLASS.finditer(text))


def _rank(cls: str | None) -> int | None:
    if cls is None:
        return None
    if cls in COMPLEXITY_CLASSES:
        return complexity_rank(cls)
    norm = normalise_complexity(cls)
    return complexity_rank(norm) if norm else None


_COMPLEXITY = re.compile(r"complexit|big[- ]?o\b|how (?:fast|much (?:extra )?(?:space|memory))"
                         r"|as the input grows|input grows|running time|run ?time", re.IGNORECASE)
_EDGE_CASES = re.compile(
    r"\bedge[- ]?cases?\b|\bcorner[- ]?cases?\b|\btricky inputs?\b|\bwhat (?:other )?inputs?\b|"
    r"\b(?:which|what|more|other|extra|additional|further) (?:\w+ )?tests?\b|"
    r"\btests? (?:would|could|should|might|do) you (?:add|write)\b|\bhow would you test\b|"
    r"\btest (?:it|this|that) (?:further|more)\b", re.IGNORECASE)
_TRADEOFF = re.compile(
    r"\btrade-?offs?\b|\b(?:time|speed) (?:for|against|versus|vs\.?) (?:space|memory)\b|"
    r"\b(?:space|memory) (?:for|against|versus|vs\.?) (?:time|speed)\b|"
    r"\bless (?:extra )?(?:memory|space)\b|\bconstant (?:extra )?(?:space|memory)\b|"
    r"\bO\(1\) (?:extra )?space\b|\bwithout (?:the |that )?extra (?:memory|space)\b|"
    r"\bsave (?:memory|space)\b|\bmemory (?:use|usage|footprint)\b", re.IGNORECASE)
_VARIATION = re.compile(
    r"\bwhat if\b|\bhow would (?:you|your (?:solution|approach|code))\b.*\b(?:change|adapt|"
    r"handle|extend|modify|work|do)\b|\bfollow-?up\b|\bvariants?\b|\bvariations?\b|\bsuppose\b|"
    r"\bimagine\b|\bnow (?:say|assume)\b|\bharder version\b|\bgenerali[sz]e\b|\bextend\b|"
    r"\bnext problem\b|\bsecond problem\b|\bharder problem\b|\bone step further\b|"
    r"\bcarry over\b", re.IGNORECASE)


def asks_complexity(text: str) -> bool:
    """A question about time or space complexity."""
    return "?" in text and bool(_COMPLEXITY.search(text))


def asks_edge_cases(text: str) -> bool:
    """A question about edge cases or the tests the candidate would add."""
    return "?" in text and bool(_EDGE_CASES.search(text))


def asks_tradeoff(text: str) -> bool:
    """A question about the space/time trade-off."""
    return "?" in text and bool(_TRADEOFF.search(text))


def variant_names(problem: Problem) -> dict[str, tuple[str, ...]]:
    """The problem's harder variants, each with the names a coach may call
    it by: its id, and its title where the pack beside it has the variant."""
    out: dict[str, tuple[str, ...]] = {}
    for variant in problem.spec.harder_variants:
        names = [variant]
        try:
            data = yaml.safe_load((problem.path.parent / variant / "problem.yaml").read_text(
                encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("title"), str):
                names.append(data["title"])
        except (OSError, yaml.YAMLError):
            pass
        out[variant] = tuple(names)
    return out


def names_variant(text: str, variants: dict[str, tuple[str, ...]]) -> str | None:
    """The harder variant the line names by one of its names (all of the
    name's words: "Three Sum" or "3Sum" for ``three_sum``), if any."""
    said = {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}
    for variant, names in variants.items():
        for name in names:
            words = [stem(w) for w in re.findall(r"[a-z0-9]+", name.lower().replace("_", " "))
                     if w not in STOPWORDS]
            if words and all(w in said for w in words):
                return variant
    return None


def asks_followup(text: str, variants: dict[str, tuple[str, ...]] | None = None) -> bool:
    """A follow-up: a harder variant named, or a variation question."""
    if variants and names_variant(text, variants):
        return True
    return "?" in text and bool(_VARIATION.search(text))
