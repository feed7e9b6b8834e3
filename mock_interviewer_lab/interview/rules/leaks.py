"""The leak filter every coach message passes through.

:class:`LeakFilter` checks one message from the coach (scripted or LLM)
against five rules and, when one fires, swaps the message for a Socratic
question that gives nothing away:

1. **Forbidden patterns** (:data:`FORBIDDEN_PATTERNS`): the seed spec's list
   plus paraphrases ("you could use a heap", "try dynamic programming",
   "change line 4 to ..."). Kept as data, matched case-insensitively.
2. **never_say, fuzzy**: each phrase of the problem's ``hints.never_say`` is
   normalised (case, punctuation, light stemming, "hash map" = "hashmap" =
   "hash-map" = "dict") and compared with sliding windows of each sentence
   of the message by weighted token coverage (see :func:`never_say_score`).
3. **Code**: fenced code blocks always; inline code and whole lines when they
   are statements or long/computing expressions. Short mentions such as
   `` `seen` ``, `` `nums[i]` `` or ``len(nums)`` are fine (see
   :func:`snippet_is_code` for the exact boundary).
4. **Reference runs**: a run of at least ``min_reference_run`` (8) tokens in
   a row shared with the reference solution's code (its comments and
   docstrings are prose and do not count).
5. **Key terms**: the problem's ``spec.key_terms`` (normalised the same way)
   said before the candidate said or wrote them (in one line of their words
   or code: a term does not run on from one line into the next).

Quoting what the candidate can already see is never a leak: code fragments
and token runs found verbatim in the candidate's own words or code, or in the
public problem text (title, statement, examples, constraints, signature), are
exempt from rules 3 and 4, and key terms found there count as already said.
Rules 1 and 2 apply whatever the candidate said.
"""

from __future__ import annotations

import ast
import difflib
import functools
import io
import re
import tokenize
import zlib
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from mock_interviewer_lab.interview.rules.vocabulary import (
    CONCEPT_WORDS,
    STOPWORD_STEMS,
    STRUCTURE_OR_TECHNIQUE,
    normalise_words,
    split_sentences,
    squash,
)
from mock_interviewer_lab.problems.loader import Problem

# ======================================================================
# Rule 1: forbidden patterns
# ======================================================================


@dataclass(frozen=True)
class ForbiddenPattern:
    label: str
    regex: str


