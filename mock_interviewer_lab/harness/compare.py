"""Judge an answer against the expected value, in the harness process.

Both sides are plain values decoded from JSON (``plain.decode``), so no
object of the candidate's ever takes part in a comparison: a class whose
``__eq__`` always says True cannot pass, because it never gets here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Canon = tuple[Any, ...]


def canonical(value: Any, *, deep_unordered: bool = False) -> Canon:
    """A hashable, totally ordered stand-in for a plain value.

    Lists and tuples are the same thing here (YAML has no tuples); a bool is
    not an int (``True`` is no answer for ``1``); ints and floats compare by
    value. With ``deep_unordered``, every list is treated as a multiset.
    """
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return (2, 0, "nan")
        return (2, value, "")
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, (list, tuple)):
        items = [canonical(v, deep_unordered=deep_unordered) for v in value]
        if deep_unordered:
            items.sort()
        return (4, tuple(items))
    if isinstance(value, (set, frozenset)):
        return (5, tuple(sorted(canonical(v, deep_unordered=deep_unordered) for v in value)))
    if isinstance(value, dict):
        pairs = sorted(
            (canonical(k, deep_unordered=deep_unordered), canonical(v, deep_unordered=deep_unordered))
            for k, v in value.items()
        )
        return (6, tuple(pairs))
    raise TypeError(f"not a plain value: {type(value).__name__}")


def _floats_close(expected: Any, got: Any, tol: float) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
        return math.isclose(expected, got, rel_tol=tol, abs_tol=tol)
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(expected) == len(got) and all(
            _floats_close(e, g, tol) for e, g in zip(expected, got, strict=True)
        )
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(
            _floats_close(expected[k], got[k], tol) for k in expected
        )
    return canonical(expected) == canonical(got)


Checker = Callable[[list[Any], dict[str, Any], Any], Any]


def judge(
    mode: str,
    expected: Any,
    got: Any,
    *,
    tolerance: float = 1e-6,
    checker: Checker | None = None,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> tuple[bool, str]:
    """(passed, why-not). ``why-not`` is empty when it passed."""
    try:
        if mode == "exact":
            ok = canonical(expected) == canonical(got)
        elif mode == "unordered":
            if not isinstance(got, (list, tuple, set, frozenset)):
                return False, f"expected a list, got {_kind(got)}"
            ok = sorted(canonical(v) for v in expected) == sorted(canonical(v) for v in got)
        elif mode == "unordered_deep":
            ok = canonical(expected, deep_unordered=True) == canonical(got, deep_unordered=True)
        elif mode == "float":
            ok = _floats_close(expected, got, tolerance)
        elif mode == "checker":
            if checker is None:
                raise ValueError("compare is 'checker' but the pack has no checker")
            verdict = checker(list(args or []), dict(kwargs or {}), got)
            if isinstance(verdict, str):
                return (False, verdict) if verdict else (True, "")
            return (True, "") if verdict else (False, "the checker rejected this answer")
        else:
            raise ValueError(f"unknown comparison {mode!r}")
    except TypeError as exc:
        return False, str(exc)
    if ok:
        return True, ""
    if type(expected) is not type(got) and not (
        isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple))
    ):
        return False, f"expected {_kind(expected)}, got {_kind(got)}"
    return False, "wrong answer"


def _kind(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"
