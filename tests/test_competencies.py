"""The spec's rules for behavioural interviews (seed 002), written once."""

from __future__ import annotations

import pytest

from mock_interviewer_lab.competencies import (
    COMPETENCIES,
    COMPETENCIES_BY_STAGE,
    competency_for_stage,
    readiness_for,
    target_level_from_job,
)


def test_ten_competencies_five_per_stage_none_shared() -> None:
    assert len(COMPETENCIES) == 10
    recruiter, manager = COMPETENCIES_BY_STAGE["recruiter_screen"], COMPETENCIES_BY_STAGE["hiring_manager"]
    assert len(recruiter) == len(manager) == 5
    assert set(recruiter) | set(manager) == set(COMPETENCIES)


@pytest.mark.parametrize(("stage", "number", "expected"), [
    ("recruiter_screen", 1, "communication"), ("recruiter_screen", 5, "availability"),
    ("recruiter_screen", 6, "communication"), ("hiring_manager", 1, "leadership"),
    ("hiring_manager", 4, "stakeholder_management"), ("hiring_manager", 10, "technical_depth"),
])
def test_competency_for_stage_cycles_as_the_spec_does(stage: str, number: int, expected: str) -> None:
    assert competency_for_stage(stage, number) == expected  # type: ignore[arg-type]


def test_question_numbers_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        competency_for_stage("hiring_manager", 0)


@pytest.mark.parametrize(("job", "level"), [
    ("You will lead strategic initiatives across the org.", "L5B"),
    ("Staff Engineer, payments", "L5B"),
    ("Principal engineer wanted", "L5B"),
    ("Senior backend engineer", "L5A"),
    ("You will coordinate across teams to ship features", "L5A"),
    ("Tech lead for the search team", "L5A"),
    ("Backend engineer: build and run APIs", "L4"),
    # whole words only: these name no level
    ("Help our staffing agency's misleading leaderboard", "L4"),
])
def test_target_level_from_job(job: str, level: str) -> None:
    assert target_level_from_job(job) == level


@pytest.mark.parametrize(("score", "band"), [
    (10, "Ready"), (8.0, "Ready"), (7.99, "Almost Ready"), (6.0, "Almost Ready"),
    (5.99, "Needs Practice"), (1, "Needs Practice"),
])
def test_readiness_bands(score: float, band: str) -> None:
    assert readiness_for(score) == band
