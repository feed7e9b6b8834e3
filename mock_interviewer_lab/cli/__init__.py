"""``mock-interviewer``: the command line for instructors and headless use.

Every command prints a readable table by default and JSON with ``--json``.
Bad input (an unknown problem, a missing file, a broken pack or settings
file) is one clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markdown import Markdown
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from mock_interviewer_lab.cli._common import (
    Context,
    console,
    emit_json,
    fail,
    pass_context,
    progress,
)
from mock_interviewer_lab.cli.audio import audio, calibrate_command
from mock_interviewer_lab.cli.behavioral import behavioral
from mock_interviewer_lab.cli.classroom import class_group, release_command
from mock_interviewer_lab.cli.config import config
from mock_interviewer_lab.cli.eval import eval_command
from mock_interviewer_lab.cli.safeguards import safeguards
from mock_interviewer_lab.cli.sessions import sessions, simulate, start
from mock_interviewer_lab.cli.settings_option import add_settings_option, settings_option
from mock_interviewer_lab.cli.voice import voice
from mock_interviewer_lab.competencies import (
    COMPETENCIES,
    DIFFICULTIES,
    STAGES,
    Competency,
    Difficulty,
    Stage,
)
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.problems.registry import NoQuestion

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "timeout": "yellow",
                "memory": "yellow"}


@click.group()
@settings_option()
@click.version_option(package_name="mock_interviewer_lab")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Mock Interviewer Lab: coding interviews in a notebook."""
    ctx.obj = Context()


# ------------------------------------------------------------------ problems


@main.group()
def problems() -> None:
    """List, show, validate and import problem packs and question banks."""


@problems.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def problems_list(obj: Context, as_json: bool) -> None:
    """Every problem the registry finds, then the question banks apart."""
    reg = obj.registry()
    rows: list[dict[str, Any]] = []
    ids = [p.id for p in reg.problems()]
    for p in reg.problems():
        rows.append({
            **p.summary(),
            "id": p.id if ids.count(p.id) == 1 else p.qualified_id,
            "expected_time": p.spec.complexity.time if p.spec.complexity else None,
        })
    banks = [b.summary() for b in reg.question_banks()]
    if as_json:
        emit_json({"problems": rows, "packs": [
            {"name": pk.meta.name, "version": pk.meta.version, "title": pk.meta.title,
             "path": str(pk.path), "problems": len(pk.problems)} for pk in reg.packs],
            "question_banks": banks})
        return
    table = Table(title=f"{len(rows)} problems in {len(reg.packs)} pack(s)")
    table.add_column("id", no_wrap=True)
    for col in ("title", "difficulty", "pack", "cases (visible+hidden)", "time"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], escape(r["title"]), r["difficulty"], r["pack"],
                      f"{r['visible_cases']}+{r['hidden_cases']}", r["expected_time"] or "")
    console.print(table)
    if banks:
        _print_banks(banks)


def _print_banks(banks: list[dict[str, Any]]) -> None:
    table = Table(title=f"{len(banks)} question bank(s) for behavioural interviews "
                        "(`problems questions` lists them)")
    for col in ("bank", "title", "questions (easy/medium/hard)", "competencies", "stages"):
        table.add_column(col)
    for b in banks:
        per = [sum(n[d] for n in b["coverage"].values()) for d in DIFFICULTIES]
        table.add_row(b["name"], escape(b["title"]),
                      f"{b['questions']} ({'/'.join(map(str, per))})",
                      str(len(b["coverage"])), ", ".join(b["stages"]))
    console.print(table)


@problems.command("questions")
@click.option("--bank", "bank_names", multiple=True, help="only this bank (repeatable)")
@click.option("--stage", type=click.Choice(STAGES), help="only this stage")
@click.option("--competency", type=click.Choice(COMPETENCIES), help="only this competency")
@click.option("--difficulty", type=click.Choice(DIFFICULTIES), help="only this difficulty")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def problems_questions(obj: Context, bank_names: tuple[str, ...], stage: Stage | None,
                       competency: Competency | None, difficulty: Difficulty | None,
                       as_json: bool) -> None:
    """The behavioural questions of the question banks."""
    reg = obj.registry()
    try:
        found = reg.questions(stage, competency, difficulty, banks=bank_names or None)
    except NoQuestion as exc:
        fail(str(exc), 2)
    rows = [q.summary() for q in found]
    if as_json:
        emit_json({"questions": rows})
        return
    table = Table(title=f"{len(rows)} question(s)")
    for col in ("id", "competency", "difficulty", "star", "question"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["qualified_id"], r["competency"], r["difficulty"],
                      "yes" if r["star"] else "no", escape(r["text"]))
    console.print(table)


