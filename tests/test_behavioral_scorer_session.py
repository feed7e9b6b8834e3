"""The behavioural interview with the shell's scorer: a session scored by a
model (the loopback OpenAI-compatible server, tests/fake_llm_server.py), a
model that fails (the scripted scorer's result stands, and a
``scorer_fallback`` says so), resume and replay from the stored results
without asking the model again; with a model coach, the interviewer's own
lines are the scripted behavioural ones; a spoken answer's time per STAR
part; a skip while a spoken reply is gathered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.behavioral_shell import (
    BehavioralOptions,
    behavioral_scorer,
    start_behavioral_session,
)
from mock_interviewer_lab.coach.behavioral_llm import LlmScorer
from mock_interviewer_lab.coach.behavioral_prompts import SYSTEM
from mock_interviewer_lab.coach.factory import build_coach
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, validate_payload
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.kinds.behavioral import BehavioralInterview, behavioral_setup
from mock_interviewer_lab.interview.replay import replay_session
from mock_interviewer_lab.interview.rules.star import OfflineScorer
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.questions import interview_problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings, parse_settings
from mock_interviewer_lab.store import MEMORY, SessionStore

from .fake_llm_server import FakeLlmServer, Reply, Status, Text
from .test_behavioral_llm import ANALYSIS, ANSWER, FEEDBACK, SESSION

MODEL = "openai/test-model"
WRITTEN = "Tell me about a time you led a release process change across two teams."


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


def settings_for(server: FakeLlmServer) -> Settings:
    return parse_settings({"llm": {"model": MODEL, "api_base": server.url, "timeout_s": 30}},
                          "test-settings.toml")


class Model:
    """Answers each behavioural prompt by its kind; ``broken`` kinds get an
    unreadable reply; any other call (a coding coach's prompt) is noted."""

    def __init__(self, *broken: str) -> None:
        self.broken = set(broken)
        self.asked: list[str] = []
        self.other: list[str] = []

    def __call__(self, body: dict[str, Any]) -> Reply:
        msgs = body["messages"]
        if msgs[0]["content"] != SYSTEM:
            self.other.append(str(msgs[0]["content"])[:80])
            return Text("Let's talk about your approach to the array.")
        prompt = str(msgs[1]["content"])
        kind = ("session" if "readiness_score" in prompt else
                "question_feedback" if "revised_answer" in prompt else
                "score" if "level_demonstrated" in prompt else "question")
        self.asked.append(kind)
        if kind in self.broken:
            return Text("Sure! The score is seven {not json")
        data = {"session": SESSION, "question_feedback": FEEDBACK, "score": ANALYSIS,
                "question": {"question_text": f"{WRITTEN} ({len(self.asked)})",
                             "competency_tested": "leadership", "difficulty": "medium"}}[kind]
        return Text(json.dumps(data))


def of(actions: list[Any], type_: str) -> list[dict[str, Any]]:
    return [a.data for a in actions if isinstance(a, Action) and a.type == type_]


def model_session(server: FakeLlmServer, registry: ProblemRegistry, model: Model,
                  store: SessionStore | None = None,
                  clock: FakeClock | None = None) -> InterviewSession:
    """A behavioural session started as the shells start it, with a model coach."""
    server.reset(default=model)
    settings = settings_for(server)
    return start_behavioral_session(
        store or SessionStore(MEMORY), settings, BehavioralOptions(stage="hiring_manager"),
        registry=registry, clock=clock or FakeClock(), coach=build_coach("llm", settings))


def test_a_session_is_scored_by_the_model_and_its_coach_lines_are_scripted(
        server: FakeLlmServer, registry: ProblemRegistry) -> None:
    model = Model()
    clock = FakeClock()
    session = model_session(server, registry, model, clock=clock)
    kind = session.orchestrator.kind
    assert isinstance(kind, BehavioralInterview) and isinstance(kind.scorer, LlmScorer)
    (asked,) = of(session.records(), "question_asked")
    assert asked["by"] == MODEL and asked["text"].startswith(WRITTEN)
    clock.advance(40)
    out = session.say(ANSWER)
    (scored,) = of(out, "answer_scored")
    assert (scored["by"], scored["score"], scored["level"]) == (MODEL, 7, "L5A")
    assert scored["brief_feedback"] == ANALYSIS["brief_feedback"]
    assert not of(out, "scorer_fallback")
    clock.advance(20)
    out = session.post("next_requested")
    (fb,) = of(out, "question_feedback")
    assert fb["by"] == MODEL and fb["coaching"] == FEEDBACK["coaching"]
    assert of(out, "question_asked")[0]["by"] == MODEL
    clock.advance(20)
    session.end("candidate")
    (summary,) = of(session.records(), "session_feedback")
    assert summary["by"] == MODEL and summary["next_steps"] == SESSION["next_steps"]
    assert summary["readiness"] == "Almost Ready"  # the band of 7, whatever the model said
    # The interviewer's own lines (welcome, wrap-up...) are the scripted
    # behavioural ones, said as such; the lines the model wrote say so; no
    # coding prompt ever went to the model.
    lines = of(session.records(), "coach_says")
    by_kind = {(d["kind"], d["coach"]) for d in lines}
    assert {("intro", "scripted"), ("question", MODEL), ("feedback", MODEL),
            ("summary", MODEL)} <= by_kind
    assert {c for k, c in by_kind if k not in ("question", "feedback", "summary")} == {"scripted"}
    assert not any(d["fallback"] for d in lines)
    assert model.other == []
    assert {"question", "score", "question_feedback", "session"} <= set(model.asked)
    for r in session.records():
        validate_payload("action" if isinstance(r, Action) else "event", r.type, r.data)


def test_a_malformed_reply_falls_back_visibly(server: FakeLlmServer,
                                              registry: ProblemRegistry) -> None:
    model = Model("score", "question")
    clock = FakeClock()
    session = model_session(server, registry, model, clock=clock)
    opening = session.records()
    (asked,) = of(opening, "question_asked")
    assert asked["by"] == "scripted"  # the bank's question
    (fell,) = of(opening, "scorer_fallback")
    assert fell | {"step": "question", "question_number": 1, "reason": "malformed",
                   "model": MODEL} == fell
    assert "malformed" in fell["message"] and "scripted" in fell["message"]
    clock.advance(40)
    out = session.say(ANSWER)
    (scored,) = of(out, "answer_scored")
    offline = OfflineScorer().score(ANSWER, question=asked["text"], competency="leadership",
                                    target_level="L4", stage="hiring_manager")
    assert scored["by"] == "scripted" and scored["score"] == offline.score.score
    (fell,) = of(out, "scorer_fallback")
    assert (fell["step"], fell["question_number"], fell["reason"]) == ("score", 1, "malformed")
    assert model.asked.count("score") == 2  # one correction, then the scripted scorer
    for r in session.records():
        validate_payload("action" if isinstance(r, Action) else "event", r.type, r.data)


def test_an_unusable_model_says_so_and_scores_offline(registry: ProblemRegistry) -> None:
    settings = parse_settings({"llm": {"model": "openai/gpt-4o"},
                               "privacy": {"local_only": True}}, "test-settings.toml")
    coach = build_coach("scripted", settings)
    assert isinstance(behavioral_scorer(settings, coach), OfflineScorer)  # a scripted coach
    session = start_behavioral_session(
        SessionStore(MEMORY), settings, BehavioralOptions(), registry=registry,
        clock=FakeClock(), coach=coach, scorer=behavioral_scorer(settings, _NamedCoach()))
    (fell,) = of(session.records(), "scorer_fallback")
    assert fell["reason"] == "unavailable" and "not used" in fell["message"]


class _NamedCoach(ScriptedCoach):
    name = MODEL  # a model's coach, as session_coach makes one


def test_resume_and_replay_take_the_stored_results_without_the_model(
        server: FakeLlmServer, registry: ProblemRegistry, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    clock = FakeClock()
    session = model_session(server, registry, Model(), store=store, clock=clock)
    clock.advance(40)
    session.say(ANSWER)
    clock.advance(20)
    session.post("next_requested")
    clock.advance(40)
    session.say(ANSWER)
    stored = store.records(session.info.id)
    count = len(stored)
    # The model is gone: any call now fails (and is counted).
    server.reset(default=Status(500))
    settings = settings_for(server)
    coach = build_coach("llm", settings)
    resumed = InterviewSession.resume(store, session.info.id, registry, settings, harness=None,
                                      clock=clock, replay_coach=ScriptedCoach(), coach=coach,
                                      scorer=behavioral_scorer(settings, coach))
    assert server.requests == []  # the past was not asked again
    assert len(resumed.records()) == count
    kind, before = resumed.orchestrator.kind, session.orchestrator.kind
    assert isinstance(kind, BehavioralInterview) and isinstance(before, BehavioralInterview)
    assert [q.question.text for q in kind._work.questions] == \
        [q.question.text for q in before._work.questions]  # type: ignore[union-attr]
    assert [[s.score for s in q.scores] for q in kind._work.questions] == \
        [[s.score for s in q.scores] for q in before._work.questions]  # type: ignore[union-attr]
    # From here on the live scorer: the model fails, visibly.
    clock.advance(40)
    out = resumed.say("I decided to write the checklist myself, and releases got safer.")
    assert of(out, "scorer_fallback")[0]["reason"] == "error"
    assert of(out, "answer_scored")[0]["by"] == "scripted"
    # Replay (another coach setting): the stored scores, questions and feedback.
    server.reset(default=Status(500))
    again = replay_session(store, session.info.id, registry, Settings(),
                           replay_coach=ScriptedCoach(), helpfulness="gentle")
    assert server.requests == []
    replayed = store.records(again.session.id)
    for type_ in ("question_asked", "answer_scored", "question_feedback"):
        keep = ("text", "by") if type_ == "question_asked" else ("score", "level", "by", "gaps") \
            if type_ == "answer_scored" else ("coaching", "revised_answer", "by")
        first = [{k: d[k] for k in keep} for d in of(stored, type_)]
        assert [{k: d[k] for k in keep} for d in of(replayed, type_)][:len(first)] == first
    assert of(stored, "answer_scored")[0]["by"] == MODEL


# ------------------------------------------------------------------ voice


def start_offline(registry: ProblemRegistry, clock: FakeClock) -> InterviewSession:
    setup = behavioral_setup(stage="hiring_manager", seed=7, registry=registry)
    return InterviewSession.start(
        SessionStore(MEMORY), interview_problem(setup["stage"]), Settings(), harness=None,
        clock=clock, coach=ScriptedCoach(), registry=registry, kind_name="behavioral",
        kind_options=setup)


def speak(session: InterviewSession, clock: FakeClock, text: str, begin: float,
          end: float) -> list[Any]:
    clock.set(end)
    return session.post("candidate_said", {"text": text, "source": "voice",
                                           "speech": {"start": begin, "end": end}})


def test_a_spoken_answer_carries_its_time_per_star_part(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start_offline(registry, clock)
    speak(session, clock, "Last year our checkout service was failing during sales peaks.",
          10, 16)
    speak(session, clock, "I set up a weekly review with the three leads and I wrote the "
          "proposal to split the service.", 18, 30)
    speak(session, clock, "As a result checkout errors fell from four percent to half a "
          "percent.", 31, 150)
    clock.set(155)
    (scored,) = of(session.post("silence", {"seconds": 5.0}), "answer_scored")
    d = scored["delivery"]
    assert d["star_seconds"] == {"situation": 6.0, "action": 12.0, "result": 119.0}
    assert list(d["star_seconds"]) == ["situation", "action", "result"]  # as said
    assert sum(d["star_seconds"].values()) == d["speaking_seconds"]
    assert d["answer_seconds"] == 140 and d["over_guide"] and d["guide_seconds"] == 120


def test_a_sentence_split_across_pieces_shares_their_time(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start_offline(registry, clock)
    # One unlabelled-looking opening and a result spoken in two finals.
    speak(session, clock, "so um", 0, 2)
    speak(session, clock, "our error rate fell from four percent", 3, 9)
    speak(session, clock, "to half a percent after I rewrote the retry logic.", 9, 19)
    clock.set(25)
    (scored,) = of(session.post("silence", {"seconds": 6.0}), "answer_scored")
    seconds = scored["delivery"]["star_seconds"]
    assert sum(seconds.values()) == pytest.approx(scored["delivery"]["speaking_seconds"])
    assert len(seconds) >= 1


def test_skip_while_a_spoken_reply_is_gathered_skips_it(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start_offline(registry, clock)
    clock.advance(20)
    out = session.say("We had a problem and we fixed it.")
    assert of(out, "follow_up_asked")[0]["number"] == 1
    speak(session, clock, "hmm I'm not sure I remember that part", 25, 29)
    out = session.post("skip_requested")
    assert not of(out, "answer_scored")  # what was said is not taken as the answer
    assert of(out, "follow_up_asked")[0]["number"] == 2
    kind = session.orchestrator.kind
    assert isinstance(kind, BehavioralInterview)
    q = kind._work.questions[0]  # type: ignore[union-attr]
    assert q.replies == ["We had a problem and we fixed it."]
    assert any("not sure I remember" in text for _, _, text in session.orchestrator.state.transcript)
    # A skip with nothing pending is refused and the spoken answer goes on.
    session.post("next_requested")
    speak(session, clock, "Last year I led the migration of our billing service.", 40, 46)
    out = session.post("skip_requested")
    assert of(out, "request_refused") and not of(out, "answer_scored")
    clock.set(52)
    (scored,) = of(session.post("silence", {"seconds": 6.0}), "answer_scored")
    assert scored["question_number"] == 2 and "delivery" in scored


def test_the_panel_shows_a_fallback_and_the_time_per_star_part() -> None:
    from mock_interviewer_lab.kernel.behavioral_panel import BehavioralPanel

    panel = BehavioralPanel({"kind": "behavioral", "title": "Behavioural", "stage":
                             "hiring_manager", "level": "L4", "total": 5})
    panel.apply({"type": "scorer_fallback", "data": {
        "step": "score", "question_number": 1, "reason": "timeout", "detail": "", "model": MODEL,
        "message": "The model did not answer in time (timeout); the scripted scorer's result "
                   "stands."}})
    assert "the scripted scorer" in panel.status.value
    panel.apply({"type": "answer_scored", "data": {
        "question_number": 1, "score": 6, "level": "L4", "brief_feedback": "Say the result.",
        "delivery": {"words_per_minute": 120.0, "fillers": 1, "pauses": 0,
                     "answer_seconds": 40.0, "over_guide": False,
                     "star_seconds": {"situation": 6.0, "action": 30.4}}}})
    assert "situation 6 s, action 30 s" in panel.brief.value
