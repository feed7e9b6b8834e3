"""The fishing detector: :class:`FishingDetector` recognises a candidate's attempts to get the answer
("just tell me", "is it a heap?", "write it for me") and returns the redirect
the coach should say instead; clarifying questions ("can I assume the input
is sorted?") are not fishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_interviewer_lab.interview.rules.vocabulary import (
    STRUCTURE_OR_TECHNIQUE,
    STRUCTURE_RE,
    TECHNIQUE_RE,
    squash,
)

#: The seed spec's FISHING_ATTEMPTS redirects, by kind of attempt.
FISHING_REDIRECTS: dict[str, str] = {
    "solution": "Let's work through your approach. What have you tried?",
    "just_tell": "I'm here to guide, not solve. What's blocking you?",
    "guess_structure": "What makes you consider that data structure?",
    "guess_technique": "What patterns in the problem suggest that?",
    "write_code": "I'll help guide you, but you should write it. Where are you stuck?",
    "which_structure": "What operations do you need to support? What are the time requirements?",
    "hidden_tests": "Those tests stay hidden, as they would in an interview. Which edge cases do "
                    "you think are worth checking?",
}

#: Other words for each redirect, so that a candidate who fishes the same way
#: twice in a row does not hear the same line twice: the first is always the
#: one of :data:`FISHING_REDIRECTS`; the engine says the first one it has not
#: said lately. None of them names a structure or a technique.
FISHING_REDIRECT_VARIANTS: dict[str, tuple[str, ...]] = {
    kind: (first, *more) for kind, (first, more) in {
        "solution": (FISHING_REDIRECTS["solution"], (
            "I won't hand you a solution, but I'll think it through with you. What's your "
            "idea so far?",
            "Working it out yourself is the point here. What have you tried, and where did it "
            "stop working?",
        )),
        "just_tell": (FISHING_REDIRECTS["just_tell"], (
            "Telling you wouldn't help you in the real interview. Which part is unclear right "
            "now?",
            "Let's get you unstuck instead. What do you know for sure about the problem?",
        )),
        "guess_structure": (FISHING_REDIRECTS["guess_structure"], (
            "What would that structure give you that a plain loop doesn't?",
            "What operation would you need it to do quickly?",
        )),
        "guess_technique": (FISHING_REDIRECTS["guess_technique"], (
            "What about the problem makes you think of that?",
            "How would that idea play out on the first example?",
        )),
        "write_code": (FISHING_REDIRECTS["write_code"], (
            "The code is yours to write; I'll follow along. What's the first step it takes?",
            "You write it and I'll ask questions. Which part are you unsure how to express?",
        )),
        "which_structure": (FISHING_REDIRECTS["which_structure"], (
            "What do you need to look up or remember as you go through the input?",
            "Which operation has to be fast for this to beat checking everything?",
        )),
        "hidden_tests": (FISHING_REDIRECTS["hidden_tests"], (
            "I can't share those tests. What inputs would you try to break your own solution?",
            "Think like the test writer: which unusual inputs would you check?",
        )),
    }.items()
}

_ANSWER = r"(?:solution|answer|trick|catch|key (?:insight|idea)|(?:optimal|best|intended|right) (?:solution|approach|algorithm))"
_ABOUT_AN_EXAMPLE = (r"(?! (?:for|to|when|if|with|on|of) (?:the |this |that |my |a |an )?"
                     r"(?:example|input|case|test|first|second|third|last|empty|\[|\d))")
#: Words that make "the solution" someone else's: the pack's, the author's.
_SOMEONE_ELSES = r"(?:reference|model|official|canonical|sample|author'?s|textbook|hidden|secret)"
#: Words between "the" and "solution" in a request for it ("the full working code").
_WHOLE = (r"(?:(?:full|complete|whole|entire|finished|final|working|correct|right|optimal|best|"
          r"intended|expected|proper|ideal|efficient|fastest|actual|real|python|reference|model|"
          r"official|canonical|sample|author'?s|textbook|hidden|secret) )*")
_WORK = (r"(?:solution|answer|code|implementation|program|function body|source(?: code)?)s?(?!')"
         r"(?! as\b)")
#: Handing something over ("paste", "share", "show me" …).
_HAND_OVER = (r"(?:paste|share|send|post|reveal|provide|dump|spell out|type out|write out|read out|"
              r"show|give|tell|hand over|copy|leak|spoil)")
#: How a request starts: "can you …", "would you mind …", or the verb first.
_YOU_PLEASE = (r"(?:(?:can|could|would|will|won't|wouldn't) you (?:please |just |maybe |kindly |"
               r"mind |quickly )*|(?:^|[.!?;,:] )(?:(?:please|just|now|ok|okay|so|then|and) )*)")
#: A test the candidate cannot see.
_HIDDEN = r"(?:hidden|secret|private|unseen|held[- ]out|concealed|invisible|grader'?s?|grading)"
_HIDDEN_TESTS = (rf"\b{_HIDDEN} (?:unit )?(?:tests?|test ?cases?|test inputs?|cases?|inputs?|"
                 r"outputs?|examples?|checks?|test suite|suite)\b")
#: Words that ask for the hidden tests' contents ("what inputs", "show me" …);
#: in a question, also what they do ("do the hidden tests include …?").
_ASKS_CONTENT = (r"\b(?:what|what's|whats|which|show|tell|give|list|reveal|share|paste|send|see|"
                 r"look at|print|dump|leak|look like|expect|expected)\b")
_ASKS_WHAT_THEY_DO = (r"\b(?:use|uses|check|checks|test|tests|try|tries|include|includes|cover|"
                      r"covers|contain|contains|have|has)\b")
#: Questions about the hidden tests that ask nothing of their contents.
_HIDDEN_TESTS_META = re.compile(r"\bhow many\b|\b(?:are|is) there\b|\bdo(?:es)? (?:\w+ ){0,3}exist\b"
                                r"|\bwhy (?:do|does|did|are|is)\b")

#: (kind, regex) in the order they are tried; the first match wins.
FISHING_PATTERNS: tuple[tuple[str, str], ...] = (
    ("write_code", r"\b(?:can|could|would|will) you (?:please )?(?:just )?(?:write|code|implement|"
                   r"type|fix|finish|complete) (?:it|this|that|the code|the function|the solution|"
                   r"the implementation|the rest)\b"),
    ("write_code", r"\b(?:write|code|implement|type) (?:it|this|that|the code|the function|"
                   r"the solution)(?: out)? for me\b"),
    ("write_code", r"\b(?:show|give|send) me (?:the|your|some|a|an example of the) "
                   r"(?:code|implementation)\b"),
    ("write_code", r"\b(?:show|give|tell|write|send) me (?:the |your )?(?:first|next|last|opening|"
                   r"key|main|missing|important) (?:line|lines|step|steps|part|bit)\b"),
    ("write_code", rf"\bwhat(?:'s| is| would be) the {_WHOLE}(?:code|implementation|program)"
                   r"(?: for (?:it|this|that|the problem|this problem|two sum|\w+))?\s*(?:\?|$|\.|,)"),
    ("write_code", r"\b(?:what|how) (?:would|does|should|will|might) (?:the|your|a|an|the right|"
                   r"the correct|a correct|a working) (?:code|implementation|function|program) "
                   r"look(?: like)?\b"),
    ("hidden_tests", r"\bwhat (?:inputs?|cases?|values?|tests?|data|arguments?|examples?) "
                     r"(?:will|do|are|would|did|does) (?:you|they|the tests?|the grader) (?:\w+ )?"
                     r"(?:test|check|grade|run|use|throw)\b"),
    ("hidden_tests", r"\bwhat (?:\w+ )?(?:will|would|do|did) you (?:test|check|grade|run|try) "
                     r"(?:my|the|this) (?:code|solution|function|answer)s? (?:with|on|against)\b"),
    ("just_tell", r"\bjust (?:tell|give|show) me\b(?! (?:a |an |another |one more |the next |"
                  r"some |any |your )?(?:small |little |tiny |quick |gentle )?(?:hint|clue|nudge|"
                  r"pointer|tip)s?\b)"),
    ("just_tell", r"\b(?:do|solve|finish|complete) (?:it|this|that) for me\b"),
    ("just_tell", r"\b(?:spoil|give away) (?:it|this|the answer|the solution)\b"),
    ("solution", rf"(?<!my )(?<!our )\b{_SOMEONE_ELSES} (?:solution|answer|implementation|code)s?\b"),
    ("solution", rf"\bwhat(?:'s|s| is| was) (?:the|your) {_ANSWER}\b{_ABOUT_AN_EXAMPLE}"),
    ("solution", rf"\b(?:tell|give|show) me (?:the|your) (?:{_ANSWER}|approach|algorithm)\b"
                 rf"{_ABOUT_AN_EXAMPLE}"),
    ("solution", rf"{_YOU_PLEASE}{_HAND_OVER} (?:(?:me|us|over) )?(?:the|your|a|an|some) {_WHOLE}"
                 rf"{_WORK}{_ABOUT_AN_EXAMPLE}"),
    ("solution", rf"\b(?:can|could|may|might) (?:i|we) (?:please |just )?(?:see|have|get|look at|"
                 rf"peek at|read|check|copy|borrow) (?:the|your|a|an) {_WHOLE}{_WORK}"
                 rf"{_ABOUT_AN_EXAMPLE}"),
    ("solution", r"\bwhat (?:would|does|should|will|might) (?:the|your|a|an|the right|the correct|"
                 r"the optimal|the best) (?:solution|answer) look(?: like)?\b"),
    ("solution", r"\b(?:can|could|would|will) you (?:just |please )?(?:solve|answer) "
                 r"(?:it|this|that|the problem|the question)\b"),
    ("solution", r"\bhow (?:would|do) you solve (?:it|this|that)\b"),
    ("solution", r"\btell me how (?:to|i (?:should|can|would|could)) (?:solve|do|code|write|"
                 r"implement|crack) (?:it|this|that|the problem)\b"),
    ("which_structure", r"\b(?:what|which) (?:kind of |type of |sort of )?data structures?\b"),
    ("which_structure", r"\b(?:what|which) (?:kind of |type of |sort of )?(?:algorithm|technique|"
                        r"approach|structure|pattern|method|trick)s? (?:should|do|would|shall|could|"
                        r"must|can|is|are|am)\b"),
    ("which_structure", r"\b(?:what|which one) (?:should|do|would) (?:i|we) use\b"),
)
_FISHING_RES = [(kind, re.compile(rx)) for kind, rx in FISHING_PATTERNS]
_HIDDEN_TESTS_RE = re.compile(_HIDDEN_TESTS)
_ASKS_CONTENT_RE = re.compile(_ASKS_CONTENT)
_ASKS_WHAT_THEY_DO_RE = re.compile(_ASKS_WHAT_THEY_DO)

#: "is it X?" where X starts with one of these asks about the input or asks
#: permission: a clarifying question, not a guess.
_CLARIFYING_FIRST_WORDS = frozenset(
    [
        "okay", "ok", "fine", "alright", "possible", "allowed", "legal", "valid", "sorted",
        "guaranteed", "true", "false", "right", "correct", "wrong", "safe", "necessary", "required",
        "needed", "enough", "empty", "negative", "positive", "unique", "distinct", "zero", "one",
        "always", "ever", "same", "different", "inclusive", "exclusive", "indexed", "zero-indexed",
        "0-indexed", "1-indexed", "in", "on", "of", "because", "about", "too", "fair", "better",
        "worse", "good", "bad", "likely", "expected", "supposed",
    ]
)
#: "is it a list?" asks about the input, not the answer.
_INPUT_TYPES = frozenset(
    [
        "list", "array", "tuple", "string", "str", "integer", "int", "float", "number", "boolean",
        "bool", "matrix", "grid",
    ]
)
_IS_IT_RE = re.compile(
    r"\bis (?:it|this|that|the (?:answer|solution|trick|approach)) "
    r"(?P<article>(?:a|an|the|just|like|some kind of|some sort of) )?(?P<x>[a-z0-9' -]+?)\s*(?:\?|$|,|\.)"
)
_SHOULD_I_RE = re.compile(
    r"\b(?:should|shall|must) (?:i|we) (?:be )?(?:use|using|try|go with|apply|pick|choose|"
    r"implement) (?P<x>[a-z0-9' -]+)"
    r"|\b(?:do (?:i|we) need to use|would it be better to use|is it better to use|"
    r"(?:is it|would it be) a good idea to use) (?P<y>[a-z0-9' -]+)"
)
_SHOULD_I_EXEMPT_RE = re.compile(
    r"^(?:0|1|zero|one)[ -]?based|^(?:it|this|that|them)\b|\b(?:index|indices|indexing|print|"
    r"prints|logging|type hints?|python|comments?|variables?|names?|examples?|tests?|cases?|"
    r"inputs?|again|debugger)\b"
)
_WOULD_X_WORK_RE = re.compile(
    rf"\b(?:would|will|does|could|can) (?:a |an |the )?(?P<x>{STRUCTURE_OR_TECHNIQUE}) "
    r"(?:work|help|be (?:better|faster|best|the answer|right|the way))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FishingVerdict:
    fishing: bool
    #: One of the keys of :data:`FISHING_REDIRECTS`, or None.
    kind: str | None = None
    redirect: str | None = None


class FishingDetector:
    """Recognises attempts to get the answer out of the coach.

    "Is it X?" and "should I use X?" are guesses whatever X is (a name the
    detector has never heard of too); the redirect asks what made them
    consider it: "What patterns in the problem suggest that?" when X is an
    algorithm or technique (the spec's redirect for dynamic programming),
    "What makes you consider that data structure?" otherwise. Questions
    about the input ("is it sorted?", "is it a list?") and permission
    questions ("is it okay if I sort first?", "can I use extra memory?")
    are clarifying questions and are not fishing.
    """

    def classify(self, text: str) -> FishingVerdict:
        flat = squash(text.replace("\u2019", "'"))
        kind = self._pattern_kind(flat) or self._hidden_tests_kind(flat) or self._guess_kind(flat)
        if kind is None:
            return FishingVerdict(fishing=False)
        return FishingVerdict(fishing=True, kind=kind, redirect=FISHING_REDIRECTS[kind])

    def detect(self, text: str) -> str | None:
        """The redirect to say, or None when ``text`` is not fishing."""
        return self.classify(text).redirect

    @staticmethod
    def _pattern_kind(flat: str) -> str | None:
        for kind, rx in _FISHING_RES:
            if rx.search(flat):
                return kind
        return None

    @staticmethod
    def _hidden_tests_kind(flat: str) -> str | None:
        """A question or request about what the hidden tests hold ("what inputs
        do the hidden tests use?", "show me the secret test cases"); asking
        whether they exist, how many there are or why one failed is not."""
        m = _HIDDEN_TESTS_RE.search(flat)
        if m is None or _HIDDEN_TESTS_META.search(flat):
            return None
        rest = flat[: m.start()] + " " + flat[m.end() :]
        if _ASKS_CONTENT_RE.search(rest) or ("?" in flat and _ASKS_WHAT_THEY_DO_RE.search(rest)):
            return "hidden_tests"
        return None

    def _guess_kind(self, flat: str) -> str | None:
        for m in _IS_IT_RE.finditer(flat):
            if self._is_guess(m.group("x"), has_article=bool(m.group("article"))):
                return _guess_redirect_kind(m.group("x"))
        should = _SHOULD_I_RE.search(flat)
        if should:
            guessed = (should.group("x") or should.group("y") or "").strip()
            if guessed and not _SHOULD_I_EXEMPT_RE.search(guessed):
                return _guess_redirect_kind(guessed)
        would = _WOULD_X_WORK_RE.search(flat)
        if would:
            return _guess_redirect_kind(would.group("x"))
        return None

    @staticmethod
    def _is_guess(guessed: str, *, has_article: bool) -> bool:
        words = guessed.split()
        if not words or words[0] in _CLARIFYING_FIRST_WORDS:
            return False
        if STRUCTURE_RE.search(guessed) or TECHNIQUE_RE.search(guessed):
            return len(words) <= 6
        # An unknown name: "is it a segment tree?", "is it a monotonic deque?"
        return has_article and len(words) <= 3 and not (_INPUT_TYPES & set(words))


def _guess_redirect_kind(guessed: str) -> str:
    return "guess_technique" if TECHNIQUE_RE.search(guessed) else "guess_structure"
