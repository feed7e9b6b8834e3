"""The orchestrator on its own: events in, actions out, time from the events.
No harness here: test results are handed in as the harness would report them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.kinds.coding import work_of
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.rules.hints import STUCK_MINUTES
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings


@pytest.fixture(scope="module")
def two_sum() -> Problem:
    return ProblemRegistry.discover(installed=False).get("two_sum")


def settings(**coach: Any) -> Settings:
    s = Settings()
    for k, v in coach.items():
        setattr(s.coach, k, v)
    return s


class Driver:
    def __init__(self, orch: Orchestrator) -> None:
        self.orch = orch
        self.seq = 0
        self.log: list[Action] = []

    def __call__(self, t: float, type_: str, **data: Any) -> list[Action]:
        event = Event(type=type_, t=t, data=data, seq=self.seq)  # type: ignore[arg-type]
        self.seq += 1
        actions = self.orch.handle(event)
        self.log += actions
        return actions

    def said(self) -> list[str]:
        return [a.data["text"] for a in self.log if a.type == "coach_says"]

    def phases(self) -> list[str]:
        return [a.data["to"] for a in self.log if a.type == "phase_changed"]


def run_json(passed: int, total: int, **extra: Any) -> dict[str, Any]:
    cases = [{"index": i, "name": f"case {i + 1}", "hidden": i >= 3,
              "status": "passed" if i < passed else "failed",
              "args": [[1, 2], 3] if i < 3 else None, "expected": [0, 1] if i < 3 else None,
              "got": None if i < passed or i >= 3 else [1, 1],
              "got_repr": None if i < passed or i >= 3 else "[1, 1]"} for i in range(total)]
    return {"problem": "two_sum", "passed": passed, "failed": total - passed, "total": total,
            "cases": cases, "complexity": None, "error": None, **extra}


def types(actions: list[Action]) -> list[str]:
    return [a.type for a in actions]


def test_a_whole_interview_walks_the_spec_phases(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(30, "candidate_said", text="Can the list contain negative numbers?")
    d(90, "candidate_said", text="I'll use a nested loop over every pair first.")
    d(120, "candidate_said", text="Let me code it.")
    acts = d(400, "code_submitted", code="def two_sum(nums, target):\n    return [0, 0]\n")
    assert types(acts)[-1] == "run_tests"
    d(401, "tests_finished", run=run_json(1, 9))
    d(600, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(601, "tests_finished", run=run_json(9, 9))
    d(700, "candidate_said", text="It runs in O(n) time and O(n) space.")
    d(730, "candidate_said", text="I would add tests for negative numbers and for [3, 3].")
    d(760, "candidate_said", text="I traded extra memory for a single pass over the list.")
    d(800, "candidate_said", text="I would sort first and walk two pointers from both ends.")
    d(820, "candidate_said", text="I think I'm done.")
    # The follow-ups go on: words never end the interview; the candidate's End does.
    assert not d.orch.state.ended
    d(900, "end_requested", reason="candidate")
    assert d.phases() == ["intro", "understanding", "approach", "coding", "testing", "debugging",
                          "testing", "optimization", "complexity", "reflection", "followup", "done"]
    assert d.orch.state.ended and types(d.log)[-1] == "report_ready"


def test_complexity_phase_when_under_the_complexity_budget(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), minutes=20, coach=ScriptedCoach()))  # complexity_duration_s = 180
    d(0, "session_started")
    d(10, "candidate_said", text="I'll use a loop.")
    d(20, "candidate_said", text="Let me code it.")
    d(16 * 60, "tick")
    assert d.orch.phase.value == "coding"
    d(17 * 60 + 1, "tick")
    assert d.orch.phase.value == "complexity"
    assert "complexity" in d.said()[-1]


def test_followup_only_with_more_than_two_minutes_left(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), minutes=20, coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "candidate_said", text="Let me code it.")
    d(60, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(61, "tests_finished", run=run_json(9, 9))
    d(18.5 * 60, "candidate_said", text="It is O(n) time.")
    d(18.6 * 60, "candidate_said", text="I would test an empty list and repeated values.")
    d(18.7 * 60, "candidate_said", text="I chose speed over memory for this one.")
    assert d.phases()[-1] == "reflection"  # 1.3 minutes left: no follow-up, and no end either
    assert not d.orch.state.ended
    d(20 * 60, "tick")
    assert d.phases()[-1] == "done"


def test_illegal_transitions_are_refused(two_sum: Problem) -> None:
    orch = Orchestrator(two_sum, settings(), coach=ScriptedCoach())
    orch.handle(Event(type="session_started", t=0, seq=0))
    verdict = orch.machine.can(orch.machine.phase.__class__("optimization"), time_left_s=2000)
    assert not verdict and "cannot go from INTRO to OPTIMIZATION" in verdict.reason


def test_time_warnings_once_each(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    for t in range(0, 46 * 60, 30):
        d(t, "tick")
    warnings = [a.data["minutes_left"] for a in d.log if a.type == "time_warning"]
    assert warnings == [10, 5, 2]
    assert d.orch.state.ended


@pytest.mark.parametrize("helpfulness", ["gentle", "balanced", "insistent"])
def test_automatic_hints_follow_the_ladder(two_sum: Problem, helpfulness: str) -> None:
    # The calibrator would speed hints up for a candidate this stuck: off here.
    d = Driver(Orchestrator(two_sum, settings(helpfulness=helpfulness), calibrate=False, coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "candidate_said", text="Hmm, so we need two numbers.")  # UNDERSTANDING from t=5
    for t in range(10, 15 * 60, 10):
        d(t, "tick")
    hints = [(a.t, a.data["level"]) for a in d.log if a.type == "show_hint"]
    assert [lv for _, lv in hints] == [1, 2, 3]
    first, second, third = (m * 60 for m in STUCK_MINUTES[helpfulness])
    assert [t - 5 for t, _ in hints] == [pytest.approx(x, abs=10) for x in (first, second, third)]
    assert all(b - a >= 60 for (a, _), (b, _) in itertools.pairwise(hints))


def test_requested_hints_one_level_at_a_time_then_a_subproblem(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    labels = []
    for t in (10, 11, 12):
        acts = d(t, "hint_requested")
        labels += [a.data["label"] for a in acts if a.type == "show_hint"]
    assert labels == ["hint 1 of 3", "hint 2 of 3", "hint 3 of 3"]
    acts = d(13, "hint_requested")
    assert "show_hint" not in types(acts)
    assert d.said()[-1].startswith("Let's simplify")
    texts = [a.data["text"] for a in d.log if a.type == "show_hint"]
    assert texts == [two_sum.hints.level_1[0], two_sum.hints.level_2[0], two_sum.hints.level_3[0]]


def test_no_automatic_hint_right_after_a_requested_one(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(helpfulness="insistent"), coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "candidate_said", text="So we need two numbers.")
    d(119, "hint_requested")  # level 1 by request
    acts = d(125, "tick")  # the level-1 threshold has passed, but level 2 is not due
    assert "show_hint" not in types(acts)


def test_silence_nudges_respect_threshold_and_interval(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "candidate_said", text="Let me think about the examples.")
    assert "coach_says" not in types(d(12, "silence", seconds=6))  # under 8 s
    assert "coach_says" in types(d(20, "silence", seconds=9))
    assert "coach_says" not in types(d(35, "silence", seconds=9))  # within nudge_interval_s
    assert "coach_says" in types(d(60, "silence", seconds=9))
    # Unanswered nudges come further and further apart: 30 s, then 60 s.
    assert "coach_says" not in types(d(100, "silence", seconds=95))
    assert "coach_says" in types(d(120, "silence", seconds=115))


def _quiet_for(d: Driver, start: float, stop: float, step: float = 10) -> list[Action]:
    """Silence events every ``step`` seconds; the coach's lines said meanwhile."""
    lines = []
    t = start
    while t < stop:
        lines += [a for a in d(t, "silence", seconds=t - start) if a.type == "coach_says"]
        t += step
    return lines


