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
