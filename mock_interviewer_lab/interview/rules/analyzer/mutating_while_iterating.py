"""mutating_while_iterating: a list, dict or set changes size while a loop goes
through it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.program import (
    VIEWS,
    Context,
    Owner,
    Program,
    function_name,
    key_of,
    method_of,
    names_in,
    own_nodes,
    spoken,
)

_MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "clear", "add", "discard", "update",
        "popitem", "setdefault", "appendleft", "popleft", "extendleft",
        "difference_update", "intersection_update", "symmetric_difference_update",
    }
)
_DICT_MAKERS = frozenset({"dict", "defaultdict", "Counter", "OrderedDict"})
_LEAVING = (ast.Break, ast.Return, ast.Raise)


class _Mutations:
    def __init__(self, program: Program, owner: Owner) -> None:
        self.program = program
        self.owner = owner

    def findings(self) -> Iterator[Finding]:
        for node in own_nodes(self.owner.body):
            if isinstance(node, ast.For | ast.AsyncFor):
                yield from self._check_loop(node)

    def _iterated(self, iterable: ast.expr) -> tuple[str, bool] | None:
        """(container, known to be a dict) for ``xs``, ``d.items()``, ``enumerate(xs)``."""
        if isinstance(iterable, ast.Call):
            method = method_of(iterable)
            if method and method[1] in VIEWS and not iterable.args:
                key = key_of(method[0])
                return None if key is None else (key, True)
            if function_name(iterable) in ("enumerate", "reversed") and iterable.args:
                return self._iterated(iterable.args[0])
            return None
        key = key_of(iterable)
        if key is None or isinstance(iterable, ast.Subscript):
            return None
        return key, self._is_dict(iterable)

    def _is_dict(self, expr: ast.expr) -> bool:
        if not isinstance(expr, ast.Name):
            return False
        value = self.program.resolve(expr.id, self.owner)
        if isinstance(value, ast.Dict | ast.DictComp):
            return True
        return isinstance(value, ast.Call) and (
            function_name(value) in _DICT_MAKERS
            or (isinstance(value.func, ast.Attribute) and value.func.attr in _DICT_MAKERS)
        )

    def _check_loop(self, loop: ast.For | ast.AsyncFor) -> Iterator[Finding]:
        iterated = self._iterated(loop.iter)
        if iterated is None:
            return
        key, is_dict = iterated
        loop_names = names_in(loop.target)
        for node in own_nodes(loop.body):
            change = self._change(node, key, is_dict, loop_names)
            if change is None or self._leaves_right_after(node):
                continue
            seq = spoken(key)
            yield Finding(
                "mutating_while_iterating",
                change,
                f"Line {change} changes {seq} while the loop on line {loop.lineno} is still going through it."
                f" Which items does the loop see after that?",
                f"{key} is modified on line {change} inside the loop over it on line {loop.lineno}",
            )
            return  # one question per loop is plenty

    @staticmethod
    def _change(node: ast.AST, key: str, is_dict: bool, loop_names: set[str]) -> int | None:
        if isinstance(node, ast.Call):
            method = method_of(node)
            if method and method[1] in _MUTATORS and key_of(method[0]) == key:
                return node.lineno
        elif isinstance(node, ast.Delete):
            if any(isinstance(t, ast.Subscript) and key_of(t.value) == key for t in node.targets):
                return node.lineno
        elif (
            isinstance(node, ast.AugAssign)
            and key_of(node.target) == key
            and not isinstance(node.target, ast.Subscript)
        ):
            return node.lineno
        if is_dict and isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                # d[k] = v for the key in hand updates; any other key may add one.
                in_hand = isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Name) and (
                    target.slice.id in loop_names
                )
                if isinstance(target, ast.Subscript) and key_of(target.value) == key and not in_hand:
                    return node.lineno
        return None

    def _leaves_right_after(self, node: ast.AST) -> bool:
        """``xs.remove(x); break``: the loop never takes another step."""
        stmt: ast.AST | None = node
        while stmt is not None and not isinstance(stmt, ast.stmt):
            stmt = self.program.parents.get(stmt)
        parent = self.program.parents.get(stmt) if stmt is not None else None
        if stmt is None or parent is None:
            return False
        for _field, value in ast.iter_fields(parent):
            if isinstance(value, list) and any(item is stmt for item in value):
                later = value[[id(item) for item in value].index(id(stmt)) + 1:]
                return any(isinstance(item, _LEAVING) for item in later)
        return False


def check_mutation(context: Context) -> Iterator[Finding]:
    for owner in context.owners:
        yield from _Mutations(context.program, owner).findings()