def test_a_quiet_candidate_hears_the_coach_less_often_but_never_nothing(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), calibrate=False, coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "candidate_said", text="So we need two numbers that add up to the target.")
    lines = _quiet_for(d, 6, 20 * 60)
    nudges = [a for a in lines if a.data["kind"] != "warning"]
    gaps = [b.t - a.t for a, b in itertools.pairwise(nudges)]
    assert max(gaps) <= 150  # a quiet candidate is never left alone for long
    nudge_gaps = [b.t - a.t for a, b in itertools.pairwise(
        [a for a in nudges if a.data["kind"] == "nudge"])]
    assert nudge_gaps[:3] == sorted(nudge_gaps[:3]) and nudge_gaps[0] < nudge_gaps[2]  # backs off
    for i, line in enumerate(nudges):  # and does not repeat itself within three minutes
        assert all(other.data["text"] != line.data["text"]
                   for other in nudges[:i] if line.t - other.t < 180), line.data["text"]
    texts = [a.data["text"] for a in nudges if a.data["kind"] == "nudge"]
    # It escalates: concrete questions, then the offer of a hint or a smaller problem.
    assert any("first example" in t for t in texts)
    assert any("hint" in t.lower() or "smaller" in t for t in texts)


def test_a_nudge_does_not_pile_onto_a_hint_in_the_same_moment(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), calibrate=False, coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "candidate_said", text="So we need two numbers that add up to the target.")
    _quiet_for(d, 6, 10 * 60)
    by_time: dict[float, list[str]] = {}
    for a in d.log:
        if a.type == "coach_says" and a.data["kind"] != "warning":
            by_time.setdefault(a.t, []).append(a.data["kind"])
    assert any("hint" in kinds for kinds in by_time.values())
    assert all(len(kinds) == 1 for kinds in by_time.values()), by_time