#: The seed spec's FORBIDDEN_PATTERNS and paraphrases of them. ``{S}`` stands
#: for any data-structure or technique name.
FORBIDDEN_PATTERNS: tuple[ForbiddenPattern, ...] = (
    ForbiddenPattern("here's the solution",
                     r"\b(?:here'?s|here is|this is) (?:the|a|my|your) (?:full |complete |working )?"
                     r"(?:solution|answer|code|implementation|fix)\b"),
    ForbiddenPattern("you should use a <structure>",
                     r"\byou(?:'d| would)? (?:should|need to|must|have to|ought to|could|can|"
                     r"might want to|want to) (?:just |simply )?(?:use|try|implement|apply|go with|"
                     r"reach for|store \w+ in|put \w+ in(?:to)?|keep \w+ in) "
                     r"(?:(?:a|an|the|some) )?{S}"),
    ForbiddenPattern("you need a <structure>",
                     r"\byou(?:'d| would)? (?:need|want|require) (?:a|an|the|some) {S}"),
    ForbiddenPattern("use a <structure>",
                     r"(?:^|[.!?:\n]\s*)(?:just |simply )?(?:use|try|store \w+ in|put \w+ in(?:to)?|"
                     r"keep \w+ in) (?:(?:a|an|the|some) )?{S}"),
    ForbiddenPattern("try dynamic programming",
                     r"\b(?:try|consider|think about) (?:using|applying) (?:(?:a|an|the) )?{S}"
                     r"|\btry (?:(?:a|an) )?{S}|\bconsider (?:a|an) {S}"),
    ForbiddenPattern("the answer is",
                     r"\bthe (?:answer|solution|trick|key (?:insight|idea|trick)|fix|catch) "
                     r"(?:is|would be|here is|involves|uses|requires|needs)\b"),
    ForbiddenPattern("the optimal approach is",
                     r"\bthe (?:optimal|best|right|correct|efficient|intended|standard|ideal|"
                     r"fastest|most efficient) (?:approach|solution|algorithm|way|method|"
                     r"data structure|structure|technique|idea) (?:is|would be|here is|uses|"
                     r"involves|requires)\b"),
    ForbiddenPattern("copy this code",
                     r"\b(?:copy|paste) (?:this|the following|my|that|in this) "
                     r"(?:code|snippet|solution|line)\b"),
    ForbiddenPattern("let me write it for you",
                     r"\blet me (?:write|code|implement|solve|fix|do|finish|complete) "
                     r"(?:it|this|that|the code|the solution|the function|the rest)\b"
                     r"|\bi(?:'ll| will) (?:write|code|implement|solve|fix|finish|complete) "
                     r"(?:it|this|that|the code|the solution|the function|the rest) for you\b"),
    ForbiddenPattern("here's how to fix",
                     r"\bhere'?s how (?:to|you|i would|i'd|we) (?:can |could |would )?"
                     r"(?:fix|solve|do|write|implement|handle|approach)\b"),
    ForbiddenPattern("change line N to",
                     r"\b(?:change|replace|rewrite|edit|modify|update) line \d+ "
                     r"(?:to|with|so|into|by)\b"),
    ForbiddenPattern("line N should be",
                     r"\bline \d+ should (?:be|say|read|use|return|become)\b"),
    ForbiddenPattern("to fix it, change ...",
                     r"\bto fix (?:it|this|that|the bug|the error|the issue)\s*,?\s*"
                     r"(?:just |simply |you )?(?:should |need to |can )?(?:change|replace|use|add|"
                     r"remove|swap|move|return|write|put|initiali[sz]e)\b"),
    ForbiddenPattern("just use ...",
                     r"\b(?:just|simply) (?:use|return|add|replace|change|swap|store|put|write)\b"),
    ForbiddenPattern("the bug is that",
                     r"\bthe (?:bug|mistake|error) is (?:that|because)\b"),
    ForbiddenPattern("write it like this",
                     r"\b(?:write|do|code) it (?:like this|as follows|this way)\b"),
)


def _compile_patterns(patterns: Sequence[ForbiddenPattern]) -> list[tuple[str, re.Pattern[str]]]:
    return [(p.label, re.compile(p.regex.replace("{S}", STRUCTURE_OR_TECHNIQUE), re.IGNORECASE))
            for p in patterns]


# ======================================================================
# Rule 2: never_say, fuzzy
# ======================================================================

#: A window of the message matches a never_say phrase when it covers at least
#: this share of the phrase's weighted content words. Concept words (a data
#: structure's name, a key term) weigh 2, others 1, so "Use a hashmap" weighs
#: use(1) + hashmap(2) = 3: naming the concept alone scores 0.67 and must stay
#: below the threshold (that case belongs to the key-term rule), while "keep
#: the indexes in a dict" against "Store the indices in a dictionary" scores
#: 3/4 = 0.75 and must match.
NEVER_SAY_THRESHOLD = 0.7
#: Two different words count as the same when difflib rates them this close
#: (typos, "currently"/"current"); only for words of 5 letters or more.
WORD_SIMILARITY = 0.85


@dataclass(frozen=True)
class _Phrase:
    text: str
    words: tuple[str, ...]
    weights: tuple[int, ...]


def _content_words(text: str) -> list[str]:
    return [w.text for w in normalise_words(text) if w.text not in STOPWORD_STEMS]


@functools.lru_cache(maxsize=1024)
def _sentence_content_words(text: str) -> tuple[tuple[str, ...], ...]:
    """The content words of each sentence of ``text``: every never_say phrase
    is scored against the same message, so it is split and stemmed once."""
    return tuple(tuple(_content_words(sentence)) for sentence in split_sentences(text))


@functools.lru_cache(maxsize=8192)
def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    return (len(a) >= 5 and len(b) >= 5
            and difflib.SequenceMatcher(None, a, b).ratio() >= WORD_SIMILARITY)


