"""How a moment or a length of time is written for people, the one place.

``mmss(245)`` is ``"4:05"`` (reports, the engine's refusals, the terminal's
``/status``); ``mmss(245, pad_minutes=True)`` is ``"04:05"`` (the panel, the
transcripts on the command line, the eval's evidence). A negative time is
written as 0. ``plural(1, "minute")`` is ``"1 minute"``, ``plural(5, "minute")``
``"5 minutes"``: every count of minutes the coach or a report writes.
"""

from __future__ import annotations


def mmss(seconds: float, *, pad_minutes: bool = False, truncate: bool = False) -> str:
    """``seconds`` as minutes:seconds, rounded to the nearest second (or, with
    ``truncate``, cut down to the whole second: a countdown at 59.6 s still
    shows 0:59)."""
    whole = max(0, int(seconds) if truncate else round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes:02d}:{rest:02d}" if pad_minutes else f"{minutes}:{rest:02d}"


def plural(count: float, unit: str, units: str | None = None) -> str:
    """``count`` and its unit, singular for exactly one: ``"1 minute"``,
    ``"0 minutes"``, ``"2.5 minutes"`` (``units`` when the plural is not
    ``unit + "s"``). A whole float is written without its ``.0``."""
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{shown} {unit if count == 1 else units or unit + 's'}"