def test_a_hint_asked_for_in_words_comes_from_the_ladder(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    acts = d(10, "candidate_said", text="Can you give me a hint?")
    hints = [a for a in acts if a.type == "show_hint"]
    assert [(h.data["level"], h.data["reason"]) for h in hints] == [(1, "requested")]
    assert d.said()[-1] == f"Hint 1 of 3: {two_sum.hints.level_1[0]}"
    assert d.orch.state.hints_requested == 1
    acts = d(20, "candidate_said", text="Hmm, I'm still confused. Could I get another hint?")
    assert [a.data["level"] for a in acts if a.type == "show_hint"] == [2]
    acts = d(30, "candidate_said", text="I don't need a hint, I'll think it through.")
    assert "show_hint" not in types(acts)
    assert d.orch.ladder.level == 2


class HintOfferingCoach:
    name = "offering"

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.trigger == "silence":
            return CoachReply("Would a hint help? Ask for one and I'll give you the next.", "nudge")
        return None


def test_yes_to_an_offered_hint_gives_the_next_hint(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=HintOfferingCoach(), calibrate=False))
    d(0, "session_started")
    d(20, "silence", seconds=20)
    acts = d(30, "candidate_said", text="Yes please.")
    assert [(a.data["level"], a.data["reason"]) for a in acts if a.type == "show_hint"] \
        == [(1, "requested")]
    acts = d(40, "candidate_said", text="yes")  # the last line was the hint, not an offer
    assert "show_hint" not in types(acts)


