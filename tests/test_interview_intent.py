"""Reading utterances: intents, behavioural flags, thinking sounds, complexity claims."""

from __future__ import annotations

import pytest

from mock_interviewer_lab.interview.intent import (
    ComplexityClaim,
    Flag,
    Intent,
    IntentClassifier,
    accepts_offered_hint,
    is_only_thinking_sounds,
    parse_complexity_claim,
)
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES
from mock_interviewer_lab.settings import BehavioralSettings, Settings

I = Intent  # noqa: E741

INTENTS: list[tuple[str, Intent]] = [
    # clarifying questions, typed and as speech-to-text gives them (no "?")
    ("can the list be empty?", I.CLARIFYING_QUESTION),
    ("are the numbers sorted?", I.CLARIFYING_QUESTION),
    ("What should I return if there is no pair?", I.CLARIFYING_QUESTION),
    ("what should I return if nothing adds up to the target", I.CLARIFYING_QUESTION),
    ("could the numbers be negative", I.CLARIFYING_QUESTION),
    ("Can I assume the input is valid?", I.CLARIFYING_QUESTION),
    ("do we need to handle duplicates?", I.CLARIFYING_QUESTION),
    ("so, is the array guaranteed to have a solution?", I.CLARIFYING_QUESTION),
    ("Just to clarify, are the values integers?", I.CLARIFYING_QUESTION),
    ("what if the list is empty?", I.CLARIFYING_QUESTION),
    ("how big can n get", I.CLARIFYING_QUESTION),
    ("The input fits in memory, right?", I.CLARIFYING_QUESTION),
    ("does it need to be O(n)?", I.CLARIFYING_QUESTION),
    ("is O(n) extra space okay?", I.CLARIFYING_QUESTION),
    ("um can the list be empty", I.CLARIFYING_QUESTION),
    # approaches
    ("I'll use a hash map to remember what I've seen", I.APPROACH),
    ("my idea is to sort and then use two pointers", I.APPROACH),
    ("I think we can do it in one pass", I.APPROACH),
    ("First I'd sort the array", I.APPROACH),
    ("first, I would count the characters", I.APPROACH),
    ("We could use a sliding window here", I.APPROACH),
    ("The key insight is that we only need the complement", I.APPROACH),
    ("what if we keep a running sum?", I.APPROACH),
    ("how about using a heap", I.APPROACH),
    ("Brute force would be to check every pair", I.APPROACH),
    ("let me try a different approach", I.APPROACH),
    ("I'll use a hash map, which makes it O(n)", I.APPROACH),
    # ready to code
    ("let me code", I.READY_TO_CODE),
    ("I'll start coding", I.READY_TO_CODE),
    ("let me write it", I.READY_TO_CODE),
    ("OK I'm ready to code this up", I.READY_TO_CODE),
    ("let's implement it", I.READY_TO_CODE),
    ("I'm going to write the function now", I.READY_TO_CODE),
    # run tests
    ("run the tests", I.RUN_TESTS),
    ("let me test", I.RUN_TESTS),
    ("try again", I.RUN_TESTS),
    ("can you run the tests", I.RUN_TESTS),
    ("let me rerun it", I.RUN_TESTS),
    ("OK let's see if it works", I.RUN_TESTS),
    ("I'm done, can you run my code?", I.RUN_TESTS),
    # complexity claims
    ("I think it's O(n) time and O(1) space", I.COMPLEXITY_CLAIM),
    ("it's linear", I.COMPLEXITY_CLAIM),
    ("the time complexity is O(n log n) and space is O(n)", I.COMPLEXITY_CLAIM),
    ("o of n squared", I.COMPLEXITY_CLAIM),
    ("it runs in n log n because of the sort", I.COMPLEXITY_CLAIM),
    ("is it O(n)?", I.COMPLEXITY_CLAIM),
    # done
    ("I'm done", I.DONE),
    ("I think that's it", I.DONE),
    ("that's all I have", I.DONE),
    ("Done.", I.DONE),
    ("I think I'm finished", I.DONE),
    ("no, I don't have anything else", I.DONE),
    # other
    ("um", I.OTHER),
    ("hmm...", I.OTHER),
    ("wait, actually no, I'm lost", I.OTHER),
    ("I don't know, I'm stuck", I.OTHER),
    ("could you repeat the hint?", I.OTHER),
    ("what does the hint mean?", I.OTHER),
    ("I don't need a hint, thanks", I.OTHER),
    ("no hints please", I.OTHER),
    # asking for a hint (the hint button in words)
    ("can you give me a hint?", I.HINT_REQUEST),
    ("Hmm, I'm still confused. Can you give me a hint?", I.HINT_REQUEST),
    ("could I get another hint", I.HINT_REQUEST),
    ("hint please", I.HINT_REQUEST),
    ("I think I need a small hint", I.HINT_REQUEST),
    ("just give me a clue", I.HINT_REQUEST),
    ("any hints?", I.HINT_REQUEST),
    ("could you repeat the question?", I.OTHER),
    ("what's the answer", I.OTHER),
    ("I see, that makes sense", I.OTHER),
    ("hello", I.OTHER),
    ("I'm not done yet", I.OTHER),
    ("let me write the test cases first", I.OTHER),
    ("", I.OTHER),
]


