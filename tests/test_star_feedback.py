"""Feedback of the offline behavioural scorer: the revised answer (the
candidate's own sentences in STAR order, placeholders, nothing invented),
the grounding guard, question and session feedback, follow-up probes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from mock_interviewer_lab.competencies import GAPS, readiness_for
from mock_interviewer_lab.interview.rules.star import (
    PROBES,
    AnswerScore,
    follow_ups,
    question_feedback,
    revised_answer,
    score_answer,
    session_feedback,
    ungrounded,
)
from mock_interviewer_lab.interview.rules.star.text import words_of

LABELLED = Path(__file__).parent / "data" / "behavioral" / "labelled.jsonl"
ROWS = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def scored(row: dict[str, str]) -> AnswerScore:
    return score_answer(row["answer"], question=row["question"], competency=row["competency"],  # type: ignore[arg-type]
                        target_level=row["target_level"], stage=row["stage"])  # type: ignore[arg-type]


def rewritten(answer: str, level: str = "L4", earlier: tuple[str, ...] = ()) -> str:
    """The revised answer of a problem-solving answer (with its earlier replies)."""
    s = score_answer(answer, earlier=earlier, question="Tell me about a problem you solved.",
                     competency="problem_solving", target_level=level,  # type: ignore[arg-type]
                     stage="hiring_manager")
    return revised_answer([*earlier, answer], s, level)  # type: ignore[arg-type]


# --------------------------------------------------------------- ungrounded

def test_ungrounded_finds_invented_numbers_and_names() -> None:
    said = ["at google i cut latency by forty five percent in three weeks"]
    assert ungrounded("At Google I cut latency by 45% in 3 weeks.", said) == []
    assert ungrounded("I cut latency by 60% at Google for Acme Corp, saving $2m.", said) == [
        "60%", "$2m", "Acme", "Corp"]


def test_ungrounded_skips_placeholders_and_sentence_starts() -> None:
    said = ["we shipped it in two weeks"]
    rewrite = "Result: We shipped it in two weeks. [the number: by how much? 20%?] [Name]"
    assert ungrounded(rewrite, said) == []


def test_ungrounded_catches_spelled_out_numbers_and_acronyms() -> None:
    said = ["I talked to the team and we fixed it"]
    assert ungrounded("I talked to the AWS team and we fixed it in twelve days.", said) == [
        "twelve", "AWS"]


def test_ungrounded_catches_a_name_that_opens_a_sentence() -> None:
    said = ["we had a flaky release and i set up a rollback drill with the on-call team"]
    assert ungrounded("Priya led the rollback drill.", said) == ["Priya"]
    assert ungrounded("Situation: We had a flaky release. Priya asked me to fix it.", said) == [
        "Priya"]
    assert ungrounded("Acme Corp had a flaky release.", said) == ["Acme", "Corp"]
    assert ungrounded("Acme had a flaky release.", said) == ["Acme"]
    # Said by the candidate (a transcript is lower-case): grounded.
    assert ungrounded("Priya led the drill.", ["priya and i led the drill"]) == []


def test_ungrounded_lets_common_sentence_openers_pass() -> None:
    said = ["we had a flaky release and i set up a rollback drill with the on-call team"]
    rewrite = ("Then I set up a rollback drill. After that we had no flaky release. "
               "Eventually the on-call team ran it. Looking back, I set it up too late. "
               "Releases were calmer. [Who asked you to fix it?]")
    assert ungrounded(rewrite, said) == []


# ------------------------------------------------------------ revised answer

@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_revised_answers_invent_nothing(row: dict[str, str]) -> None:
    rewrite = revised_answer([row["answer"]], scored(row), row["target_level"])  # type: ignore[arg-type]
    assert ungrounded(rewrite, [row["answer"]]) == []
    # Every word outside the placeholders and labels is the candidate's.
    outside = " ".join(line.split(": ", 1)[1] for line in rewrite.splitlines())
    own = set(words_of(row["answer"]))
    extra = set(words_of(re.sub(r"\[[^\]]*\]", " ", outside))) - own
    assert extra <= {"i"}, extra


def test_revised_answer_is_in_star_order_with_placeholders() -> None:
    answer = ("I added an index and rewrote the query. At my last job the billing job failed every "
              "week. As a result the job was much faster.")
    rewrite = rewritten(answer, "L5A")
    lines = rewrite.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Situation", "Task", "Action", "Result", "Reflection"]
    assert lines[0].startswith("Situation: At my last job")
    assert "[your task" in lines[1]
    assert lines[2].startswith("Action: I added an index")
    assert "[at L5A:" in lines[2]
    assert "[the number: by how much?]" in lines[3]
    assert "[what you'd do differently]" in lines[4]


def test_revised_answer_trims_fillers_and_hedges_and_leaves_out_hypotheticals() -> None:
    answer = ("um so basically at my last job, you know, the deploys kept failing. I think I "
              "rewrote the deploy script and probably the failures went down by half. I would "
              "usually also add monitoring.")
    rewrite = rewritten(answer)
    for gone in ("um", "basically", "you know", "I think", "probably", "would usually"):
        assert gone not in rewrite
    assert "[what you decided yourself]" not in rewrite  # they said "I rewrote"


def test_we_is_never_turned_into_i() -> None:
    answer = ("At my last company we had a slow checkout. We profiled it and we found a slow query. "
              "We added an index and the page got 40 percent faster.")
    rewrite = rewritten(answer)
    assert "We profiled it" in rewrite and "I profiled" not in rewrite
    assert "[what you decided yourself]" in rewrite


def test_follow_up_replies_go_into_the_rewrite_once() -> None:
    first = "At my last job the deploys kept failing. I rewrote the deploy script."
    second = "I rewrote the deploy script. After the fix, failures dropped from ten a week to one."
    rewrite = rewritten(second, earlier=(first,))
    assert rewrite.count("I rewrote the deploy script") == 1
    assert "failures dropped from ten a week to one" in rewrite


# ---------------------------------------------------------- question feedback

def test_question_feedback_names_what_landed_and_what_did_not() -> None:
    row = next(r for r in ROWS if r["id"] == "ps-3")
    s = scored(row)
    fb = question_feedback(row["question"], row["competency"], row["target_level"],  # type: ignore[arg-type]
                           [row["answer"]], s)
    assert fb.what_landed and fb.what_didnt_land
    assert fb.what_didnt_land[0] == s.gaps[0].text
    assert f"{s.score}/10" in fb.overall_assessment
    assert fb.coaching and row["target_level"] in fb.coaching
    assert fb.revised_answer.startswith("Situation:")
    assert json.loads(json.dumps(fb.to_json()))["revised_answer"] == fb.revised_answer


# ------------------------------------------------------------ session feedback

def test_session_feedback_mean_readiness_and_ranked_priorities() -> None:
    chosen = [r for r in ROWS if r["stage"] == "hiring_manager"][:5]
    pairs = [(r["competency"], scored(r)) for r in chosen]
    fb = session_feedback(pairs)  # type: ignore[arg-type]
    mean = sum(s.score for _, s in pairs) / len(pairs)
    assert fb.overall_score == pytest.approx(mean, abs=0.01)
    assert fb.readiness == readiness_for(mean)
    assert 1 <= len(fb.coaching_priorities) <= 3
    assert len(fb.areas_to_improve) == len(fb.coaching_priorities)
    assert fb.key_strengths and fb.next_steps
    # Ranked: the first area is the gap seen most often (weighted).
    assert "answers" in fb.areas_to_improve[0]


@pytest.mark.parametrize(("scores", "readiness"), [
    ([9, 8, 8, 9, 8], "Ready"), ([7, 6, 6, 7, 6], "Almost Ready"), ([5, 6, 4, 5, 6], "Needs Practice")])
def test_session_readiness_bands(scores: list[int], readiness: str) -> None:
    base = scored(ROWS[0])
    pairs = [("leadership", replace(base, score=s)) for s in scores]
    assert session_feedback(pairs).readiness == readiness  # type: ignore[arg-type]


def test_an_empty_session_needs_practice() -> None:
    fb = session_feedback([])
    assert fb.overall_score == 0.0 and fb.readiness == "Needs Practice"


# ------------------------------------------------------------------ probes

def test_every_gap_has_a_probe() -> None:
    assert set(PROBES) == set(GAPS)
    assert all(p.endswith("?") for probes in PROBES.values() for p in probes)


def test_follow_ups_probe_the_gaps_first_and_skip_asked_ones() -> None:
    row = next(r for r in ROWS if r["id"] == "lead-2")
    s = scored(row)
    probes = follow_ups(s)
    assert 1 <= len(probes) <= 3
    assert probes[0] == PROBES[s.gaps[0].id][0]
    again = follow_ups(s, asked=probes[:1])
    assert probes[0] not in again


def test_an_answer_without_gaps_gets_depth_probes() -> None:
    row = next(r for r in ROWS if r["id"] == "lead-1")
    s = scored(row)
    assert not s.gaps
    assert len(follow_ups(s)) == 3
