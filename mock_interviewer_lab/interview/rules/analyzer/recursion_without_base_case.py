"""recursion_without_base_case: a function calls itself on every path."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.paths import PathAnalysis
from mock_interviewer_lab.interview.rules.analyzer.program import (
    Context,
    FunctionNode,
    Program,
    own_nodes,
)


def _self_call_test(program: Program, fn: FunctionNode) -> Callable[[ast.Call], bool]:
    method = program.in_class(fn)

    def is_self_call(call: ast.Call) -> bool:
        func = call.func
        if method:
            return (
                isinstance(func, ast.Attribute)
                and func.attr == fn.name
                and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")
            )
        return isinstance(func, ast.Name) and func.id == fn.name

    return is_self_call


def check_recursion(context: Context) -> Iterator[Finding]:
    for owner in context.owners:
        if isinstance(owner, ast.Module):
            continue
        is_self_call = _self_call_test(context.program, owner)
        calls = [n for n in own_nodes(owner.body) if isinstance(n, ast.Call) and is_self_call(n)]
        if not calls:
            continue
        paths = PathAnalysis(is_self_call).block(owner.body)
        if paths.exits or paths.falls:
            continue
        first = min(calls, key=lambda call: call.lineno)
        yield Finding(
            "recursion_without_base_case",
            first.lineno,
            f"Which input lets {owner.name} finish without reaching the call to itself on line {first.lineno}?",
            f"{owner.name} calls itself on every path through its body (first call on line {first.lineno})",
        )