@problems.command("show")
@click.argument("problem_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def problems_show(obj: Context, problem_id: str, as_json: bool) -> None:
    """What the candidate sees of a problem (no hidden case, no reference)."""
    view = obj.problem(problem_id).public_view()
    if as_json:
        emit_json(view)
        return
    console.print(f"[bold]{escape(view['title'])}[/]  ({view['qualified_id']}, {view['difficulty']})")
    console.print(Markdown(view["statement"]))
    for i, ex in enumerate(view["examples"], 1):
        console.print(f"[bold]Example {i}:[/] {escape(ex['input'])}  →  {escape(ex['output'])}",
                      highlight=False)
        if ex["explanation"]:
            console.print(f"  {escape(ex['explanation'])}", highlight=False)
    if view["constraints"]:
        console.print("[bold]Constraints:[/]")
        for c in view["constraints"]:
            console.print(f"  • {escape(c)}", highlight=False)
    console.print(Syntax(view["signature"], "python"))
    console.print(f"{len(view['visible_cases'])} visible tests, "
                  f"{view['hidden_case_count']} hidden tests")


@problems.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--no-complexity", is_flag=True, help="skip the growth measurement")
@pass_context
def problems_validate(obj: Context, paths: tuple[str, ...], as_json: bool,
                      no_complexity: bool) -> None:
    """Check packs: the schema, and that each reference solution passes all
    its tests and its expected complexity; question banks: the schema, ids,
    probes and coverage. Exit 1 with the messages if not."""
    from mock_interviewer_lab.problems.validate import validate_packs

    with progress(as_json) as advance:
        report = validate_packs([Path(p) for p in paths], obj.settings,
                                complexity=not no_complexity, progress=advance)
    if as_json:
        emit_json(report.as_dict())
    else:
        table = Table(title="problem validation")
        for col in ("problem", "tests", "complexity", "verdict"):
            table.add_column(col)
        for pv in report.problems:
            table.add_row(pv.problem, pv.tests, pv.complexity,
                          "[green]ok[/]" if pv.ok else f"[red]{len(pv.messages) or 1} error(s)[/]")
        if report.problems or not report.banks:
            console.print(table)
        # A failing test in full (input, expected, actual), one per line.
        for pv in report.problems:
            for message in pv.messages:
                console.print(f"[red]✗[/] {escape(pv.problem)}: {escape(message)}",
                              highlight=False)
        if report.banks:
            banks = Table(title="question bank validation")
            for col in ("bank", "questions", "stages", "verdict"):
                banks.add_column(col)
            for bv in report.banks:
                banks.add_row(bv.bank, str(bv.questions), ", ".join(bv.stages),
                              "[green]ok[/]" if bv.ok else f"[red]{bv.errors} error(s)[/]")
            console.print(banks)
        for issue in report.issues:
            console.print(f"[red]✗[/] {escape(str(issue))}", highlight=False)
        for warning in report.warnings:
            console.print(f"[yellow]![/] {escape(str(warning))}", highlight=False)
        console.print("[green]all valid[/]" if report.ok else
                      f"[red]{report.error_count} problem(s) with errors[/]")
    sys.exit(0 if report.ok else 1)


@problems.group("import")
def problems_import() -> None:
    """Import problems from public datasets."""


@problems_import.command("humaneval")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="folder to write the pack into")
@click.option("--name", "pack_name", default="humaneval", show_default=True, help="pack name")
@click.option("--limit", type=int, default=None, help="import only the first N tasks")
@click.option("--overwrite", is_flag=True, help="replace an earlier import in OUT")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def problems_import_humaneval(source: str, out: str, pack_name: str, limit: int | None,
                              overwrite: bool, as_json: bool) -> None:
    """Turn HumanEval's JSONL (gzipped or not) into a pack. The file's
    canonical solutions are run to check the examples: import trusted files only."""
    from mock_interviewer_lab.problems.importers.humaneval import (
        DatasetError,
        OutputExistsError,
        import_humaneval,
    )

    try:
        with progress(as_json) as advance:
            summary = import_humaneval(Path(source), Path(out), pack_name=pack_name, limit=limit,
                                       overwrite=overwrite,
                                       progress=lambda done, total: advance(done, total))
    except (DatasetError, OutputExistsError, ValueError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write the pack: {exc.strerror or exc}")
    data = summary.as_dict() if hasattr(summary, "as_dict") else vars(summary)
    if as_json:
        emit_json(json.loads(json.dumps(data, default=str)))
        return
    console.print(f"[green]wrote[/] {data.get('problems_written')} problems to {out}", highlight=False)
    for key, value in data.items():
        if key not in ("dropped", "problems_written") and not isinstance(value, (list, tuple, dict)):
            console.print(f"  {key}: {escape(str(value))}", highlight=False)
    for line in data.get("corrected") or []:
        console.print(f"  [cyan]corrected[/] {escape(str(line))}", highlight=False)
    for line in data.get("dropped") or []:
        console.print(f"  [yellow]dropped[/] {escape(str(line))}", highlight=False)


# ------------------------------------------------------------------- harness


@main.group()
def harness() -> None:
    """Run code against a problem's tests in the sandbox."""


@harness.command("run")
@click.option("--problem", "problem_id", required=True, help="problem id (or pack:id)")
@click.option("--solution", "solution", required=True, type=click.Path(dir_okay=False),
              help="Python file with the candidate's function")
@click.option("--no-complexity", is_flag=True, help="skip the growth measurement")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def harness_run(obj: Context, problem_id: str, solution: str, no_complexity: bool,
                as_json: bool) -> None:
    """Run a solution file. Exit 0 when the run worked, whatever the tests said."""
    from mock_interviewer_lab.harness.runner import SyncHarness

    problem = obj.problem(problem_id)
    try:
        code = Path(solution).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{solution}: cannot be read: {getattr(exc, 'strerror', None) or exc}")
    with SyncHarness(obj.settings.harness) as h:
        result = h.run(problem, code, complexity=not no_complexity)
    if as_json:
        emit_json(result.public_json())
    else:
        print_run(result)
    sys.exit(1 if result.sandbox_failed else 0)


@harness.command("info")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def harness_info(obj: Context, as_json: bool) -> None:
    """What isolation this machine allows the sandbox."""
    from mock_interviewer_lab.harness.runner import SyncHarness

    with SyncHarness(obj.settings.harness) as h:
        info: dict[str, Any] = {"isolation": h.isolation, "cold_start_seconds": h.harness.cold_start_seconds,
                "limits": obj.settings.harness.model_dump()}
    if as_json:
        emit_json(info)
        return
    from mock_interviewer_lab.harness.sandbox_runtime import isolation_summary

    iso = info["isolation"]
    console.print(f"sandbox kernel started in {info['cold_start_seconds']:.2f} s")
    for what, on in isolation_summary(iso):
        console.print(f"{what}: {'yes' if on else 'no'}", highlight=False)
    if iso.get("namespaces_error"):
        console.print(f"namespaces refused: {iso['namespaces_error']}", highlight=False)
    missing = iso.get("missing") or []
    console.print("missing: " + ("nothing" if not missing else ""), highlight=False)
    for sentence in missing:
        console.print(f"  - {sentence}", highlight=False)
    for k, v in info["limits"].items():
        console.print(f"  {k} = {v}", highlight=False)


def print_run(result: RunResult) -> None:
    table = Table(title=f"{result.problem}: {result.passed}/{result.total} passed")
    for col in ("#", "test", "status", "detail"):
        table.add_column(col)
    for c in result.cases:
        style = STATUS_STYLE.get(c.status, "")
        detail = ""
        if not c.hidden:
            if c.status == "failed" and c.got_repr is not None:
                detail = f"args {c.args}  expected {c.expected!r}  got {c.got_repr}"
            elif c.message:
                detail = c.message
            if c.message and c.status == "failed" and c.got_repr is None:
                detail = c.message
            if c.stdout:
                detail += ("\n" if detail else "") + "printed: " + c.stdout.strip()[:300]
        table.add_row(str(c.index + 1), escape(c.name), f"[{style}]{c.status}[/]", escape(detail))
    console.print(table)
    if result.error:
        console.print(f"[red]{escape(result.error)}[/]", highlight=False)
    if result.complexity is not None:
        cx = result.complexity
        console.print(f"complexity: expected {cx.expected}, measured {cx.estimated or '?'}"
                      + (f" — {cx.note}" if cx.note else ""), highlight=False)
    console.print(f"[dim]{result.seconds * 1000:.0f} ms[/]")


# The command modules import pyaudio, the speech engines and the eval's
# personas only when a command runs.
for _command in (safeguards, config, simulate, start, sessions, eval_command, audio, voice,
                 behavioral):
    main.add_command(_command)
main.add_command(calibrate_command, name="calibrate")
problems.add_command(release_command, name="release")
main.add_command(class_group, name="class")
# Last, once every command is in: each of them takes --settings too.
add_settings_option(main)

if __name__ == "__main__":  # pragma: no cover
    main()