def _coverage(phrase: _Phrase, window: Sequence[str]) -> float:
    available = list(window)
    matched = 0
    concept_matched = False
    for word, weight in zip(phrase.words, phrase.weights, strict=True):
        idx = next((k for k, w in enumerate(available) if _same_word(word, w)), None)
        if idx is None:
            continue
        available.pop(idx)
        matched += weight
        concept_matched = concept_matched or weight > 1
    if any(w > 1 for w in phrase.weights) and not concept_matched:
        return 0.0  # a phrase that names an idea only matches text that names it too
    return matched / sum(phrase.weights)


def never_say_score(phrase: _Phrase, text: str) -> float:
    """The best coverage of ``phrase`` by a window of one sentence of ``text``.

    Windows are two words longer than the phrase, so a paraphrase may insert
    a couple of words; word order does not matter.
    """
    best = 0.0
    size = len(phrase.words) + 2
    for words in _sentence_content_words(text):
        starts = range(max(1, len(words) - size + 1))
        for start in starts:
            best = max(best, _coverage(phrase, words[start : start + size]))
    return best


# ======================================================================
# Rule 3: code
# ======================================================================

#: Expressions up to this many tokens are mentions ("what is `nums[i]`
#: here?", "len(nums)", "O(n)"); longer ones are code.
MAX_MENTION_TOKENS = 6

_CODE_TOKEN_RE = re.compile(
    r"[A-Za-z_]\w*|\d+(?:\.\d+)?|==|!=|<=|>=|->|\*\*|//|[-+*/%<>=()\[\]{}:,.;]"
)
_BLOCK_KEYWORD_RE = re.compile(r"^(?:for|while|if|elif|def|class|with)\b")
_FENCE_RE = re.compile(r"```|~~~")
_FENCED_BLOCK_RE = re.compile(r"(```|~~~).*?(?:\1|$)", re.DOTALL)
_INLINE_CODE_RE = re.compile(r"`([^`\n]+)`")
_KEYWORD_ONLY_STATEMENTS = (ast.Pass, ast.Break, ast.Continue)

_IDENT = r"[A-Za-z_]\w*"
#: An identifier that is not also an English function word ("return for [3, 3]").
_CODE_NAME = (r"(?!(?:for|if|in|when|the|a|an|and|or|to|with|on|at|of|from|as|is|it|what|"
              r"that|this|which|only|just|both|each|all|any)\b)" + _IDENT)
#: Code inside a line of prose. Each regex matches a fragment that is code
#: whatever surrounds it.
CODE_FRAGMENTS: tuple[tuple[str, str], ...] = (
    ("def", rf"\bdef\s+{_IDENT}\s*\("),
    ("class", r"\bclass\s+[A-Z]\w*\s*[(:]"),
    ("return expression", rf"\breturn\s+[\[\(]\s*{_IDENT}\s*[,\]\)\[.+\-]"
                          rf"|\breturn\s+{_CODE_NAME}\s*(?:\[|\.\w+\(|[-+*/%]\s*\w)"),
    ("for loop", rf"\bfor\s+{_IDENT}(?:\s*,\s*{_IDENT})*\s+in\s+"
                 rf"(?:(?:range|enumerate|zip|sorted|reversed|len)\s*\(|[\w.\[\]()]+\s*:)"),
    ("condition", r"\b(?:if|elif|while)\s+[^:?\n]*(?:==|!=|<=|>=|\bnot\s+in\b|\bis\s+(?:not\s+)?None\b"
                  r"|[\w\])]\s*[<>]\s*[\w\[(])[^:?\n]*:"),
    ("subscript assignment", rf"\b{_IDENT}\s*\[[^\]\n]+\]\s*(?:[-+*/%]?=)(?!=)"),
    ("augmented assignment", rf"\b{_IDENT}\s*(?:\+=|-=|\*=|/=|//=|%=)"),
    ("assignment", rf"\b{_IDENT}\s*=(?!=)\s*(?:\{{\s*\}}|\[\s*\]|\(\s*\)|{_IDENT}(?:\.{_IDENT})*\s*[(\[]"
                   rf"|{_IDENT}\.{_IDENT}|{_IDENT}\s*[-+*/%]\s*[\w(])"),
    ("subscript arithmetic", rf"\b{_IDENT}\s*\[[^\]\n]+\]\s*(?:==|!=|<=|>=|[-+*/%<>])\s*[\w\[(]"
                             rf"|[\w\])]\s*(?:==|!=|<=|>=|[-+*/%<>])\s*{_IDENT}\s*\[[^\]\n]+\]"),
    ("method call", rf"\b{_IDENT}\.{_IDENT}\s*\(\s*[^)\s][^)\n]*\)"),
    ("semicolon", rf"[\w)\]]\s*;\s*{_IDENT}\s*[-+*/%]?=(?!=)|[)\]]\s*;\s*{_IDENT}\s*[(\[.]"),
    ("lambda", r"\blambda\b[^:\n]*:"),
    ("comprehension", r"\[[^\]\n]*\bfor\b[^\]\n]*\bin\b[^\]\n]*\]"),
)
_CODE_FRAGMENT_RES = [(label, re.compile(rx)) for label, rx in CODE_FRAGMENTS]


