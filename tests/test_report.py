"""The session report: statements with evidence, and the four renderings."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html.parser import HTMLParser

import pytest

from mock_interviewer_lab.events import Record
from mock_interviewer_lab.reporting.charts import FAIL_COLOUR, PASS_COLOUR, timeline_svg
from mock_interviewer_lab.reporting.html import render_html
from mock_interviewer_lab.reporting.markdown import render_markdown
from mock_interviewer_lab.reporting.metrics import compute_metrics
from mock_interviewer_lab.reporting.notebook import render_notebook
from mock_interviewer_lab.reporting.render import render_json
from mock_interviewer_lab.reporting.report import (
    LONG_SILENCE_S,
    SessionReport,
    Statement,
    build_report,
    format_duration,
)
from tests.test_metrics import SessionBuilder, by_seq, realistic_session

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<script>alert('x')</script> can the list be empty?"
LEAKED = "SECRET: use a dict of complements"

#: The record types a statement on each topic may cite.
TOPIC_TYPES: dict[str, set[str]] = {
    "clarifying": {"candidate_said", "phase_changed", "code_submitted"},
    "approach": {"candidate_said", "phase_changed", "code_submitted"},
    "tests": {"tests_finished", "end_requested"},
    "hints": {"show_hint", "tests_finished"},
    "complexity": {"complexity_checked", "candidate_said", "phase_changed", "end_requested"},
    "communication": {"silence", "fishing_redirected"},
    "time": {"end_requested"},
}


def report_of(records: Sequence[Record], **kw: str | None) -> SessionReport:
    args: dict[str, str | None] = {
        "problem_title": "Two Sum", "problem_id": "two_sum", "expected_time": "O(n)",
        "session_id": "s-1",
    }
    args.update(kw)
    return build_report(records, **args)  # type: ignore[arg-type]


def find(statements: Sequence[Statement], pattern: str) -> Statement:
    found = [s for s in statements if re.search(pattern, s.text)]
    assert len(found) == 1, (pattern, [s.text for s in statements])
    return found[0]


def rough_session() -> tuple[list[Record], dict[str, int]]:
    """Straight into code, a failing first run fixed later, hints to level 3, a long
    silence, a request for the answer, a blocked leak, no complexity, ended by the candidate."""
    b = SessionBuilder()
    s: dict[str, int] = {}
    s["code1"] = b.submit(120.0)
    s["run1"] = b.tests(121.0, ["passed", "failed", "passed", "failed", "passed", "passed",
                                "passed"])
    s["silence1"] = b.silence(170.0, 8.0)
    s["silence2"] = b.silence(210.0, 48.0)
    s["hint1"] = b.hint(220.0, 1)
    s["fish"] = b.fishing(230.0)
    s["leak"] = b.leak(231.0, LEAKED)
    s["hint2"] = b.hint(260.0, 2)
    s["hint3"] = b.hint(300.0, 3, requested=False)
    b.say(320.0, XSS)
    b.submit(360.0)
    s["run2"] = b.tests(361.0, ["passed"] * 7)
    s["end"] = b.end(900.0)
    return b.records, s


class Anchors(HTMLParser):
    """Collects element ids and in-page links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        href = found.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.links.add(href[1:])


def assert_evidence_is_real(report: SessionReport, records: Sequence[Record]) -> None:
    index = by_seq(records)
    statements = report.statements()
    assert statements
    for st in statements:
        assert st.evidence, st
        assert st.evidence == sorted(set(st.evidence))
        for seq in st.evidence:
            assert seq in index, (st.text, seq)
            assert index[seq].type in TOPIC_TYPES[st.topic], (st.text, index[seq])
    cited = {c.seq for c in report.cited}
    assert {seq for st in statements for seq in st.evidence} <= cited


# ------------------------------------------------------------------ statements


def test_good_session_statements_and_their_evidence() -> None:
    records, s = realistic_session()
    report = report_of(records)
    assert_evidence_is_real(report, records)

    asked = find(report.strengths, r"^You asked 2 clarifying questions before coding")
    assert asked.evidence == [s["q1"], s["q2"]]
    assert "“Can the list be empty?”" in asked.text

    fixed = find(report.strengths, r"^Your first run failed 2 of 7 tests")
    assert fixed.evidence == [s["run1"], s["run3"]]
    assert "4 min later, on run 3" in fixed.text

    approach = find(report.strengths, r"^You described your approach at 1:35")
    assert s["approach"] in approach.evidence

    complexity = find(report.strengths, r"time complexity correctly: O\(n\)")
    assert complexity.evidence == [s["check"]]

    broke = find(report.improvements, r"^A change broke 1 test that had passed before \(run 2\)")
    assert broke.evidence == [s["run2"]]
    assert find(report.recommendations, r"one thing at a time").evidence == [s["run2"]]
    # A hint came before working code; a 20 s silence is not worth a remark.
    assert not [st for st in report.strengths if "without a hint" in st.text]
    assert not [st for st in report.statements() if st.topic == "communication"]


