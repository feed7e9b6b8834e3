"""The behavioural interview through the engine (InterviewSession, fake clock):
five questions, follow-ups probing the gaps found, feedback per question and
for the session, skip/next/end at any point and the spec's errors, resume
and replay mid-question, adaptive difficulty, adversarial mode, delivery of
spoken answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.competencies import (
    MAX_FOLLOW_UPS,
    QUESTIONS_PER_SESSION,
    competency_for_stage,
    readiness_for,
)
from mock_interviewer_lab.events import Action, validate_payload
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.kinds import make_kind
from mock_interviewer_lab.interview.kinds.behavioral import (
    COMPLETED_REASON,
    MAX_QUESTIONS_REASON,
    BehavioralInterview,
    BehavioralView,
    SetupError,
    behavioral_setup,
    read_context_file,
)
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.replay import replay_session
from mock_interviewer_lab.interview.rules.star import ungrounded
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.payloads import BehavioralSetup
from mock_interviewer_lab.problems.questions import interview_problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

STRONG = ("Last year our checkout service was failing during sales peaks and the product, "
          "payments and support teams each blamed the others. My task was to get one plan "
          "everyone would commit to within a month. I set up a weekly review with the three "
          "leads, I wrote the proposal to split the service, and I negotiated with the "
          "payments lead to move her team's release by two weeks. As a result checkout errors "
          "fell from 4 percent to 0.5 percent and we handled twice the peak traffic. I learned "
          "to bring the data to the first meeting rather than the third.")
WEAK = "We had a problem and we fixed it."
HYPOTHETICAL = "I would usually talk to people and then decide."


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


def start(registry: ProblemRegistry, *, store: SessionStore | None = None,
          clock: FakeClock | None = None, **options: Any) -> InterviewSession:
    setup = behavioral_setup(**{"stage": "hiring_manager", "seed": 7, **options},
                             registry=registry)
    return InterviewSession.start(
        store or SessionStore(MEMORY), interview_problem(setup["stage"]), Settings(),
        harness=None, clock=clock or FakeClock(), coach=ScriptedCoach(), registry=registry,
        kind_name="behavioral", kind_options=setup)


def of(actions: list[Any], type_: str) -> list[dict[str, Any]]:
    return [a.data for a in actions if isinstance(a, Action) and a.type == type_]


def said(actions: list[Any], kind: str | None = None) -> list[str]:
    return [d["text"] for d in of(actions, "coach_says") if kind is None or d["kind"] == kind]


def answer_until_next(session: InterviewSession, clock: FakeClock, first: str,
                      reply: str) -> list[Action]:
    """Answer the current question, then its follow-ups, until the next
    question is asked or the interview ends."""
    clock.advance(30)
    out = session.say(first)
    for _ in range(MAX_FOLLOW_UPS + 1):
        if of(out, "question_asked") or session.ended:
            break
        clock.advance(30)
        out += session.say(reply)
    return out


# ------------------------------------------------------------------ flow


def test_five_questions_with_follow_ups_feedback_and_the_sessions(
        registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock)
    opening = session.records()
    asked = of(opening, "question_asked")
    assert len(asked) == 1 and said(opening, "intro") and said(opening, "question")
    assert asked[0] | {"number": 1, "total": 5, "competency": "leadership",
                       "fell_back": None} == asked[0]
    assert session.phase == Phase.QUESTION
    for number in range(1, QUESTIONS_PER_SESSION + 1):
        answer_until_next(session, clock, STRONG if number % 2 else WEAK,
                          "I decided it myself and it went well.")
    assert session.ended and session.orchestrator.machine.phase.value == "done"
    records = session.records()
    for r in records:  # every payload keeps its shape
        validate_payload("event" if r.__class__.__name__ == "Event" else "action", r.type, r.data)
    questions = of(records, "question_asked")
    assert [q["number"] for q in questions] == [1, 2, 3, 4, 5]
    assert [q["competency"] for q in questions] == [
        competency_for_stage("hiring_manager", n) for n in range(1, 6)]
    assert len({q["question_id"] for q in questions}) == 5  # never repeated
    # Follow-ups: at most three a question, each probing a gap of the answer before it.
    last_gaps: list[str] = []
    follow_ups: dict[int, int] = {}
    no_follow_up = 0
    actions = [r for r in records if isinstance(r, Action)]
    for i, a in enumerate(actions):
        if a.type == "answer_scored":
            last_gaps = a.data["gap_ids"]
            after = next((b for b in actions[i + 1:] if b.type in (
                "follow_up_asked", "question_feedback")), None)
            assert after is not None
            if not last_gaps:
                assert after.type == "question_feedback"  # nothing missing: no follow-up
                no_follow_up += 1
        if a.type == "follow_up_asked":
            assert a.data["gap"] in last_gaps, (a.data, last_gaps)
            n = a.data["question_number"]
            follow_ups[n] = follow_ups.get(n, 0) + 1
            assert a.data["number"] == follow_ups[n] <= MAX_FOLLOW_UPS and a.data["of"] == 3
    assert no_follow_up >= 1 and follow_ups  # both happened in this session
    scored = of(records, "answer_scored")
    assert all(1 <= s["score"] <= 10 and set(s["star"]) == {
        "situation", "task", "action", "result", "reflection"} for s in scored)
    assert all(sum(p["points"] for p in s["rubric"]) == s["score"] for s in scored
               if s["score"] > 1)
    assert all(e["sentence"] in " ".join([STRONG, WEAK, "I decided it myself and it went well."])
               for s in scored for e in s["evidence"])
    # Per question: feedback once, with a revised answer built from the candidate's words.
    feedback = of(records, "question_feedback")
    assert [f["question_number"] for f in feedback] == [1, 2, 3, 4, 5]
    for f in feedback:
        assert f["what_landed"] and f["what_didnt_land"] and f["coaching"]
        assert ungrounded(f["revised_answer"], f["responses"]) == []
    (summary,) = of(records, "session_feedback")
    scores = [f["score"] for f in feedback]
    assert summary["overall_score"] == pytest.approx(sum(scores) / len(scores), abs=0.01)
    assert summary["readiness"] == readiness_for(summary["overall_score"])
    assert summary["questions_completed"] == 5
    assert [q["score"] for q in summary["questions"]] == scores
    types = [r.type for r in records]
    assert types.index("session_feedback") < types.index("report_ready")
    assert not of(records, "leak_blocked")  # the interview's lines pass the safeguards
    # A candidate who answers is not taken for one who has no approach.
    assert not of(records, "coach_adjusted")


def test_skip_next_and_end_at_any_point_and_the_specs_errors(
        registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock)
    # Skip with nothing pending: refused in words, nothing changes.
    out = session.post("skip_requested")
    assert of(out, "request_refused") == [{"event": "skip_requested", "code": "no_follow_up",
                                           "reason": of(out, "request_refused")[0]["reason"]}]
    assert said(out, "error") and not of(out, "question_asked")
    clock.advance(20)
    out = session.say(WEAK)
    first = of(out, "follow_up_asked")[0]
    out = session.post("skip_requested")  # the follow-up is dropped: the next one comes
    assert of(out, "follow_up_asked")[0]["number"] == 2
    assert of(out, "follow_up_asked")[0]["gap"] != first["gap"]
    out = session.post("next_requested")  # the rest dropped: feedback, then question 2
    assert [a.type for a in out if a.type in ("question_feedback", "question_asked")] == [
        "question_feedback", "question_asked"]
    out = session.post("next_requested")  # unanswered: no feedback, on to question 3
    assert not of(out, "question_feedback") and of(out, "question_asked")[0]["number"] == 3
    for _ in range(2):
        session.post("next_requested")
    assert of(session.records(), "question_asked")[-1]["number"] == 5
    out = session.post("next_requested")  # a sixth question
    assert of(out, "request_refused") == [{"event": "next_requested", "code": "max_questions",
                                           "reason": MAX_QUESTIONS_REASON}]
    assert not session.ended
    out = session.end()
    assert of(out, "session_feedback")[0]["questions_completed"] == 1 and session.ended
    for type_, data in (("next_requested", None), ("skip_requested", None),
                        ("candidate_said", {"text": "One more thing."})):
        out = session.post(type_, data)
        assert [a.type for a in out] == ["request_refused"]
        assert out[0].data == {"event": type_, "code": "completed", "reason": COMPLETED_REASON}
    assert session.tick() == [] and session.end() == []


def test_ending_before_any_answer_gives_an_empty_summary(registry: ProblemRegistry) -> None:
    session = start(registry)
    out = session.end()
    (summary,) = of(out, "session_feedback")
    assert summary["questions_completed"] == 0 and summary["readiness"] == "Needs Practice"
    assert not of(out, "question_feedback") and session.phase == Phase.DONE


def test_time_up_ends_with_the_feedback(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock)
    clock.advance(10)
    session.say(STRONG)
    out: list[Action] = []
    while not session.ended:
        clock.advance(60)
        out += session.tick()
    assert said(out, "warning")  # the engine's clock warnings, in behavioural words
    assert all("question" in w for w in said(out, "warning"))
    assert of(out, "session_feedback")[0]["questions_completed"] >= 1


def test_a_quiet_candidate_hears_behavioural_nudges(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock)
    clock.advance(20)
    out = session.post("silence", {"seconds": 20.0})
    (nudge,) = said(out, "nudge")
    assert "specific time" in nudge or "situation" in nudge


# ---------------------------------------------------- resume and replay


def test_resume_and_replay_rebuild_the_interview_mid_question(
        registry: ProblemRegistry, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    clock = FakeClock()
    session = start(registry, store=store, clock=clock, stage="recruiter_screen",
                    difficulty="easy")
    clock.advance(30)
    session.say(WEAK)
    pending = of(session.records(), "follow_up_asked")[-1]
    count = len(session.records())
    resumed = InterviewSession.resume(store, session.info.id, registry, Settings(),
                                      harness=None, clock=clock, replay_coach=ScriptedCoach())
    assert len(resumed.records()) == count  # nothing appended again
    kind, before = resumed.orchestrator.kind, session.orchestrator.kind
    assert isinstance(kind, BehavioralInterview) and isinstance(before, BehavioralInterview)
    assert kind.setup == before.setup
    assert resumed.phase == Phase.FOLLOW_UP
    view = kind.coach_view(resumed.orchestrator, {})
    assert isinstance(view, BehavioralView) and view.awaiting == "follow_up"
    assert view.follow_up_number == pending["number"]
    clock.advance(30)
    out = resumed.say("I decided to rewrite the deploy script myself, and deploys went from "
                      "40 minutes to 8.")
    assert of(out, "answer_scored")[0]["response_number"] == 2
    assert of(out, "answer_scored")[0]["question_number"] == 1
    # Replay: the same questions drawn (the stored seed), another coach setting.
    again = replay_session(store, session.info.id, registry, Settings(),
                           replay_coach=ScriptedCoach(), helpfulness="gentle")
    ids = [q["question_id"] for q in of(store.records(session.info.id), "question_asked")]
    assert [q["question_id"] for q in of(store.records(again.session.id),
                                         "question_asked")] == ids
    assert store.get(again.session.id).kind == "behavioral"


# ---------------------------------------------------------------- phase 2


def test_difficulty_adapts_and_says_so(registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock, difficulty="medium")
    out: list[Action] = []
    while not of(out, "difficulty_changed") and not session.ended:
        out += answer_until_next(session, clock, STRONG, STRONG)
    (changed,) = of(out, "difficulty_changed")
    feedback = of(session.records(), "question_feedback")
    assert [f["score"] >= 8 for f in feedback[-2:]] == [True, True]
    assert changed["from"] == "medium" and changed["to"] == "hard"
    assert any("harder" in line for line in said(out, "difficulty"))
    assert of(out, "question_asked")[-1]["difficulty"] == "hard"
    # Two weak answers: one easier.
    clock2 = FakeClock()
    weak = start(registry, clock=clock2, difficulty="medium", stage="recruiter_screen")
    out = answer_until_next(weak, clock2, HYPOTHETICAL, "Not sure.")
    out += answer_until_next(weak, clock2, HYPOTHETICAL, "Not sure.")
    assert of(out, "difficulty_changed") and of(out, "difficulty_changed")[0]["to"] == "easy"
    assert of(out, "question_asked")[-1]["difficulty"] == "easy"


def test_adversarial_mode_interrupts_challenges_a_claim_and_asks_why(
        registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock, adversarial=True)
    clock.advance(30)
    long_answer = " ".join([STRONG] * 4)  # well past the two-minute guide
    out = session.say(long_answer)
    types = [(a.type, a.data.get("kind")) for a in out]
    assert types.index(("coach_says", "interrupt")) < types.index(("answer_scored", None))
    (challenge,) = of(out, "follow_up_asked")
    assert challenge["gap"] == "claim" and '"4 percent"' in challenge["text"]
    clock.advance(30)
    out = session.say("Because errors fell the week we shipped, and nothing else changed.")
    assert of(out, "follow_up_asked")[0]["gap"] == "why"
    clock.advance(30)
    out = session.say("Splitting the service let each team release on its own.")
    gaps = [f["gap"] for f in of(session.records(), "follow_up_asked")]
    assert gaps.count("why") == 1 and gaps.count("claim") == 1  # once per question
    assert not said(out, "interrupt")


def test_a_spoken_answer_is_gathered_and_carries_its_delivery(
        registry: ProblemRegistry) -> None:
    clock = FakeClock()
    session = start(registry, clock=clock)
    parts = [("um so last year our checkout service was failing during sales peaks", 10, 16),
             ("and I set up a weekly review with the three leads and I wrote the proposal",
              20, 26),
             ("as a result checkout errors fell from four percent to half a percent", 27, 131)]
    for text, begin, end in parts:
        clock.set(end)
        out = session.post("candidate_said", {"text": text, "source": "voice",
                                              "speech": {"start": begin, "end": end}})
        assert not of(out, "answer_scored")  # still speaking
    clock.set(140)
    out = session.post("silence", {"seconds": 9.0})
    (scored,) = of(out, "answer_scored")
    assert not said(out, "nudge")  # the pause ended the answer
    d = scored["delivery"]
    words = sum(len(t.split()) for t, _, _ in parts)
    speaking = sum(e - b for _, b, e in parts)
    assert d["speaking_seconds"] == speaking and d["answer_seconds"] == 121
    assert d["words_per_minute"] == pytest.approx(words / speaking * 60, abs=0.1)
    assert d["fillers"] >= 1 and d["pauses"] == 1 and d["longest_pause_s"] == 4
    assert d["over_guide"] and d["guide_seconds"] == 120
    clock.advance(10)
    typed = session.say("I decided the order of the migration myself.")
    assert all("delivery" not in s for s in of(typed, "answer_scored"))


# --------------------------------------------------------------- set-up


def test_the_set_up_checks_its_options(registry: ProblemRegistry, tmp_path: Path) -> None:
    setup: BehavioralSetup = behavioral_setup(
        stage="hiring_manager", job_text="Staff engineer, define organizational direction",
        seed=3)
    assert (setup["level"], setup["level_source"]) == ("L5B", "job")
    assert behavioral_setup(stage="recruiter_screen", level="L5A")["level_source"] == "option"
    assert behavioral_setup(stage="recruiter_screen")["level"] == "L4"
    for bad, words in (({"stage": "final_round"}, "unknown stage"),
                       ({"stage": "hiring_manager", "difficulty": "extreme"}, "difficulty"),
                       ({"stage": "hiring_manager", "level": "L7"}, "unknown level"),
                       ({"stage": "hiring_manager", "job_text": "x" * 40_000}, "limit"),
                       ({"stage": "hiring_manager", "bank": "nope"}, "no question bank")):
        with pytest.raises(SetupError, match=words):
            behavioral_setup(**bad, registry=registry)  # type: ignore[arg-type]
    ok = tmp_path / "resume.md"
    ok.write_text("# Sam\nBackend engineer.")
    assert read_context_file(ok, "resume").startswith("# Sam")
    pdf = tmp_path / "resume.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(SetupError, match="not a text or Markdown file"):
        read_context_file(pdf, "resume")
    with pytest.raises(SetupError, match="cannot be read"):
        read_context_file(tmp_path / "missing.txt", "resume")
    with pytest.raises(SetupError, match="needs its set-up"):
        make_kind("behavioral", interview_problem("hiring_manager"), [])


def test_the_stage_problem_is_known_to_the_registry_only_by_its_qualified_id(
        registry: ProblemRegistry) -> None:
    assert registry.get("behavioral:recruiter_screen").spec.title.endswith("recruiter screen")
    assert all(p.pack != "behavioral" for p in registry.problems())
    with pytest.raises(LookupError):
        registry.get("hiring_manager")
