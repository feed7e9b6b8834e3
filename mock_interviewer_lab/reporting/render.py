"""A session report in one of the formats of
:data:`~mock_interviewer_lab.protocol.REPORT_FORMATS`, as text: the one
dispatch the server, the kernel and ``mock-interviewer sessions export`` use.

The writers: JSON here, Markdown (:mod:`.markdown`), one HTML page
(:mod:`.html`, with the SVG charts of :mod:`.charts`) and a notebook
(:mod:`.notebook`, written by ``nbformat``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mock_interviewer_lab.protocol import REPORT_FORMATS, ReportFormat
from mock_interviewer_lab.reporting import behavioral_report
from mock_interviewer_lab.reporting.behavioral_report import BehavioralReport
from mock_interviewer_lab.reporting.html import render_html
from mock_interviewer_lab.reporting.markdown import render_markdown
from mock_interviewer_lab.reporting.notebook import notebook_text
from mock_interviewer_lab.reporting.report import SessionReport


def render_json(report: SessionReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


_RENDERERS: dict[ReportFormat, Callable[[SessionReport], str]] = {
    "json": render_json,
    "md": render_markdown,
    "html": render_html,
    "ipynb": notebook_text,
}


#: A behavioural interview's report (reporting/behavioral_report.py).
_BEHAVIORAL_RENDERERS: dict[ReportFormat, Callable[[BehavioralReport], str]] = {
    "json": behavioral_report.render_json,
    "md": behavioral_report.render_markdown,
    "html": behavioral_report.render_html,
    "ipynb": behavioral_report.notebook_text,
}


def render_report(report: SessionReport | BehavioralReport, fmt: str) -> str:
    """``report`` as ``fmt`` (one of REPORT_FORMATS; ValueError otherwise)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(REPORT_FORMATS)})")
    if isinstance(report, BehavioralReport):
        return _BEHAVIORAL_RENDERERS[fmt](report)
    return _RENDERERS[fmt](report)
