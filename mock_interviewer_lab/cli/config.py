"""``mock-interviewer config …``: show, check, locate and create ``settings.toml``.

    mock-interviewer config show [--json] [--defaults]
    mock-interviewer config validate [FILE] [--json]
    mock-interviewer config path [--json]
    mock-interviewer config init [--force]

The settings file in force is the one the main command was given with
``--settings`` (or ``$MOCK_INTERVIEWER_SETTINGS``), else the one in the user
config folder, else the built-in defaults (see :mod:`.settings`).

Exit codes: 0 fine; 1 ``validate`` found problems or ``init`` refused to
overwrite or could not write; 2 ``show`` could not load the settings in force.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import click
import tomlkit
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from tomlkit.items import Table

from mock_interviewer_lab.cli._common import emit_json, fail
from mock_interviewer_lab.cli.settings_option import given_settings_path
from mock_interviewer_lab.protocol import SETTINGS_ENV
from mock_interviewer_lab.settings import (
    Settings,
    SettingsError,
    load_settings,
    parse_settings,
    settings_path,
    settings_search_order,
    user_settings_file,
)

#: One line above a table in the file ``config init`` writes.
SECTION_NOTES: dict[str, str] = {
    "app": "Where sessions are kept.",
    "coach": "How the coach behaves. It never gives the answer away.",
    "coach.timing": "Phase lengths, in seconds.",
    "coach.behavioral": "Phrases the coach listens for in what the candidate says.",
    "coach.intervention": "When the coach steps in.",
    "stt": "Speech to text.",
    "tts": "Text to speech.",
    "llm": "The language model behind the coach (through litellm).",
    "harness": "The sandbox that runs the candidate's code against the tests.",
    "problems": "Problem packs.",
    "calibration": "Written by voice calibration; no need to edit by hand.",
    "privacy": "What may leave this machine or be kept.",
}

#: Field notes where the model has no description of its own.
FIELD_NOTES: dict[str, str] = {
    "app.session_db": "SQLite file with every session: sqlite:///path (~ allowed)",
    "app.auto_save_interval_s": "seconds between automatic saves",
    "coach.allow_code_hints": "false: the coach never shows code",
    "coach.enforce_test_first": "test-driven mode: ask for test cases before code",
    "coach.force_big_o_at_end": "always ask for time and space complexity before the end",
    "coach.timing.warning_at_remaining_min": "minutes left at which to warn",
    "coach.intervention.silence_before_nudge_ms": "real interviewers wait about 8 s",
    "coach.intervention.max_hints_before_subproblem": "then the coach offers a smaller problem",
    "coach.intervention.abandon_threshold_min": "minutes before suggesting to move on",
    "coach.intervention.repeated_approach_limit": "tries of one approach before suggesting another",
    "stt.engine": "pocketsphinx needs no model download",
    "llm.model": "empty: the offline scripted coach",
    "privacy.local_only": "true: nothing is sent off this machine",
}


# ------------------------------------------------------------ TOML writing

def _toml(value: Any) -> str:
    """``value`` as TOML writes it (``"a"``, ``[1, 2]``, ``true``)."""
    return str(tomlkit.item(value).as_string())


def _allowed(info: FieldInfo) -> str:
    """What a field accepts, from its type and bounds."""
    if get_origin(info.annotation) is Literal:
        return " | ".join(_toml(a) for a in get_args(info.annotation))
    bounds = []
    for constraint in info.metadata:
        for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            limit = getattr(constraint, attr, None)
            if limit is not None:
                bounds.append(f"{op} {limit}")
    return ", ".join(bounds)


def _field_comment(path: str, info: FieldInfo) -> str:
    note = FIELD_NOTES.get(path) or info.description or ""
    allowed = _allowed(info)
    if note and allowed:
        return f"{note} ({allowed})"
    return note or allowed


def settings_to_toml(settings: Settings, *, explain: bool = False,
                     defaults: Settings | None = None) -> str:
    """``settings`` as TOML that :func:`tomllib.loads` reads back to the same
    settings. ``explain`` adds a comment per key (what it means, what is
    allowed); ``defaults`` marks each value that differs from it."""
    doc = tomlkit.document()
    for name in type(settings).model_fields:
        section = getattr(settings, name)
        if isinstance(section, BaseModel):
            _add_table(doc, name, _model_table(
                section, name, explain, getattr(defaults, name) if defaults is not None else None),
                SECTION_NOTES.get(name) if explain else None)
    return tomlkit.dumps(doc)


def _add_table(parent: tomlkit.TOMLDocument | Table, name: str, table: Table,
               note: str | None) -> None:
    """``table`` under ``parent`` after a blank line, with ``note`` right above its header."""
    if len(parent):
        parent.add(tomlkit.nl())
    if note:
        parent.add(tomlkit.comment(note))
    parent.add(name, table)
    table.trivia.indent = ""  # tomlkit puts a blank line between a comment and a header


def _model_table(model: BaseModel, path: str, explain: bool,
                 defaults: BaseModel | None) -> Table:
    table = tomlkit.table()
    later: list[str] = []  # sub-tables: TOML wants them after the table's own keys
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, (BaseModel, dict)):
            later.append(name)
            continue
        if explain and (comment := _field_comment(f"{path}.{name}", info)):
            table.add(tomlkit.comment(comment))
        differs = ""
        if defaults is not None and value != getattr(defaults, name):
            default = getattr(defaults, name)
            differs = f"default: {'not set' if default is None else _toml(default)}"
        if value is None:
            table.add(tomlkit.comment(f"{name} = (not set)" + (f"  # {differs}" if differs else "")))
            continue
        item = tomlkit.item(value)
        if differs:
            item.comment(differs)
            item.trivia.comment_ws = "  "
        table.add(name, item)
    for name in later:
        value = getattr(model, name)
        default = getattr(defaults, name) if defaults is not None else None
        if isinstance(value, BaseModel):
            sub = _model_table(value, f"{path}.{name}", explain,
                               default if isinstance(default, BaseModel) else None)
            _add_table(table, name, sub, SECTION_NOTES.get(f"{path}.{name}") if explain else None)
        else:
            sub = tomlkit.table()
            sub.update(value)
            _add_table(table, name, sub, None)
    return table


def default_settings_file() -> str:
    header = (
        "# Mock Interviewer Lab settings.\n"
        "# Written by `mock-interviewer config init`: every value below is the default.\n"
        "# Remove a line to keep the default; check your edits with\n"
        "# `mock-interviewer config validate`.\n\n"
    )
    return header + settings_to_toml(Settings(), explain=True)


# -------------------------------------------------------------- checking

def check_settings_file(path: Path) -> tuple[Settings | None, list[str]]:
    """The settings in ``path``, or None and every problem found."""
    if not path.exists():
        return None, ["no such file"]
    if path.is_dir():
        return None, ["is a folder, not a settings file"]
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return None, [f"cannot be read: {exc.strerror or exc}"]
    except UnicodeDecodeError as exc:
        return None, [f"not UTF-8 text (byte {exc.start}): is it a settings file?"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_describe_toml_error(exc, text)]
    try:
        return parse_settings(data, str(path)), []
    except SettingsError as exc:
        return None, list(exc.problems)


def _describe_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    message = f"not valid TOML: {exc}"
    found = re.search(r"at line (\d+)", str(exc))
    if found:
        lines = text.splitlines()
        number = int(found.group(1))
        if 1 <= number <= len(lines):
            message += f"\n    {number} | {lines[number - 1]}"
    return message


# ---------------------------------------------------------------- commands

@click.group(name="config")
def config() -> None:
    """Show, check, locate and create the settings file."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--defaults", is_flag=True, help="the built-in defaults, ignoring any file")