def code_tokens(text: str) -> list[str]:
    """Identifiers, numbers and operators, lower-cased (prose capitalises)."""
    return [t.lower() for t in _CODE_TOKEN_RE.findall(text)]


def _parse_snippet(src: str) -> ast.Module | None:
    src = src.strip()
    attempts = [src]
    if _BLOCK_KEYWORD_RE.match(src) and re.search(r"[=<>()\[\].]| in ", src):
        attempts.append(src + "\n    pass" if src.endswith(":") else src + ":\n    pass")
    for attempt in attempts:
        try:
            return ast.parse(attempt)
        except (SyntaxError, ValueError):
            continue
    return None


def _is_example_data(stmt: ast.Assign) -> bool:
    """``target = 9`` or ``nums = [2, 7, 11, 15]``: the shape of an example's
    input, not a step of a solution. Empty containers (``seen = {}``) are code."""
    if not all(isinstance(t, ast.Name) for t in stmt.targets):
        return False
    value = stmt.value
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)) and not value.elts:
        return False
    if isinstance(value, ast.Dict) and not value.keys:
        return False
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


def _expression_is_code(expr: ast.expr, src: str) -> bool:
    if len(code_tokens(src)) > MAX_MENTION_TOKENS and re.search(r"[()\[\].=<>+\-*/%]", src):
        return True
    for node in ast.walk(expr):
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp, ast.NamedExpr)):
            return True
        if isinstance(node, (ast.BinOp, ast.Compare)) and any(
            isinstance(child, ast.Subscript) for child in ast.walk(node)
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            return True
    return False


def snippet_is_code(src: str) -> bool:
    """Whether a backticked span or a whole line is code rather than a mention.

    Code: several statements; any statement other than a bare expression
    (assignment, return with a value, loops, conditions, definitions, imports),
    except assignments of example data (``target = 9``); expressions longer
    than :data:`MAX_MENTION_TOKENS`, comprehensions, lambdas, method calls with
    arguments, and arithmetic or comparisons on a subscript (``nums[i] +
    nums[j]``). Mentions: names, ``nums[i]``, ``len(nums)``, ``target - x``,
    ``O(n)``, and lone keywords (``continue``, ``return``). Text that does
    not parse as Python is prose, not code.
    """
    tree = _parse_snippet(src)
    if tree is None or not tree.body:
        return False
    if len(tree.body) > 1:
        return True
    stmt = tree.body[0]
    if isinstance(stmt, _KEYWORD_ONLY_STATEMENTS):
        return False
    if isinstance(stmt, ast.Return) and stmt.value is None:
        return False
    if isinstance(stmt, ast.Expr):
        return _expression_is_code(stmt.value, src)
    return not (isinstance(stmt, ast.Assign) and _is_example_data(stmt))


def _short(text: str, limit: int = 60) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code_reasons(text: str, exempt_text: str, *, inside_open_fence: bool = False) -> list[str]:
    """Reasons from rule 3; ``exempt_text`` is squashed text the candidate
    can already see (their words and code, the public problem)."""
    if inside_open_fence or _FENCE_RE.search(text):
        reasons = ["code block"]
        text = _FENCED_BLOCK_RE.sub(" ", text)
    else:
        reasons = []

    def exempt(fragment: str) -> bool:
        return squash(fragment) in exempt_text

    def replace_inline(m: re.Match[str]) -> str:
        span = m.group(1)
        if not exempt(span) and snippet_is_code(span):
            reasons.append(f"inline code: `{_short(span)}`")
        return " code "

    prose = _INLINE_CODE_RE.sub(replace_inline, text)
    for line in prose.splitlines():
        stripped = line.strip()
        if not stripped or exempt(stripped):
            continue
        if snippet_is_code(stripped):
            reasons.append(f"code-like line: {_short(stripped)}")
            continue
        for label, rx in _CODE_FRAGMENT_RES:
            m = rx.search(stripped)
            if m and not exempt(m.group(0)):
                reasons.append(f"code-like line ({label}): {_short(m.group(0))}")
                break
    return reasons


# ======================================================================
# Rule 4: runs shared with the reference solution
# ======================================================================

#: A message sharing this many tokens in a row with the reference leaks it.
MIN_REFERENCE_RUN = 8


_LAYOUT_TOKENS = frozenset({tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER, tokenize.COMMENT})
_STATEMENT_BOUNDARIES = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})


