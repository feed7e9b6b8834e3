"""How a HumanEval ``check`` judges the candidate's answers.

Most checks compare each answer with one value (``candidate(x) == y``,
``abs(candidate(x) - y) < 1e-6``, ``assert candidate(x)``): for those a
visible case with the reference's value, compared exactly or as floats,
rejects nothing the check accepts. A few test a property instead, where
several answers are right: HumanEval/32's check asserts
``math.fabs(poly(coeffs, solution)) < 1e-4`` of ``solution =
candidate(coeffs)``, so any root of the polynomial passes, not only the one
the reference finds. For those, :func:`judge_answers` turns the check's own
assertion into a checker (``checker.py``) that the visible cases are judged
by; when the property cannot be lifted out of the check, it says so, and the
importer writes no visible case that could reject a right answer.
"""

from __future__ import annotations

import ast
import builtins
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

#: The checker function written in checker.py (``tests.yaml: checker``).
CHECKER_NAME = "satisfies_check"

#: Calls that hand the candidate a copy of a value, not another value.
_COPIES = frozenset({"deepcopy", "copy", "list", "tuple", "dict"})
#: Calls that only change the container of the answer (``tuple(candidate(x)) == ...``).
_WRAPPERS = frozenset({"tuple", "list"})
#: ``abs(candidate(x) - y) < tol``.
_ABS = frozenset({"abs", "fabs"})


@dataclass(frozen=True)
class AnswerCheck:
    """How the check judges answers.

    ``value``: each answer against one value, so the reference's value is
    the only right one (within ``tolerance`` for floats, the largest
    ``abs(candidate(...) - y) < tol`` the check uses; 0 when it uses none).
    ``property``: an assertion about the answer that several answers may
    satisfy; ``checker`` is checker.py's source, judging an answer by that
    assertion, or None when it could not be lifted out of the check.
    """

    kind: Literal["value", "property"]
    tolerance: float = 0.0
    checker: str | None = None
    #: The assertion(s), as the check writes them, for messages.
    condition: str = ""


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _tolerance(compare: ast.Compare) -> float | None:
    """``tol`` of ``abs(... - y) < tol`` (the call checked by the caller)."""
    if len(compare.ops) != 1 or not isinstance(compare.ops[0], (ast.Lt, ast.LtE)):
        return None
    try:
        value = ast.literal_eval(compare.comparators[0])
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _value_use(call: ast.expr, parents: dict[ast.AST, ast.AST]) -> tuple[bool, float]:
    """Whether this candidate call's answer is compared with one value (and
    the tolerance of that comparison, 0 for equality)."""
    node: ast.AST = call
    parent = parents.get(node)
    while isinstance(parent, ast.Call) and _name_of(parent.func) in _WRAPPERS \
            and len(parent.args) == 1:
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Assert) and parent.test is node:
        return True, 0.0  # assert candidate(x)
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not) \
            and isinstance(parents.get(parent), ast.Assert):
        return True, 0.0  # assert not candidate(x)
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 \
            and isinstance(parent.ops[0], (ast.Eq, ast.Is)):
        return True, 0.0  # candidate(x) == y, candidate(x) is True
    # abs(candidate(x) - y) < tol, or abs(y - candidate(x)) < tol
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Sub):
        outer = parents.get(parent)
        if isinstance(outer, ast.Call) and _name_of(outer.func) in _ABS and len(outer.args) == 1:
            compare = parents.get(outer)
            if isinstance(compare, ast.Compare) and compare.left is outer:
                tol = _tolerance(compare)
                if tol is not None:
                    return True, tol
    return False, 0.0


def _argument_name(arg: ast.expr) -> str | None:
    """``coeffs`` for ``coeffs``, ``copy.deepcopy(coeffs)``, ``list(coeffs)``, ``coeffs[:]``."""
    if isinstance(arg, ast.Name):
        return arg.id
    if isinstance(arg, ast.Call) and _name_of(arg.func) in _COPIES and len(arg.args) == 1 \
            and not arg.keywords:
        return _argument_name(arg.args[0])
    if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Slice) \
            and arg.slice.lower is None and arg.slice.upper is None and arg.slice.step is None:
        return _argument_name(arg.value)
    return None


