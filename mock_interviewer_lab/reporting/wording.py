"""What the report says in words, whatever its format: the statement
sections' titles, the rows, cells and notes of the delivery section, a
transcript line's speaker, the feedback section's parts. Markdown (and so the
notebook) and HTML escape them for where they go."""

from __future__ import annotations

from typing import Any

from mock_interviewer_lab.formatting import mmss, plural
from mock_interviewer_lab.reporting.delivery import DeliveryFigures, DeliveryMetrics
from mock_interviewer_lab.reporting.report import (
    SessionReport,
    Statement,
    format_duration,
)
from mock_interviewer_lab.reporting.transcript import TranscriptLine


def delivery_rows(delivery: DeliveryMetrics) -> list[DeliveryFigures]:
    """The phases in which anything was said, then the whole session."""
    said = [f for f in delivery.phases
            if f.spoken_answers or f.typed_answers or (f.coach_seconds or 0) > 0]
    return [*said, delivery.overall]


def _maybe(value: float | None, fmt: str, suffix: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{suffix}"


def _fillers_said(words: dict[str, int]) -> str:
    return ", ".join(f"{word} {count}" for word, count in words.items())


def delivery_notes(report: SessionReport, delivery: DeliveryMetrics) -> list[str]:
    """Plain sentences under the table (the caller escapes them)."""
    overall = delivery.overall
    notes: list[str] = []
    if delivery.spoken:
        notes.append(
            "Words and fillers per minute are over speaking time (spoken answers only, "
            "fillers counted as words; the summary's words per minute of interview count "
            "typed answers too, without thinking sounds); "
            f"the coach's time is estimated from its messages at {delivery.coach_rate_wpm} "
            "words per minute."
        )
        if overall.spoken_filler_words:
            notes.append(f"Fillers heard: {_fillers_said(overall.spoken_filler_words)}.")
        if delivery.longest_silence_span is not None:
            start, end = delivery.longest_silence_span
            notes.append(
                f"Longest silence: {format_duration(end - start)}, "
                f"from {mmss(start - report.timeline.start)} "
                f"to {mmss(end - report.timeline.start)}."
            )
    if delivery.untimed_spoken_answers:
        notes.append(
            f"{plural(delivery.untimed_spoken_answers, 'spoken answer')} without speech "
            "timing left out."
        )
    if overall.typed_answers:
        fillers = (f" ({_fillers_said(overall.typed_filler_words)})"
                   if overall.typed_filler_words else "")
        notes.append(
            f"Typed answers: {plural(overall.typed_fillers, 'filler')} in "
            f"{plural(overall.typed_words, 'word')}{fillers}."
        )
    return notes


def delivery_cells(f: DeliveryFigures) -> tuple[str, str, str, str, str]:
    """Words/min, fillers/min, talk ratio, longest silence, what was spoken."""
    spoken = (
        f"{plural(f.spoken_answers, 'answer')}, {plural(f.spoken_words, 'word')}, "
        f"{format_duration(f.speaking_seconds)}"
        if f.spoken_answers else "—"
    )
    silence = "—" if f.longest_silence is None else format_duration(f.longest_silence)
    return (_maybe(f.words_per_minute, ".0f"), _maybe(f.fillers_per_minute, ".1f"),
            _maybe(None if f.talk_ratio is None else f.talk_ratio * 100, ".0f", "%"),
            silence, spoken)


def statement_sections(report: SessionReport) -> list[tuple[str, list[Statement], str]]:
    """(title, statements, what is said when there are none) of the three lists."""
    return [
        ("Strengths", report.strengths, "Nothing in the records stands out as a strength yet."),
        ("Areas for improvement", report.improvements, "Nothing in the records calls for one."),
        ("Recommendations", report.recommendations, "None: the records call for nothing."),
    ]


def speaker_label(line: TranscriptLine) -> str:
    return {"candidate": "You", "coach": "Coach"}.get(line.speaker, line.speaker)


_FEEDBACK_SECTIONS = (("strengths", "Strengths"), ("improvements", "Improvements"),
                      ("next_steps", "Next steps"))
_ENGINE_NOTE = ("The strengths, improvements and recommendations above are the engine's own "
                "report: rule-based statements computed from the session's records (no model "
                "was used).")


def feedback_parts(report: SessionReport) -> tuple[str, str, list[tuple[str, list[Any]]], str]:
    """(title, label, [(section, items)], note) of the feedback section."""
    fb = report.feedback or {}
    if fb.get("source") != "model":
        return "About this feedback", _ENGINE_NOTE, [], str(fb.get("note") or "")
    rejected = len(fb.get("rejected") or [])
    note = (f"{plural(rejected, 'point')} of the model's left out (no records cited, a score, "
            "or the solution)." if rejected else "")
    return ("Feedback from the model", str(fb.get("label") or ""),
            [(title, list(fb.get(key) or [])) for key, title in _FEEDBACK_SECTIONS], note)