def reference_tokens(source: str) -> list[str]:
    """The reference solution's code tokens, without comments and docstrings:
    they are prose that explains, and a hint may well say the same thing in
    the same words (the never_say and key-term rules watch the ideas)."""
    tokens: list[str] = []
    statement_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _LAYOUT_TOKENS:
                # NL and comments also occur inside brackets: only a logical
                # line boundary starts a statement (where a docstring can be).
                statement_start = statement_start or tok.type in _STATEMENT_BOUNDARIES
                continue
            is_docstring = tok.type == tokenize.STRING and statement_start
            statement_start = False
            if not is_docstring:
                tokens.extend(code_tokens(tok.string))
    except (tokenize.TokenError, SyntaxError):
        return code_tokens(source)
    return tokens


def _ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def longest_shared_run(
    message: Sequence[str],
    reference: AbstractSet[tuple[str, ...]],
    exempt: AbstractSet[tuple[str, ...]],
    n: int,
    *,
    min_end: int = 0,
) -> int:
    """Length of the longest run of message tokens whose every n-gram is in
    ``reference`` and not in ``exempt`` (0 when none reaches n). Only runs
    that end after token ``min_end`` count (streaming: the new sentence)."""
    best = 0
    run_start = last = -2
    for i in range(len(message) - n + 1):
        gram = tuple(message[i : i + n])
        if gram not in reference or gram in exempt:
            continue
        if i != last + 1:
            run_start = i
        last = i
        if i + n > min_end:
            best = max(best, i - run_start + n)
    return best


# ======================================================================
# Safe alternatives
# ======================================================================

#: Socratic questions from the spec's RESPONSE PATTERNS TO USE, per phase.
SAFE_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "default": (
        "Can you walk me through an example?",
        "What would happen if the input were as small as possible?",
        "What data do you need quick access to?",
        "Is there a pattern in these examples?",
    ),
    "understanding": (
        "Can you walk me through an example?",
        "What would happen with the smallest input you can think of?",
        "Is there a pattern in these examples?",
    ),
    "approach": (
        "What data do you need quick access to?",
        "Is there a pattern in these examples?",
        "What's the time complexity of that approach?",
        "Can you walk me through an example?",
    ),
    "coding": (
        "Can you walk me through your code with the first example?",
        "What would happen if the input were as small as possible?",
        "What data do you need quick access to?",
    ),
    "testing": (
        "Can you trace through your code with a failing example?",
        "Which line behaves differently from what you expect? Can you trace through it?",
        "What would happen if you ran your code on the smallest input?",
    ),
    "optimization": (
        "What's the time complexity of that approach?",
        "Where does your approach spend most of its time?",
        "What data do you need quick access to?",
    ),
    "reflection": (
        "What trade-offs did you make along the way?",
        "What would you do differently with more time?",
        "What's the time complexity of that approach?",
    ),
}
_PHASE_GROUPS = {
    "init": "understanding", "calibration": "understanding", "intro": "understanding",
    "understanding": "understanding", "approach": "approach", "coding": "coding",
    "testing": "testing", "debugging": "testing", "optimization": "optimization",
    "complexity": "optimization", "reflection": "reflection", "followup": "reflection",
    "done": "reflection",
}
#: Tried when every phase alternative trips a rule (a problem whose key terms
#: are everyday words); the very last one is returned unchecked.
_LAST_RESORT = ("What are you thinking right now?", "Go on.")


