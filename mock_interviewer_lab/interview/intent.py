"""What did the candidate just say? A rule-based reading of one utterance.

This is a heuristic, and says so: it looks for phrases, not meaning. It
works on typed chat and on speech-to-text output alike (which has no
punctuation, so questions are also recognised by how they start).

An utterance gets one :class:`Intent`, decided in this order (first match
wins), because the earlier ones are the more specific requests:

1. only thinking sounds ("um", "hmm…")      -> OTHER, with the THINKING flag
2. asking for a hint ("can I get a hint?")   -> HINT_REQUEST (the hint button
   in words; "I don't need a hint" is not one)
3. asking to run the code ("run the tests")  -> RUN_TESTS
4. about to write code ("let me code")       -> READY_TO_CODE
5. finished ("I'm done", "that's it")         -> DONE
6. proposing a method ("I'll use a hash map") -> APPROACH
7. a question: about the problem              -> CLARIFYING_QUESTION;
   a tentative complexity ("is it O(n)?")     -> COMPLEXITY_CLAIM;
   about the session ("can you repeat that?") -> OTHER
8. a stated complexity ("O(n) time")         -> COMPLEXITY_CLAIM
9. anything else                              -> OTHER

Independently of the intent, the behavioural phrases of
``settings.coach.behavioral`` set :class:`Flag` values (confusion,
confidence, thinking sounds, stuck indicators), and any complexity said is
parsed into the classes of :data:`~mock_interviewer_lab.problems.model.COMPLEXITY_CLASSES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from mock_interviewer_lab.interview.words import words_of
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES, normalise_complexity
from mock_interviewer_lab.settings import BehavioralSettings


class Intent(StrEnum):
    CLARIFYING_QUESTION = "clarifying_question"
    APPROACH = "approach"
    READY_TO_CODE = "ready_to_code"
    RUN_TESTS = "run_tests"
    COMPLEXITY_CLAIM = "complexity_claim"
    DONE = "done"
    HINT_REQUEST = "hint_request"
    OTHER = "other"


class Flag(StrEnum):
    """Behavioural signals; one utterance may carry several."""

    CONFUSION = "confusion"
    CONFIDENCE = "confidence"
    THINKING = "thinking"
    STUCK = "stuck"


class ComplexityClaim(NamedTuple):
    """A stated complexity: each a class of COMPLEXITY_CLASSES, or None if not said."""

    time: str | None
    space: str | None


@dataclass(frozen=True)
class Utterance:
    text: str
    intent: Intent
    flags: frozenset[Flag]
    #: The complexity said, if any (time, space or both).
    complexity: ComplexityClaim | None
    #: Words said, not counting thinking sounds (they do not break a silence).
    words: int
    is_question: bool

    def has(self, flag: Flag) -> bool:
        return flag in self.flags


# --------------------------------------------------------------------------
# Text helpers


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes, '…' as '...', single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2026", "...")
    return re.sub(r"\s+", " ", text.lower()).strip()


def _phrase_pattern(phrase: str) -> str:
    """A regex for a configured phrase, matched as whole words where it has any.

    Word boundaries only apply at ends that are word characters, so that a
    phrase like "..." still matches right after a word ("use... a map").
    """
    phrase = _normalise(phrase)
    body = r"\s+".join(re.escape(part) for part in phrase.split(" "))
    head = r"(?<![\w'])" if re.match(r"\w", phrase) else ""
    tail = r"(?![\w'])" if re.search(r"\w$", phrase) else ""
    return head + body + tail


def _sound_pattern(sound: str) -> str:
    """Like :func:`_phrase_pattern`, but a drawn-out sound still counts ("hmmm", "uhhh")."""
    sound = _normalise(sound)
    if sound and set(sound) == {"."}:
        return r"\.{" + str(len(sound)) + ",}"
    pattern = _phrase_pattern(sound)
    if re.search(r"[a-z]$", sound):
        # Repeat the last letter: insert "+" before the trailing boundary.
        boundary = r"(?![\w'])"
        core = pattern.removesuffix(boundary)
        pattern = core + "+" + boundary
    return pattern


def _any_of(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [p for p in patterns if p]
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


_DEFAULT_SOUNDS = _any_of(_sound_pattern(s) for s in BehavioralSettings().thinking_sounds)


def _strip(text: str, sounds: re.Pattern[str] | None) -> tuple[str, bool]:
    """The text without its thinking sounds, and whether there were any."""
    if sounds is None:
        return text, False
    stripped, count = sounds.subn(" ", text)
    return re.sub(r"\s+", " ", stripped).strip(" ,"), count > 0


def is_only_thinking_sounds(text: str, thinking_sounds: Iterable[str] | None = None) -> bool:
    """True when ``text`` holds thinking sounds and nothing else ("um…", "hmm, uh").

    Such an utterance does not end a silence. Empty text is False: nothing
    was said at all. ``thinking_sounds`` defaults to the settings' defaults.
    """
    sounds = (
        _DEFAULT_SOUNDS
        if thinking_sounds is None
        else _any_of(_sound_pattern(s) for s in thinking_sounds)
    )
    rest, had_sounds = _strip(_normalise(text), sounds)
    return had_sounds and not re.search(r"\w", rest)


_YES = re.compile(
    r"^(?:(?:yes|yeah|yep|yup|sure|ok|okay|please|definitely|absolutely|go ahead|why not"
    r"|that would help|that'd help|i'd like that|i would like that|i think so)\b[\s,.!]*)+"
    r"(?:please|thanks|thank you|a hint|one|that would help|i think)?[\s,.!]*$"
)
_OFFERS_HINT = re.compile(r"^(?!hint \d)(?=.*\b(?:would|do|shall|want|like)\b)[^?]*\bhints?\b[^.!]*\?")


def accepts_offered_hint(text: str, coach_line: str) -> bool:
    """True when ``coach_line`` offered a hint ("Would a hint help?") and
    ``text`` accepts it ("yes please", "sure"): a hint request in context."""
    return bool(_OFFERS_HINT.search(_normalise(coach_line))) and bool(_YES.match(_normalise(text)))


# --------------------------------------------------------------------------
# Complexity claims

_TIME_WORD = r"time|runtime|running time"
_SPACE_WORD = r"space|memory"
_LABEL_WORD = rf"(?:{_TIME_WORD}|{_SPACE_WORD})"

# The inside of "O(...)", without spaces or '*', to a canonical spelling.
_SYMBOLIC_EXPRESSIONS: dict[str, str] = {
    "1": "O(1)",
    "logn": "O(log n)",
    "log(n)": "O(log n)",
    "lgn": "O(log n)",
    "log2n": "O(log n)",
    "n": "O(n)",
    "n+m": "O(n)",
    "m+n": "O(n)",
    "nlogn": "O(n log n)",
    "nlog(n)": "O(n log n)",
    "nlgn": "O(n log n)",
    "n^2": "O(n^2)",
    "n2": "O(n^2)",
    "n²": "O(n^2)",
    "nn": "O(n^2)",
    "n^3": "worse",
    "n3": "worse",
    "n³": "worse",
    "2^n": "worse",
    "2n": "O(n)",
    "n!": "worse",
    "n^n": "worse",
}

# Spoken forms after "O of" / "big O of".
_SPOKEN_EXPRESSIONS: tuple[tuple[str, str], ...] = (
    (r"n\s*log\s*(?:of\s+)?n", "O(n log n)"),
    (r"log\s*(?:of\s+)?n", "O(log n)"),
    (
        r"n\s*(?:squared|square|\^\s*2|\*\*\s*2|²|to\s+the\s+(?:power\s+of\s+)?(?:two|2))",
        "O(n^2)",
    ),
    (
        r"n\s*(?:cubed|\^\s*3|³)|(?:two|2)\s+to\s+the\s+(?:power\s+of\s+)?n|n\s+factorial",
        "worse",
    ),
    (r"one|1|constant", "O(1)"),
    (r"n", "O(n)"),
)

# Words naming a class, and whether they need context to count as a claim.
_NAMED_CLASSES: tuple[tuple[str, str], ...] = (
    (r"log[- ]?linear|linearithmic|n\s*log\s*n", "O(n log n)"),
    (r"n\s*squared|quadratic(?:ally)?", "O(n^2)"),
    (r"logarithmic(?:ally)?|log\s*n", "O(log n)"),
    (r"linear(?:ly)?", "O(n)"),
    (r"exponential(?:ly)?|cubic|factorial", "worse"),
)
# "constant" is an ordinary word too ("a constant factor"): it counts only
# when said of time or space, or after "is", "in", "be"...
_CONSTANT = re.compile(
    rf"(?:(?<=\bis )|(?<=\bit's )|(?<=\bits )|(?<=\bin )|(?<=\bbe )|(?<=\bthat's )"
    rf"|(?<=\bstays )|(?<=\bremains )|(?<=\bjust )|(?<=\bonly ))constant(?![\w'])"
    rf"|(?<![\w'])constant(?=\s+(?:extra\s+|additional\s+)?(?:{_LABEL_WORD}|complexity))"
)

_SYMBOLIC = re.compile(r"(?<![\w'])(?:big[- ]?)?o\s*\(\s*([^()]{1,24}?(?:\([^()]{1,8}\))?)\s*\)")
_SPOKEN = re.compile(
    r"(?<![\w'])(?:big[- ]?o|o|oh)\s+of\s+("
    + "|".join(f"(?:{p})" for p, _ in _SPOKEN_EXPRESSIONS)
    + r")(?![\w'])"
)
_NAMED = re.compile(
    r"(?<![\w'])(" + "|".join(f"(?:{p})" for p, _ in _NAMED_CLASSES) + r")(?![\w'])"
)
_LABEL_AFTER = re.compile(
    rf"\s*(?:in\s+)?(?:extra\s+|additional\s+|auxiliary\s+)?({_LABEL_WORD})"
    rf"(?:\s+(?:complexity\s+)?and\s+(?:the\s+)?({_LABEL_WORD}))?(?![\w'])"
)
_LABEL = re.compile(rf"(?<![\w'])({_LABEL_WORD})(?![\w'])")
_BOTH_LABELS = re.compile(
    rf"(?<![\w'])(?:{_LABEL_WORD})\s+(?:complexity\s+)?(?:and|&)\s+(?:the\s+)?(?:{_LABEL_WORD})(?![\w'])"
)
_LIST_JOINER = re.compile(r"\s*(?:,|and|,\s*and)\s*")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    cls: str


def _canonical(cls: str) -> str:
    """Check a class against the problem model's list (one source of truth)."""
    if cls == "worse":
        return cls
    normal = normalise_complexity(cls)
    assert normal in COMPLEXITY_CLASSES, cls
    return normal