def _loaded_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _top_level_names(code: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


@dataclass
class _Property:
    bindings: dict[str, str]  # the check's name -> the entry point's parameter
    result: str | None  # the name the answer is bound to, or None (the call stands in the test)
    tests: list[ast.expr]


def _lift(check: ast.FunctionDef, candidate_calls: list[ast.Call],
          parents: dict[ast.AST, ast.AST], params: list[str]) -> _Property | None:
    """The assertions the check makes of the answers that are not compared
    with one value: ``solution = candidate(coeffs)`` then ``assert P(coeffs,
    solution)``, or ``assert P(candidate(coeffs))``. None unless every such
    answer is judged the same way, of arguments that are plain names."""
    found: _Property | None = None
    for call in candidate_calls:
        if call.keywords or len(call.args) > len(params):
            return None
        names = [_argument_name(arg) for arg in call.args]
        if None in names or len(set(names)) != len(names):
            return None
        bindings = {name: param for name, param in zip(names, params, strict=False) if name}
        parent = parents.get(call)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 \
                and isinstance(parent.targets[0], ast.Name):
            result: str | None = parent.targets[0].id
            tests = [n.test for n in ast.walk(check)
                     if isinstance(n, ast.Assert) and result in _loaded_names(n.test)]
        else:
            result = None
            node: ast.AST | None = parent
            while node is not None and not isinstance(node, ast.Assert):
                node = parents.get(node)
            if node is None:
                return None
            tests = [node.test]
        if not tests:
            return None
        candidate = _Property(bindings, result, tests)
        if found is None:
            found = candidate
        elif ast.dump(ast.Module([ast.Expr(t) for t in found.tests], [])) != ast.dump(
                ast.Module([ast.Expr(t) for t in tests], [])) or found.bindings != bindings \
                or found.result != result:
            return None
    return found


class _AnswerInstead(ast.NodeTransformer):
    """Every candidate call in a test becomes ``got``: ``assert P(candidate(x))``."""

    def __init__(self, candidate_names: set[str]) -> None:
        self.candidate_names = candidate_names

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id in self.candidate_names:
            return ast.Name("got", ast.Load())
        return self.generic_visit(node)


def _checker_source(task_id: str, prop: _Property, check: ast.FunctionDef, setup: str,
                    params: list[str], candidate_names: set[str]) -> str | None:
    imports = [node for node in check.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    known = _top_level_names(setup) | set(dir(builtins)) | {"got"}
    for node in imports:
        known |= {(a.asname or a.name).split(".")[0] for a in node.names}
    tests = [_AnswerInstead(candidate_names).visit(copy.deepcopy(t)) for t in prop.tests]
    bound = set(prop.bindings) | ({prop.result} if prop.result else set())
    free = set().union(*(_loaded_names(t) for t in tests)) - bound - known
    if free or bound & {"args", "kwargs", "got", "bound", "holds"}:
        return None  # the assertion needs the check's own variables: not liftable
    condition = " and ".join(f"({ast.unparse(t)})" for t in tests)
    lines = [
        f'"""Judges an answer to {task_id} by what the task\'s own check asserts of',
        'every answer (several answers can be right), not by one expected value."""',
        "",
        *(ast.unparse(node) for node in imports),
        "",
        setup.strip("\n"),
        "",
        "",
        f"PARAMETERS = {params!r}",
        "",
        "",
        f"def {CHECKER_NAME}(args, kwargs, got):",
        "    bound = dict(zip(PARAMETERS, args))",
        "    bound.update(kwargs)",
        *(f"    {name} = bound[{param!r}]" for name, param in prop.bindings.items()),
        *([f"    {prop.result} = got"] if prop.result else []),
        "    try:",
        f"        holds = bool({condition})",
        "    except Exception as exc:",
        "        return f\"the answer does not satisfy the check ({type(exc).__name__}: {exc})\"",
        f"    return True if holds else {'the answer does not satisfy the check: ' + condition!r}",
        "",
    ]
    text = "\n".join(lines)
    ast.parse(text)
    return text


def judge_answers(task_id: str, test: str, entry: str, setup: str,
                  params: list[str]) -> AnswerCheck:
    """How the task's check (``test``, the source defining ``check(candidate)``)
    judges answers; see :class:`AnswerCheck`."""
    tree = ast.parse(test)
    check = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"),
                 None)
    if check is None or not check.args.args:
        return AnswerCheck("value")
    # In HumanEval the entry point's name in the check is the candidate too (HumanEval/33).
    candidate_names = {check.args.args[0].arg, entry}
    parents = _parents(check)
    # Calls in an assert's message only say what went wrong: they judge nothing.
    in_messages = {id(n) for a in ast.walk(check) if isinstance(a, ast.Assert) and a.msg
                   for n in ast.walk(a.msg)}
    calls = [n for n in ast.walk(check) if isinstance(n, ast.Call) and id(n) not in in_messages
             and isinstance(n.func, ast.Name) and n.func.id in candidate_names]
    tolerance = 0.0
    others: list[ast.Call] = []
    for call in calls:
        if any(isinstance(p, ast.Call) and p in calls for p in _ancestors(call, parents)):
            continue  # candidate(candidate(x)): judged where the outer call is
        by_value, tol = _value_use(call, parents)
        if by_value:
            tolerance = max(tolerance, tol)
        elif not _only_compared(call, parents, check, in_messages):
            others.append(call)
    if not others:
        return AnswerCheck("value", tolerance)
    prop = _lift(check, others, parents, params)
    if prop is None:
        return AnswerCheck("property", tolerance)
    condition = " and ".join(ast.unparse(t) for t in prop.tests)
    checker = _checker_source(task_id, prop, check, setup, params, candidate_names)
    return AnswerCheck("property", tolerance, checker, condition)


def _ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    out = []
    while node in parents:
        node = parents[node]
        out.append(node)
    return out


def _only_compared(call: ast.Call, parents: dict[ast.AST, ast.AST],
                   check: ast.FunctionDef, in_messages: set[int]) -> bool:
    """``got = candidate(x)`` whose every use is ``assert got == y`` (or the
    forms of :func:`_value_use`): still one value."""
    parent = parents.get(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    uses = [n for n in ast.walk(check)
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
            and id(n) not in in_messages]
    return bool(uses) and all(_value_use(use, parents)[0] for use in uses)


def load_checker(source: str) -> Callable[[list[Any], dict[str, Any], Any], Any]:
    """The checker function of a checker.py this module wrote, to judge the
    docstring's examples while importing (trusted code: the task's own)."""
    namespace: dict[str, Any] = {"__name__": "checker"}
    exec(compile(source, "<checker>", "exec"), namespace)
    fn: Callable[[list[Any], dict[str, Any], Any], Any] = namespace[CHECKER_NAME]
    return fn
