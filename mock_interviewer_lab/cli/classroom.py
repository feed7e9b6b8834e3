"""The instructor's commands: ``problems release`` (the student's copy of a
pack) and ``class`` (the class service's results)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from mock_interviewer_lab.cli._common import console, emit_json, fail


@click.command("release")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dest", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def release_command(src: str, dest: str, as_json: bool) -> None:
    """Write the students' copy of the pack SRC into DEST (a new folder):
    statements, stubs, visible tests and hints; no reference, no hidden or
    generated case, no generator. The class service keeps SRC."""
    from mock_interviewer_lab.classroom.release import ReleaseError, release_pack

    try:
        report = release_pack(Path(src), Path(dest))
    except ReleaseError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{dest}: cannot write the release: {exc.strerror or exc}")
    if as_json:
        emit_json(report.as_dict())
        return
    table = Table(title=f"{report.pack} {report.version} released to {report.dest}")
    for col in ("problem", "visible cases", "held back", "notes"):
        table.add_column(col)
    for p in report.problems:
        table.add_row(p.id, str(p.visible), str(p.held_back), escape("; ".join(p.notes)))
    console.print(table)


@click.group("class")
def class_group() -> None:
    """A class on JupyterHub: the class service's results (instructors)."""


_URL = click.option("--url", default=None,
                    help="the class service's URL (default: $MOCK_INTERVIEWER_CLASSROOM_URL)")
_TOKEN = click.option("--token", default=None, envvar="JUPYTERHUB_API_TOKEN",
                      help="an instructor's hub token (default: $JUPYTERHUB_API_TOKEN)")


@class_group.command("collect")
@_URL
@_TOKEN
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, allow_dash=True),
              help="write the table as CSV (- for standard output)")
@click.option("--notebook", "notebook_out", type=click.Path(dir_okay=False),
              help="write the table and its charts as a notebook (.ipynb)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def class_collect(url: str | None, token: str | None, csv_out: str | None,
                  notebook_out: str | None, as_json: bool) -> None:
    """The class's table, one row per student and problem: tests passed
    (the service's own runs), time to working code, hints, complexity
    reached, behavioural score."""
    import json

    from mock_interviewer_lab.classroom.client import ClassroomUnavailable, fetch

    try:
        rows = json.loads(fetch("table", url=url, token=token))["rows"]
        if csv_out:
            _write(csv_out, fetch("table.csv", url=url, token=token))
        if notebook_out:
            _write(notebook_out, fetch("table.ipynb", url=url, token=token))
    except ClassroomUnavailable as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write: {exc.strerror or exc}")
    if as_json:
        emit_json({"rows": rows})
    elif csv_out != "-":
        _print_rows(rows)


def _write(path: str, data: bytes) -> None:
    if path == "-":
        click.echo(data.decode("utf-8"), nl=False)
    else:
        Path(path).write_bytes(data)


def _print_rows(rows: list[dict[str, object]]) -> None:
    table = Table(title=f"{len(rows)} student-problem rows")
    columns = ("user", "problem", "tests_passed", "tests_total", "complexity_reached",
               "time_to_working_code_s", "hints", "behavioral_score")
    for col in columns:
        table.add_column(col.replace("_", " "))
    for r in rows:
        table.add_row(*("" if r.get(c) is None else escape(str(r[c])) for c in columns))
    console.print(table)


@class_group.command("transcript")
@click.argument("user")
@click.argument("session_id")
@_URL
@_TOKEN
def class_transcript(user: str, session_id: str, url: str | None, token: str | None) -> None:
    """A student's session as their server posted it (report and transcript), as JSON."""
    import json

    from mock_interviewer_lab.classroom.client import ClassroomUnavailable, fetch

    try:
        emit_json(json.loads(fetch(f"sessions/{user}/{session_id}", url=url, token=token)))
    except ClassroomUnavailable as exc:
        fail(str(exc))
