"""What every rule reports: a :class:`Finding`, and the rule ids.

The ids and their one-line descriptions belong to the pack schema
(``analyzer_ignore`` names them), so they live in
:data:`mock_interviewer_lab.problems.model.ANALYZER_RULES`; this module is
where the rules read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_interviewer_lab.problems.model import ANALYZER_RULES


@dataclass(frozen=True)
class Finding:
    #: Stable id, one of ``rules()``.
    rule: str
    #: 1-based line in the candidate's code; None when no line applies.
    line: int | None
    #: What the coach may ask: points at the line, never says what to change.
    question: str
    #: What was found, in technical terms, for the report and the logs.
    detail: str


RULE_ORDER = {rule: position for position, rule in enumerate(ANALYZER_RULES)}


def rules() -> dict[str, str]:
    """Rule id -> one-line description, in the order findings are reported."""
    return dict(ANALYZER_RULES)