def alternatives_for(phase: str | None) -> tuple[str, ...]:
    group = _PHASE_GROUPS.get((phase or "").lower(), "default")
    return SAFE_ALTERNATIVES[group]


# ======================================================================
# The leak filter
# ======================================================================


@dataclass(frozen=True)
class LeakVerdict:
    leak: bool
    reasons: list[str] = field(default_factory=list)
    #: The message itself when it does not leak, else a safe alternative.
    safe_text: str = ""


@dataclass(frozen=True)
class _KeyTerm:
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class _SaidFacts:
    """What the candidate said or wrote, as the exemptions use it."""

    text: str
    #: Their words and the public problem text, squashed (rule 3's exemption).
    exempt_text: str
    tokens: tuple[str, ...]
    #: Their n-grams and the public text's (rule 4's exemption).
    ngrams: frozenset[tuple[str, ...]]
    #: Key terms said in one line of theirs, or in the public text (rule 5).
    known_terms: frozenset[tuple[str, ...]]


#: Distinct candidate histories kept (each coach message is checked against
#: the history of the moment; a few messages share one).
_SAID_CACHE_SIZE = 8
_LINE_CACHE_SIZE = 4096


class LeakFilter:
    """Checks coach messages for one problem. Build one per problem and
    reuse it: the problem's phrases and reference are prepared once."""

    def __init__(
        self,
        problem: Problem,
        *,
        min_reference_run: int = MIN_REFERENCE_RUN,
        never_say_threshold: float = NEVER_SAY_THRESHOLD,
        forbidden_patterns: Sequence[ForbiddenPattern] = FORBIDDEN_PATTERNS,
    ) -> None:
        if min_reference_run < 2:
            raise ValueError("min_reference_run must be at least 2")
        self.problem = problem
        self.min_reference_run = min_reference_run
        self.never_say_threshold = never_say_threshold
        self._patterns = _compile_patterns(forbidden_patterns)
        self._key_terms = self._prepare_key_terms(problem.spec.key_terms)
        # A one-word key term names an idea; the words of "last seen index" do not.
        concepts = CONCEPT_WORDS | {t.words[0] for t in self._key_terms if len(t.words) == 1}
        self._phrases = [self._prepare_phrase(p, concepts) for p in problem.hints.never_say]
        self._reference = _ngrams(reference_tokens(problem.solution), min_reference_run)
        self._public_text = self._public_problem_text(problem)
        self._public_ngrams = _ngrams(code_tokens(self._public_text), min_reference_run)
        public_words = [w.text for w in normalise_words(self._public_text)]
        self._public_terms = frozenset(t.words for t in self._key_terms
                                       if _find(public_words, t.words) is not None)
        # What the candidate said, prepared once per distinct history (several
        # messages are checked against the same one) and extended by what was
        # appended since, rather than redone from the start for every message.
        self._said_cache: dict[str, _SaidFacts] = {}
        self._latest_said: _SaidFacts | None = None
        #: A line of the candidate's -> the key terms it says (lines repeat:
        #: the same code is submitted again, an echo repeats a line).
        self._line_terms: dict[str, frozenset[tuple[str, ...]]] = {}

    # ------------------------------------------------------------ set-up

    @staticmethod
    def _public_problem_text(problem: Problem) -> str:
        spec = problem.spec
        parts = [spec.title, spec.statement, *spec.constraints, problem.signature]
        for ex in spec.examples:
            parts += [ex.input, ex.output, ex.explanation]
        return "\n".join(parts)

    @staticmethod
    def _prepare_key_terms(terms: Iterable[str]) -> list[_KeyTerm]:
        prepared: dict[tuple[str, ...], _KeyTerm] = {}
        for term in terms:
            words = tuple(w.text for w in normalise_words(term))
            if words and words not in prepared:
                prepared[words] = _KeyTerm(term, words)
        return list(prepared.values())

    @staticmethod
    def _prepare_phrase(text: str, concepts: frozenset[str] | set[str]) -> _Phrase:
        words = tuple(_content_words(text)) or tuple(w.text for w in normalise_words(text))
        return _Phrase(text, words, tuple(2 if w in concepts else 1 for w in words))

    # ------------------------------------------------------------ checks

    def check(
        self, text: str, *, candidate_words: Iterable[str] = (), phase: str | None = None
    ) -> LeakVerdict:
        """Check a whole message."""
        said = "\n".join(candidate_words)
        reasons = self.reasons(text, candidate_said=said)
        return self._verdict(text, reasons, said, phase)

    def check_sentence(
        self,
        sentence: str,
        *,
        accepted: str = "",
        candidate_words: Iterable[str] = (),
        phase: str | None = None,
    ) -> LeakVerdict:
        """Check one sentence of a streamed message, given the part of the
        message already accepted: a sentence inside an open code fence is code,
        and a reference run may start in an earlier sentence."""
        said = "\n".join(candidate_words)
        reasons = self.reasons(sentence, candidate_said=said, accepted=accepted)
        return self._verdict(sentence, reasons, said, phase)

    def filter_sentences(
        self,
        sentences: Iterable[str],
        *,
        candidate_words: Iterable[str] = (),
        phase: str | None = None,
    ) -> Iterator[str]:
        """Yield sentences as they pass; at the first that leaks, yield a safe
        alternative instead and stop (what follows a cut sentence would not
        make sense)."""
        said = tuple(candidate_words)
        accepted = ""
        for sentence in sentences:
            verdict = self.check_sentence(
                sentence, accepted=accepted, candidate_words=said, phase=phase
            )
            if verdict.leak:
                yield verdict.safe_text
                return
            accepted = f"{accepted} {sentence}" if accepted else sentence
            yield sentence

    def reasons(self, text: str, *, candidate_said: str = "", accepted: str = "") -> list[str]:
        """Every rule that ``text`` breaks (empty when it is safe)."""
        said = self._said_facts(candidate_said)
        open_fence = len(_FENCE_RE.findall(accepted)) % 2 == 1
        return [
            *self._pattern_reasons(text),
            *self._never_say_reasons(text),
            *_code_reasons(text, said.exempt_text, inside_open_fence=open_fence),
            *self._reference_reasons(text, said, accepted),
            *self._key_term_reasons(text, said),
        ]

    # ------------------------------------------------- what was said

    def _said_facts(self, candidate_said: str) -> _SaidFacts:
        """What the exemptions need from the candidate's words and code.

        Cached by the exact text; when the text only appends lines to the
        latest one seen (an interview going on), its tokens are extended
        rather than redone (code tokens never span a line break, so this
        gives the same n-grams as tokenising the whole text)."""
        cached = self._said_cache.get(candidate_said)
        if cached is not None:
            return cached
        n = self.min_reference_run
        latest = self._latest_said
        if latest is not None and latest.text and candidate_said.startswith(latest.text + "\n"):
            added = candidate_said[len(latest.text) + 1 :]
            tokens = (*latest.tokens, *code_tokens(added))
            fresh = _ngrams(tokens[max(0, len(latest.tokens) - n + 1) :], n)
            ngrams: AbstractSet[tuple[str, ...]] = latest.ngrams | fresh
            known = set(latest.known_terms)
        else:
            added = candidate_said
            tokens = tuple(code_tokens(candidate_said))
            ngrams = self._public_ngrams | _ngrams(tokens, n)
            known = set(self._public_terms)
        for line in added.split("\n"):
            known |= self._terms_in_line(line)
        facts = _SaidFacts(text=candidate_said,
                           exempt_text=squash(candidate_said + "\n" + self._public_text),
                           tokens=tokens, ngrams=frozenset(ngrams), known_terms=frozenset(known))
        if len(self._said_cache) >= _SAID_CACHE_SIZE:
            self._said_cache.pop(next(iter(self._said_cache)))
        self._said_cache[candidate_said] = facts
        self._latest_said = facts
        return facts

    def _terms_in_line(self, line: str) -> frozenset[tuple[str, ...]]:
        """The key terms one line of the candidate's words or code says."""
        if not self._key_terms or not line.strip():
            return frozenset()
        found = self._line_terms.get(line)
        if found is None:
            words = [w.text for w in normalise_words(line)]
            found = frozenset(t.words for t in self._key_terms if _find(words, t.words) is not None)
            if len(self._line_terms) >= _LINE_CACHE_SIZE:
                self._line_terms.clear()
            self._line_terms[line] = found
        return found

    def _pattern_reasons(self, text: str) -> list[str]:
        flat = text.replace("\u2019", "'")
        return [f"forbidden pattern: {label}" for label, rx in self._patterns if rx.search(flat)]

    def never_say_matches(self, text: str) -> list[tuple[str, float]]:
        """(phrase, score) of each never_say phrase that ``text`` says (rule 2)."""
        matches = []
        for phrase in self._phrases:
            score = never_say_score(phrase, text)
            if score >= self.never_say_threshold:
                matches.append((phrase.text, score))
        return matches

    def _never_say_reasons(self, text: str) -> list[str]:
        return [f"never_say (fuzzy, {score:.2f}): {phrase}"
                for phrase, score in self.never_say_matches(text)]

    def _reference_reasons(self, text: str, said: _SaidFacts, accepted: str) -> list[str]:
        n = self.min_reference_run
        before = code_tokens(accepted)
        tokens = before + code_tokens(text)
        run = longest_shared_run(tokens, self._reference, said.ngrams, n, min_end=len(before))
        return [f"shares {run} tokens in a row with the reference solution"] if run else []

    def _key_term_reasons(self, text: str, said: _SaidFacts) -> list[str]:
        if not self._key_terms:
            return []
        message = normalise_words(text)
        reasons = []
        reported: set[tuple[str, ...]] = set()
        for term in self._key_terms:
            if term.words in reported or term.words in said.known_terms:
                continue
            at = _find([w.text for w in message], term.words)
            if at is None:
                continue
            reported.add(term.words)
            surface = text[message[at].start : message[at + len(term.words) - 1].end]
            reasons.append(f"names the key idea '{squash(surface)}' before the candidate did")
        return reasons

    # ------------------------------------------------------- replacement

    def _verdict(
        self, text: str, reasons: list[str], candidate_said: str, phase: str | None
    ) -> LeakVerdict:
        if not reasons:
            return LeakVerdict(leak=False, reasons=[], safe_text=text)
        return LeakVerdict(leak=True, reasons=reasons,
                           safe_text=self.safe_alternative(text, phase, candidate_said))

    def safe_alternative(self, text: str, phase: str | None = None, candidate_said: str = "") -> str:
        """A Socratic question for the phase, chosen from the leaking text's
        checksum (same input, same answer), and itself checked by every rule."""
        options = alternatives_for(phase)
        first = zlib.crc32(text.encode("utf-8")) % len(options)
        ordered = [*options[first:], *options[:first], *_LAST_RESORT]
        for option in ordered[:-1]:
            if not self.reasons(option, candidate_said=candidate_said):
                return option
        return ordered[-1]


def _find(haystack: Sequence[str], needle: Sequence[str]) -> int | None:
    """Index of the first occurrence of ``needle`` as a contiguous run."""
    n = len(needle)
    for i in range(len(haystack) - n + 1):
        if tuple(haystack[i : i + n]) == tuple(needle):
            return i
    return None