def test_rough_session_statements_and_their_evidence() -> None:
    records, s = rough_session()
    report = report_of(records)
    assert_evidence_is_real(report, records)

    no_question = find(report.improvements, r"^You started coding at 2:00 without asking")
    assert no_question.evidence == [s["code1"]]
    assert find(report.improvements, r"^You went into code at 2:00").evidence == [s["code1"]]
    fixed = find(report.strengths, r"^Your first run failed 2 of 7 tests")
    assert fixed.evidence == [s["run1"], s["run2"]]
    assert "4 min later, on run 2" in fixed.text

    silent = find(report.improvements, r"^Your longest silence lasted 48 s \(until 3:30\)")
    assert silent.evidence == [s["silence1"], s["silence2"]]
    assert LONG_SILENCE_S <= 48 < 8 + 48  # one silence: the union of both spans
    fishing = find(report.improvements, r"^You asked for the answer once;")
    assert fishing.evidence == [s["fish"]]
    hints = find(report.improvements, r"^You needed every hint level, up to level 3 at 5:00")
    assert hints.evidence == [s["hint1"], s["hint2"], s["hint3"]]
    no_complexity = find(report.improvements, r"^You did not state the time complexity")
    assert no_complexity.evidence == [s["end"]]  # the window closed with the session
    assert find(report.recommendations, r"time and space complexity").evidence == [s["end"]]


def test_unstated_complexity_cites_the_check_or_the_complexity_phase() -> None:
    b = SessionBuilder()
    b.submit(60.0)
    b.tests(61.0, ["passed"])
    into = b.go("complexity", 100.0)
    b.end(200.0)
    report = report_of(b.records)
    assert find(report.improvements, r"did not state the time complexity").evidence == [into]

    check = b.complexity(150.0, None)
    report = report_of(b.records)
    assert find(report.improvements, r"did not state the time complexity").evidence == [check]


def test_wrong_complexity_names_both_classes() -> None:
    b = SessionBuilder()
    check = b.complexity(100.0, "O(n^2)")
    b.end(200.0)
    report = report_of(b.records)
    wrong = find(report.improvements, r"^You said the time complexity is O\(n\^2\)")
    assert "the expected class is O(n)" in wrong.text
    assert check in wrong.evidence
    assert_evidence_is_real(report, b.records)


def test_a_claim_never_checked_is_compared_with_the_expected_class() -> None:
    b = SessionBuilder()
    claim = b.say(100.0, "overall that is O(n) time")
    report = report_of(b.records)
    assert find(report.strengths, r"correctly: O\(n\)").evidence == [claim]
    report = report_of(b.records, expected_time="O(n log n)")
    assert find(report.improvements, r"expected class is O\(n log n\)").evidence == [claim]


def test_never_working_code_and_many_runs() -> None:
    b = SessionBuilder()
    b.say(10.0, "I'll use two loops", to="approach")
    runs = []
    for i in range(4):
        b.submit(100.0 + 60 * i)
        runs.append(b.tests(101.0 + 60 * i, ["passed", "failed", "failed", "failed"]))
    end = b.end(1000.0, "time", to="abort")
    report = report_of(b.records)
    assert_evidence_is_real(report, b.records)
    assert find(report.improvements, r"^Your last run still failed 3 of 4 tests\.$").evidence == [
        runs[-1]
    ]
    many = find(report.improvements, r"^You ran the tests 4 times without a run that passes")
    assert many.evidence == runs
    assert find(report.improvements, r"^Time ran out during DEBUGGING").evidence == [end]
    assert not report.strengths or all("first run" not in st.text for st in report.strengths)


def test_code_never_run() -> None:
    b = SessionBuilder()
    b.say(10.0, "let me code it", to="coding")
    end = b.end(300.0, "candidate", to="abort")
    report = report_of(b.records)
    assert find(report.improvements, r"never run against the tests").evidence == [end]


def test_statements_citing_records_outside_the_session_are_refused() -> None:
    records, _ = realistic_session()
    other = SessionBuilder().records  # a few records only
    with pytest.raises(ValueError, match="not in the session"):
        report_of(other, metrics=compute_metrics(records))  # type: ignore[arg-type]


def test_a_session_with_nothing_in_it_says_nothing() -> None:
    b = SessionBuilder()
    report = report_of(b.records)
    assert report.statements() == []
    assert "Nothing in the records" in render_markdown(report)
    ET.fromstring(timeline_svg(report))


