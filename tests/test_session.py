"""Sessions end to end: the store, the orchestrator and the real harness;
crash and resume; replay with another coach; the simulated candidates."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.kinds.base import Shell
from mock_interviewer_lab.interview.kinds.coding import CodingInterview
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.interview.simulate import load_script, simulate
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import SessionStore

ROOT = Path(__file__).resolve().parents[1]
SIMULATIONS = ROOT / "examples" / "simulations"
BRUTE = textwrap.dedent("""
    def two_sum(nums, target):
        for i in range(len(nums)):
            for j in range(i + 1, len(nums)):
                if nums[i] + nums[j] == target:
                    return [i, j]
""")
WRONG = "def two_sum(nums, target):\n    return [0, 1]\n"

#: (seconds, kind, payload): a session that touches every kind of event.
STEPS: list[tuple[float, str, Any]] = [
    (20, "say", "Can the numbers be negative?"),
    (60, "say", "I'll check every pair first."),
    (90, "say", "Let me code it."),
    (200, "submit", WRONG),
    (260, "hint", None),
    (300, "silence", 12),
    (400, "submit", BRUTE),
    (500, "say", "It's quadratic time and constant space."),
    (560, "say", "I kept it simple; with more time I'd trade memory for speed."),
    (600, "end", None),
]


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture(scope="module")
def harness() -> Iterator[SyncHarness]:
    with SyncHarness() as h:
        yield h


def apply(session: InterviewSession, clock: FakeClock, step: tuple[float, str, Any]) -> None:
    t, kind, payload = step
    clock.set(max(clock.now(), t))
    if kind == "say":
        session.say(payload)
    elif kind == "submit":
        session.submit(payload)
    elif kind == "hint":
        session.hint()
    elif kind == "silence":
        session.post("silence", {"seconds": payload})
    elif kind == "end":
        session.end("candidate")


def coach_lines(records: list[Any]) -> list[tuple[float, str]]:
    return [(r.t, r.data["text"]) for r in records if isinstance(r, Action) and r.type == "coach_says"]


def play_all(store: SessionStore, registry: ProblemRegistry, harness: SyncHarness) -> InterviewSession:
    clock = FakeClock()
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=harness,
                                     clock=clock, registry=registry, coach=ScriptedCoach())
    for step in STEPS:
        apply(session, clock, step)
    return session


def test_every_event_is_stored_before_its_actions(tmp_path: Path, registry: ProblemRegistry,
                                                  harness: SyncHarness) -> None:
    store = SessionStore(tmp_path / "s.db")
    session = play_all(store, registry, harness)
    records = store.records(session.info.id)
    assert [r.seq for r in records] == list(range(len(records)))
    seen_events: set[int] = set()
    for r in records:
        if isinstance(r, Event):
            assert r.seq is not None
            seen_events.add(r.seq)
        else:
            assert r.cause in seen_events, "an action was stored before its event"
    runs = [r for r in records if r.type == "tests_finished"]
    assert [r.data["run"]["passed"] for r in runs] == [3, 9] or runs[0].data["run"]["passed"] < 9
    assert runs[-1].data["run"]["passed"] == runs[-1].data["run"]["total"]
    assert session.ended and store.get(session.info.id).status == "ended"
    report = [r for r in records if r.type == "report_ready"][-1].data
    assert report and json.dumps(report)


class WithoutGrowth:
    """The harness without its growth measurement, whose verdict on a busy
    machine can differ between two runs of the same code (and so would the
    coach's words, which these comparisons check)."""

    def __init__(self, harness: SyncHarness) -> None:
        self.harness = harness

    def run(self, problem: Any, code: str, *, complexity: bool = True) -> Any:
        return self.harness.run(problem, code, complexity=False)


def test_resume_after_a_crash_between_an_event_and_its_actions(
        tmp_path: Path, registry: ProblemRegistry, harness: SyncHarness) -> None:
    runner: Any = WithoutGrowth(harness)
    reference = coach_lines(play_all(SessionStore(tmp_path / "ref.db"), registry, runner).records())

    class Crash(BaseException):
        pass

    db = tmp_path / "crash.db"
    store = SessionStore(db)
    clock = FakeClock()
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=runner,
                                     clock=clock, registry=registry, coach=ScriptedCoach())
    for step in STEPS[:4]:
        apply(session, clock, step)
    real_append_many = store.append_many
    calls = 0

    def crash(*args: Any, **kwargs: Any) -> Any:
        # The first append (the event) goes through; the process "dies" at the second.
        nonlocal calls
        calls += 1
        if calls > 1:
            raise Crash
        return real_append_many(*args, **kwargs)

    store.append_many = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        apply(session, clock, STEPS[4])  # the hint: its event is stored, its actions are not
    store.append_many = real_append_many  # type: ignore[method-assign]
    store.close()

    store2 = SessionStore(db)
    last = store2.records(session.info.id)[-1]
    assert isinstance(last, Event) and last.type == "hint_requested"
    clock2 = FakeClock()
    clock2.set(last.t)
    resumed = InterviewSession.resume(store2, session.info.id, registry, Settings(), harness=runner,
                                      clock=clock2, replay_coach=ScriptedCoach())
    for step in STEPS[5:]:
        apply(resumed, clock2, step)
    assert coach_lines(store2.records(session.info.id)) == reference


