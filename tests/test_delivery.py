"""Delivery metrics (interview/delivery.py) on hand-made records, in the
metrics, in every report rendering and in ``sessions stats``.

The voice session below is built so that every figure can be worked out by
hand; the comments give the sums. The coach speaks at the default 180 words
per minute: 3 words a second.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Record
from mock_interviewer_lab.reporting.charts import FILLER_COLOUR, WPM_COLOUR, delivery_svg
from mock_interviewer_lab.reporting.delivery import (
    DEFAULT_FILLERS,
    NO_SPOKEN_ANSWERS,
    DeliveryFigures,
    DeliveryMetrics,
    compute_delivery,
    count_fillers,
    delivery_stats,
)
from mock_interviewer_lab.reporting.html import render_html
from mock_interviewer_lab.reporting.markdown import render_markdown
from mock_interviewer_lab.reporting.metrics import compute_metrics
from mock_interviewer_lab.reporting.notebook import render_notebook
from mock_interviewer_lab.reporting.render import render_json
from tests.test_metrics import SessionBuilder, realistic_session
from tests.test_report import report_of

SVG = "{http://www.w3.org/2000/svg}"


def spoken(b: SessionBuilder, start: float, end: float, text: str, *,
           to: str | None = None) -> int:
    """A spoken answer as the voice channel posts it: recorded just after the speech ends."""
    seq = b.event("candidate_said", end + 0.5, text=text, source="voice",
                  speech={"start": start, "end": end})
    if to:
        b.go(to, end + 0.5, cause=seq)
    return seq


def voice_session() -> tuple[list[Record], dict[str, int]]:
    b = SessionBuilder()
    s: dict[str, int] = {}
    # UNDERSTANDING (0 - 34.5)
    b.coach(1.0, "Tell me how you read the problem please now.")  # 9 words: [1, 4]
    # 11 words in 6 s; fillers um, so (after um), like ("or like have")
    s["u1"] = spoken(b, 10.0, 16.0, "um so can the list be empty or like have duplicates")
    b.coach(21.0, "It can be empty and it can hold duplicates.", kind="reflect")  # [21, 24]
    # 9 words in 4 s; "would like" is a verb; basically
    s["u2"] = spoken(b, 30.0, 34.0, "I would like to use a hash map basically", to="approach")
    # APPROACH (34.5 - 60)
    s["go"] = b.coach(35.0, "Good, go ahead and code it.", kind="nudge")  # 6 words: [35, 37]
    s["typing"] = b.typing(50.0)  # silence [37, 50] = 13 s, the longest
    b.submit(60.0)  # -> CODING; silence [50, 60]
    # CODING (60 - 75): 12 words in 8 s; fillers so (first word), you know
    s["u3"] = spoken(b, 65.0, 73.0, "so I loop over the list you know and check the complement")
    b.tests(75.0, ["passed", "passed"])  # -> TESTING -> OPTIMIZATION at 75
    # OPTIMIZATION (75 - 100)
    b.coach(76.0, "All tests pass now. What is the time complexity?")  # 9 words: [76, 79]
    s["typed"] = b.say(90.0, "so it is O(n) I think")  # typed: 7 words, filler so
    s["end"] = b.end(100.0)  # -> REFLECTION -> DONE at 100
    return b.records, s


# ------------------------------------------------------------------ figures


def by_phase(d: DeliveryMetrics) -> dict[str, DeliveryFigures]:
    return {f.phase: f for f in d.phases}


def test_voice_session_figures_per_phase() -> None:
    records, _ = voice_session()
    d = compute_delivery(records)
    assert d.spoken and d.note is None and d.coach_rate_wpm == 180
    phases = by_phase(d)
    assert list(phases) == ["understanding", "approach", "coding", "optimization"]

    u = phases["understanding"]
    assert (u.spoken_answers, u.spoken_words, u.speaking_seconds) == (2, 20, 10.0)
    assert u.words_per_minute == pytest.approx(120.0)  # 20 words / (10 s / 60)
    assert u.spoken_fillers == 4 and u.spoken_filler_words == {
        "basically": 1, "like": 1, "so": 1, "um": 1}
    assert u.fillers_per_minute == pytest.approx(24.0)  # 4 / (10 s / 60)
    assert u.coach_seconds == pytest.approx(6.0)  # 9 + 9 words at 3 a second
    assert u.talk_ratio == pytest.approx(10.0 / 16.0)
    assert u.longest_silence == pytest.approx(6.0)  # [4, 10] and [24, 30]

    a = phases["approach"]
    assert a.spoken_answers == 0 and a.words_per_minute is None and a.fillers_per_minute is None
    assert a.coach_seconds == pytest.approx(2.0)
    assert a.talk_ratio == 0.0  # the coach spoke, the candidate did not
    assert a.longest_silence == pytest.approx(13.0)

    c = phases["coding"]
    assert (c.spoken_answers, c.spoken_words, c.speaking_seconds) == (1, 12, 8.0)
    assert c.words_per_minute == pytest.approx(90.0)
    assert c.spoken_filler_words == {"so": 1, "you know": 1}
    assert c.fillers_per_minute == pytest.approx(15.0)
    assert c.coach_seconds == 0.0 and c.talk_ratio == 1.0
    assert c.longest_silence == pytest.approx(5.0)  # [60, 65]; [73, 76] is cut at 75

    o = phases["optimization"]
    assert o.spoken_answers == 0 and o.words_per_minute is None
    assert (o.typed_answers, o.typed_words, o.typed_fillers) == (1, 7, 1)
    assert o.typed_filler_words == {"so": 1}
    assert o.coach_seconds == pytest.approx(3.0) and o.talk_ratio == 0.0
    assert o.longest_silence == pytest.approx(11.0)  # [79, 90]; [90, 100] is 10


def test_voice_session_figures_overall() -> None:
    records, s = voice_session()
    d = compute_delivery(records)
    o = d.overall
    assert o.phase == "overall"
    assert (o.spoken_answers, o.spoken_words, o.speaking_seconds) == (3, 32, 18.0)
    assert o.words_per_minute == pytest.approx(32 / 18 * 60)
    assert o.spoken_fillers == 6 and o.fillers_per_minute == pytest.approx(20.0)
    assert (o.typed_answers, o.typed_words, o.typed_fillers) == (1, 7, 1)
    assert o.coach_seconds == pytest.approx(11.0)
    assert o.talk_ratio == pytest.approx(18.0 / 29.0)
    assert o.longest_silence == pytest.approx(13.0)
    assert d.longest_silence_span == pytest.approx((37.0, 50.0))
    # the silence sits between the coach's message and the typing that ended it
    assert d.evidence["longest_silence"] == (s["go"], s["typing"])
    assert d.evidence["spoken_answers"] == (s["u1"], s["u2"], s["u3"])
    assert d.evidence["typed_answers"] == (s["typed"],)
    assert d.untimed_spoken_answers == 0


def test_a_text_only_session_says_no_spoken_answers() -> None:
    records, _ = realistic_session()
    d = compute_delivery(records)
    assert not d.spoken and d.note == NO_SPOKEN_ANSWERS
    for f in (d.overall, *d.phases):
        assert f.spoken_answers == 0 and f.speaking_seconds == 0.0
        assert f.words_per_minute is None and f.fillers_per_minute is None
        assert f.coach_seconds is None and f.talk_ratio is None and f.longest_silence is None
    # fillers in typed lines are still counted, apart
    assert d.overall.typed_filler_words == {"um": 1}
    assert d.overall.typed_answers == 6
    assert d.longest_silence_span is None and "longest_silence" not in d.evidence


def test_coach_rate_comes_from_the_settings_snapshot_or_the_caller() -> None:
    records, _ = voice_session()
    records[0].data["settings"] = {"tts": {"rate_wpm": 90}}  # 1.5 words a second
    d = compute_delivery(records)
    assert d.coach_rate_wpm == 90
    assert d.overall.coach_seconds == pytest.approx(22.0)  # 33 words
    assert d.overall.talk_ratio == pytest.approx(18.0 / 40.0)
    assert compute_delivery(records, coach_rate_wpm=360).overall.coach_seconds == (
        pytest.approx(5.5))
    with pytest.raises(ValueError, match="coach_rate_wpm"):
        compute_delivery(records, coach_rate_wpm=0)


def test_a_spoken_answer_without_timing_is_left_out_but_ends_a_silence() -> None:
    b = SessionBuilder()
    b.coach(1.0, "Go on.")  # [1, 1.667]
    spoken(b, 2.0, 6.0, "one two three four five six")
    bad = b.event("candidate_said", 20.0, text="seven eight", source="voice",
                  speech={"start": 30.0, "end": 25.0})
    b.event("candidate_said", 21.0, text="nine", source="voice")  # no speech at all
    b.tick(40.0)
    d = compute_delivery(b.records)
    assert d.untimed_spoken_answers == 2
    assert d.evidence["untimed_spoken_answers"] == (bad, bad + 1)
    assert d.overall.spoken_words == 6 and d.overall.words_per_minute == pytest.approx(90.0)
    assert d.overall.longest_silence == pytest.approx(19.0)  # [21, 40]; [6, 20] is 14


def test_noise_with_no_words_is_not_an_answer() -> None:
    b = SessionBuilder()
    spoken(b, 2.0, 6.0, "")
    d = compute_delivery(b.records)
    assert not d.spoken and d.overall.spoken_answers == 0


# ------------------------------------------------------------------ fillers


@pytest.mark.parametrize(("text", "expected"), [
    ("um so I think like we use a hash map", {"um": 1, "so": 1, "like": 1}),
    ("I like this approach", {}),
    ("we'd like to return the pair", {}),
    ("it looks like the answer", {}),
    ("something like that", {}),
    ("it's, like, kind of slow", {"like": 1, "kind of": 1}),
    ("what kind of input and which sort of output", {}),
    ("so far so good", {}),
    ("the list is sorted so we can binary search", {}),
    ("so um so", {"so": 2, "um": 1}),
    ("ummm uhh err sooo", {"um": 1, "uh": 1, "er": 1, "so": 1}),
    ("do you know the size", {}),
    ("it is fast you know", {"you know": 1}),
    ("I mean it", {}),
    ("I mean we could sort", {"i mean": 1}),
    ("basically it actually works", {"basically": 1, "actually": 1}),
    ("Um, SO: like… you KNOW", {"um": 1, "so": 1, "like": 1, "you know": 1}),
])
def test_filler_rules(text: str, expected: dict[str, int]) -> None:
    assert dict(count_fillers(text)) == expected


def test_the_filler_list_is_the_callers() -> None:
    assert dict(count_fillers("right so right", ["right", "you know"])) == {"right": 2}
    assert dict(count_fillers("um uh like", [])) == {}
    records, _ = voice_session()
    d = compute_delivery(records, fillers=["um", "hash map"])
    assert d.fillers == ("um", "hash map")
    assert d.overall.spoken_filler_words == {"hash map": 1, "um": 1}
    assert compute_delivery(records).fillers == DEFAULT_FILLERS


# ------------------------------------------------------------------ metrics


def test_the_session_metrics_carry_delivery() -> None:
    records, _ = voice_session()
    m = compute_metrics(records)
    assert m.delivery == compute_delivery(records)
    data = json.loads(json.dumps(m.as_dict()))
    assert data["delivery"]["overall"]["speaking_seconds"] == 18.0
    assert data["delivery"]["phases"][0]["phase"] == "understanding"
    assert data["delivery"]["longest_silence_span"] == [37.0, 50.0]


def test_delivery_stats_pool_the_sessions_with_speech() -> None:
    voice, _ = voice_session()
    text, _ = realistic_session()
    assert delivery_stats([compute_delivery(text)]) is None
    stats = delivery_stats([compute_delivery(voice), compute_delivery(text),
                            compute_delivery(voice)])
    assert stats is not None
    assert stats["sessions_with_speech"] == 2
    assert stats["speaking_seconds"] == 36.0
    assert stats["words_per_minute"] == round(64 / 36 * 60, 1)
    assert stats["fillers_per_minute"] == 20.0
    assert stats["talk_ratio"] == round(36 / 58, 3)
    assert stats["longest_silence"] == 13.0


# ------------------------------------------------------------------ report


def test_markdown_has_the_delivery_table_with_bars() -> None:
    records, _ = voice_session()
    text = render_markdown(report_of(records))
    section = text[text.index("## Delivery"):text.index("## Transcript")]
    assert "| Phase | Words/min | Fillers/min | Talk ratio | Longest silence | Spoken |" in section
    # understanding has the top WPM (120) and the top fillers/min (24): full bars
    assert "| understanding | ██████████ 120 | ██████████ 24.0 | 62% | 6 s " \
           "| 2 answers, 20 words, 10 s |" in section
    assert "| approach | — | — | 0% | 13 s | — |" in section
    assert "| coding | ███████▌ 90 | ██████▎ 15.0 | 100% | 5 s |" in section
    assert "| **overall** | ████████▉ 107 | ████████▍ 20.0 | 62% | 13 s |" in section
    assert "Fillers heard: basically 1, like 1, so 2, um 1, you know 1." in section
    assert "Longest silence: 13 s, from 0:37 to 0:50." in section
    assert "Typed answers: 1 filler in 7 words (so 1)." in section


def test_markdown_of_a_text_only_session_measures_nothing_spoken() -> None:
    records, _ = realistic_session()
    text = render_markdown(report_of(records))
    section = text[text.index("## Delivery"):text.index("## Transcript")]
    assert "No spoken answers" in section
    assert "Words/min" not in section and "█" not in section
    assert "Typed answers: 1 filler in" in section


def test_html_has_the_delivery_section_and_its_chart() -> None:
    records, _ = voice_session()
    report = report_of(records)
    page = render_html(report)
    section = page[page.index('<section class="delivery">'):]
    section = section[:section.index("</section>")]
    svg = section[section.index("<svg"):section.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert svg == delivery_svg(report)
    wpm = {e.get("data-phase"): e for e in root.iter(f"{SVG}rect") if e.get("class") == "wpm"}
    fillers = {e.get("data-phase"): e for e in root.iter(f"{SVG}rect")
               if e.get("class") == "fillers"}
    assert set(wpm) == set(fillers) == {"understanding", "coding", "overall"}
    assert {e.get("fill") for e in wpm.values()} == {WPM_COLOUR}
    assert {e.get("fill") for e in fillers.values()} == {FILLER_COLOUR}
    # bars are to scale: coding speaks at 90 of the top 120 words per minute
    widths = {phase: float(e.get("width", 0)) for phase, e in wpm.items()}
    assert widths["coding"] / widths["understanding"] == pytest.approx(90 / 120, abs=0.01)
    texts = "".join(root.itertext())
    assert "no spoken answers" in texts  # approach and optimization
    assert '<tr data-phase="approach"><th>approach</th><td>—</td>' in section
    assert "<td>62%</td>" in section


def test_html_of_a_text_only_session_has_no_chart() -> None:
    records, _ = realistic_session()
    report = report_of(records)
    assert delivery_svg(report) is None
    page = render_html(report)
    section = page[page.index('<section class="delivery">'):]
    section = section[:section.index("</section>")]
    assert "No spoken answers" in section and "<svg" not in section


def test_json_carries_the_delivery_figures() -> None:
    records, _ = voice_session()
    data = json.loads(render_json(report_of(records)))
    assert data["delivery"]["spoken"] is True
    assert data["delivery"]["overall"]["talk_ratio"] == pytest.approx(18 / 29)
    assert [p["phase"] for p in data["delivery"]["phases"]] == [
        "understanding", "approach", "coding", "optimization"]
    assert data["metrics"]["delivery"] == data["delivery"]
    text_only = json.loads(render_json(report_of(realistic_session()[0])))
    assert text_only["delivery"]["note"] == "no spoken answers"
    assert text_only["delivery"]["overall"]["words_per_minute"] is None


def test_notebook_has_the_delivery_section() -> None:
    records, _ = voice_session()
    notebook = render_notebook(report_of(records))  # validated by nbformat as it is made
    delivery = [c["source"] for c in notebook["cells"]
                if c["cell_type"] == "markdown" and c["source"].startswith("## Delivery")]
    assert len(delivery) == 1
    assert "| understanding | ██████████ 120 |" in delivery[0]


# ------------------------------------------------------------------ through a real session


def test_spoken_answers_posted_to_a_session_reach_sessions_stats(tmp_path: Path) -> None:
    from mock_interviewer_lab.cli import main
    from mock_interviewer_lab.interview.clock import FakeClock
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.problems.registry import ProblemRegistry
    from mock_interviewer_lab.settings import Settings
    from mock_interviewer_lab.store import SessionStore

    db = tmp_path / "sessions.db"
    store = SessionStore(db)
    clock = FakeClock()
    registry = ProblemRegistry.discover(installed=False)
    session = InterviewSession.start(store, registry.get("two_sum"), Settings(), harness=None,
                                     clock=clock, registry=registry, coach=ScriptedCoach())
    clock.set(12.0)
    session.post("candidate_said", {"text": "um can the numbers be negative", "source": "voice",
                                    "speech": {"start": 9.0, "end": 12.0}})  # 6 words, 3 s
    clock.set(30.0)
    session.post("candidate_said", {"text": "I would use a dictionary of complements",
                                    "source": "voice", "speech": {"start": 26.0, "end": 30.0}})
    clock.set(40.0)
    session.say("so that is linear")  # typed
    session.end("candidate")
    records = store.records(session.info.id)
    d = compute_metrics(records).delivery
    assert d is not None and d.spoken
    assert (d.overall.spoken_words, d.overall.speaking_seconds) == (13, 7.0)
    assert d.overall.words_per_minute == pytest.approx(13 / 7 * 60)
    assert d.overall.spoken_filler_words == {"um": 1}
    assert d.overall.typed_answers == 1 and d.overall.typed_fillers == 0  # "so that"
    coach_words = sum(len(str(r.data["text"]).split()) for r in records
                      if r.type == "coach_says")
    assert coach_words > 0
    assert d.overall.talk_ratio is not None and 0 < d.overall.talk_ratio < 1

    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{db}"\n')
    result = CliRunner().invoke(main, ["sessions", "stats", "--json", "--db", str(db)],
                                env={"MOCK_INTERVIEWER_SETTINGS": str(settings)})
    assert result.exit_code == 0, result.output
    stats: dict[str, Any] = json.loads(result.output)
    assert stats["delivery"]["sessions_with_speech"] == 1
    assert stats["delivery"]["words_per_minute"] == round(13 / 7 * 60, 1)
    assert stats["delivery"]["fillers_per_minute"] == round(1 / 7 * 60, 1)
