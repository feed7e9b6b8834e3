"""Clarifying questions map to the pack's topics, paraphrases included, and
the answer is the pack's fact; a topic the pack is silent on gets the
interviewer's "what would you assume?"."""

from __future__ import annotations

import pytest

from mock_interviewer_lab.interview.rules.clarify import (
    OPEN_TOPIC,
    answer_clarification,
    topics_asked,
)
from mock_interviewer_lab.problems.model import CLARIFICATION_TOPICS
from mock_interviewer_lab.problems.registry import ProblemRegistry

#: Ways candidates ask about each topic. None of them is a pack's wording.
PARAPHRASES: dict[str, tuple[str, ...]] = {
    "negatives": ("Can the numbers be negative?", "Could some values be below zero?",
                  "Will I see anything less than zero in there?"),
    "zero": ("Can there be zeros?", "Is zero a possible value?"),
    "sorted": ("Is the input sorted?", "Does it come in ascending order?",
               "Are they already in some order when I get them?"),
    "duplicates": ("Can values repeat?", "Are there duplicates?", "Is every value distinct?"),
    "empty": ("Can the input be empty?", "What if I get nothing, zero length?"),
    "single": ("What if there's only one element?", "Could the input be a single item?"),
    "size": ("How big can the input get?", "What's the maximum size of the input?",
             "Roughly how many items are we talking about?"),
    "value_range": ("How large can the values be?", "Do I need to worry about overflow?"),
    "no_answer": ("What if there's no valid answer?", "What should happen when it's impossible?"),
    "multiple_answers": ("What if there are multiple solutions?", "Could several answers be valid?"),
    "modify_input": ("Am I allowed to modify the input?", "Can I change it in place?"),
    "output_order": ("Does the order of the output matter?", "Should the result be sorted?"),
    "output_format": ("What should I return exactly?", "What's the return type?"),
    "same_element": ("Can I use the same element twice?", "Is it ok to reuse one more than once?"),
    "charset": ("What characters can appear?", "Is it only ASCII or any Unicode?"),
    "case": ("Is it case sensitive?", "Do uppercase and lowercase count as different?"),
    "cycles": ("Can there be a cycle?", "What if something depends on itself?"),
    "connectivity": ("Are diagonal cells connected?", "Can there be separate components?"),
    "shape": ("Is the tree balanced?", "Is it always rectangular?"),
    "integers": ("Are they integers only, or floats too?", "Could there be decimals?"),
    "boundaries": ("What about ones that just touch?", "What happens at the border?"),
    "definition": ("What exactly counts as a match here?", "Does it have to be contiguous?"),
    "complexity_target": ("What complexity are you looking for?", "How fast does it need to be?"),
}

PROBLEMS = ProblemRegistry.discover(installed=False).problems()
CASES = [(p, topic) for p in PROBLEMS for topic in p.spec.clarifications]


def test_every_topic_has_paraphrases() -> None:
    assert set(PARAPHRASES) == set(CLARIFICATION_TOPICS)


@pytest.mark.parametrize("topic", sorted(PARAPHRASES))
def test_paraphrases_map_to_their_topic_first(topic: str) -> None:
    for question in PARAPHRASES[topic]:
        assert topics_asked(question)[:1] == [topic], question


@pytest.mark.parametrize(("problem", "topic"), CASES, ids=[f"{p.id}-{t}" for p, t in CASES])
def test_each_pack_fact_comes_back_for_a_paraphrase(problem: object, topic: str) -> None:
    from mock_interviewer_lab.problems.loader import Problem

    assert isinstance(problem, Problem)
    fact = problem.spec.clarifications[topic]
    for question in PARAPHRASES[topic]:
        answer = answer_clarification(problem, question)
        assert answer is not None and answer.answered[:1] == (topic,), question
        assert fact.strip() in answer.text, question


def test_two_topics_in_one_question_are_both_answered() -> None:
    two_sum = next(p for p in PROBLEMS if p.id == "two_sum")
    answer = answer_clarification(
        two_sum, "So I find two numbers adding to target and return where they are. "
                 "Could the list have negative numbers, or zeros?")
    assert answer is not None and answer.answered == ("negatives", "zero")
    assert two_sum.spec.clarifications["negatives"] in answer.text
    assert two_sum.spec.clarifications["zero"] in answer.text


def test_a_topic_the_pack_is_silent_on_is_left_to_the_candidate() -> None:
    valid = next(p for p in PROBLEMS if p.id == "valid_parentheses")
    assert "negatives" not in valid.spec.clarifications
    answer = answer_clarification(valid, "Can the values be negative?")
    assert answer is not None and answer.answered == () and answer.open == ("negatives",)
    assert answer.text == OPEN_TOPIC


def test_a_question_on_no_topic_gets_no_fact() -> None:
    two_sum = next(p for p in PROBLEMS if p.id == "two_sum")
    assert answer_clarification(two_sum, "Can I think out loud for a moment?") is None