def test_resume_after_sigkill(tmp_path: Path, registry: ProblemRegistry, harness: SyncHarness) -> None:
    """A real process, killed at a random moment, then resumed here."""
    runner: Any = WithoutGrowth(harness)
    reference = coach_lines(play_all(SessionStore(tmp_path / "ref.db"), registry, runner).records())
    db = tmp_path / "kill.db"
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("session_player.py")),
                              str(db)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    session_id = child.stdout.readline().strip()
    store = SessionStore(db)
    deadline = time.monotonic() + 60
    while store.get(session_id).record_count < 25 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    records = store.records(session_id)
    assert len(records) >= 25 and store.get(session_id).status != "ended"
    clock = FakeClock()
    clock.set(records[-1].t)
    resumed = InterviewSession.resume(store, session_id, registry, Settings(), harness=runner,
                                      clock=clock, replay_coach=ScriptedCoach())
    done = sum(1 for r in records if isinstance(r, Event) and r.type in
               ("candidate_said", "code_submitted", "hint_requested", "silence", "end_requested"))
    for step in STEPS[done:]:
        apply(resumed, clock, step)
    assert coach_lines(store.records(session_id)) == reference


def test_replay_with_another_coach_level(tmp_path: Path, registry: ProblemRegistry,
                                         harness: SyncHarness) -> None:
    from mock_interviewer_lab.interview.replay import replay_session

    store = SessionStore(tmp_path / "s.db")
    original = play_all(store, registry, harness)
    result = replay_session(store, original.info.id, registry, Settings(),
                            replay_coach=ScriptedCoach(), helpfulness="gentle")
    assert result.session.id != original.info.id
    assert result.session.meta["replay_of"] == original.info.id
    replayed = store.records(result.session.id)
    # The candidate's side is the same; the coach's is the gentle one's.
    said = [r.data.get("text") for r in replayed if r.type == "candidate_said"]
    assert said == [s[2] for s in STEPS if s[1] == "say"]
    gentle = coach_lines(replayed)
    assert gentle != coach_lines(original.records())
    assert "tests fail. What do you think is happening?" in " ".join(t for _, t in gentle)


def run_simulation(name: str, registry: ProblemRegistry, harness: SyncHarness) -> dict[str, Any]:
    return simulate(load_script(SIMULATIONS / name), settings=Settings(), registry=registry,
                    harness=harness, coach=ScriptedCoach())


def coach_texts(out: dict[str, Any]) -> list[str]:
    return [e["text"] for e in out["events"] if e["type"] == "coach_says"]


def test_strong_candidate(registry: ProblemRegistry, harness: SyncHarness) -> None:
    out = run_simulation("strong_two_sum.yaml", registry, harness)
    assert out["final_phase"] == "done"
    assert not [e for e in out["events"] if e["type"] == "show_hint"]
    checks = [e for e in out["events"] if e["type"] == "complexity_checked"]
    assert checks and checks[-1]["correct"] is True
    results = [e for e in out["events"] if e["type"] == "show_results"]
    assert results[-1]["passed"] == results[-1]["total"]
    assert out["report"]


def test_stuck_candidate(registry: ProblemRegistry, harness: SyncHarness) -> None:
    out = run_simulation("stuck_two_sum.yaml", registry, harness)
    hints = [(e["t"], e["level"]) for e in out["events"] if e["type"] == "show_hint"]
    # One level at a time; a request after the last level says level 3 in other words.
    assert [lv for _, lv in hints][:3] == [1, 2, 3] and all(lv == 3 for _, lv in hints[3:])
    assert [e for e in out["events"] if e["type"] == "coach_adjusted"]
    assert all(b - a >= 60 for (a, _), (b, _) in itertools.pairwise(hints))
    assert any("simpl" in t for t in coach_texts(out))
    assert not [e for e in out["events"] if e["type"] == "leak_blocked"]


def test_silent_candidate(registry: ProblemRegistry, harness: SyncHarness) -> None:
    out = run_simulation("silent_two_sum.yaml", registry, harness)
    nudges = [e for e in out["events"] if e["type"] == "coach_says" and e["kind"] == "nudge"]
    assert len(nudges) >= 3
    warnings = [e["minutes_left"] for e in out["events"] if e["type"] == "time_warning"]
    assert warnings == [10, 5, 2]
    assert out["final_phase"] in ("done", "abort")


def test_fishing_candidate(registry: ProblemRegistry, harness: SyncHarness) -> None:
    out = run_simulation("fishing_two_sum.yaml", registry, harness)
    redirects = [e for e in out["events"] if e["type"] == "fishing_redirected"]
    assert len(redirects) == 7
    problem = registry.get("two_sum")
    for text in coach_texts(out):
        for term in problem.spec.key_terms:
            assert term.lower() not in text.lower(), (term, text)


