"""The candidate's program as every rule reads it: scopes, bindings,
functions, and which code each rule looks at (:class:`Context`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mock_interviewer_lab.problems.model import normalise_complexity

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Owner = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes whose bodies run in another frame: a loop there is not a loop here.
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
#: The dict methods whose result walks the dict.
VIEWS = frozenset({"items", "keys", "values"})


def own_nodes(roots: Iterable[ast.AST], skip: ast.AST | None = None) -> Iterator[ast.AST]:
    """Every node under ``roots`` that runs in the same frame, depth first.

    Nested functions and lambdas are yielded but not entered; ``skip`` and
    everything under it are left out.
    """
    stack = [node for node in reversed(list(roots)) if node is not skip]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPE_NODES):
            continue
        stack.extend(child for child in reversed(list(ast.iter_child_nodes(node))) if child is not skip)


def names_in(*nodes: ast.AST | None) -> set[str]:
    return {n.id for node in nodes if node is not None for n in ast.walk(node) if isinstance(n, ast.Name)}


def key_of(expr: ast.AST) -> str | None:
    """A stable spelling of a simple place (``nums``, ``self.items``, ``grid[0]``)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        inner = key_of(expr.value)
        return None if inner is None else f"{inner}.{expr.attr}"
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
        inner = key_of(expr.value)
        return None if inner is None else f"{inner}[{expr.slice.value!r}]"
    return None


def spoken(key: str) -> str:
    """How a question names a place: a plain name, never a piece of code."""
    return key if re.fullmatch(r"[A-Za-z_][\w.]*", key) else "the sequence"


def function_name(call: ast.Call) -> str | None:
    """``f`` for ``f(...)`` and ``heapq.heappop`` alike; None for ``x.pop()``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in (
        "heapq", "math", "itertools", "builtins", "string",
    ):
        return func.attr
    return None


def method_of(call: ast.Call) -> tuple[ast.expr, str] | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.value, call.func.attr
    return None


def int_constant(expr: ast.AST) -> int | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return int(expr.value)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub | ast.UAdd):
        inner = int_constant(expr.operand)
        if inner is not None:
            return -inner if isinstance(expr.op, ast.USub) else inner
    return None


def number_constant(expr: ast.AST) -> float | None:
    """An int or float literal: bisection halves by 2.0 as often as by 2."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, float):
        return expr.value
    return int_constant(expr)


def target_bindings(target: ast.AST, value: ast.expr | None) -> Iterator[tuple[str, ast.expr | None]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List):
        values: list[ast.expr] | None = None
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            values = value.elts
        for position, element in enumerate(target.elts):
            yield from target_bindings(element, None if values is None else values[position])
    elif isinstance(target, ast.Starred):
        yield from target_bindings(target.value, None)


def bindings_of(node: ast.AST) -> Iterator[tuple[str, ast.expr | None]]:
    """The names one node binds, with the value when it is a plain assignment."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from target_bindings(target, node.value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield from target_bindings(node.target, node.value)
    elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.comprehension | ast.NamedExpr):
        yield from target_bindings(node.target, None)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield from target_bindings(node.optional_vars, None)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name, None
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0], None
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name, None
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            yield name, None


def parameters(fn: FunctionNode) -> list[ast.arg]:
    args = fn.args
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


class Program:
    """The parsed code with what every rule needs: functions, scopes, bindings."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions: list[FunctionNode] = [n for n in ast.walk(tree) if isinstance(n, FUNCTION_NODES)]
        self._bindings: dict[ast.AST, dict[str, list[ast.expr | None]]] = {
            owner: self._collect_bindings(owner) for owner in [tree, *self.functions]
        }

    @staticmethod
    def _collect_bindings(owner: Owner) -> dict[str, list[ast.expr | None]]:
        bindings: dict[str, list[ast.expr | None]] = {}
        if not isinstance(owner, ast.Module):
            for parameter in parameters(owner):
                bindings.setdefault(parameter.arg, []).append(None)
        for node in own_nodes(owner.body):
            for name, value in bindings_of(node):
                bindings.setdefault(name, []).append(value)
        return bindings

    def owner_of(self, node: ast.AST) -> Owner:
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef):
            parent = self.parents.get(parent)
        return self.tree if parent is None else parent

    def in_class(self, fn: FunctionNode) -> bool:
        return isinstance(self.parents.get(fn), ast.ClassDef)

    def resolve(self, name: str, owner: Owner) -> ast.expr | None:
        """The value ``name`` holds in ``owner`` when it is assigned exactly once."""
        scope: Owner = owner
        while True:
            values = self._bindings.get(scope, {}).get(name)
            if values is not None:
                return values[0] if len(values) == 1 else None
            if isinstance(scope, ast.Module):
                return None
            scope = self.owner_of(scope)

    def defines(self, name: str) -> bool:
        return any(fn.name == name for fn in self.functions) or name in self._bindings[self.tree]

    def callee(self, call: ast.Call) -> FunctionNode | None:
        """The function of this program that ``call`` runs, when that is plain to see."""
        func = call.func
        if isinstance(func, ast.Name):
            return next((fn for fn in self.functions if fn.name == func.id and not self.in_class(fn)), None)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            return next((fn for fn in self.functions if fn.name == func.attr and self.in_class(fn)), None)
        return None


# ---------------------------------------------------------------------------
# Which code each rule looks at


@dataclass(frozen=True)
class Context:
    program: Program
    #: Functions whose signature and returns are checked.
    targets: tuple[FunctionNode, ...]
    #: Code whose loops, ranges and recursion are checked.
    owners: tuple[Owner, ...]
    expected_time: str | None
    #: The function the tests call, when the code defines no such name.
    missing: str | None = None


def build_context(program: Program, function: str | None, expected_time: str | None) -> Context:
    expected = normalise_complexity(expected_time) if expected_time else None
    everything: tuple[Owner, ...] = (program.tree, *program.functions)
    if function is None:
        return Context(program, tuple(program.functions), everything, expected)
    targets = tuple(fn for fn in program.functions if fn.name == function)
    if targets:
        return Context(program, targets, _reachable(program, targets), expected)
    if program.defines(function):  # bound some other way: a lambda, an import
        return Context(program, (), everything, expected)
    return Context(program, tuple(program.functions), everything, expected, missing=function)


def _reachable(program: Program, targets: tuple[FunctionNode, ...]) -> tuple[Owner, ...]:
    """The targets, the functions nested in them, and the helpers they call."""
    found: dict[FunctionNode, None] = {}
    pending = list(targets)
    while pending:
        fn = pending.pop()
        if fn in found:
            continue
        found[fn] = None
        pending.extend(n for n in ast.walk(fn) if isinstance(n, FUNCTION_NODES) and n is not fn)
        for node in own_nodes(fn.body):
            if isinstance(node, ast.Call) and (callee := program.callee(node)) is not None:
                pending.append(callee)
    return tuple(found)


def is_stub(fn: FunctionNode) -> bool:
    """A body still to be written: a docstring, pass, ... or raise NotImplementedError."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in names_in(stmt.exc):
            continue
        return False
    return True


