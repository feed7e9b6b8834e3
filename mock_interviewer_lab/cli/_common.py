"""What every ``mock-interviewer`` command uses: the consoles, one way to
fail (a message and an exit code, never a traceback), JSON output, a
progress bar, and the context object with the settings and the problems.

The group (:mod:`mock_interviewer_lab.cli`) imports the command modules,
and they import this one; nothing here imports a command.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mock_interviewer_lab.cli.settings_option import given_settings_path
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, UnknownProblem
from mock_interviewer_lab.settings import Settings, SettingsError, load_settings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    # soft_wrap: one line per line of the message, whatever the terminal's width.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False,
                      soft_wrap=True)
    sys.exit(code)


def emit_json(data: Any, *, indent: int | None = 2) -> None:
    """``data`` as JSON on stdout (``indent=None``: on one line)."""
    click.echo(json.dumps(data, indent=indent, ensure_ascii=False))


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for long work; silent with --json or no tty."""
    if quiet or not err_console.is_terminal or os.environ.get("CI"):
        yield lambda done, total: None
        return
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task("working", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


class Context:
    """The object of the root command: the settings in force and the problem
    registry, each loaded on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._registry: ProblemRegistry | None = None

    @property
    def settings_path(self) -> str | None:
        """``--settings`` wherever it was given on the command line."""
        return given_settings_path()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.settings_path)
            except SettingsError as exc:
                fail(str(exc))
        return self._settings

    def registry(self) -> ProblemRegistry:
        if self._registry is None:
            self._registry = ProblemRegistry.discover(self.settings)
            for issue in self._registry.issues:
                err_console.print(f"[yellow]warning:[/] {escape(str(issue))}", highlight=False)
        return self._registry

    def problem(self, ref: str) -> Problem:
        try:
            return self.registry().get(ref)
        except UnknownProblem as exc:
            fail(str(exc))


pass_context = click.make_pass_decorator(Context)