@click.pass_context
def show_command(ctx: click.Context, as_json: bool, defaults: bool) -> None:
    """The settings in force and where they came from."""
    if defaults:
        settings = Settings()
    else:
        try:
            settings = load_settings(given_settings_path(ctx))
        except SettingsError as exc:
            fail(f"{exc}\n(`mock-interviewer config validate` lists every problem)", 2)
    source = settings.source or "defaults"
    if as_json:
        emit_json({"source": source, "settings": settings.model_dump(mode="json")})
        return
    click.echo(f"# settings from {source}" if settings.source else "# built-in defaults")
    click.echo()
    click.echo(settings_to_toml(settings, defaults=None if defaults else Settings()), nl=False)


@config.command("validate")
@click.argument("file", required=False)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_context
def validate_command(ctx: click.Context, file: str | None, as_json: bool) -> None:
    """Check FILE (default: the settings file in force). Prints "ok: FILE",
    or every problem and exits 1."""
    path = Path(file).expanduser() if file else settings_path(given_settings_path(ctx))
    if path is None:
        problems: list[str] = []
        shown = "defaults"
    else:
        _, problems = check_settings_file(path)
        shown = str(path)
    if as_json:
        emit_json({"path": shown, "ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            click.echo(f"{shown}: {problem}")
        click.echo(f"{len(problems)} problem(s) in {shown}")
    else:
        click.echo(f"ok: {shown}" + (" (no settings file found)" if path is None else ""))
    sys.exit(1 if problems else 0)


def _search_order(ctx: click.Context) -> list[dict[str, Any]]:
    """Where settings are looked for, first match wins."""
    return [{"source": source, "path": str(where) if where else None,
             "exists": where is not None and where.is_file()}
            for source, where in settings_search_order(given_settings_path(ctx))]


@config.command("path")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_context
def path_command(ctx: click.Context, as_json: bool) -> None:
    """Where the settings file is looked for, in order, and which one is in force."""
    places = _search_order(ctx)
    in_force = settings_path(given_settings_path(ctx))
    if as_json:
        emit_json({"search_order": places, "in_force": str(in_force) if in_force else None})
        return
    click.echo("settings are read from the first of:")
    for number, place in enumerate(places, 1):
        if not place["path"]:
            state = "not given" if place["source"] == "--settings" else "not set"
            click.echo(f"  {number}. {place['source']}: {state}")
        else:
            state = "found" if place["exists"] else "missing"
            click.echo(f"  {number}. {place['source']}: {place['path']} ({state})")
    click.echo(f"  {len(places) + 1}. the built-in defaults")
    if in_force is None:
        click.echo("in force: the built-in defaults")
    else:
        missing = "" if in_force.is_file() else " (missing: loading it fails)"
        click.echo(f"in force: {in_force}{missing}")


@config.command("init")
@click.option("--force", is_flag=True, help="overwrite an existing settings file")
@click.pass_context
def init_command(ctx: click.Context, force: bool) -> None:
    """Write a commented settings.toml with the defaults into the user config folder."""
    target = user_settings_file()
    if target.exists() and not force:
        fail(f"{target} already exists; use --force to overwrite it", 1)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.tmp")
        partial.write_text(default_settings_file(), encoding="utf-8")
        os.replace(partial, target)  # never leaves a half-written settings file
    except OSError as exc:
        fail(f"{target}: cannot write: {exc.strerror or exc}", 1)
    click.echo(f"wrote {target}")
    in_force = settings_path(given_settings_path(ctx))
    if in_force is not None and in_force.expanduser().resolve() != target.resolve():
        click.echo(f"note: {in_force} is in force instead (from --settings or "
                   f"${SETTINGS_ENV})")
