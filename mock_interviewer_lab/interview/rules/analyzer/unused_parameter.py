"""unused_parameter: a parameter of the function is never read."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.program import (
    Context,
    function_name,
    is_stub,
    parameters,
)

_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec"})


def check_unused_parameters(context: Context) -> Iterator[Finding]:
    for fn in context.targets:
        if is_stub(fn):
            continue
        nodes = [n for stmt in fn.body for n in ast.walk(stmt)]
        if any(isinstance(n, ast.Call) and function_name(n) in _INTROSPECTION for n in nodes):
            continue  # names can be read without being written down
        read = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store | ast.Del)}
        for parameter in parameters(fn):
            name = parameter.arg
            if name.startswith("_") or name in ("self", "cls") or name in read:
                continue
            yield Finding(
                "unused_parameter",
                parameter.lineno,
                f"{fn.name} takes {name} on line {parameter.lineno}. What part does it play, and which line reads it?",
                f"parameter {name!r} of {fn.name} (line {parameter.lineno}) is never read",
            )