def _find_classes(text: str) -> list[_Found]:
    found: list[_Found] = []
    for m in _SYMBOLIC.finditer(text):
        key = re.sub(r"[\s*·]", "", m.group(1).replace("**", "^"))
        if key in _SYMBOLIC_EXPRESSIONS:
            found.append(_Found(m.start(), m.end(), _SYMBOLIC_EXPRESSIONS[key]))
    for m in _SPOKEN.finditer(text):
        expr = m.group(1)
        for pattern, cls in _SPOKEN_EXPRESSIONS:
            if re.fullmatch(pattern, expr):
                found.append(_Found(m.start(), m.end(), cls))
                break
    for m in _NAMED.finditer(text):
        word = m.group(1)
        for pattern, cls in _NAMED_CLASSES:
            if re.fullmatch(pattern, word):
                found.append(_Found(m.start(), m.end(), cls))
                break
    found.extend(_Found(m.start(), m.end(), "O(1)") for m in _CONSTANT.finditer(text))
    # Keep the leftmost, then longest, of overlapping finds ("O(n log n)" not "log n").
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[_Found] = []
    for f in found:
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def _kind(label: str) -> str:
    return "space" if re.fullmatch(_SPACE_WORD, label) else "time"


def _labels_of(text: str, found: _Found, previous_end: int) -> set[str]:
    """'time' and/or 'space' as said right after the class, else earlier in its clause."""
    after = _LABEL_AFTER.match(text, found.end)
    if after:
        return {_kind(g) for g in after.groups() if g}
    before = text[previous_end : found.start]
    # Only the current sentence speaks about this class.
    before = re.split(r"[.!?;]", before)[-1]
    if _BOTH_LABELS.search(before):
        return {"time", "space"}
    labels = _LABEL.findall(before)
    return {_kind(labels[-1])} if labels else set()