@pytest.mark.parametrize(("text", "coach_line", "accepted"), [
    ("yes please", "Would a hint help? Ask for one and I'll give you the next.", True),
    ("Sure.", "Would you like a hint?", True),
    ("yeah, that would help", "Would a hint help?", True),
    ("no thanks", "Would a hint help?", False),
    ("yes but let me think first", "Would a hint help?", False),
    ("yes", "Hint 2 of 3: Given one number, what would its partner have to be?", False),
    ("yes", "Can you walk me through the first example?", False),
])
def test_yes_to_an_offered_hint(text: str, coach_line: str, accepted: bool) -> None:
    assert accepts_offered_hint(text, coach_line) is accepted


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier(Settings().coach.behavioral)


def test_the_table_is_big_enough() -> None:
    assert len(INTENTS) >= 40
    assert {intent for _, intent in INTENTS} == set(Intent)


@pytest.mark.parametrize(("text", "expected"), INTENTS)
def test_intent(classifier: IntentClassifier, text: str, expected: Intent) -> None:
    assert classifier.classify(text).intent == expected


@pytest.mark.parametrize(
    ("text", "is_question"),
    [
        ("can the list be empty", True),
        ("Are duplicates allowed?", True),
        ("okay, what about negative numbers", True),
        ("I'll use a set", False),
        ("the array is sorted. is that right?", True),
        ("um", False),
    ],
)
def test_is_question(classifier: IntentClassifier, text: str, is_question: bool) -> None:
    assert classifier.classify(text).is_question is is_question


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("wait, that's wrong", {Flag.CONFUSION}),
        ("actually no, hmm let me restart", {Flag.CONFUSION, Flag.THINKING}),
        ("I'm lost", {Flag.CONFUSION}),
        ("I'm not sure the list can be empty", {Flag.CONFUSION}),
        ("I see", {Flag.CONFIDENCE}),
        ("that makes sense, obviously we need a map", {Flag.CONFIDENCE}),
        ("the key insight is the complement", {Flag.CONFIDENCE}),
        ("um, uh", {Flag.THINKING}),
        ("hmmm", {Flag.THINKING}),
        ("I'll use... a map", {Flag.THINKING}),
        ("errr", {Flag.THINKING}),
        ("I don't know", {Flag.STUCK}),
        ("I’m stuck and confused, help", {Flag.STUCK}),
        ("I'll wait for the tests", {Flag.CONFUSION}),  # phrases, not meaning
        ("I'll await the helper result", set()),  # whole words only
        ("a stuckness", set()),
        ("the umbrella problem", set()),
        ("", set()),
    ],
)
def test_behavioural_flags(classifier: IntentClassifier, text: str, flags: set[Flag]) -> None:
    assert classifier.classify(text).flags == frozenset(flags)


def test_flags_come_from_the_settings_given() -> None:
    custom = BehavioralSettings(
        confusion_phrases=["je suis perdu"],
        confidence_phrases=["clearly"],
        thinking_sounds=["euh"],
        stuck_indicators=["no idea"],
    )
    classifier = IntentClassifier(custom)
    assert classifier.classify("euh, je suis perdu").flags == {Flag.THINKING, Flag.CONFUSION}
    assert classifier.classify("clearly, no idea").flags == {Flag.CONFIDENCE, Flag.STUCK}
    assert classifier.classify("wait, I'm stuck, um").flags == frozenset()
    assert classifier.classify("euhhh").intent == Intent.OTHER
    assert classifier.classify("euhhh").words == 0
    assert classifier.classify("um").words == 1  # not a thinking sound here
    empty = IntentClassifier(
        BehavioralSettings(
            confusion_phrases=[], confidence_phrases=[], thinking_sounds=[], stuck_indicators=[]
        )
    )
    assert empty.classify("um I'm stuck").flags == frozenset()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("um", 0),
        ("hmm... uh", 0),
        ("um I think we can use a map", 7),
        ("I'm done", 2),
        ("", 0),
    ],
)
def test_thinking_sounds_are_not_words(classifier: IntentClassifier, text: str, words: int) -> None:
    assert classifier.classify(text).words == words


