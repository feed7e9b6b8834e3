"""``mock-interviewer behavioral …``: behavioural answers scored headless.

    mock-interviewer behavioral score answers.jsonl --json

Each line of the file is one answer: ``id``, ``question``, ``competency``,
``stage``, ``target_level``, ``answer`` (and optionally ``earlier``, the
candidate's previous replies to the same question). The output is one result
per line, in the input's order.

``--coach llm`` scores through the model (``[llm]`` in the settings, the
same ``privacy.local_only`` rule as the coding coach); the output has the
same shape, and an answer the model could not score is scored offline, with
the reason on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from mock_interviewer_lab.cli._common import console, emit_json, err_console, fail, progress
from mock_interviewer_lab.cli.settings_option import given_settings_path, settings_option
from mock_interviewer_lab.coach.behavioral_llm import CoachUnavailable, ScorerKind, build_scorer
from mock_interviewer_lab.competencies import COMPETENCIES, LEVELS, STAGES
from mock_interviewer_lab.interview.rules.star import ScoredAnswer
from mock_interviewer_lab.settings import SettingsError, load_settings

FIELDS = ("id", "question", "competency", "stage", "target_level", "answer")
_ALLOWED: dict[str, tuple[str, ...]] = {
    "competency": COMPETENCIES, "stage": STAGES, "target_level": LEVELS,
}


def read_answers(path: Path) -> list[dict[str, Any]]:
    """The answers of a JSONL file, checked; a bad line fails naming the
    file, the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{where}: not valid JSON: {exc.msg} (column {exc.colno})")
        if not isinstance(row, dict):
            fail(f"{where}: expected a JSON object, got {type(row).__name__}")
        for field in FIELDS:
            if field not in row:
                fail(f"{where}: missing field '{field}'")
            if field != "id" and not isinstance(row[field], str):
                fail(f"{where}: field '{field}' must be a string")
        if not isinstance(row["id"], (str, int)):
            fail(f"{where}: field 'id' must be a string or an integer")
        for field, allowed in _ALLOWED.items():
            if row[field] not in allowed:
                fail(f"{where}: field '{field}': unknown {field.replace('_', ' ')} "
                     f"{row[field]!r} (one of: {', '.join(allowed)})")
        earlier = row.get("earlier", [])
        if not isinstance(earlier, list) or not all(isinstance(e, str) for e in earlier):
            fail(f"{where}: field 'earlier' must be a list of strings")
        rows.append(row)
    return rows


def result_json(row: dict[str, Any], scored: ScoredAnswer) -> dict[str, Any]:
    """The headless contract's object for one answer."""
    score = scored.score
    return {
        "id": row["id"],
        "score": score.score,
        "level": score.level,
        "star": {part: score.star.has(part) for part in ("situation", "task", "action", "result")},
        "gaps": [g.text for g in score.gaps],
        "strengths": list(score.strengths),
        "follow_ups": list(scored.follow_ups),
        "brief_feedback": score.brief_feedback,
    }


@click.group(name="behavioral")
@settings_option()
def behavioral() -> None:
    """Behavioural (STAR) answers: score them without an interview."""


@behavioral.command("score")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coach", type=click.Choice(["scripted", "llm"]), default="scripted",
              show_default=True,
              help="scripted: the offline scorer; llm: the model of the settings' [llm] "
                   "(an answer it cannot score is scored offline, the reason on stderr)")
@click.option("--json", "as_json", is_flag=True, help="print a JSON array, in the input's order")
@click.pass_context
def score_command(ctx: click.Context, file: Path, coach: ScorerKind, as_json: bool) -> None:
    """Score each answer of FILE (JSONL: id, question, competency, stage,
    target_level, answer per line)."""
    try:
        settings = load_settings(given_settings_path(ctx))
    except SettingsError as exc:
        fail(str(exc))
    try:
        scorer = build_scorer(coach, settings)
    except CoachUnavailable as exc:
        fail(str(exc))
    rows = read_answers(file)
    results = []
    with progress(as_json) as advance:
        for done, row in enumerate(rows):
            advance(done, len(rows))
            scored = scorer.score(row["answer"], question=row["question"],
                                  competency=row["competency"],
                                  target_level=row["target_level"], stage=row["stage"],
                                  earlier=tuple(row.get("earlier", ())))
            if scored.fallback:
                err_console.print(f"{file}: answer {row['id']!r} scored offline "
                                  f"({scored.fallback}: {scored.fallback_detail})",
                                  highlight=False, markup=False, soft_wrap=True)
            results.append(result_json(row, scored))
        advance(len(rows), len(rows))
    if as_json:
        emit_json(results)
        return
    table = Table(title=f"{len(results)} answer(s) from {file}")
    for col in ("id", "score", "level", "STAR", "first gap", "feedback"):
        table.add_column(col, overflow="fold")
    for r in results:
        star = "".join(p[0].upper() if r["star"][p] else "·"
                       for p in ("situation", "task", "action", "result"))
        table.add_row(str(r["id"]), f"{r['score']}/10", r["level"], star,
                      r["gaps"][0] if r["gaps"] else "-", r["brief_feedback"])
    console.print(table)
