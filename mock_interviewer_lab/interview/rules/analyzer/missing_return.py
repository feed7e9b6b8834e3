"""missing_return: some paths end without a value while others return one, or a
promised value never comes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.paths import PathAnalysis
from mock_interviewer_lab.interview.rules.analyzer.program import (
    Context,
    FunctionNode,
    is_stub,
    own_nodes,
)

_GENERATOR_TYPES = frozenset(
    {"Generator", "Iterator", "Iterable", "AsyncGenerator", "AsyncIterator", "AsyncIterable"}
)
_NO_VALUE_TYPES = frozenset({"None", "NoReturn", "Never"})


def _promises_value(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return False
        if isinstance(annotation.value, str):
            return annotation.value.strip().split("[")[0].split(".")[-1] not in _NO_VALUE_TYPES | _GENERATOR_TYPES
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    name = annotation.id if isinstance(annotation, ast.Name) else (
        annotation.attr if isinstance(annotation, ast.Attribute) else None
    )
    return name not in _NO_VALUE_TYPES | _GENERATOR_TYPES


def check_missing_return(context: Context) -> Iterator[Finding]:
    flow = PathAnalysis(lambda _call: False)
    for fn in context.targets:
        own = list(own_nodes(fn.body))
        if is_stub(fn) or any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own):
            continue
        returns = [n for n in own if isinstance(n, ast.Return)]
        with_value = [r for r in returns if r.value is not None]
        bare = [r for r in returns if r.value is None]
        falls = flow.block(fn.body).falls
        if with_value and falls:
            yield _falls_off_finding(fn)
        elif with_value and bare:
            yield Finding(
                "missing_return",
                bare[0].lineno,
                f"What does {fn.name} give back on line {bare[0].lineno}, next to what its other returns give back?",
                f"{fn.name} returns a value on line {with_value[0].lineno} but nothing on line {bare[0].lineno}",
            )
        elif not with_value and (falls or bare) and _promises_value(fn.returns):
            yield Finding(
                "missing_return",
                fn.lineno,
                f"The signature of {fn.name} on line {fn.lineno} promises a result. Which line hands it back?",
                f"{fn.name} is annotated to return {ast.unparse(fn.returns) if fn.returns else '?'}"
                " but never returns a value",
            )


def _falls_off_finding(fn: FunctionNode) -> Finding:
    last = fn.body[-1]
    if isinstance(last, ast.For | ast.AsyncFor | ast.While):
        line = last.lineno
        question = f"What does {fn.name} give back when the loop on line {line} ends without reaching a return?"
    elif isinstance(last, ast.If) and not last.orelse:
        line = last.lineno
        question = f"What does {fn.name} give back when the condition on line {line} does not hold?"
    elif isinstance(last, ast.If):
        line = last.lineno
        question = f"What does {fn.name} give back when the branches starting on line {line} end without a return?"
    else:
        line = last.end_lineno or last.lineno
        question = f"What does {fn.name} give back when it runs past line {line} without reaching a return?"
    return Finding(
        "missing_return",
        line,
        question,
        f"{fn.name} returns a value on some paths and falls off its end (after line {line}) on others",
    )

