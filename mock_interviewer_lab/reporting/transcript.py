"""Who said what when: a session's transcript, built in one place.

The report, the server's session snapshot (docs/api.md), the embedded
kernel backend and ``mock-interviewer sessions show`` all take their lines
from :func:`transcript_lines`; a line names its speaker in one field,
``speaker``, with one of :data:`SPEAKERS`.

A line is one of:

==================  =========  ===================================================
record              speaker    text
==================  =========  ===================================================
``candidate_said``  candidate  what was said (typed or spoken)
``coach_says``      coach      the coach's message
``code_submitted``  candidate  ``[submits code]`` (not with ``spoken_only``)
``show_results``    tests      ``passed/total passed`` (not with ``spoken_only``)
==================  =========  ===================================================

Lines are numbered like every figure's evidence
(:func:`~mock_interviewer_lab.reporting.records.numbered`): a record's seq,
or its position when the records are not stored yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from mock_interviewer_lab import payloads
from mock_interviewer_lab.events import Record
from mock_interviewer_lab.reporting.records import is_action, is_event, numbered

Speaker = Literal["candidate", "coach", "tests"]
SPEAKERS: tuple[str, ...] = get_args(Speaker)

#: What a code submission says in the transcript (its code is not shown).
SUBMITS_CODE = "[submits code]"


@dataclass(frozen=True)
class TranscriptLine:
    seq: int
    t: float
    #: "candidate", "coach" or "tests" (:data:`SPEAKERS`).
    speaker: Speaker
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The line as the API sends it: ``{"t", "seq", "speaker", "text"}``."""
        return {"t": self.t, "seq": self.seq, "speaker": self.speaker, "text": self.text}


def _line(seq: int, r: Record, spoken_only: bool) -> TranscriptLine | None:
    if is_event(r, "candidate_said"):
        return TranscriptLine(seq, r.t, "candidate", str(r.data.get("text", "")))
    if is_action(r, "coach_says"):
        return TranscriptLine(seq, r.t, "coach", str(r.data.get("text", "")))
    if spoken_only:
        return None
    if is_event(r, "code_submitted"):
        return TranscriptLine(seq, r.t, "candidate", SUBMITS_CODE)
    if is_action(r, "show_results"):
        results = cast(payloads.ShowResults, r.data)
        return TranscriptLine(seq, r.t, "tests",
                              f"{results.get('passed')}/{results.get('total')} passed")
    return None


def transcript_lines(records: Iterable[Record], *,
                     spoken_only: bool = False) -> list[TranscriptLine]:
    """The transcript of a session's records, in seq order. ``spoken_only``
    keeps what was said (the report's transcript: its runs and hints are on
    the timeline); without it code submissions and test results are lines too
    (what a panel shows)."""
    lines = (_line(seq, r, spoken_only) for seq, r in numbered(records))
    return [line for line in lines if line is not None]


def transcript_json(records: Iterable[Record]) -> list[dict[str, Any]]:
    """:func:`transcript_lines` as plain dicts (a snapshot's ``transcript``)."""
    return [line.as_dict() for line in transcript_lines(records)]