def parse_complexity_claim(text: str) -> ComplexityClaim:
    """The (time, space) complexity said in ``text``; None for what was not said.

    "O(n) time and O(1) space" -> ("O(n)", "O(1)"). A class said without
    "time" or "space" is taken as time ("it's O(n)"), except a second one
    listed right after the first ("O(n) and O(1)"), which is space. When the
    same thing is said twice, the later statement wins ("it was quadratic,
    now it's linear" -> time O(n)). Exponential, cubic and factorial are
    "worse". A limitation: attribution is by nearby words only.
    """
    normal = _normalise(text)
    finds = _find_classes(normal)
    time_cls: str | None = None
    space_cls: str | None = None
    unlabelled: list[_Found] = []
    previous_end = 0
    for f in finds:
        labels = _labels_of(normal, f, previous_end)
        previous_end = f.end
        if not labels:
            unlabelled.append(f)
        if "time" in labels:
            time_cls = _canonical(f.cls)
        if "space" in labels:
            space_cls = _canonical(f.cls)
    # Unlabelled classes only speak for time when time was not labelled:
    # "the time is O(n log n) because sorting is O(n log n)" says nothing of space.
    if unlabelled and time_cls is None:
        first, last = unlabelled[0], unlabelled[-1]
        listed = (
            len(unlabelled) == 2
            and space_cls is None
            and _LIST_JOINER.fullmatch(normal[first.end : last.start]) is not None
        )
        if listed:
            time_cls, space_cls = _canonical(first.cls), _canonical(last.cls)
        else:
            time_cls = _canonical(last.cls)
    return ComplexityClaim(time_cls, space_cls)