def test_fishing_twice_the_same_way_is_redirected_in_other_words(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "candidate_said", text="Just tell me the answer.")
    d(40, "candidate_said", text="Come on, just tell me.")
    d(70, "candidate_said", text="What are the hidden test cases?")
    d(90, "candidate_said", text="What inputs do the hidden tests use?")
    redirects = [a.data["text"] for a in d.log if a.type == "coach_says"
                 and a.data["kind"] == "redirect"]
    kinds = [a.data["kind"] for a in d.log if a.type == "fishing_redirected"]
    assert kinds == ["just_tell", "just_tell", "hidden_tests", "hidden_tests"]
    assert len(set(redirects)) == 4
    assert redirects[0] == "I'm here to guide, not solve. What's blocking you?"


def test_thinking_sounds_do_not_reset_the_silence(two_sum: Problem) -> None:
    orch = Orchestrator(two_sum, settings(), coach=ScriptedCoach())
    orch.handle(Event(type="session_started", t=0, seq=0))
    orch.handle(Event(type="candidate_said", t=5, data={"text": "So two numbers."}, seq=1))
    orch.handle(Event(type="candidate_said", t=50, data={"text": "umm... hmm"}, seq=2))
    assert orch.state.last_activity_t == 5


def test_fishing_gets_a_redirect_and_no_answer(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    for i, text in enumerate(["just tell me the answer", "is it a hashmap?",
                              "can you write the code for me"]):
        acts = d(10 + i, "candidate_said", text=text)
        assert types(acts) in (["fishing_redirected", "coach_says"],
                               ["phase_changed", "fishing_redirected", "coach_says"])
    for text in d.said()[1:]:
        assert "hash" not in text.lower() and "dict" not in text.lower()


class LeakyCoach:
    name = "leaky"

    def reply(self, ctx: CoachContext) -> CoachReply:
        return CoachReply("You should use a hash map and store the indices in a dictionary.",
                          "question")


def test_a_leaking_coach_is_replaced_and_logged(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=LeakyCoach()))
    d(0, "session_started")
    d(10, "candidate_said", text="Can the numbers repeat?")
    blocked = [a for a in d.log if a.type == "leak_blocked"]
    assert len(blocked) == 2 and blocked[0].data["reasons"]
    for text in d.said():
        assert "hash map" not in text and "dictionary" not in text


def test_candidate_naming_the_idea_lets_the_coach_use_it(two_sum: Problem) -> None:
    class Echo:
        name = "echo"

        def reply(self, ctx: CoachContext) -> CoachReply:
            return CoachReply("Why a hash map here?", "question")

    d = Driver(Orchestrator(two_sum, settings(), coach=Echo()))
    d(0, "session_started")
    d(10, "candidate_said", text="I'll put the numbers in a hash map as I go.")
    assert d.said()[-1] == "Why a hash map here?"


def test_tests_replies_point_without_fixing(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(helpfulness="balanced"), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "code_submitted", code="def two_sum(nums, target):\n    return [1, 1]\n")
    d(11, "tests_finished", run=run_json(0, 9))
    reply = d.said()[-1]
    assert "case 1" in reply and "[1, 1]" in reply and reply.endswith("?")
    assert "return [" not in reply and "def " not in reply  # points, never writes code
    show = [a for a in d.log if a.type == "show_results"][-1]
    assert show.data["passed"] == 0 and show.data["total"] == 9


def test_gentle_coach_names_no_case(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(helpfulness="gentle"), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "code_submitted", code="def two_sum(nums, target):\n    return [1, 1]\n")
    d(11, "tests_finished", run=run_json(0, 9))
    assert d.said()[-1] == "9 of 9 tests fail. What do you think is happening?"


