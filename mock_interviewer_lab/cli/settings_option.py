"""``--settings FILE`` for every command of ``mock-interviewer``, before or
after the sub-command (``mock-interviewer --settings F sessions list`` and
``mock-interviewer sessions list --settings F`` alike), resolved in one
place: :func:`given_settings_path`.

Each ``--settings`` writes into the click context's ``meta``, which the whole
chain of contexts of one command line shares; the one nearest the end of
the line wins. ``$MOCK_INTERVIEWER_SETTINGS`` comes in through the main
command's option (see :mod:`.settings` for the rest of the search order).
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


def settings_param(*, envvar: str | None = None, expose_value: bool = False) -> click.Option:
    """The ``--settings`` option; every copy of it records into the same place."""
    return click.Option(["--settings", "settings_path"], type=click.Path(dir_okay=False),
                        envvar=envvar, expose_value=expose_value, callback=_remember,
                        help=_HELP)


def settings_option(*, envvar: str | None = None,
                    expose_value: bool = False) -> Callable[[Any], Any]:
    """``@settings_option()`` on a click command or group."""

    def decorate(f: Any) -> Any:
        params = getattr(f, "__click_params__", None)
        if params is None:
            params = f.__click_params__ = []
        params.append(settings_param(envvar=envvar, expose_value=expose_value))
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
    """The ``--settings`` of this command line (or its environment variable),
    wherever it was given; None when neither was. A caller that builds its
    own root context (tests do) may put ``settings_path`` on its object."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    given = ctx.meta.get(_META_KEY)
    if given:
        return str(given)
    root = ctx.find_root().obj
    path = root.get("settings_path") if isinstance(root, dict) else getattr(
        root, "path_at_start", None)
    return str(path) if path else None
