"""The LLM coach against a real OpenAI-compatible HTTP server on loopback
(tests/fake_llm_server.py), scripted per test: streamed leaks, tool calls,
stalls, 500s, malformed bodies, refusals; litellm's own ``mock_response``
where that is enough. Sessions run on the real harness (two_sum)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mock_interviewer_lab.cli import main
from mock_interviewer_lab.coach.factory import (
    CoachUnavailable,
    ScriptedInsteadOfModel,
    build_coach,
    check_llm_settings,
    session_coach,
)
from mock_interviewer_lab.coach.feedback import ENGINE_LABEL, SCORE_RE
from mock_interviewer_lab.coach.llm import MAX_TOOL_ROUNDS, LlmCoach
from mock_interviewer_lab.coach.prompts import SYSTEM_PROMPT, trim_turns, visible_run
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.kernel.panel import Panel
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.markdown import render_markdown
from mock_interviewer_lab.reporting.metrics import compute_metrics
from mock_interviewer_lab.reporting.report import session_report
from mock_interviewer_lab.settings import Settings, parse_settings
from mock_interviewer_lab.store import MEMORY, SessionStore

from .fake_llm_server import (
    FakeLlmServer,
    Malformed,
    Refusal,
    Reply,
    Stall,
    Status,
    Text,
    ToolCalls,
)

WRONG = "def two_sum(nums, target):\n    return [0, 1]\n"
SETTINGS_FILE = "test-settings.toml"
#: What a prompt may never carry: the reference's own lines, hidden cases,
#: hints not given yet, never_say.
REFERENCE_LINES = ("seen.get(target - x)", "seen[x] = i", "j = seen.get")
HIDDEN_MARKS = ("zero target with zeros", "pair at the end", "the pair sums past",
                "1999999997", "999999998", "1000000000")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


@pytest.fixture(scope="module")
def two_sum(builtin_registry: ProblemRegistry) -> Problem:
    return builtin_registry.get("two_sum")


@pytest.fixture(autouse=True)
def fresh_server(server: FakeLlmServer) -> None:
    server.reset(default=Text("Welcome! Let's work on Two Sum. How do you read the problem?"))


def llm_settings(server: FakeLlmServer, **llm: Any) -> Settings:
    section = {"model": "openai/test-model", "api_base": server.url, "timeout_s": 30, **llm}
    return parse_settings({"llm": section}, SETTINGS_FILE)


class Pushed:
    """Every action pushed to the session's listeners, partials included."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    def __call__(self, action: Action) -> None:
        self.actions.append(action)

    def of(self, kind: str) -> list[Action]:
        return [a for a in self.actions if a.type == kind]


def start(server: FakeLlmServer, harness: SyncHarness | None, problem: Problem,
          **llm: Any) -> tuple[InterviewSession, Pushed, FakeClock]:
    settings = llm_settings(server, **llm)
    coach = build_coach("llm", settings, runner=harness, problem=problem)
    clock = FakeClock()
    pushed = Pushed()
    session = InterviewSession.start(SessionStore(MEMORY), problem, settings, harness=harness,
                                     clock=clock, coach=coach)
    session.listeners.append(pushed)
    return session, pushed, clock


def texts_of(records: list[Record]) -> list[str]:
    """Every text a candidate could be shown: all records but leak_blocked."""
    return [json.dumps(r.data) for r in records if r.type != "leak_blocked"]


def last(records: list[Record], kind: str) -> Record:
    return [r for r in records if r.type == kind][-1]


# ------------------------------------------------------------- streaming


