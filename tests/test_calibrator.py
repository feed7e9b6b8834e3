"""The difficulty calibrator: thresholds at their boundaries, coach changes,
next-problem recommendations on the built-in pack, and progress statistics."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from mock_interviewer_lab.interview.difficulty import (
    AssessmentLevel,
    DifficultyCalibrator,
    PerformanceMetrics,
    Thresholds,
    progress_stats,
)
from mock_interviewer_lab.problems.loader import Pack
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.reporting.metrics import SessionMetrics, compute_metrics
from mock_interviewer_lab.settings import CoachSettings
from tests.test_metrics import SessionBuilder, realistic_session

LEVELS: tuple[AssessmentLevel, ...] = (
    "too_easy", "too_hard", "struggling", "comfortable", "appropriate"
)


def perf(
    approach: float | None = 120.0,
    working: float | None = None,
    hints: int = 0,
    duration: float = 1800.0,
) -> PerformanceMetrics:
    return PerformanceMetrics(
        time_to_first_approach=approach, time_to_working_code=working, hints_requested=hints,
        bugs_encountered=0, test_iterations=1, complexity_correct=None, silence_periods=(),
        session_duration=duration,
    )


# ------------------------------------------------------------------ assess


@pytest.mark.parametrize(
    ("metrics", "level"),
    [
        # fast approach: strictly under 60 s, with working code
        (perf(59.9, working=900.0), "too_easy"),
        (perf(60.0, working=900.0), "appropriate"),
        (perf(60.0, working=599.9), "comfortable"),
        # slow approach: strictly over 300 s
        (perf(300.0), "appropriate"),
        (perf(300.1), "too_hard"),
        (perf(None, duration=300.0), "appropriate"),
        (perf(None, duration=300.1), "too_hard"),
        # hints asked for: strictly more than 5
        (perf(120.0, hints=5), "appropriate"),
        (perf(120.0, hints=6), "struggling"),
        # working code: strictly under 600 s
        (perf(120.0, working=599.9), "comfortable"),
        (perf(120.0, working=600.0), "appropriate"),
    ],
)
def test_thresholds_at_their_boundaries(metrics: PerformanceMetrics, level: str) -> None:
    assert DifficultyCalibrator().assess(metrics).level == level


def test_rule_order() -> None:
    calibrator = DifficultyCalibrator()
    # A slow approach is too hard, however many hints.
    assert calibrator.assess(perf(400.0, hints=9)).level == "too_hard"
    # A fast first sentence does not outweigh six hints (the spec would say too_easy).
    assert calibrator.assess(perf(30.0, working=200.0, hints=6)).level == "struggling"
    # ... nor code that never works.
    assert calibrator.assess(perf(30.0, working=None)).level == "appropriate"


def test_reason_names_the_figures() -> None:
    assessment = DifficultyCalibrator().assess(perf(45.0, working=300.0))
    assert assessment.level == "too_easy"
    assert "45 s (< 60 s)" in assessment.reason
    assert "300 s" in assessment.reason
    assert assessment.as_dict()["metrics"]["time_to_first_approach"] == 45.0


def test_custom_thresholds() -> None:
    strict = DifficultyCalibrator(Thresholds(fast_approach_s=120.0))
    assert strict.assess(perf(100.0, working=900.0)).level == "too_easy"


def test_assess_reads_session_metrics() -> None:
    records, _ = realistic_session()
    metrics = compute_metrics(records)
    performance = PerformanceMetrics.from_session(metrics)
    assert performance.time_to_first_approach == 95.0
    assert performance.time_to_working_code == 641.0
    assert performance.hints_requested == 1
    assert performance.bugs_encountered == 3
    assert performance.test_iterations == 3
    assert performance.complexity_correct is True
    assert performance.silence_periods == (20.0,)
    assert DifficultyCalibrator().assess(metrics).level == "appropriate"

    quick = SessionBuilder()
    quick.say(30.0, "I'll use a hash map", to="approach")
    quick.submit(200.0)
    quick.tests(201.0, ["passed", "passed"])
    assert DifficultyCalibrator().assess(compute_metrics(quick.records)).level == "too_easy"


# ------------------------------------------------------------------ coach


def test_too_easy_makes_hints_rarer() -> None:
    coach = CoachSettings()
    adj = DifficultyCalibrator().adjust_coaching("too_easy", coach)
    assert adj.helpfulness == "gentle"
    assert adj.hint_threshold_multiplier == 2.0
    assert adj.suggest_optimization and adj.add_followup
    assert not adj.offer_subproblem
    adjusted = CoachSettings.model_validate(adj.coach)
    assert adjusted.helpfulness == "gentle"
    assert adjusted.nudge_interval_s == 2 * coach.nudge_interval_s
    assert adjusted.interrupt_after_silence_ms == 2 * coach.interrupt_after_silence_ms
    assert adjusted.intervention.silence_before_nudge_ms == (
        2 * coach.intervention.silence_before_nudge_ms
    )
    assert coach == CoachSettings()  # the input is left alone


def test_too_hard_makes_hints_come_sooner() -> None:
    calibrator = DifficultyCalibrator()
    too_hard = calibrator.assess(perf(400.0))
    coach = {"helpfulness": "gentle", "nudge_interval_s": 1, "hint_threshold": 10,
             "intervention": {"silence_before_nudge_ms": 8000}}
    adj = calibrator.adjust_coaching(too_hard, coach)
    assert adj.assessment == "too_hard"
    assert adj.helpfulness == adj.coach["helpfulness"] == "insistent"
    assert adj.hint_threshold_multiplier == 0.5
    assert adj.offer_subproblem and adj.simplify_requirements
    assert adj.coach["hint_threshold"] == 5  # the spec's own key
    assert adj.coach["nudge_interval_s"] == 1  # never below the settings' minimum
    assert adj.coach["intervention"]["silence_before_nudge_ms"] == 4000
    assert coach["hint_threshold"] == 10
    assert coach["intervention"] == {"silence_before_nudge_ms": 8000}


def test_struggling_breaks_the_problem_down_without_changing_the_waits() -> None:
    coach = CoachSettings(helpfulness="balanced")
    adj = DifficultyCalibrator().adjust_coaching("struggling", coach)
    assert adj.break_into_steps and adj.provide_examples and adj.allow_pseudocode_first
    assert adj.helpfulness == "balanced"
    assert adj.hint_threshold_multiplier == 1.0
    assert CoachSettings.model_validate(adj.coach) == coach


@pytest.mark.parametrize("level", ["comfortable", "appropriate"])
def test_no_change_when_it_fits(level: AssessmentLevel) -> None:
    coach = CoachSettings(helpfulness="insistent")
    adj = DifficultyCalibrator().adjust_coaching(level, coach)
    assert CoachSettings.model_validate(adj.coach) == coach
    flags = [adj.suggest_optimization, adj.add_followup, adj.offer_subproblem,
             adj.simplify_requirements, adj.break_into_steps, adj.provide_examples,
             adj.allow_pseudocode_first]
    assert not any(flags)


# ------------------------------------------------------------------ next problem


@pytest.mark.parametrize(
    ("problem", "level", "expected", "route"),
    [
        ("two_sum", "too_easy", "three_sum", "harder_variant"),
        ("two_sum", "comfortable", "three_sum", "harder_variant"),
        ("two_sum", "struggling", "contains_duplicate", "prerequisite"),
        ("two_sum", "too_hard", "contains_duplicate", "prerequisite"),
        # fewest shared tags among the other easy problems, ties by id
        ("two_sum", "appropriate", "max_depth_binary_tree", "same_difficulty"),
        ("three_sum", "too_easy", "trapping_rain_water", "harder_variant"),
        ("trapping_rain_water", "struggling", "three_sum", "prerequisite"),
        # no harder variant: a harder problem sharing a tag ("arrays")
        ("kth_largest", "too_easy", "trapping_rain_water", "harder_difficulty"),
        # nothing harder than hard: the same difficulty, another pattern
        ("trapping_rain_water", "too_easy", "edit_distance", "same_difficulty"),
        # no prerequisite: an easier problem sharing a tag, ties by id
        ("merge_intervals", "struggling", "binary_search", "easier_difficulty"),
    ],
)
def test_recommendations_on_the_builtin_pack(
    builtin_registry: ProblemRegistry, problem: str, level: AssessmentLevel, expected: str,
    route: str,
) -> None:
    rec = DifficultyCalibrator().suggest_next_problem(
        level, builtin_registry.get(problem), builtin_registry
    )
    assert (rec.problem_id, rec.route) == (expected, route)
    assert rec.qualified_id == f"core:{expected}"
    assert builtin_registry.get(expected).spec.title in rec.reason


def test_nothing_easier_than_an_easy_problem_without_prerequisites(
    builtin_registry: ProblemRegistry,
) -> None:
    rec = DifficultyCalibrator().suggest_next_problem(
        "struggling", builtin_registry.get("contains_duplicate"), builtin_registry
    )
    assert rec.problem_id is None
    assert rec.route == "none"
    assert "no prerequisite" in rec.reason


def test_never_the_same_problem_and_never_a_tag_in_the_reason(
    builtin_registry: ProblemRegistry,
) -> None:
    calibrator = DifficultyCalibrator()
    for problem in builtin_registry.problems():
        for level in LEVELS:
            rec = calibrator.suggest_next_problem(level, problem, builtin_registry)
            assert rec.reason
            if rec.problem_id is None:
                continue
            assert rec.problem_id != problem.id
            picked = builtin_registry.get(rec.problem_id)
            titles = f"{problem.spec.title} {picked.spec.title}".lower()
            for tag in picked.spec.tags:
                if tag.lower() not in titles:
                    assert tag.lower() not in rec.reason.lower(), (problem.id, level, rec)


def test_a_registry_of_one_problem_recommends_nothing(builtin_registry: ProblemRegistry) -> None:
    two_sum = builtin_registry.get("two_sum")
    meta = builtin_registry.packs[0].meta
    alone = ProblemRegistry(packs=[Pack(meta=meta, path=two_sum.path.parent,
                                        problems={"two_sum": two_sum})])
    for level in LEVELS:
        rec = DifficultyCalibrator().suggest_next_problem(level, two_sum, alone)
        assert rec.problem_id is None, level
        assert rec.reason


# ------------------------------------------------------------------ progress


@dataclass(frozen=True)
class Info:
    id: str
    problem: str
    created_at: str


@pytest.fixture(scope="module")
def base_metrics() -> SessionMetrics:
    records, _ = realistic_session()
    return compute_metrics(records)


def session(
    base: SessionMetrics, rate: float | None, working: float | None, hints: int = 0
) -> SessionMetrics:
    return replace(base, test_pass_rate=rate, time_to_working_code=working, hints_given=hints)


def test_progress_per_problem_and_overall(base_metrics: SessionMetrics) -> None:
    sessions = [
        # given out of order: sorted by created_at
        (Info("c", "two_sum", "2025-01-03T10:00:00Z"), session(base_metrics, 1.0, 300.0, 0)),
        (Info("a", "two_sum", "2025-01-01T10:00:00Z"), session(base_metrics, 0.5, None, 3)),
        (Info("b", "two_sum", "2025-01-02T10:00:00Z"), session(base_metrics, 1.0, 900.0, 1)),
        (Info("d", "three_sum", "2025-01-04T10:00:00Z"), session(base_metrics, None, None, 2)),
    ]
    stats = progress_stats(sessions)
    two_sum = stats["problems"]["two_sum"]
    assert two_sum["sessions"] == 3
    assert two_sum["solved"] == 2
    assert two_sum["best_pass_rate"] == 1.0
    assert two_sum["last_pass_rate"] == 1.0
    assert two_sum["median_time_to_working_code"] == 600.0
    assert two_sum["hints_per_session"] == pytest.approx(4 / 3, abs=0.01)
    assert two_sum["trend"] == "improving"  # 0.5 -> 1.0
    assert two_sum["last_session"] == "c"
    three_sum = stats["problems"]["three_sum"]
    assert three_sum["best_pass_rate"] is None
    assert three_sum["median_time_to_working_code"] is None
    assert three_sum["trend"] == "new"
    overall = stats["overall"]
    assert (overall["sessions"], overall["problems"], overall["solved"]) == (4, 2, 2)
    assert overall["last_session"] == "d"
    assert overall["trend"] == "declining"  # (0.5, 1.0) then (1.0, not run = 0)


@pytest.mark.parametrize(
    ("times", "trend"),
    [((600.0, 500.0), "improving"), ((600.0, 700.0), "declining"), ((600.0, 580.0), "steady")],
)
def test_equal_pass_rates_trend_on_time(
    base_metrics: SessionMetrics, times: tuple[float, float], trend: str
) -> None:
    sessions = [
        (Info(str(i), "two_sum", f"2025-01-0{i + 1}"), session(base_metrics, 1.0, t))
        for i, t in enumerate(times)
    ]
    assert progress_stats(sessions)["problems"]["two_sum"]["trend"] == trend


def test_no_sessions() -> None:
    stats = progress_stats([])
    assert stats["problems"] == {}
    assert stats["overall"]["sessions"] == 0
    assert stats["overall"]["trend"] == "new"
