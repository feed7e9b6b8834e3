"""Replies a candidate can take: the rules (interview/rules/replies.py) on
their own, and the gate of the LLM coach against a real OpenAI-compatible
server on loopback (tests/fake_llm_server.py): a reply that breaks a rule is
asked again once, with a note saying what was wrong; twice, and the scripted
coach answers that turn, visibly (coach_fallback, reason "rejected")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mock_interviewer_lab.coach.reply_gate import prompt_texts, run_facts
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.evaluation.grading import RuleBasedGrader
from mock_interviewer_lab.evaluation.runner import EvalReport, ScenarioResult, Transcript
from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.rules.replies import (
    ReplyFacts,
    answers_question,
    check_reply,
    problem_texts,
)
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.kernel.panel import Panel
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

from .fake_llm_server import FakeLlmServer, Text
from .test_llm_coach import Pushed, last
from .test_llm_coach import start as start_llm

RIGHT = ("def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
         "        if target - x in seen:\n            return [seen[target - x], i]\n"
         "        seen[x] = i\n    return []\n")
NESTED = ("def two_sum(nums, target):\n    for i in range(len(nums)):\n"
          "        for j in range(i + 1, len(nums)):\n"
          "            if nums[i] + nums[j] == target:\n                return [i, j]\n"
          "    return []\n")
GOOD = "Which inputs would you try first?"


@pytest.fixture(scope="module")
def two_sum(builtin_registry: ProblemRegistry) -> Problem:
    return builtin_registry.get("two_sum")


def kinds(text: str, f: ReplyFacts) -> set[str]:
    return {v.kind for v in check_reply(text, f)}


def base_facts(problem: Problem, **kw: Any) -> ReplyFacts:
    instructions, examples = prompt_texts()
    return ReplyFacts(instructions=instructions, allowed=(*problem_texts(problem), *examples), **kw)


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize("text", [
    "The candidate has understood the problem and is ready to proceed.",
    "The user seems to be stuck on the loop.",
    "It looks like the interviewee wants a hint.",
    "Now ask them to walk through an example.",
    "Their approach checks every pair.",
    "She has written a nested loop.",
    "Maybe the coder should try a smaller example.",
    "They seem confident about the approach.",
])
def test_third_person_is_found(two_sum: Problem, text: str) -> None:
    assert "third_person" in kinds(text, base_facts(two_sum))


@pytest.mark.parametrize("text", [
    "The interview moved to the reflection phase.",
    "We are now in the testing phase, so open it with a question.",
    "Interviewer: what would you try first?",
    "As noted in my notes, you have ten minutes.",
])
def test_engine_talk_and_role_labels_are_echoes(two_sum: Problem, text: str) -> None:
    assert "instruction_echo" in kinds(text, base_facts(two_sum))


def test_an_echo_is_found_by_overlap_with_the_texts_given(two_sum: Problem) -> None:
    given = ("Now: greet the person warmly, state the exercise title and invite a restatement "
             "in plain words before any code.")
    f = ReplyFacts(instructions=(given,), allowed=problem_texts(two_sum))
    echo = "Greet the person warmly, state the exercise title and invite a restatement."
    assert "instruction_echo" in kinds(echo, f)
    # Not in the texts given: the same words are no echo.
    assert "instruction_echo" not in kinds(echo, ReplyFacts(allowed=problem_texts(two_sum)))
    # A template's slot stands for the words put in it.
    f = ReplyFacts(instructions=("the {phase} part of the interview starts: ask its first "
                                 "question.",))
    assert "instruction_echo" in kinds("The reflection part of the interview starts.", f)
    # An example phrasing the instructions quote may be said.
    f = ReplyFacts(instructions=('A good reply looks like: "Take your time. What are you '
                                 'thinking about right now?"',))
    assert not kinds("Take your time. What are you thinking about right now?", f)


@pytest.mark.parametrize("text", [
    "Hello! Welcome, [Candidate's Name].",
    "Welcome <name>, today we solve Two Sum.",
    "Hi {candidate}, shall we start?",
    "I see something on line X, can you trace it?",
])
def test_placeholders_are_found(two_sum: Problem, text: str) -> None:
    assert "placeholder" in kinds(text, base_facts(two_sum))


def test_lists_and_indexing_are_no_placeholders(two_sum: Problem) -> None:
    f = base_facts(two_sum)
    assert not kinds("What does nums[i] hold when the target is 9 for [2, 7, 11, 15]?", f)


def test_a_long_reply_is_too_long(two_sum: Problem) -> None:
    long = " ".join(["Think about the loop and what each step keeps."] * 6)
    assert "too_long" in kinds(long, base_facts(two_sum))


def test_line_numbers_come_from_the_records(two_sum: Problem) -> None:
    claim = "I see an issue on line 3, can you trace through it?"
    passed = base_facts(two_sum, code=RIGHT, run_failed=False)
    found = check_reply(claim, passed)
    assert {v.kind for v in found} == {"invented_fact"} and len(found) == 2  # the line, the bug
    # A failing test's line, or an analyzer finding's, supports both.
    failing = base_facts(two_sum, code=RIGHT, run_failed=True, failing_lines=frozenset({3}))
    assert not kinds(claim, failing)
    finding = base_facts(two_sum, code=RIGHT, run_failed=False, has_findings=True,
                         finding_lines=frozenset({3}))
    assert not kinds(claim, finding)
    # So does the candidate naming the line.
    said = ReplyFacts(allowed=("I think line 3 is wrong",), code=RIGHT, run_failed=True)
    assert not kinds("What happens on line 3 when the list is empty?", said)
    assert "invented_fact" in kinds("Look again at line 40.", said)


@pytest.mark.parametrize("text", [
    "There's a bug in your loop.",
    "Your code fails for negative numbers.",
    "Your function has a subtle error when the list is empty.",
    "I noticed a mistake in how you store indices.",
    "The second example still fails.",
])
def test_a_bug_after_a_clean_run_is_invented(two_sum: Problem, text: str) -> None:
    clean = base_facts(two_sum, code=RIGHT, run_failed=False)
    assert "invented_fact" in kinds(text, clean)
    assert "invented_fact" not in kinds(text, base_facts(two_sum, code=RIGHT, run_failed=True))


def test_a_pass_after_a_failing_run_is_invented(two_sum: Problem) -> None:
    failed = base_facts(two_sum, code=RIGHT, run_failed=True)
    assert "invented_fact" in kinds("All the tests pass, well done.", failed)
    assert not kinds("All the tests pass, well done.", base_facts(two_sum, run_failed=False))


@pytest.mark.parametrize("text", [
    "Your solution is within the running time requirement.",
    "That nested loop is efficient.",
    "O(n^2) is optimal here, nice work.",
    "This is as good as it gets.",
    "Your code is already optimized.",
    "That's a well-optimised approach.",
])
def test_a_slow_solution_called_efficient_is_invented(two_sum: Problem, text: str) -> None:
    slow = base_facts(two_sum, code=NESTED, run_failed=False, solution_class="O(n^2)",
                      expected_class="O(n)")
    assert "invented_fact" in kinds(text, slow)
    fast = base_facts(two_sum, code=RIGHT, run_failed=False, solution_class="O(n)",
                      expected_class="O(n)")
    if "O(n^2)" not in text:
        assert "invented_fact" not in kinds(text, fast)


def test_what_a_good_reply_says_passes(two_sum: Problem) -> None:
    slow = base_facts(two_sum, code=NESTED, run_failed=False, solution_class="O(n^2)",
                      expected_class="O(n)")
    for text in ("What's the time and space complexity of your solution?",
                 "Your solution passes; could you make it more efficient?",
                 "Is O(n^2) the best you can do here?",
                 "It could be optimized further.", "You haven't optimized it yet.",
                 "Welcome! Today's problem is Two Sum. Could you explain it back in your own words?",
                 "Can you walk me through an example?", "They sum to the target, right?",
                 "What would you do if a test fails?"):
        assert not check_reply(text, slow), text


def test_a_question_is_answered_or_not(two_sum: Problem) -> None:
    facts = dict(two_sum.spec.clarifications)
    question = "Is the input list sorted?"
    assert answers_question(question, "No, the list is in no particular order.", facts)
    assert answers_question(question, "The order is arbitrary, so plan for any order.", facts)
    # Where the pack states the fact, "what would you assume?" is no answer; where
    # it is silent, what to assume is the answer.
    assert not answers_question(question, "Good question: what would you assume?", facts)
    assert answers_question("Can I reuse an element?", "Worth deciding: what would you assume?", {})
    assert not answers_question(question, "What would you try first?", facts)
    assert not answers_question(question, "", facts)


def test_run_facts_read_failures_lines_and_a_reliable_class() -> None:
    run = {"passed": 1, "total": 2, "cases": [
        {"status": "passed"}, {"status": "error", "line": 4, "message": "IndexError on line 5"}],
        "complexity": {"estimated": "O(n^2)", "reliable": True}}
    assert run_facts(run) == (True, frozenset({4, 5}), "O(n^2)")
    assert run_facts(None) == (None, frozenset(), None)


# ------------------------------------------------------------------ gate


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


@pytest.fixture(autouse=True)
def fresh_server(server: FakeLlmServer) -> None:
    server.reset(default=Text("Welcome! Let's work on Two Sum. How do you read the problem?"))


def start(server: FakeLlmServer, problem: Problem, harness: SyncHarness | None = None
          ) -> tuple[InterviewSession, Pushed, FakeClock]:
    return start_llm(server, harness, problem, timeout_s=15)  # a loaded machine is slow


def note_of(request: dict[str, Any]) -> str:
    return str(request["messages"][-1]["content"])


#: One bad reply per rule, each at the session's start (no code yet).
BAD_AT_START = {
    "third_person": "The candidate should explain the problem back first.",
    "instruction_echo": "The interview moved to the intro phase. Open it with a question.",
    "placeholder": "Hello! Welcome, [Your Name]. Today's problem is Two Sum.",
    "invented_fact": "I see a bug on line 2 of your code. Can you trace it?",
}
QUESTION = "Can the numbers be negative?"
#: The words of each that break the rule.
MARKS = {"third_person": "The candidate should", "instruction_echo": "interview moved",
         "placeholder": "[Your Name]", "invented_fact": "bug on line 2"}


@pytest.mark.parametrize("kind", sorted(BAD_AT_START))
def test_a_bad_reply_is_asked_again_and_the_second_stands(
        server: FakeLlmServer, two_sum: Problem, kind: str) -> None:
    server.push(Text(BAD_AT_START[kind]), Text("Welcome! How do you read the problem?"))
    session, _, _ = start(server, two_sum)
    records = session.records()
    assert len(server.requests) == 2
    says = last(records, "coach_says").data
    assert says["text"] == "Welcome! How do you read the problem?"
    assert says["fallback"] is False and says["usage"]["attempts"] == 2
    assert len(says["usage"]["rejected"]) == 1
    assert says["usage"]["rejected"][0].startswith(kind.replace("_", " "))
    assert not [r for r in records if r.type in ("coach_fallback", "leak_blocked")]
    # The retry says what was wrong; nothing of the bad reply was shown.
    assert "could not be used" in note_of(server.requests[1])
    assert MARKS[kind] in note_of(server.requests[1])
    assert "could not be used" not in note_of(server.requests[0])
    shown = " ".join(str(r.data.get("text", "")) for r in records)
    assert MARKS[kind] not in shown and "Hello" not in shown


@pytest.mark.parametrize("kind", sorted(BAD_AT_START))
def test_twice_bad_and_the_scripted_coach_answers_visibly(
        server: FakeLlmServer, two_sum: Problem, kind: str) -> None:
    session, pushed, clock = start(server, two_sum)
    server.push(Text(BAD_AT_START[kind]), Text(BAD_AT_START[kind]))
    clock.set(30)
    session.say(QUESTION)
    records = session.records()
    assert len(server.requests) == 3  # the intro, then this turn twice
    notice = last(records, "coach_fallback").data
    assert notice["reason"] == "rejected" and notice["coach"] == "scripted"
    assert kind.replace("_", " ") in notice["detail"]
    assert "scripted coach replied" in notice["message"]
    says = last(records, "coach_says").data
    # The same moment with the scripted coach alone says the same words.
    scripted_clock = FakeClock()
    scripted = InterviewSession.start(SessionStore(MEMORY), two_sum, Settings(), harness=None,
                                      clock=scripted_clock, coach=ScriptedCoach())
    scripted_clock.set(30)
    scripted.say(QUESTION)
    expected = last(scripted.records(), "coach_says").data["text"]
    assert (says["text"], says["coach"], says["fallback"]) == (expected, "scripted", True)
    assert not pushed.of("coach_partial")
    panel = Panel(two_sum.public_view())
    for action in pushed.actions:
        panel.apply(action.to_dict())
    assert notice["message"] in panel.status.value
    panel.close()


def test_a_bad_sentence_after_a_shown_one_is_dropped(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, pushed, clock = start(server, two_sum)
    server.push(Text("Welcome to Two Sum. The candidate should now restate it. And then?"))
    clock.set(30)
    session.say(QUESTION)
    says = last(session.records(), "coach_says").data
    assert len(server.requests) == 2  # already shown: no second voice
    assert says["text"] == "Welcome to Two Sum." and says["fallback"] is False
    assert says["usage"]["rejected"][0].startswith('dropped "The candidate should')
    assert [a.data["text"] for a in pushed.of("coach_partial")] == ["Welcome to Two Sum."]


def test_claims_are_judged_against_the_latest_run(
        server: FakeLlmServer, harness: SyncHarness, two_sum: Problem) -> None:
    session, _, clock = start(server, two_sum, harness)
    # The code passes every test: a bug on a line is invented.
    server.push(Text("I see an issue on line 3, can you trace through it?"),
                Text("Nice, every test passes. What does it cost as the list grows?"))
    clock.set(300)
    session.submit(RIGHT)
    assert last(session.records(), "show_results").data["failed"] == 0
    says = last(session.records(), "coach_says").data
    assert says["text"].startswith("Nice, every test passes.") and not says["fallback"]
    assert "line 3" in says["usage"]["rejected"][0]
    assert "passed every test" in says["usage"]["rejected"][0]
    # And so is calling a quadratic solution efficient where linear is expected.
    server.push(Text("Your O(n^2) solution is efficient and within the time requirement."),
                Text("What would you say it costs in time and space?"))
    clock.set(330)
    session.say("I'm not sure what to do next.")
    says = last(session.records(), "coach_says").data
    assert says["text"] == "What would you say it costs in time and space?"
    assert "O(n^2)" in says["usage"]["rejected"][0]


def test_a_class_said_to_be_the_solutions_must_be_its_own(two_sum: Problem) -> None:
    slow = base_facts(two_sum, code=NESTED, run_failed=False, solution_class="O(n^2)",
                      expected_class="O(n)")
    assert "invented_fact" in kinds("Your solution runs in O(n) time.", slow)
    assert not kinds("Your solution runs in O(n^2) time. Can you do better?", slow)
    # Unknown: nothing to contradict.
    assert not kinds("Your solution runs in O(n) time.", base_facts(two_sum, code=NESTED))


# ------------------------------------------------------------------ eval


def graded(problem: Problem, records: list[Event | Action],
           tags: dict[int, frozenset[str]] | None = None) -> EvalReport:
    t = Transcript(scenario="hand-made", persona="none", problem=problem, coach="none",
                   settings=Settings(), minutes=45, records=tuple(records), tags=tags or {})
    return EvalReport(coach="none", grader="rule-based", candidates="none",
                      scenarios=(ScenarioResult(t, tuple(RuleBasedGrader().grade(t))),),
                      seconds=0.0)


def test_the_eval_counts_each_defect_with_the_same_rules(two_sum: Problem) -> None:
    passing = {"passed": 9, "failed": 0, "total": 9, "cases": [], "complexity": None}
    records: list[Event | Action] = [
        Event("session_started", 0.0, {"coach": {"helpfulness": "balanced"}}, seq=0),
        Action("coach_says", 0.0, {"text": "The interview moved to the intro phase.",
                                   "kind": "intro"}, seq=1, cause=0),
        Event("candidate_said", 30.0, {"text": "Is the input list sorted?"}, seq=2),
        Action("coach_says", 30.0, {"text": "The candidate asks a good question. What would you "
                                    "try first?", "kind": "question"}, seq=3, cause=2),
        Event("candidate_said", 60.0, {"text": "Can the numbers be negative?"}, seq=4),
        Event("code_submitted", 300.0, {"code": RIGHT}, seq=5),
        Action("show_results", 301.0, passing, seq=6, cause=5),
        Action("coach_says", 301.0, {"text": "I see an issue on line 3, can you trace it?",
                                     "kind": "question"}, seq=7, cause=5),
        Action("coach_says", 330.0, {"text": "What does it cost as the list grows?",
                                     "kind": "complexity"}, seq=8),
    ]
    report = graded(two_sum, records, {2: frozenset({"clarifying", "topic:sorted"}),
                                       4: frozenset({"clarifying", "topic:negatives"})})
    assert report.defects() == {"leaks": 0, "instruction echoes": 1, "third-person replies": 1,
                                "invented facts": 1, "questions left unanswered": 2}
    checks = {c.id: c for c in report.scenarios[0].checks}
    assert "line 3" in checks["no_invented_facts"].evidence[0].why
    assert [e.why for e in checks["questions_answered"].evidence] == [
        "asked 'Is the input list sorted?': the reply does not speak to it",
        "no reply to a clarifying question"]
    assert report.as_dict()["defects"]["questions left unanswered"] == 2
    # The same lines said well: no defect.
    good = [r for r in records if r.seq not in (1, 3, 7)] + [
        Action("coach_says", 0.0, {"text": "Welcome! How do you read the problem?",
                                   "kind": "intro"}, seq=1, cause=0),
        Action("coach_says", 30.0, {"text": "No, it is in no particular order.",
                                    "kind": "question"}, seq=3, cause=2),
        Action("coach_says", 60.0, {"text": "Yes, they can be negative.", "kind": "question"},
               seq=9, cause=4),
        Action("coach_says", 301.0, {"text": "Every test passes. What would you test next?",
                                     "kind": "question"}, seq=7, cause=5)]
    good.sort(key=lambda r: (r.t, r.seq or 0))
    report = graded(two_sum, good, {2: frozenset({"clarifying", "topic:sorted"}),
                                    4: frozenset({"clarifying", "topic:negatives"})})
    assert set(report.defects().values()) == {0}