# --------------------------------------------------------------------------
# Intent rules (applied to the lower-cased text without thinking sounds)

_LET = r"let(?:'s| me| us)"
_I_WILL = (
    r"(?:i'll|i will|i'd|i would|i'm going to|i am going to|i'm gonna|i want to|i can|i could"
    r"|we'll|we will|we'd|we would|we can|we could|we should|i should|you could|going to)"
)

_HINT = r"(?:hint|clue|nudge|pointer)s?"
#: Words between the article and "hint" ("a small hint", "one more quick clue").
_HINT_ARTICLE = (r"(?:(?:a|an|another|one more|the next|next|some|any|your|a little|a small|"
                 r"a tiny|a quick|a bit of a|little|small|quick|tiny|gentle|further) )*")
_HINT_REQUEST = re.compile(
    rf"\b(?:can|could|may|might) (?:i|we) (?:please |maybe |just )*(?:get|have|see|ask for|use|"
    rf"request|try) {_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:can|could|would|will) you (?:please |just |maybe |kindly )*(?:give|show|offer|send|"
    rf"spare) (?:me |us )?{_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:give|show|send) (?:me|us) {_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:i'd|i would|i'll|i will) (?:like|love|appreciate|take|go for) {_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:i|we) (?:really |probably |just |might )?(?:need|want|could use) {_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:is there|are there|do you have|got|have you got) {_HINT_ARTICLE}{_HINT}\b"
    rf"|\b(?:a|another|one more|next|the next) {_HINT},? please\b"
    rf"|^(?:please )?{_HINT_ARTICLE}{_HINT}(?: please)?\W*$"
)
#: "I don't need a hint", "no hints please", "without a hint".
_NO_HINT = re.compile(
    rf"\b(?:don't|do not|didn't|no|not|without|never|rather not)\s+(?:[\w']+\s+){{0,3}}{_HINT}\b"
)
_RUN_TESTS = re.compile(
    r"\b(?:re-?run|run|execute)\s+(?:the\s+|my\s+|all\s+(?:the\s+|my\s+)?|some\s+|those\s+|these\s+)?"
    r"(?:tests?|code|it|this|that|cases?|examples?|again|solution)\b"
    rf"|\b{_LET}\s+(?:test|run|try it|try again|see if (?:it|this|that) works)\b"
    r"|\btry (?:it |that |this )?(?:again|out)\b|\btry running\b"
    r"|\btest (?:it|this|that|my code|the code|my solution|the solution)\b"
    r"|^(?:re-?run|run it|test it)\W*$"
)
_READY_TO_CODE = re.compile(
    rf"\b(?:{_LET}|{_I_WILL}|i'm ready to|ready to)\s+(?:start\s+|now\s+|just\s+|go ahead and\s+)?"
    r"(?:code|coding|write|implement|type|program)\b"
    r"|\b(?:start|begin)\s+(?:coding|writing|implementing|to code|to write|to implement)\b"
    r"|\b(?:code|write|type) (?:it|this|that) (?:up|out)\b"
)
_WRITING_TESTS = re.compile(r"\bwrit(?:e|ing)\s+(?:\w+\s+){0,2}tests?\b")
_DONE = re.compile(
    r"\b(?:i'm|i am|we're|we are)\s+(?:all\s+)?(?:done|finished)\b"
    r"|\b(?:that's|that is|that'd be|that should be) (?:it|all|everything)\b(?!\s*\?)"
    r"|^(?:done|finished|all done)\W*$"
    r"|\b(?:nothing|not anything) (?:more|else) to add\b"
    r"|\b(?:don't|do not) have anything (?:else|more)\b"
)
_APPROACH = re.compile(
    rf"\b(?:{_LET}|{_I_WILL})\s+(?:just\s+|probably\s+|first\s+|then\s+|maybe\s+|instead\s+)?"
    r"(?:use|sort|iterate|loop|scan|keep|store|build|traverse|walk|maintain|track|split"
    r"|divide|recurse|memoi[sz]e|cache|count|compare|hash|precompute|binary search"
    r"|go through|run through|start from|start with|check each|check every|make a|create a"
    r"|look up|map|merge|try a different|try another|try a)\b"
    r"|\bmy (?:idea|approach|plan|thought|intuition) (?:is|would be|here is)\b"
    r"|\bthe (?:idea|approach|plan|trick|key insight|insight|key) (?:is|would be|here is)\b"
    r"|\bi think (?:we|i) (?:can|could|should|need|want)\b"
    r"|\bfirst,? (?:i'd|i'll|i would|i will|we|i)\b"
    r"|\b(?:one|another|a better|a simpler|a faster|the naive|a naive) (?:approach|way|option|idea|solution)\b"
    r"|\bbrute[- ]force\b|\btwo[- ]pointers?\b|\bsliding window\b"
    r"|\bwhat if (?:i|we)\b|\bhow about\b"
    r"|\bwhat (?:i|we)(?:'ll| will|'d| would|'m going to| are going to|'re going to) do\b"
)
_LEADING_FILLER = (
    r"(?:(?:so|ok|okay|and|but|also|well|right|alright|sorry|hi|hey|just to clarify|to clarify"
    r"|quick question|one question|another question|question)[,:\s]+)*"
)
_QUESTION_START = re.compile(
    r"^"
    + _LEADING_FILLER
    + r"(?:can|could|is|are|do|does|did|should|shall|will|would|what|what's|how|which|when"
    r"|where|who|why|must|may|might|has|have|am|isn't|aren't|don't|doesn't|won't|i wonder"
    r"|i was wondering)\b"
)
_META_QUESTION = re.compile(
    r"\b(?:repeat|say (?:that|it) again|hint|how much time|time (?:is )?left|minutes left"
    r"|how long do i have|hear me|are you there|(?:what's|what is|tell me|give me) the answer"
    r"|just tell me)\b"
)
_CONSTRAINT_WORDS = re.compile(
    r"\b(?:need|needs|have to|has to|must|should|expected|expect|required|require|allowed"
    r"|acceptable|okay|ok|fine|alright|target|limit|requirement)\b"
)


