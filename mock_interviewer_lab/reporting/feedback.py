"""The end-of-session feedback's shape, and the engine's own: the report's
rule-based statements, labelled as such. A coach with a model writes its
own (:mod:`mock_interviewer_lab.coach.feedback`); this is what stands when
there is none, or it fails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_interviewer_lab.reporting.report import SessionReport

ENGINE_LABEL = ("The engine's own report: rule-based statements computed from the session's "
                "records (no model was used).")


@dataclass(frozen=True)
class FeedbackItem:
    text: str
    evidence: list[int]


@dataclass(frozen=True)
class Feedback:
    #: "model" or "engine".
    source: str
    label: str
    model: str | None = None
    strengths: list[FeedbackItem] = field(default_factory=list)
    improvements: list[FeedbackItem] = field(default_factory=list)
    next_steps: list[FeedbackItem] = field(default_factory=list)
    #: Why the engine's report stands in for the model, when it does.
    note: str = ""
    #: Points the model gave that were dropped: {"text", "why"}.
    rejected: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def engine_feedback(report: SessionReport, note: str = "") -> Feedback:
    """The report's own statements, labelled as the engine's."""
    def items(statements: Iterable[Any]) -> list[FeedbackItem]:
        return [FeedbackItem(st.text, list(st.evidence)) for st in statements]

    return Feedback(source="engine", label=ENGINE_LABEL, strengths=items(report.strengths),
                    improvements=items(report.improvements),
                    next_steps=items(report.recommendations), note=note)
