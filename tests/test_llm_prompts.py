"""What the LLM coach sends a model, shaped for small ones: the interview as
chat turns under a short system message, tool calls a model writes as text
read and run (never shown), and the tools' facts in the context of a model
that cannot call tools. Against tests/fake_llm_server.py on loopback, on the
real harness (two_sum)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mock_interviewer_lab.coach.factory import build_coach
from mock_interviewer_lab.coach.llm import LlmCoach
from mock_interviewer_lab.coach.llm_tools import TextToolCalls, parse_text_tool_calls
from mock_interviewer_lab.coach.prompts import COMPACT_PROMPT, OPENING_TURN
from mock_interviewer_lab.events import Action, Record
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import parse_settings
from mock_interviewer_lab.store import MEMORY, SessionStore

from .fake_llm_server import FakeLlmServer, Status, Text
from .test_llm_coach import HIDDEN_MARKS, REFERENCE_LINES, llm_settings


@pytest.fixture(scope="module")
def loopback() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


@pytest.fixture
def server(loopback: FakeLlmServer) -> FakeLlmServer:
    """The loopback server, its queue and its requests emptied for the test."""
    loopback.reset(default=Text("Welcome! Today's problem is Two Sum. How do you read it?"))
    return loopback


@pytest.fixture
def two_sum(builtin_registry: ProblemRegistry) -> Problem:
    return builtin_registry.get("two_sum")


WRONG = "def two_sum(nums, target):\n    for i in range(len(nums)):\n        pass\n" \
        "    return [0, 1]\n"
QWEN_CALL = '<tool_call>\n{"name": "run_tests", "arguments": {}}\n</tool_call>'


def start(server: FakeLlmServer, harness: SyncHarness | None, problem: Problem,
          **llm: Any) -> tuple[InterviewSession, list[Action], FakeClock]:
    settings = llm_settings(server, **llm)
    coach = build_coach("llm", settings, runner=harness, problem=problem)
    clock = FakeClock()
    session = InterviewSession.start(SessionStore(MEMORY), problem, settings, harness=harness,
                                     clock=clock, coach=coach)
    pushed: list[Action] = []
    session.listeners.append(pushed.append)
    return session, pushed, clock


def coach_texts(pushed: list[Action], records: list[Record]) -> list[str]:
    """Every text of the coach's the candidate was shown: its partials as they
    streamed, and its replies."""
    return [a.data["text"] for a in pushed if a.type == "coach_partial"] + [
        r.data["text"] for r in records if r.type == "coach_says"]


def secrets(problem: Problem) -> tuple[str, ...]:
    return (*REFERENCE_LINES, *HIDDEN_MARKS, *problem.hints.never_say,
            *problem.hints.level(2), *problem.hints.level(3))


# ------------------------------------------------------------------ turns


def test_the_model_sees_the_interview_as_turns(server: FakeLlmServer, two_sum: Problem) -> None:
    session, _, clock = start(server, None, two_sum)
    intro = server.requests[-1]["messages"]
    # The welcome: the instructions and notes, then the candidate arriving.
    assert [m["role"] for m in intro] == ["system", "user"]
    assert intro[1]["content"] == OPENING_TURN
    system = intro[0]["content"]
    assert system.startswith(COMPACT_PROMPT.split("{title}")[0])
    assert 'A good reply looks like: "Hi, welcome! Today\'s problem is Two Sum.' in system
    server.push(Text("Good question. Can you say what you would assume?"))
    clock.set(40)
    session.say("Can the numbers be negative?")
    clock.set(80)
    session.say("I would check every pair first.")
    clock.set(90)
    session.say("Then return the two indices.")
    messages = server.requests[-1]["messages"]
    # The records up to the last candidate line, as turns: one side's lines
    # in a row joined (a reply that never came leaves two user lines).
    expected: list[tuple[str, str]] = [("user", OPENING_TURN)]
    for r in session.records():
        if r.type in ("coach_says", "candidate_said"):
            role = "user" if r.type == "candidate_said" else "assistant"
            if expected[-1][0] == role:
                expected[-1] = (role, expected[-1][1] + "\n" + r.data["text"])
            else:
                expected.append((role, r.data["text"]))
    while expected[-1][0] != "user":
        expected.pop()
    assert [(m["role"], m["content"]) for m in messages[1:]] == expected
    assert expected[2:4] == [("user", "Can the numbers be negative?"),
                             ("assistant", "Good question. Can you say what you would assume?")]
    assert expected[-1][1].endswith("Then return the two indices.")
    # The state is a note in the system message, never the last user turn;
    # the transcript is not repeated there as a report.
    notes = messages[0]["content"]
    assert "YOUR NOTES (for you only; never read them out)" in notes
    assert "Now: answer what they just said." in notes
    assert "Can the numbers be negative?" not in notes
    assert "TRANSCRIPT" not in json.dumps(messages)
    # The instructions stay short: a small model keeps a few sentences.
    head = COMPACT_PROMPT.format(title="Two Sum", tone="neutral and concise", tools="")
    assert len(head.split()) < 130


def test_a_clarifying_question_gets_its_fact_as_the_example(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, _, clock = start(server, None, two_sum)
    clock.set(40)
    session.say("Is the input list sorted?")
    notes = server.requests[-1]["messages"][0]["content"]
    fact = two_sum.spec.clarifications["sorted"]
    assert f'A good reply looks like: "{fact} Anything else' in notes
    assert f"They just asked about: sorted ({fact}). Answer that first." in notes
    clock.set(80)
    session.say("And can there be duplicates?")
    notes = server.requests[-1]["messages"][0]["content"]
    # The questions asked so far, with their answers, stay in the notes.
    assert f"sorted ({fact}); duplicates ({two_sum.spec.clarifications['duplicates']})" in notes


# --------------------------------------------------------- text tool calls


def test_a_tool_call_written_as_text_is_run_and_never_shown(
        server: FakeLlmServer, harness: SyncHarness, two_sum: Problem) -> None:
    session, pushed, clock = start(server, harness, two_sum)
    server.push(Text("Let me look at that. " + QWEN_CALL),
                Text('```json\n{"name": "analyze_code", "arguments": {}}\n```'),
                Text("What does your function return for the second example?"))
    clock.set(200)
    session.submit(WRONG)
    # The intro, then three calls for the test results: two with a call in text.
    assert len(server.requests) == 4
    replies = server.requests[3]["messages"]
    tool_results = [json.loads(m["content"]) for m in replies if m["role"] == "tool"]
    assert [m.get("tool_calls", [{}])[0]["function"]["name"] for m in replies
            if m["role"] == "assistant" and m.get("tool_calls")] == ["run_tests", "analyze_code"]
    assert (tool_results[0]["passed"], tool_results[0]["total"]) == (2, 9)
    assert "findings" in tool_results[1]
    # What the model said around the call stays in its turn; the JSON does not.
    first_turn = next(m for m in replies if m.get("tool_calls"))
    assert first_turn["content"] == "Let me look at that."
    says = [r for r in session.records() if r.type == "coach_says"][-1].data
    assert says["text"] == ("Let me look at that. What does your function return for the "
                            "second example?")
    assert says["usage"]["tools"] == ["run_tests", "analyze_code"]
    assert says["usage"]["text_tool_calls"] == 2 and says["usage"]["tools_offered"] is True
    for text in coach_texts(pushed, session.records()):
        for mark in ("tool_call", '"name"', "analyze_code", "run_tests", "```"):
            assert mark not in text, (mark, text)


def test_reading_calls_out_of_text() -> None:
    calls, rest = parse_text_tool_calls(
        'First. {"name": "get_hint", "parameters": {"level": 1}} Then '
        '[{"function": {"name": "assess_solution", "arguments": "{}"}}]')
    assert calls == [("get_hint", '{"level": 1}'), ("assess_solution", "{}")]
    assert rest == "First. Then"
    # Not calls: they stay in the text (code goes on to the leak filter).
    for text in ("A set like {1, 2} or a list [0, 1] is fine.",
                 '```python\ndef f():\n    return {"name": 1}\n```',
                 'It returned {"a": 1} for that input.'):
        assert parse_text_tool_calls(text) == ([], text)

    def stream(text: str, size: int) -> tuple[str, str, list[tuple[str, str]]]:
        held = TextToolCalls()
        out = "".join(held.feed(text[i:i + size]) for i in range(0, len(text), size))
        rest, found = held.finish()
        return out, rest, found

    for size in (1, 3, 7, 1000):
        # Text before a call goes on at once; the call is held and read out.
        assert stream("Let me check. " + QWEN_CALL, size) == (
            "Let me check. ", "", [("run_tests", "{}")])
        # Code that is no call is not held: the leak filter sees it as it comes.
        out, rest, found = stream("See:\n```python\nx = 1\n", size)
        assert (out, rest, found) == ("See:\n```python\nx = 1\n", "", [])
        assert stream("Try [0, 1] first.", size) == ("Try [0, 1] first.", "", [])


# -------------------------------------------------- without tool calling


def test_a_model_without_tools_gets_their_facts_and_no_hidden_data(
        server: FakeLlmServer, harness: SyncHarness, two_sum: Problem) -> None:
    session, _, clock = start(server, harness, two_sum, tools="off")
    clock.set(40)
    session.say("Is the input list sorted?")
    clock.set(200)
    session.submit(WRONG)
    request = server.requests[-1]
    assert "tools" not in request and "tool_choice" not in request
    notes = request["messages"][0]["content"]
    assert "tools" not in COMPACT_PROMPT.format(title="", tone="", tools="")
    # The test results for the visible cases, the hidden ones counted only.
    results = json.loads(notes.split("LATEST TEST RESULTS:\n")[1].split("\n\n")[0])
    assert (results["passed"], results["total"], results["hidden_failed"]) == (2, 9, 6)
    assert all(not c.get("hidden") for c in results["visible_cases"])
    assert 'WHERE THE SOLUTION STANDS: {"verdict": "1 visible test(s) fail"' in notes
    # The example reply is made of the run's own figures (a small model copies it).
    assert 'A good reply looks like: "2 of 9 tests pass. Which failing case' in notes
    # The analyzer's findings with their lines, the clarification asked and
    # its answer, the pitfalls, and that it cannot run code itself.
    assert "ANALYZER FINDINGS (questions you may ask, with their lines)" in notes
    assert f"sorted ({two_sum.spec.clarifications['sorted']})" in notes
    assert two_sum.hints.pitfalls[0].question in notes
    assert "You cannot run code or give hints yourself" in notes
    assert [r for r in session.records() if r.type == "coach_says"][-1].data[
        "usage"]["tools_offered"] is False
    sent = json.dumps(server.requests)
    for secret in secrets(two_sum):
        assert secret not in sent, secret
    assert two_sum.solution.strip().splitlines()[-1].strip() not in sent


def test_a_provider_that_refuses_tools_is_asked_again_without_them(
        server: FakeLlmServer, two_sum: Problem) -> None:
    server.push(Status(400, '{"error": {"message": "this model does not support tools", '
                            '"type": "invalid_request_error"}}'),
                Text("Welcome! How do you read the problem?"))
    session, _, clock = start(server, None, two_sum)
    assert ["tools" in r for r in server.requests] == [True, False]
    assert "You cannot run code or give hints yourself" in \
        server.requests[1]["messages"][0]["content"]
    server.push(Text("What would you try first?"))
    clock.set(40)
    session.say("Can the numbers be negative?")
    # Remembered for the session: no tools any more.
    assert "tools" not in server.requests[-1]
    assert not [r for r in session.records() if r.type == "coach_fallback"]


def test_auto_offers_tools_unless_litellm_knows_the_model_cannot(two_sum: Problem) -> None:
    from mock_interviewer_lab.coach.llm import load_litellm

    litellm = load_litellm()
    sent: list[dict[str, Any]] = []

    async def recording(**params: Any) -> Any:
        sent.append(params)
        return await litellm.acompletion(**params, mock_response="Welcome. What do you see?")

    from mock_interviewer_lab.events import Event
    from mock_interviewer_lab.interview.orchestrator import Orchestrator

    for model, offered in (("ollama/llama2", False), ("ollama/llama3.1", True),
                           ("openai/my-local-model", True)):
        settings = parse_settings({"llm": {"model": model,
                                           "api_base": "http://127.0.0.1:9/v1"}}, "s.toml")
        coach = LlmCoach(settings, completion=recording)
        orch = Orchestrator(two_sum, settings, coach=coach)
        says = next(a for a in orch.handle(Event(type="session_started", t=0, seq=0))
                    if a.type == "coach_says")
        assert says.data["text"] == "Welcome. What do you see?"
        assert ("tools" in sent[-1]) is offered, model
        assert says.data["usage"]["tools_offered"] is offered