def test_figures_cite_their_records() -> None:
    records, s = realistic_session()
    report = report_of(records)
    figures = {f.label: f for f in report.figures}
    assert figures["Test runs"].value == "3"
    assert figures["Test runs"].evidence == [s["run1"], s["run2"], s["run3"]]
    assert figures["Final pass rate"].value == "7/7 (100%)"
    assert figures["Time to working code"].value == format_duration(641.0) == "10 min 41 s"
    assert figures["Hints given"].value == "1 (level 1)"
    assert figures["Clarifying questions"].value == "2 (2 before coding)"


def test_timeline_has_phases_runs_and_hints() -> None:
    records, s = realistic_session()
    tl = report_of(records).timeline
    assert [(r.seq, r.passed, r.total, r.all_passed) for r in tl.runs] == [
        (s["run1"], 5, 7, False), (s["run2"], 6, 7, False), (s["run3"], 7, 7, True)
    ]
    assert [(h.seq, h.level) for h in tl.hints] == [(s["hint1"], 1)]
    assert tl.phases[-1].phase == "done"
    assert all(a.end == b.start for a, b in zip(tl.phases, tl.phases[1:], strict=False))
    assert (tl.start, tl.end) == (0.0, 1800.0)


# ------------------------------------------------------------------ renderings


def test_svg_parses_and_draws_every_marker() -> None:
    records, _ = rough_session()
    report = report_of(records)
    root = ET.fromstring(timeline_svg(report))
    assert root.tag == f"{SVG}svg"
    runs = [e for e in root.iter(f"{SVG}circle") if e.get("class") == "run"]
    assert [e.get("fill") for e in runs] == [FAIL_COLOUR, PASS_COLOUR]
    assert [float(e.get("cx", 0)) for e in runs] == sorted(float(e.get("cx", 0)) for e in runs)
    hints = [e for e in root.iter(f"{SVG}polygon") if e.get("class") == "hint"]
    assert len(hints) == 3
    bands = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "phase"]
    assert {b.get("data-phase") for b in bands} >= {"understanding", "coding", "debugging"}
    width = sum(float(b.get("width", 0)) for b in bands)
    assert width == pytest.approx(900 - 80 - 20, abs=1.0)  # the bands fill the time axis


def test_html_escapes_candidate_text_and_holds_no_external_asset() -> None:
    records, _ = rough_session()
    page = render_html(report_of(records, problem_title="Two <b>Sum</b>"))
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>Sum</b>" not in page and "Two &lt;b&gt;Sum&lt;/b&gt;" in page
    assert not re.search(r"\b(?:src|href)=\"(?:https?:)?//", page)
    assert "<link" not in page and "@import" not in page
    svg = page[page.index("<svg"): page.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)

    parser = Anchors()
    parser.feed(page)
    assert parser.links and parser.links <= parser.ids  # every evidence link lands


def test_markdown_escapes_candidate_text() -> None:
    b = SessionBuilder()
    b.say(10.0, "can it be <img src=x onerror=alert(1)> or *empty* | [x](javascript:y)?")
    b.submit(20.0)
    text = render_markdown(report_of(b.records))
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert r"\*empty\*" in text and r"\[x\]" in text


def test_a_blocked_message_never_reaches_any_rendering() -> None:
    records, s = rough_session()
    report = report_of(records)
    assert s["leak"] in {c.seq for c in report.cited}  # counted, and cited by type only
    for rendered in (render_markdown(report), render_html(report), render_json(report),
                     timeline_svg(report)):
        assert LEAKED not in rendered
        assert "complements" not in rendered


def test_json_round_trips() -> None:
    records, _ = realistic_session()
    report = report_of(records)
    data = json.loads(render_json(report))
    assert data == json.loads(json.dumps(report.as_dict()))
    assert data["strengths"][0]["evidence"]
    assert data["metrics"]["test_runs"] == 3


def test_markdown_has_every_section_and_statement() -> None:
    records, _ = realistic_session()
    report = report_of(records)
    text = render_markdown(report)
    for heading in ("## Summary", "## Strengths", "## Areas for improvement",
                    "## Recommendations", "## Timeline", "## Transcript", "## Records cited"):
        assert heading in text
    assert "(records #4, #5)" in text
    assert "- 6:41 test run 1: 5/7 passed" in text


def test_notebook_validates_and_carries_the_chart() -> None:
    import nbformat

    records, _ = rough_session()
    report = report_of(records)
    notebook = render_notebook(report)
    nbformat.validate(notebook)
    round_trip = nbformat.reads(nbformat.writes(notebook), as_version=4)
    nbformat.validate(round_trip)
    outputs = [o for c in round_trip.cells if c.cell_type == "code" for o in c.outputs]
    assert len(outputs) == 1
    svg = outputs[0]["data"]["image/svg+xml"]
    ET.fromstring(svg if isinstance(svg, str) else "".join(svg))
    markdown = "\n".join(c.source for c in round_trip.cells if c.cell_type == "markdown")
    assert "You did not state the time complexity" in markdown
    assert "<script" not in markdown
    assert LEAKED not in nbformat.writes(notebook)
