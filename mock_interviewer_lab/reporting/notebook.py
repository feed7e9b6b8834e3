"""The report as a Jupyter notebook: :func:`render_notebook` (the notebook
as a dict) and :func:`notebook_text` (an ``.ipynb`` file's text, written by
``nbformat``: one JSON layout everywhere)."""

from __future__ import annotations

import importlib
from typing import Any

from mock_interviewer_lab.reporting.charts import timeline_svg
from mock_interviewer_lab.reporting.markdown import markdown_sections
from mock_interviewer_lab.reporting.report import SessionReport


def render_notebook(report: SessionReport) -> dict[str, Any]:
    """The report as a notebook (an ``nbformat.NotebookNode``, which is a dict):
    Markdown cells, and the timeline chart as an ``image/svg+xml`` output.

    Needs ``nbformat`` (part of every Jupyter install); it is imported here,
    and used untyped, so the rest of the report works without it.
    """
    nbformat: Any = importlib.import_module("nbformat")
    v4: Any = nbformat.v4
    sections = markdown_sections(report)
    chart = v4.new_code_cell(
        source="# Session timeline (phases, test runs, hints)",
        outputs=[
            v4.new_output(
                "display_data",
                data={
                    "image/svg+xml": timeline_svg(report),
                    "text/plain": f"<timeline of session {report.session_id}>",
                },
            )
        ],
    )
    cells = [v4.new_markdown_cell(sections[0]), chart]
    cells += [v4.new_markdown_cell(section) for section in sections[1:]]
    notebook: dict[str, Any] = v4.new_notebook(cells=cells)
    notebook["metadata"]["mock_interviewer_lab"] = {"report": report.as_dict()}
    nbformat.validate(notebook)
    return notebook


def notebook_text(report: SessionReport) -> str:
    """The report as an ``.ipynb`` file's text."""
    nbformat: Any = importlib.import_module("nbformat")
    return str(nbformat.writes(nbformat.from_dict(render_notebook(report))))
