"""The one transcript builder, the one report renderer and the one lookup of a
stored session's report (reporting/transcript.py, render.py, report.py)."""

from __future__ import annotations

import dataclasses
import json

import nbformat
import pytest

from mock_interviewer_lab.events import Event
from mock_interviewer_lab.interview.intent import IntentClassifier
from mock_interviewer_lab.interview.words import words_of
from mock_interviewer_lab.kernel.panel import Panel
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.protocol import REPORT_FORMATS
from mock_interviewer_lab.reporting.metrics import compute_metrics
from mock_interviewer_lab.reporting.render import render_report
from mock_interviewer_lab.reporting.report import session_report, stored_report
from mock_interviewer_lab.reporting.transcript import (
    SPEAKERS,
    SUBMITS_CODE,
    transcript_json,
    transcript_lines,
)
from mock_interviewer_lab.store import MEMORY, SessionStore, UnknownSession
from tests.test_metrics import SessionBuilder, realistic_session
from tests.test_report import report_of

PROBLEM = {"id": "two_sum", "title": "Two Sum", "difficulty": "easy", "statement": "Find two."}


def a_session() -> tuple[SessionBuilder, dict[str, int]]:
    b = SessionBuilder()
    seqs = {"welcome": b.coach(1.0, "Welcome! Tell me how you read it.", cause=b.started),
            "said": b.say(10.0, "Can the list be empty?")}
    seqs["code"] = b.submit(60.0)
    seqs["run"] = b.tests(61.0, ["passed", "failed"])
    seqs["results"] = seqs["run"] + 1  # the show_results the run caused
    return b, seqs


def test_every_line_names_its_speaker_in_one_field() -> None:
    b, seqs = a_session()
    lines = transcript_lines(b.records)
    assert [(line.seq, line.speaker, line.text) for line in lines] == [
        (seqs["welcome"], "coach", "Welcome! Tell me how you read it."),
        (seqs["said"], "candidate", "Can the list be empty?"),
        (seqs["code"], "candidate", SUBMITS_CODE),
        (seqs["results"], "tests", "1/2 passed"),
    ]
    assert {line.speaker for line in lines} <= set(SPEAKERS)
    assert transcript_json(b.records)[0] == {"t": 1.0, "seq": seqs["welcome"],
                                             "speaker": "coach",
                                             "text": "Welcome! Tell me how you read it."}


def test_spoken_only_keeps_what_was_said_as_the_report_shows_it() -> None:
    b, seqs = a_session()
    spoken = transcript_lines(b.records, spoken_only=True)
    assert [line.seq for line in spoken] == [seqs["welcome"], seqs["said"]]
    assert report_of(b.records).transcript == spoken


def test_records_not_stored_yet_are_numbered_by_position() -> None:
    records = [Event(type="candidate_said", t=1.0, data={"text": "hello"}),
               Event(type="candidate_said", t=2.0, data={"text": "again"})]
    assert [line.seq for line in transcript_lines(records)] == [0, 1]


def test_the_panel_shows_the_builders_lines_and_does_not_show_them_twice() -> None:
    b, seqs = a_session()
    panel = Panel(PROBLEM)
    panel.apply({"type": "snapshot", "state": {"phase": "coding"},
                 "transcript": transcript_json(b.records)})
    welcome = b.records[seqs["welcome"]]
    panel.apply(welcome.to_dict())  # the same action again, from the socket
    assert [(speaker, text) for _, speaker, text in panel.transcript] == [
        ("coach", "Welcome! Tell me how you read it."),
        ("candidate", "Can the list be empty?"),
        ("candidate", SUBMITS_CODE),
        ("tests", "1/2 passed"),
    ]


# ------------------------------------------------------------------ render


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_render_report_writes_every_format(fmt: str) -> None:
    records, _ = realistic_session()
    text = render_report(report_of(records), fmt)
    if fmt == "json":
        assert json.loads(text)["session_id"] == "s-1"
    elif fmt == "md":
        assert text.startswith("# ")
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html>")
    else:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
        assert notebook["metadata"]["mock_interviewer_lab"]["report"]["session_id"] == "s-1"


def test_render_report_refuses_an_unknown_format() -> None:
    records, _ = realistic_session()
    with pytest.raises(ValueError, match="pdf"):
        render_report(report_of(records), "pdf")


# ------------------------------------------------------------------ lookup


def stored(problem: str) -> tuple[SessionStore, str]:
    store = SessionStore(MEMORY)
    info = store.create_session(problem)
    records, _ = realistic_session()
    store.append_many(info.id, records)
    return store, info.id


def test_stored_report_finds_the_session_and_its_problem() -> None:
    registry = ProblemRegistry.discover(installed=False)
    store, sid = stored("two_sum")
    report = stored_report(store, sid[:-1], registry)  # a unique prefix will do
    # The stored report is the records' report plus who took it (the store's row).
    assert dataclasses.replace(report, taken_by=None) == \
        session_report(store.records(sid), registry.get("two_sum"), sid, registry)
    assert report.taken_by is not None and report.taken_by["user"] == "local"
    assert report.problem_title == "Two Sum"


def test_stored_report_of_a_pack_no_longer_installed_has_no_advice() -> None:
    store, sid = stored("gone_problem")
    report = stored_report(store, sid, ProblemRegistry.discover(installed=False))
    assert (report.session_id, report.problem_id, report.problem_title) == \
        (sid, "gone_problem", "gone_problem")
    assert report.expected_time is None


def test_stored_report_of_an_unknown_session_is_the_stores_error() -> None:
    with pytest.raises(UnknownSession):
        stored_report(SessionStore(MEMORY), "nope", ProblemRegistry.discover(installed=False))


# ------------------------------------------------------------------- words


@pytest.mark.parametrize("text", ["I don’t know, it is O(n log n)", "use snake_case, naïve café",
                                  "like, you know, a hash map"])
def test_one_tokeniser_counts_words_for_the_metrics_and_for_delivery(text: str) -> None:
    """Typed, without thinking sounds: the metrics' words_spoken, the intent
    classifier and delivery's typed_words count the same words (words_of)."""
    b = SessionBuilder()
    b.say(10.0, text)
    m = compute_metrics(b.records)
    assert m.delivery is not None
    assert m.words_spoken == m.delivery.overall.typed_words == len(words_of(text))
    assert IntentClassifier().classify(text).words == len(words_of(text))


def test_words_are_lower_cased_with_straight_apostrophes() -> None:
    assert words_of("I DON’T use O(n²)") == ["i", "don't", "use", "o", "n²"]