def _is_question(text: str) -> bool:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    return any(s.endswith("?") or _QUESTION_START.match(s) for s in sentences)


class IntentClassifier:
    """Reads utterances with the behavioural phrases of ``settings.coach.behavioral``."""

    def __init__(self, behavioral: BehavioralSettings | None = None) -> None:
        behavioral = behavioral or BehavioralSettings()
        self._sounds = _any_of(_sound_pattern(s) for s in behavioral.thinking_sounds)
        self._flag_patterns: dict[Flag, re.Pattern[str] | None] = {
            Flag.CONFUSION: _any_of(_phrase_pattern(p) for p in behavioral.confusion_phrases),
            Flag.CONFIDENCE: _any_of(_phrase_pattern(p) for p in behavioral.confidence_phrases),
            Flag.THINKING: self._sounds,
            Flag.STUCK: _any_of(_phrase_pattern(p) for p in behavioral.stuck_indicators),
        }

    def classify(self, text: str) -> Utterance:
        normal = _normalise(text)
        flags = frozenset(
            flag
            for flag, pattern in self._flag_patterns.items()
            if pattern is not None and pattern.search(normal)
        )
        spoken, _ = _strip(normal, self._sounds)
        words = len(words_of(spoken))
        claim = parse_complexity_claim(spoken)
        complexity = claim if claim != (None, None) else None
        is_question = words > 0 and _is_question(spoken)
        intent = Intent.OTHER if words == 0 else self._intent(spoken, is_question, complexity)
        return Utterance(
            text=text,
            intent=intent,
            flags=flags,
            complexity=complexity,
            words=words,
            is_question=is_question,
        )

    @staticmethod
    def _intent(text: str, is_question: bool, complexity: ComplexityClaim | None) -> Intent:
        if _HINT_REQUEST.search(text) and not _NO_HINT.search(text):
            return Intent.HINT_REQUEST
        if _RUN_TESTS.search(text):
            return Intent.RUN_TESTS
        if _READY_TO_CODE.search(text) and not _WRITING_TESTS.search(text):
            return Intent.READY_TO_CODE
        if _DONE.search(text):
            return Intent.DONE
        if _APPROACH.search(text):
            return Intent.APPROACH
        if is_question:
            if _META_QUESTION.search(text):
                return Intent.OTHER
            if complexity is not None and not _CONSTRAINT_WORDS.search(text):
                return Intent.COMPLEXITY_CLAIM  # said tentatively: "is it O(n)?"
            return Intent.CLARIFYING_QUESTION
        if complexity is not None:
            return Intent.COMPLEXITY_CLAIM
        return Intent.OTHER
