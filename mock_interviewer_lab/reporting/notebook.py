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
    chart = chart_cell("# Session timeline (phases, test runs, hints)", timeline_svg(report),
                       f"<timeline of session {report.session_id}>")
    return report_notebook(markdown_sections(report), chart, report.as_dict())


def chart_cell(source: str, svg: str, text: str) -> Any:
    """A code cell of ``source`` whose output is the chart ``svg`` (``text``
    where SVG is not shown)."""
    v4: Any = importlib.import_module("nbformat").v4
    return v4.new_code_cell(source=source, outputs=[
        v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": text})])


def report_notebook(sections: list[str], chart: Any | None,
                    report: dict[str, Any]) -> dict[str, Any]:
    """A report's notebook, for every kind of interview: a Markdown cell per
    section, ``chart`` (:func:`chart_cell`) after the first, the report's
    JSON in the metadata (``mock_interviewer_lab.report``); validated."""
    nbformat: Any = importlib.import_module("nbformat")
    v4: Any = nbformat.v4
    cells = [v4.new_markdown_cell(section) for section in sections]
    if chart is not None:
        cells.insert(1, chart)
    notebook: dict[str, Any] = v4.new_notebook(cells=cells)
    notebook["metadata"]["mock_interviewer_lab"] = {"report": report}
    nbformat.validate(notebook)
    return notebook


def notebook_string(notebook: dict[str, Any]) -> str:
    """A notebook as an ``.ipynb`` file's text."""
    nbformat: Any = importlib.import_module("nbformat")
    return str(nbformat.writes(nbformat.from_dict(notebook)))


def notebook_text(report: SessionReport) -> str:
    """The report as an ``.ipynb`` file's text."""
    return notebook_string(render_notebook(report))