def test_a_leak_in_a_streamed_reply_never_reaches_the_panel(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, pushed, clock = start(server, None, two_sum)
    server.push(Text("Good start. You should use a hash map to store each number you have "
                     "seen. Then look up target minus the current number.", words=2))
    clock.set(60)
    session.say("I'm thinking about checking every pair of numbers.")
    partials = [a.data["text"] for a in pushed.of("coach_partial")]
    says = pushed.of("coach_says")[-1].data
    # The safe sentence went out, then the safe question that replaced the
    # leak; nothing of the leak or of what followed it, not even for a moment.
    assert partials[-2] == "Good start."
    assert says["text"] == f"Good start. {partials[-1]}"
    assert says["streamed"] == 2
    shown = [json.dumps(a.data) for a in pushed.actions if a.type != "leak_blocked"]
    for text in [*shown, *texts_of(session.records())]:
        assert "hash map" not in text.lower()
        assert "target minus" not in text.lower()
    blocked = last(session.records(), "leak_blocked")
    assert blocked.data["streaming"] is True
    assert "hash map" in blocked.data["original"]


def test_code_in_a_streamed_reply_is_stopped_before_the_fence_closes(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, pushed, clock = start(server, None, two_sum)
    server.push(Text("Let me show you.\n```python\ndef two_sum(nums, target):\n    seen = {}\n"
                     "    for i, x in enumerate(nums):\n        pass\n```\nDoes that help?"))
    clock.set(30)
    session.say("I have no idea where to start.")
    partials = [a.data["text"] for a in pushed.of("coach_partial")]
    assert partials[-2] == "Let me show you."
    for text in [*partials, *texts_of(session.records())]:
        assert "seen = {}" not in text and "enumerate(nums)" not in text
        assert "Does that help" not in text  # nothing after a cut sentence
    assert any(r.type == "leak_blocked" and "code" in " ".join(r.data["reasons"])
               for r in session.records())


def test_the_first_sentence_is_shown_while_the_model_is_still_writing(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, pushed, clock = start(server, None, two_sum)
    server.push(Text("What would happen with an empty list? Think about the smallest inputs "
                     "the constraints allow, and what your function should return for each of "
                     "them before you write any code at all.", delay_s=0.01))
    server_done_at_first_partial: list[float] = []

    def first_partial(action: Action) -> None:
        if action.type == "coach_partial" and not server_done_at_first_partial:
            server_done_at_first_partial.append(server.timings[-1].done)

    session.listeners.append(first_partial)
    clock.set(40)
    session.say("Can the list be empty?")
    # The server had not written its last chunk when the panel got the sentence.
    assert server_done_at_first_partial == [0.0]
    assert server.timings[-1].done > 0
    assert pushed.of("coach_partial")[-2].data["text"] == "What would happen with an empty list?"


def test_a_streamed_reply_that_repeats_the_last_one_is_still_recorded(
        server: FakeLlmServer, two_sum: Problem) -> None:
    # A small model at temperature 0 says the same words again (the LLM bench's
    # complexity claim with SmolLM2): the engine, which asks again for a reply
    # that repeats one of the last two, must not ask once it was shown.
    session, pushed, clock = start(server, None, two_sum)
    same = "You're right about the nested loops. What would make the lookup faster?"
    server.push(Text(same))
    clock.set(30)
    session.say("I'd check every pair of numbers with two nested loops.")
    assert last(session.records(), "coach_says").data["text"] == same
    requests, partials = len(server.requests), len(pushed.of("coach_partial"))
    server.push(Text(same), Text(same), Text(same))
    clock.set(60)
    session.say("That's O(n squared) time, because of the nested loops, and O(1) extra space.")
    shown = [a.data["text"] for a in pushed.of("coach_partial")[partials:]]
    assert shown == ["You're right about the nested loops.", "What would make the lookup faster?"]
    assert len(server.requests) == requests + 1  # shown: not asked again, no second voice
    says = last(session.records(), "coach_says")
    assert says.t == 60 and says.data["text"] == same and says.data["streamed"] == 2
    transcript = [text for _, role, text in session.orchestrator.state.transcript
                  if role == "coach"]
    assert transcript[-2:] == [same, same]


# ----------------------------------------------------------------- tools


def test_tools_run_for_real_against_the_harness(
        server: FakeLlmServer, harness: SyncHarness, two_sum: Problem) -> None:
    session, _, clock = start(server, harness, two_sum)
    server.push(
        ToolCalls([("run_tests", "{}"), ("analyze_code", "{}"), ("assess_solution", "{}"),
                   ("get_hint", '{"level": 1}')]),
        ToolCalls([("get_hint", '{"level": 3}'), ("get_hint", '{"level": 2}'),
                   ("run_tests", "{not json")]),
        Text("Look at what your function returns. What does it give for the second example?"))
    clock.set(200)
    session.submit(WRONG)
    records = session.records()
    # Four model calls so far: the intro, then three for the test results.
    assert len(server.requests) == 4
    tool_results = {m["tool_call_id"]: json.loads(m["content"])
                    for m in server.requests[2]["messages"] if m["role"] == "tool"}
    run, findings, assessment, hint = tool_results.values()
    expected = visible_run(harness.run(two_sum, WRONG).public_json())
    assert expected is not None
    assert (run["passed"], run["total"]) == (expected["passed"], expected["total"]) == (2, 9)
    assert run["visible_cases"] == expected["visible_cases"]
    assert run["hidden_cases"] == 6 and run["hidden_failed"] == 6
    assert "findings" in findings
    assert assessment["verdict"] == "1 visible test(s) fail"
    assert hint == {"level": 1, "text": two_sum.hints.level(1)[0]}
    later = [json.loads(m["content"]) for m in server.requests[3]["messages"]
             if m["role"] == "tool"][-3:]
    # The ladder's rules stand: one level at a time, a minute between hints.
    assert "one level at a time" in later[0]["refused"]
    assert later[1] == {"refused": "too soon after the last hint"}
    assert later[2] == {"error": "the arguments are not valid JSON"}
    hints = [r for r in records if r.type == "show_hint"]
    assert [(h.data["level"], h.data["reason"]) for h in hints] == [(1, "coach")]
    assert session.state()["hint"]["level"] == 1
    usage = last(records, "coach_says").data["usage"]
    assert usage["tools"] == ["run_tests", "analyze_code", "assess_solution", "get_hint",
                              "get_hint", "get_hint", "run_tests"]
    assert usage["tool_rounds"] == 2
    # Nothing the candidate must not see ever went to the model.
    sent = json.dumps(server.requests)
    for secret in (*REFERENCE_LINES, *HIDDEN_MARKS, *two_sum.hints.never_say,
                   *two_sum.hints.level(2), *two_sum.hints.level(3)):
        assert secret not in sent, secret


def test_at_most_five_tool_rounds_per_turn(server: FakeLlmServer, two_sum: Problem) -> None:
    def always_tools(body: dict[str, Any]) -> Reply:
        if body.get("tool_choice") == "none":
            return Text("What did you try first?")
        return ToolCalls([("assess_solution", "{}")])

    server.reset(default=always_tools)
    session, _, _ = start(server, None, two_sum)
    choices = [r.get("tool_choice") for r in server.requests]
    assert choices == ["auto"] * MAX_TOOL_ROUNDS + ["none"]
    says = last(session.records(), "coach_says").data
    assert says["text"] == "What did you try first?"
    assert says["usage"]["tool_rounds"] == MAX_TOOL_ROUNDS


# -------------------------------------------------------------- fallback


@pytest.mark.parametrize(("reason", "bad"), [
    ("timeout", Stall(seconds=20)),
    ("error", Status(500)),
    ("malformed", Malformed()),
    ("refusal", Refusal()),
])
def test_one_retry_then_the_scripted_coach_and_the_panel_says_so(
        server: FakeLlmServer, two_sum: Problem, reason: str, bad: Reply) -> None:
    # A timeout far shorter than the stall, far longer than a loaded
    # machine takes to answer on loopback: no test here turns on a race.
    session, pushed, clock = start(server, None, two_sum, timeout_s=3)
    server.reset(default=bad)
    clock.set(30)
    session.say("Can the numbers be negative?")
    assert len(server.requests) == 2  # the first attempt and one retry
    records = session.records()
    notice = last(records, "coach_fallback").data
    assert notice["reason"] == reason
    assert notice["coach"] == "scripted" and notice["model"] == "openai/test-model"
    assert "scripted coach replied" in notice["message"]
    says = last(records, "coach_says").data
    # The same moment with the scripted coach alone says the same words.
    scripted_clock = FakeClock()
    scripted = InterviewSession.start(SessionStore(MEMORY), two_sum, Settings(), harness=None,
                                      clock=scripted_clock, coach=ScriptedCoach())
    scripted_clock.set(30)
    scripted.say("Can the numbers be negative?")
    expected = last(scripted.records(), "coach_says").data["text"]
    assert (says["text"], says["coach"], says["fallback"]) == (expected, "scripted", True)
    assert not pushed.of("coach_partial")
    panel = Panel(two_sum.public_view())
    for action in pushed.actions:
        panel.apply(action.to_dict())
    assert notice["message"] in panel.status.value
    panel.close()


def test_a_retry_that_answers_is_no_fallback(server: FakeLlmServer, two_sum: Problem) -> None:
    server.push(Status(503), Text("Welcome. How do you understand the problem?"))
    session, _, _ = start(server, None, two_sum)
    records = session.records()
    assert not [r for r in records if r.type == "coach_fallback"]
    says = last(records, "coach_says").data
    assert says["text"] == "Welcome. How do you understand the problem?"
    assert says["usage"]["attempts"] == 2


def test_sentences_already_shown_stand_when_the_model_stalls(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, pushed, clock = start(server, None, two_sum, timeout_s=3)
    server.push(Stall(seconds=20, text="Good question. "))
    clock.set(30)
    session.say("Can the numbers be negative?")
    says = last(session.records(), "coach_says").data
    assert len(server.requests) == 2  # the intro, then this turn once: no second voice
    assert [a.data["text"] for a in pushed.of("coach_partial")] == ["Good question."]
    assert says["text"] == "Good question." and says["fallback"] is False
    assert says["usage"]["incomplete"].startswith("timeout")


# --------------------------------------------------------------- privacy


def test_local_only_refuses_providers_off_this_machine(tmp_path: Path) -> None:
    remote = parse_settings({"llm": {"model": "openai/gpt-4o-mini"}}, "/home/me/settings.toml")
    with pytest.raises(CoachUnavailable, match=r"privacy\.local_only = true in "
                                               r"/home/me/settings\.toml refuses"):
        build_coach("llm", remote)
    far = parse_settings({"llm": {"model": "openai/x", "api_base": "http://10.0.0.7:8000/v1"}},
                         "s.toml")
    with pytest.raises(CoachUnavailable, match=r"privacy\.local_only.*10\.0\.0\.7"):
        check_llm_settings(far)
    with pytest.raises(CoachUnavailable, match=r"\[llm\] model is empty in s\.toml"):
        check_llm_settings(parse_settings({}, "s.toml"))
    for base in ("http://localhost:11434", "http://127.0.0.1:8080/v1", "http://[::1]:9/v1"):
        check_llm_settings(parse_settings({"llm": {"model": "openai/x", "api_base": base}}, "s"))
    check_llm_settings(parse_settings({"llm": {"model": "ollama/llama3.1"}}, "s"))
    check_llm_settings(parse_settings({"llm": {"model": "openai/gpt-4o-mini"},
                                       "privacy": {"local_only": False}}, "s"))
    # The CLI says the same, naming the setting and the file, without a traceback.
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[llm]\nmodel = "anthropic/claude-3-5-haiku"\n')
    script = Path(__file__).resolve().parents[1] / "examples" / "simulations"
    first = sorted(script.glob("*.yaml"))[0]
    out = CliRunner().invoke(main, ["simulate", "--script", str(first), "--coach", "llm",
                                    "--settings", str(settings_file), "--no-save"])
    assert out.exit_code == 2
    assert "privacy.local_only = true" in out.output and str(settings_file) in out.output
    assert "Traceback" not in out.output


def test_a_session_with_an_unusable_model_says_so_and_goes_on(two_sum: Problem) -> None:
    remote = parse_settings({"llm": {"model": "openai/gpt-4o-mini"}}, "s.toml")
    assert isinstance(session_coach(parse_settings({}, "s")), ScriptedCoach)
    coach = session_coach(remote)
    assert isinstance(coach, ScriptedInsteadOfModel)
    session = InterviewSession.start(SessionStore(MEMORY), two_sum, remote, harness=None,
                                     clock=FakeClock(), coach=coach)
    notice = last(session.records(), "coach_fallback").data
    assert notice["reason"] == "unavailable" and "privacy.local_only" in notice["message"]
    session.say("Can the numbers be negative?")
    assert len([r for r in session.records() if r.type == "coach_fallback"]) == 1


# --------------------------------------------------------------- metrics


def test_tokens_cost_and_latency_per_turn_go_into_the_metrics(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, _, clock = start(server, None, two_sum)
    server.push(Text("Which inputs worry you?", usage=(300, 12)))
    clock.set(30)
    session.say("Can the list be empty?")
    records = session.records()
    turns = [r.data["usage"] for r in records if r.type == "coach_says"]
    assert [(u["tokens_in"], u["tokens_out"]) for u in turns] == [(120, 30), (300, 12)]
    assert all(u["cost_usd"] is None for u in turns)  # litellm has no price for test-model
    assert all(u["latency_ms"] >= u["model_ms"] > 0 for u in turns)
    usage = compute_metrics(records).coach_model
    assert usage is not None
    assert (usage.turns, usage.tokens_in, usage.tokens_out, usage.cost_usd) == (2, 420, 42, None)
    assert usage.turns_without_cost == 2 and usage.latency_ms_p50 is not None
    report = session_report(records, two_sum, session.info.id)
    figure = next(f for f in report.figures if f.label == "Coach model")
    assert "420 tokens in, 42 out" in figure.value and "cost unknown" in figure.value


def test_cost_where_litellm_knows_the_price(two_sum: Problem) -> None:
    # litellm's own mock_response: no server, a model whose price it knows.
    settings = parse_settings({"llm": {"model": "openai/gpt-4o-mini",
                                       "api_base": "http://127.0.0.1:9/v1"}}, SETTINGS_FILE)
    coach = LlmCoach(settings, extra_params={"mock_response": "Welcome. What do you notice?"})
    orch = Orchestrator(two_sum, settings, coach=coach)
    says = next(a for a in orch.handle(Event(type="session_started", t=0, seq=0))
                if a.type == "coach_says")
    assert says.data["text"] == "Welcome. What do you notice?"
    assert says.data["usage"]["cost_usd"] > 0


# -------------------------------------------------------------- feedback


def _feedback_json(body: dict[str, Any]) -> str:
    seqs = [int(s) for s in re.findall(r"^#(\d+) ", body["messages"][-1]["content"], re.M)]
    said = [int(m.group(1)) for m in re.finditer(r"^#(\d+) .*You said",
                                                  body["messages"][-1]["content"], re.M)]
    return json.dumps({
        "strengths": [{"text": "You asked whether the numbers can be negative before coding.",
                       "evidence": said[:1]}],
        "improvements": [
            {"text": "I'd rate this interview 7/10.", "evidence": seqs[:1]},
            {"text": "Test the edge cases earlier.", "evidence": [99999]},
            {"text": "You should use a hash map for the lookups.", "evidence": seqs[:1]},
            {"text": "Say what you are checking as you go.", "evidence": []},
        ],
        "next_steps": [{"text": "Practise tracing a failing example by hand.",
                        "evidence": seqs[-2:]}],
    })


def test_feedback_from_the_model_is_grounded_in_the_records(
        server: FakeLlmServer, two_sum: Problem) -> None:
    def replies(body: dict[str, Any]) -> Reply:
        if not body.get("stream"):
            return Text(_feedback_json(body))
        return Text("What would you check first?")

    server.reset(default=replies)
    session, _, clock = start(server, None, two_sum)
    clock.set(30)
    session.say("Can the numbers be negative?")
    clock.set(60)
    session.end("candidate")
    records = session.records()
    feedback = last(records, "report_ready").data["feedback"]
    assert feedback["source"] == "model" and feedback["model"] == "openai/test-model"
    assert [i["text"] for i in feedback["strengths"]] == [
        "You asked whether the numbers can be negative before coding."]
    assert feedback["improvements"] == []
    assert [i["text"] for i in feedback["next_steps"]] == [
        "Practise tracing a failing example by hand."]
    assert sorted(r["why"] for r in feedback["rejected"]) == [
        "cites no record", "cites records that do not exist: [99999]",
        "gives a score, grade or rating", "gives away the solution"]
    said = next(r for r in records if r.type == "candidate_said")
    assert feedback["strengths"][0]["evidence"] == [said.seq]
    markdown = render_markdown(session_report(records, two_sum, session.info.id))
    assert "## Feedback from the model" in markdown
    assert "Practise tracing a failing example by hand." in markdown
    assert "7/10" not in markdown and "hash map" not in markdown


def test_without_a_model_the_feedback_is_the_engines_own_report(two_sum: Problem) -> None:
    session = InterviewSession.start(SessionStore(MEMORY), two_sum, Settings(), harness=None,
                                     clock=FakeClock(), coach=ScriptedCoach())
    session.say("Can the numbers be negative?")
    session.end("candidate")
    feedback = last(session.records(), "report_ready").data["feedback"]
    assert feedback["source"] == "engine" and feedback["label"] == ENGINE_LABEL
    assert feedback["model"] is None and feedback["note"] == ""
    report = session_report(session.records(), two_sum, session.info.id)
    assert [i["text"] for i in feedback["strengths"]] == [s.text for s in report.strengths]
    assert "engine's own report" in render_markdown(report)


def test_a_model_that_fails_at_the_end_leaves_the_engines_report_with_the_reason(
        server: FakeLlmServer, two_sum: Problem) -> None:
    session, _, _ = start(server, None, two_sum)
    server.reset(default=Status(500))
    session.end("candidate")
    feedback = last(session.records(), "report_ready").data["feedback"]
    assert feedback["source"] == "engine"
    assert feedback["note"].startswith("The model gave no feedback (error")
    assert not any(SCORE_RE.search(i["text"]) for i in feedback["strengths"])


# ------------------------------------------------------- prompt, resume


def test_the_prompt_is_the_seed_spec_filled_in(server: FakeLlmServer, two_sum: Problem) -> None:
    """With ``[llm] prompt = "spec"``: the seed spec's prompt word for word,
    then the notes; the conversation as turns after it."""
    session, _, clock = start(server, None, two_sum, prompt="spec")
    clock.set(125)
    session.post("silence", {"seconds": 12})
    messages = server.requests[-1]["messages"]
    system = messages[0]["content"]
    assert system.startswith(SYSTEM_PROMPT.split("{problem_title}")[0])
    assert "Current problem: Two Sum" in system
    assert "Helpfulness level: balanced" in system
    assert "Silence duration: 12 seconds" in system
    assert "Time elapsed: 2.1 minutes" in system
    assert "quiet for 12 seconds" in system
    welcome = next(r for r in session.records() if r.type == "coach_says").data["text"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == " ".join(welcome.split())
    assert messages[3]["content"] == "(quiet for 12 seconds)"


def test_the_model_answers_from_the_packs_facts(server: FakeLlmServer, two_sum: Problem) -> None:
    """The clarifications and the pitfalls reach the model, with the topic of
    the question just asked and its fact beside it."""
    session, _, clock = start(server, None, two_sum)
    clock.set(60)
    session.say("Could some of the values be below zero?")
    context = server.requests[-1]["messages"][0]["content"]
    assert server.requests[-1]["messages"][-1] == {
        "role": "user", "content": "Could some of the values be below zero?"}
    assert "FACTS FOR CLARIFYING QUESTIONS" in context
    assert two_sum.spec.clarifications["sorted"] in context
    assert f"asked about: negatives ({two_sum.spec.clarifications['negatives']})" in context
    assert two_sum.hints.pitfalls[0].question in context
    assert two_sum.solution.strip().splitlines()[-1].strip() not in context


def test_the_transcript_is_trimmed_to_its_token_budget() -> None:
    transcript = tuple(("candidate" if i % 2 else "coach", f"line {i} " + "word " * 30)
                       for i in range(40))
    kept, dropped = trim_turns(transcript, budget_tokens=200)
    assert dropped == 40 - len(kept) > 0
    assert kept[-1][0] == "candidate" and kept[-1][1].startswith("line 39")
    assert sum(len(text) for _, text in kept) <= 200 * 4 + len(kept) * 4


def test_resuming_does_not_ask_the_model_about_the_past(
        server: FakeLlmServer, two_sum: Problem, builtin_registry: ProblemRegistry) -> None:
    settings = llm_settings(server)
    store = SessionStore(MEMORY)
    clock = FakeClock()
    session = InterviewSession.start(store, two_sum, settings, harness=None, clock=clock,
                                     coach=build_coach("llm", settings))
    clock.set(30)
    session.say("Can the numbers be negative?")
    asked = len(server.requests)
    resumed = InterviewSession.resume(store, session.info.id, builtin_registry, settings,
                                      harness=None,
                                      clock=clock, coach=build_coach("llm", settings), replay_coach=ScriptedCoach())
    assert len(server.requests) == asked
    server.push(Text("Go on: what would you try first?"))
    resumed.say("I would check every pair first.")
    assert len(server.requests) == asked + 1
    assert last(resumed.records(), "coach_says").data["coach"] == "openai/test-model"


def test_simulate_takes_coach_and_settings(server: FakeLlmServer, tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[llm]\nmodel = "openai/test-model"\napi_base = "{server.url}"\n'
                             "timeout_s = 30\n")
    script = tmp_path / "script.yaml"
    script.write_text(textwrap.dedent("""\
        problem: two_sum
        minutes: 5
        steps:
          - {at: "00:30", say: "Can the numbers be negative?"}
          - {at: "01:00", end: true}
        """))
    out = CliRunner().invoke(main, ["simulate", "--script", str(script), "--coach", "llm",
                                    "--settings", str(settings_file), "--no-save", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    coaches = {e["coach"] for e in data["events"] if e["type"] == "coach_says"}
    assert coaches == {"openai/test-model"}
    assert data["report"]["feedback"]["source"] in ("model", "engine")
    assert server.requests  # the model was asked, on loopback


def test_the_model_is_told_the_goal_and_the_optimisation_state() -> None:
    from mock_interviewer_lab.coach.prompts import interviewer_notes
    from mock_interviewer_lab.interview.coaching import CoachContext
    from mock_interviewer_lab.interview.kinds.coding import CodingView
    from mock_interviewer_lab.interview.phases import Phase
    from mock_interviewer_lab.problems.registry import ProblemRegistry

    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    work = CodingView(stated_complexity="O(n^2)",
                      optimisation={"state": "wanted", "current": "O(n^2)", "pushes": 1,
                                    "minutes_for_it": 37})
    ctx = CoachContext(trigger="tests", problem=problem, phase=Phase.OPTIMIZATION,
                       helpfulness="balanced", personality="neutral", elapsed_s=300,
                       time_left_s=2400, goal="better", work=work)
    message = interviewer_notes(ctx, previous_code=None)
    assert "WHAT TO DO NOW: the solution passes but is slower" in message
    assert '"current_solution": "O(n^2)"' in message and "never name the faster" in message
    assert "already stated O(n^2) time" in message
