"""Paths through a function, as recursion_without_base_case and missing_return
follow them: where they can end, and which of them reach a self call."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from mock_interviewer_lab.interview.rules.analyzer.program import (
    COMPREHENSIONS,
    names_in,
)


@dataclass(frozen=True)
class Paths:
    """Where the paths through a block can end, counting only the paths that
    have not called the function itself (all paths, when nothing recurses)."""

    exits: bool  # a return or raise
    falls: bool  # the end of the block
    breaks: bool  # a break out of the enclosing loop

    def __or__(self, other: Paths) -> Paths:
        return Paths(self.exits or other.exits, self.falls or other.falls, self.breaks or other.breaks)


_BLOCKED = Paths(False, False, False)
_THROUGH = Paths(False, True, False)
_EXITS = Paths(True, False, False)
_PROCESS_EXITS = frozenset({"exit", "quit", "_exit"})


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


class PathAnalysis:
    """Follows the paths through statements, stopping each path at a call for
    which ``is_self_call`` holds (never, for plain control flow)."""

    def __init__(self, is_self_call: Callable[[ast.Call], bool]) -> None:
        self.is_self_call = is_self_call

    def block(self, stmts: list[ast.stmt]) -> Paths:
        exits = breaks = False
        for stmt in stmts:
            paths = self.stmt(stmt)
            exits, breaks = exits or paths.exits, breaks or paths.breaks
            if not paths.falls:
                return Paths(exits, False, breaks)
        return Paths(exits, True, breaks)

    def stmt(self, stmt: ast.stmt) -> Paths:
        if isinstance(stmt, ast.Return):
            return _BLOCKED if stmt.value is not None and self.recurses(stmt.value) else _EXITS
        if isinstance(stmt, ast.Raise):
            return _BLOCKED if stmt.exc is not None and self.recurses(stmt.exc) else _EXITS
        if isinstance(stmt, ast.Assert):
            return _BLOCKED if self.recurses(stmt.test) else Paths(True, True, False)
        if isinstance(stmt, ast.If):
            if self.recurses(stmt.test):
                return _BLOCKED
            return self.block(stmt.body) | (self.block(stmt.orelse) if stmt.orelse else _THROUGH)
        if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            return self._loop(stmt)
        if isinstance(stmt, ast.Try | ast.TryStar):
            return self._try(stmt)
        if isinstance(stmt, ast.With | ast.AsyncWith):
            if any(self.recurses(item.context_expr) for item in stmt.items):
                return _BLOCKED
            return self.block(stmt.body)
        if isinstance(stmt, ast.Match):
            return self._match(stmt)
        if isinstance(stmt, ast.Break):
            return Paths(False, False, True)
        if isinstance(stmt, ast.Continue):
            return _BLOCKED  # back to the loop's head, which the loop accounts for
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return _THROUGH
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self._ends_process(stmt.value):
            return _EXITS
        expressions = [child for child in ast.iter_child_nodes(stmt) if isinstance(child, ast.expr)]
        return _BLOCKED if any(self.recurses(e) for e in expressions) else _THROUGH

    def _loop(self, stmt: ast.For | ast.AsyncFor | ast.While) -> Paths:
        head = stmt.test if isinstance(stmt, ast.While) else stmt.iter
        if self.recurses(head):
            return _BLOCKED
        body = self.block(stmt.body)
        if isinstance(stmt, ast.While) and _always_true(stmt.test):
            return Paths(body.exits, body.breaks, False)
        # The body may run zero times; the else block runs when the loop ends
        # without a break.
        after = self.block(stmt.orelse) if stmt.orelse else _THROUGH
        return Paths(body.exits or after.exits, after.falls or body.breaks, after.breaks)

    def _try(self, stmt: ast.Try | ast.TryStar) -> Paths:
        paths = self.block([*stmt.body, *stmt.orelse])
        for handler in stmt.handlers:
            # An exception can come before any call: handlers are reachable.
            paths = paths | self.block(handler.body)
        if not stmt.finalbody:
            return paths
        final = self.block(stmt.finalbody)
        return Paths(
            final.exits or (paths.exits and final.falls),
            paths.falls and final.falls,
            (paths.breaks and final.falls) or final.breaks,
        )

    def _match(self, stmt: ast.Match) -> Paths:
        if self.recurses(stmt.subject):
            return _BLOCKED
        paths = _BLOCKED
        for case in stmt.cases:
            paths = paths | self.block(case.body)
        exhaustive = any(
            isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None and case.guard is None
            for case in stmt.cases
        )
        return paths if exhaustive else paths | _THROUGH

    @staticmethod
    def _ends_process(call: ast.Call) -> bool:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        return name in _PROCESS_EXITS or (
            name == "exit" and isinstance(func, ast.Attribute) and names_in(func.value) == {"sys"}
        )

    def recurses(self, expr: ast.AST) -> bool:
        """Whether evaluating ``expr`` always makes a self call."""
        if isinstance(expr, ast.Call):
            if self.is_self_call(expr):
                return True
            arguments = [expr.func, *expr.args, *(k.value for k in expr.keywords)]
            return any(self.recurses(a) for a in arguments)
        if isinstance(expr, ast.IfExp):
            return self.recurses(expr.test) or (self.recurses(expr.body) and self.recurses(expr.orelse))
        if isinstance(expr, ast.BoolOp):
            return self.recurses(expr.values[0])  # the others may be short-circuited
        if isinstance(expr, ast.Compare):
            return self.recurses(expr.left) or self.recurses(expr.comparators[0])
        if isinstance(expr, COMPREHENSIONS):
            return self.recurses(expr.generators[0].iter)  # the rest may run zero times
        if isinstance(expr, ast.Lambda):
            return False
        return any(self.recurses(child) for child in ast.iter_child_nodes(expr))