@pytest.mark.parametrize(
    ("text", "only_sounds"),
    [
        ("um", True),
        ("Um...", True),
        ("hmm…", True),
        ("uh, um, hmmm", True),
        ("...", True),
        ("err", True),
        ("um, so", False),
        ("hmm, the list", False),
        ("umbrella", False),
        ("", False),
        ("   ", False),
    ],
)
def test_is_only_thinking_sounds(text: str, only_sounds: bool) -> None:
    assert is_only_thinking_sounds(text) is only_sounds


def test_is_only_thinking_sounds_with_other_sounds() -> None:
    assert is_only_thinking_sounds("euh", ["euh"])
    assert not is_only_thinking_sounds("um", ["euh"])
    assert not is_only_thinking_sounds("um", [])


def test_utterance_carries_the_claim(classifier: IntentClassifier) -> None:
    said = classifier.classify("So that's O(n) time and O(1) space")
    assert said.intent == Intent.COMPLEXITY_CLAIM
    assert said.complexity == ComplexityClaim("O(n)", "O(1)")
    assert said.text == "So that's O(n) time and O(1) space"
    assert classifier.classify("let me code").complexity is None


CLAIMS: list[tuple[str, tuple[str | None, str | None]]] = [
    ("O(n)", ("O(n)", None)),
    ("o of n", ("O(n)", None)),
    ("oh of n", ("O(n)", None)),
    ("big O of n log n", ("O(n log n)", None)),
    ("big-o of log n", ("O(log n)", None)),
    ("o of one", ("O(1)", None)),
    ("linear", ("O(n)", None)),
    ("it's linear time", ("O(n)", None)),
    ("it scales linearly", ("O(n)", None)),
    ("n log n", ("O(n log n)", None)),
    ("log-linear", ("O(n log n)", None)),
    ("log linear", ("O(n log n)", None)),
    ("quadratic", ("O(n^2)", None)),
    ("n squared", ("O(n^2)", None)),
    ("o of n squared", ("O(n^2)", None)),
    ("constant space", (None, "O(1)")),
    ("in constant time", ("O(1)", None)),
    ("it's constant", ("O(1)", None)),
    ("a constant factor", (None, None)),
    ("logarithmic", ("O(log n)", None)),
    ("O(n^2)", ("O(n^2)", None)),
    ("O(n²)", ("O(n^2)", None)),
    ("O(n**2)", ("O(n^2)", None)),
    ("O(N log N)", ("O(n log n)", None)),
    ("O(n log(n))", ("O(n log n)", None)),
    ("O(log n)", ("O(log n)", None)),
    ("O(1)", ("O(1)", None)),
    ("O(2n)", ("O(n)", None)),
    ("O(2^n)", ("worse", None)),
    ("O(2**n)", ("worse", None)),
    ("O(n!)", ("worse", None)),
    ("O(n^3)", ("worse", None)),
    ("exponential", ("worse", None)),
    ("cubic", ("worse", None)),
    ("O(n) time and O(1) space", ("O(n)", "O(1)")),
    ("O(1) extra space and O(n) time", ("O(n)", "O(1)")),
    ("O(n) time and space", ("O(n)", "O(n)")),
    ("time and space are both O(n)", ("O(n)", "O(n)")),
    ("O(n) and O(1)", ("O(n)", "O(1)")),
    ("the time complexity is O(n log n) and space is O(n)", ("O(n log n)", "O(n)")),
    ("linear time, constant memory", ("O(n)", "O(1)")),
    ("it was quadratic, now it's linear", ("O(n)", None)),
    ("I need O(n) extra space for the map. Overall it's O(n log n)", ("O(n log n)", "O(n)")),
    ("the time is O(n log n) because sorting is O(n log n)", ("O(n log n)", None)),
    ("O(h)", (None, None)),
    ("the loop runs n times", (None, None)),
    ("nothing to see here", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), CLAIMS)
def test_parse_complexity_claim(text: str, expected: tuple[str | None, str | None]) -> None:
    claim = parse_complexity_claim(text)
    assert claim == expected
    assert (claim.time, claim.space) == expected
    for cls in claim:
        assert cls is None or cls in COMPLEXITY_CLASSES
