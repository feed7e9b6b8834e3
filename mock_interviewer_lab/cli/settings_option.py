"""``--settings FILE`` for every command of ``mock-interviewer``, before or
after the sub-command (``mock-interviewer --settings F sessions list`` and
``mock-interviewer sessions list --settings F`` alike), resolved in one
place: :func:`given_settings_path`.

Each ``--settings`` writes into the click context's ``meta``, which the whole
chain of contexts of one command line shares; the one nearest the end of
the line wins. What follows when none is given (``$MOCK_INTERVIEWER_SETTINGS``,
the user config folder, the defaults) is
:func:`mock_interviewer_lab.settings.settings_search_order`'s alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

_META_KEY = "mock_interviewer_lab.settings_path"
_HELP = "settings.toml to use (accepted before or after any sub-command)"

_C = TypeVar("_C", bound=click.Command)


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.meta[_META_KEY] = value
    return value


def settings_param() -> click.Option:
    """The ``--settings`` option; every copy of it records into the same place."""
    return click.Option(["--settings", "settings_path"], type=click.Path(dir_okay=False),
                        expose_value=False, callback=_remember, help=_HELP)


def settings_option() -> Callable[[Any], Any]:
    """``@settings_option()`` on a click command or group."""

    def decorate(f: Any) -> Any:
        params = getattr(f, "__click_params__", None)
        if params is None:
            params = f.__click_params__ = []
        params.append(settings_param())
        return f

    return decorate


def _has_settings_option(command: click.Command) -> bool:
    return any("--settings" in getattr(p, "opts", ()) for p in command.params)


def add_settings_option(command: _C) -> _C:
    """``command`` and every sub-command under it take ``--settings``."""
    if not _has_settings_option(command):
        command.params.append(settings_param())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_settings_option(sub)
    return command


def given_settings_path(ctx: click.Context | None = None) -> str | None:
    """The ``--settings`` of this command line, wherever it was given; None
    when it was not (or outside a command)."""
    ctx = ctx or click.get_current_context(silent=True)
    given = ctx.meta.get(_META_KEY) if ctx is not None else None
    return str(given) if given else None
