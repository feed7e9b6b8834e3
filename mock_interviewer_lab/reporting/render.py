"""A session report in one of the formats of
:data:`~mock_interviewer_lab.protocol.REPORT_FORMATS`, as text: the one
dispatch the server, the kernel and ``mock-interviewer sessions export`` use.

A notebook is written by ``nbformat`` (one JSON layout everywhere).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from mock_interviewer_lab.protocol import REPORT_FORMATS, ReportFormat
from mock_interviewer_lab.reporting.report import (
    SessionReport,
    render_html,
    render_json,
    render_markdown,
    render_notebook,
)


def notebook_text(report: SessionReport) -> str:
    """The report as an ``.ipynb`` file's text."""
    nbformat: Any = importlib.import_module("nbformat")
    return str(nbformat.writes(nbformat.from_dict(render_notebook(report))))


_RENDERERS: dict[ReportFormat, Callable[[SessionReport], str]] = {
    "json": render_json,
    "md": render_markdown,
    "html": render_html,
    "ipynb": notebook_text,
}


def render_report(report: SessionReport, fmt: str) -> str:
    """``report`` as ``fmt`` (one of REPORT_FORMATS; ValueError otherwise)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(REPORT_FORMATS)})")
    return _RENDERERS[fmt](report)