def test_a_fact_asked_again_is_said_again_in_other_words() -> None:
    from mock_interviewer_lab.coach.scripted import ScriptedCoach
    from mock_interviewer_lab.events import Event
    from mock_interviewer_lab.interview.orchestrator import Orchestrator
    from mock_interviewer_lab.problems.registry import ProblemRegistry

    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    orch = Orchestrator(problem, coach=ScriptedCoach())
    said: list[str] = []
    for seq, (t, type_, data) in enumerate([
            (0.0, "session_started", {}),
            (30.0, "candidate_said", {"text": "Can the numbers be negative?"}),
            (60.0, "candidate_said", {"text": "Sorry, could some values be below zero?"}),
            (90.0, "candidate_said", {"text": "And negatives, once more: are they allowed?"})]):
        for action in orch.handle(Event(type=type_, t=t, data=data, seq=seq)):  # type: ignore[arg-type]
            if action.type == "coach_says":
                said.append(action.data["text"])
    fact = problem.spec.clarifications["negatives"]
    answers = said[1:]
    assert len(answers) == 3 and all(fact in a for a in answers)
    assert len(set(answers)) == 3, answers


@pytest.mark.parametrize("question", ["Should I sort them?", "Can I sort it first?",
                                      "Would sorting help here?"])
def test_proposing_to_sort_asks_no_fact(question: str) -> None:
    """The verb proposes a step of the candidate's own: it is not a question
    about the input (a guess at the approach is the fishing detector's)."""
    assert "sorted" not in topics_asked(question)


#: Paraphrases written apart from the pack's wording and the table above.
MORE_PARAPHRASES: dict[str, list[str]] = {
 "negatives": ["Could some values be below zero?", "Are negative numbers allowed?", "Might an entry be less than 0?", "Do I need to handle values under zero?", "Can the numbers go negative?", "Will I ever see a minus sign in the input?"],
 "zero": ["Can a value be exactly 0?", "Could zeros show up in the list?", "Is 0 a possible value?"],
 "sorted": ["Is there any ordering to the heights when I get them?", "Is the input already in order?", "Do the numbers come sorted?", "Are the intervals arranged by start time?", "Is the array presorted?", "Can I assume the list is in ascending order?", "Is the data ordered in any way?"],
 "duplicates": ["Can the same value appear twice?", "Are all the numbers distinct?", "Could there be repeated entries?", "Might two elements be equal?", "Are values unique?"],
 "empty": ["Is a zero-length input possible?", "Could the list have no elements at all?", "What if I get an empty array?", "Can the input be empty?", "Might the string be blank?", "What happens with no input?"],
 "single": ["What if there's only one element?", "Can the list have just a single number?", "Could the array be of length one?"],
 "size": ["How long can the list get?", "What's the maximum input size?", "How many elements at most?", "Roughly how big is n?", "How large can the input be?"],
 "value_range": ["What range do the intervals fall in?", "How big can the numbers get?", "What are the bounds on each value?", "Could the values be really large, like beyond 32-bit?", "What's the largest value an element can take?", "What are the min and max values?"],
 "no_answer": ["What if no pair adds up?", "What should I return when there's no solution?", "What if it's impossible?", "What if nothing matches?"],
 "multiple_answers": ["What if more than one pair works?", "If several answers exist, which one do you want?", "Could there be multiple valid solutions?"],
 "modify_input": ["Am I allowed to change the input array?", "Can I sort the input in place?", "Is it OK to mutate the list?", "May I overwrite the grid?"],
 "output_order": ["Does the order of the output matter?", "Should the result be sorted?", "Can I return the indices in any order?"],
}

@pytest.mark.parametrize(("topic", "question"), [
    (topic, q) for topic, qs in MORE_PARAPHRASES.items() for q in qs])
def test_more_paraphrases_reach_their_topic(topic: str, question: str) -> None:
    assert topic in topics_asked(question)


def test_a_question_about_the_input_is_answered_not_redirected_as_fishing() -> None:
    from mock_interviewer_lab.coach.scripted import ScriptedCoach
    from mock_interviewer_lab.events import Event
    from mock_interviewer_lab.interview.orchestrator import Orchestrator
    from mock_interviewer_lab.problems.registry import ProblemRegistry

    problem = ProblemRegistry.discover(installed=False).get("longest_substring_without_repeating")
    orch = Orchestrator(problem, coach=ScriptedCoach())
    orch.handle(Event(type="session_started", t=0, seq=0))
    actions = orch.handle(Event(type="candidate_said", t=30, seq=1, data={
        "text": "Is it just letters, or could there be digits and symbols too?"}))
    assert not [a for a in actions if a.type == "fishing_redirected"]
    said = [a.data["text"] for a in actions if a.type == "coach_says"]
    assert said and problem.spec.clarifications["charset"] in said[-1]


@pytest.mark.parametrize(("topic", "question"), [
    ("value_range", "Is there a bound on how big each value can be?"),
    ("value_range", "How large can a single number get?"),
    ("size", "How big can the input be?"),
    ("output_format", "What exactly should the function return?"),
])
def test_how_big_each_value_is_not_the_input_size(topic: str, question: str) -> None:
    assert topics_asked(question)[:1] == [topic]
    assert topic == "size" or "size" not in topics_asked(question)