def test_a_full_interview_simulates_quickly(registry: ProblemRegistry, harness: SyncHarness) -> None:
    out = run_simulation("silent_two_sum.yaml", registry, harness)
    # Simulated time, not wall time: the whole 30 minutes were played.
    assert out["events"][-1]["t"] >= 29 * 60


def test_results_come_before_the_growth_measurement(tmp_path: Path, registry: ProblemRegistry,
                                                    harness: SyncHarness) -> None:
    # The panel shows a run's results as soon as the tests are done; the
    # growth measurement (ten to fifty times longer) follows, and the coach's
    # reply to the results waits for it, since it depends on it.
    store = SessionStore(tmp_path / "s.db")
    clock = FakeClock()
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=harness,
                                     clock=clock, registry=registry, coach=ScriptedCoach())
    seen: list[str] = []
    session.listeners.append(lambda a: seen.append(a.type))
    clock.set(60)
    session.submit(WRONG)                       # failing code: no measurement at all
    records = store.records(session.info.id)
    failing = [r for r in records if r.type == "tests_finished"][-1]
    assert "growth" not in failing.data and failing.data["run"]["complexity"] is None
    assert not any(r.type == "growth_measured" for r in records)
    clock.set(120)
    before = len(seen)
    session.submit(BRUTE)                       # passing code: results, then the measurement
    records = store.records(session.info.id)
    passing = [r for r in records if r.type == "tests_finished"][-1]
    assert passing.data["growth"] == "pending" and passing.data["run"]["complexity"] is None
    (growth,) = [r for r in records if r.type == "growth_measured"]
    assert growth.data["code_seq"] == passing.data["code_seq"]
    assert growth.data["complexity"]["expected"] == "O(n)"
    after = seen[before:]
    assert after.index("show_results") < after.index("coach_says")
    reply = next(r for r in records if isinstance(r, Action) and r.type == "coach_says"
                 and r.cause == growth.seq)
    # The brute force grows worse than expected: the coach says what it costs
    # and asks for better.
    assert growth.data["complexity"]["worse_than_expected"] == ("faster" in reply.data["text"])
    assert not any(isinstance(r, Action) and r.type == "coach_says" and r.cause == passing.seq
                   for r in records)


def test_a_lost_growth_measurement_is_made_again_on_resume(
        tmp_path: Path, registry: ProblemRegistry, harness: SyncHarness) -> None:
    db = tmp_path / "s.db"
    store = SessionStore(db)
    clock = FakeClock()
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=harness,
                                     clock=clock, registry=registry, coach=ScriptedCoach())

    def no_growth(shell: Shell, code_seq: Any, code: str, problem: Any = None) -> list[Action]:
        return []                               # the process "died" before measuring

    coding = session.orchestrator.kind  # the coding interview measures growth
    assert isinstance(coding, CodingInterview)
    coding._measure_growth = no_growth  # type: ignore[method-assign]
    clock.set(60)
    session.submit((ROOT / "problems/two_sum/solution.py").read_text())
    assert not any(r.type == "growth_measured" for r in store.records(session.info.id))
    resumed = InterviewSession.resume(SessionStore(db), session.info.id, registry,
                                      Settings(), harness=harness, clock=clock, replay_coach=ScriptedCoach())
    records = resumed.records()
    (growth,) = [r for r in records if r.type == "growth_measured"]
    assert any(isinstance(r, Action) and r.type == "coach_says" and r.cause == growth.seq
               for r in records)


def test_early_finisher_uses_the_whole_interview(registry: ProblemRegistry,
                                                 harness: SyncHarness) -> None:
    """An optimal solution at minute 8 and "I'm done" twice: the interview
    goes on to the edge cases, the trade-off and the harder variant (tested
    against its own tests), and ends when the clock does."""
    out = run_simulation("early_finisher_two_sum.yaml", registry, harness)
    events = out["events"]
    done = [e for e in events if e["type"] == "phase_changed" and e["to"] == "done"]
    assert out["final_phase"] == "done" and done and done[0]["t"] >= 45 * 60
    (added,) = [e for e in events if e["type"] == "problem_added"]
    assert added["problem"] == "three_sum" and "def three_sum" in added["signature"]
    results = [e for e in events if e["type"] == "show_results"]
    assert [r.get("problem") for r in results] == [
        registry.get("two_sum").qualified_id, added["qualified_id"]]
    assert results[-1]["passed"] == results[-1]["total"] > 9
    report = out["report"]
    texts = [s["text"] for s in report["strengths"]]
    assert any("Follow-up problem 3Sum: all" in t for t in texts), texts
    # The first problem's figures are the first problem's: one run, 9 tests.
    assert report["metrics"]["test_runs"] == 1
    assert report["metrics"]["clarifications_asked"] == 2