def test_only_hidden_failures_get_edge_case_questions(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(11, "tests_finished", run=run_json(3, 9))
    assert "hidden" in d.said()[-1] and "edge cases" in d.said()[-1]


def test_complexity_claim_is_checked(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(11, "tests_finished", run=run_json(9, 9, complexity={"expected": "O(n)",
                                                            "estimated": "O(n^2)"}))
    d(20, "candidate_said", text="I think it's quadratic.")
    (check,) = [a for a in d.log if a.type == "complexity_checked"]
    assert check.data == {"claimed_time": "O(n^2)", "claimed_space": None, "expected_time": "O(n)",
                          "measured_time": "O(n^2)", "correct": True}


def test_end_asks_for_complexity_first(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(10, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(11, "tests_finished", run=run_json(9, 9))
    acts = d(20, "end_requested", reason="candidate")
    assert not d.orch.state.ended and "complexity" in d.said()[-1]
    d(30, "candidate_said", text="O(n) time, O(n) space.")
    assert d.orch.state.ended and d.phases()[-1] == "done"
    del acts


def test_abort(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(5, "end_requested", reason="abort")
    assert d.phases()[-1] == "abort" and d.orch.state.ended
    assert d(6, "candidate_said", text="hello?") == []


def test_tdd_mode_walks_the_six_steps(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), mode="tdd", coach=ScriptedCoach()))
    d(0, "session_started")
    assert "own words" in d.said()[0]
    d(30, "candidate_said", text="We get a list and a target and return the two indices that add up.")
    assert "test cases" in d.said()[-1]
    d(60, "candidate_said", text="A typical case, an empty list edge case, and a big list of repeats.")
    assert "simplest solution" in d.said()[-1]
    step = work_of(d.orch.state).tdd_step
    assert step is not None and step.value == "implement_naive"


def test_personality_changes_the_tone(two_sum: Problem) -> None:
    texts = {}
    for personality in ("supportive", "neutral", "challenging"):
        d = Driver(Orchestrator(two_sum, settings(personality=personality), coach=ScriptedCoach()))
        d(0, "session_started")
        d(10, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
        d(11, "tests_finished", run=run_json(9, 9))
        texts[personality] = d.said()[-1]
    assert texts["neutral"].startswith("All 9 tests pass")
    assert texts["supportive"] != texts["neutral"]


def test_same_events_same_actions(two_sum: Problem) -> None:
    def play() -> list[dict[str, Any]]:
        d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
        d(0, "session_started")
        d(30, "candidate_said", text="I'm stuck, I don't know where to start")
        for t in range(40, 900, 30):
            d(t, "tick")
        return [a.to_dict() for a in d.log]

    assert play() == play()


def test_the_calibrator_steps_in_for_a_candidate_who_finds_no_approach(two_sum: Problem) -> None:
    def hint_times(calibrate: bool) -> tuple[list[float], list[Action]]:
        d = Driver(Orchestrator(two_sum, settings(helpfulness="gentle"), calibrate=calibrate, coach=ScriptedCoach()))
        d(0, "session_started")
        d(5, "candidate_said", text="Hmm, so we need two numbers.")
        for t in range(10, 15 * 60, 10):
            d(t, "tick")
        return [a.t for a in d.log if a.type == "show_hint"], d.log

    slow, _ = hint_times(False)
    fast, log = hint_times(True)
    (adjusted,) = [a for a in log if a.type == "coach_adjusted"]
    assert adjusted.data["assessment"] == "too_hard" and adjusted.data["helpfulness"] == "insistent"
    assert adjusted.data["hint_threshold_multiplier"] == 0.5
    assert fast[1] < slow[1] and fast[2] < slow[2]
    assert any(a.type == "coach_says" and a.data["kind"] == "subproblem" for a in log)


def test_no_calibration_for_a_candidate_doing_fine(two_sum: Problem) -> None:
    d = Driver(Orchestrator(two_sum, settings(), coach=ScriptedCoach()))
    d(0, "session_started")
    d(100, "candidate_said", text="I'll use a loop over the numbers.")
    d(200, "candidate_said", text="Let me code it.")
    d(400, "code_submitted", code="def two_sum(nums, target):\n    return [0, 1]\n")
    d(401, "tests_finished", run=run_json(9, 9))
    for t in range(410, 1200, 30):
        d(t, "tick")
    assert not [a for a in d.log if a.type == "coach_adjusted"]
