"""function_missing: the tests call a function the code does not define."""

from __future__ import annotations

from collections.abc import Iterator

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.program import Context


def check_function_missing(context: Context) -> Iterator[Finding]:
    if context.missing is None:
        return
    program, function = context.program, context.missing
    defined = sorted({fn.name for fn in program.functions})
    listing = f" The code defines {', '.join(defined)}." if defined else " The code defines no function yet."
    yield Finding(
        "function_missing",
        None,
        f"Which function should I call? I was expecting one named {function}.{listing}",
        f"no function named {function!r}; defined: {defined}",
    )
