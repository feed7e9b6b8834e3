"""off_by_one_range: a range or an index at the length plus or minus one that
reads past an end or skips an element. The rule stays quiet when the loop body
shows that an offset was deliberate."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.program import (
    Context,
    Owner,
    Program,
    function_name,
    int_constant,
    key_of,
    names_in,
    own_nodes,
    spoken,
)


def _offset_from(index: ast.expr, var: str) -> int | None:
    """k for ``i + k`` (``i``, ``i + 1``, ``i - 1``); None for anything else."""
    if isinstance(index, ast.Name):
        return 0 if index.id == var else None
    if isinstance(index, ast.BinOp) and isinstance(index.op, ast.Add | ast.Sub):
        left, right = index.left, index.right
        sign = 1 if isinstance(index.op, ast.Add) else -1
        if isinstance(left, ast.Name) and left.id == var and (k := int_constant(right)) is not None:
            return sign * k
        if sign == 1 and isinstance(right, ast.Name) and right.id == var and (k := int_constant(left)) is not None:
            return k
    return None


@dataclass(frozen=True)
class _RangeLoop:
    node: ast.For
    var: str
    start: ast.expr | None
    stop: ast.expr
    step: int


@dataclass(frozen=True)
class _Reads:
    """How a loop body indexes one sequence with the loop variable."""

    at: list[tuple[int, int]]  # (offset k of seq[i + k], line)
    sliced: bool  # any slice bounded by i: seq[:i], other[i:i + k]
    other_indexed: bool  # another sequence read at exactly [i]
    guarded: bool  # the body compares i with something, or catches errors

    def first(self, accept: Callable[[int], bool]) -> int | None:
        lines = [line for offset, line in self.at if accept(offset)]
        return min(lines) if lines else None


def _compares_position(compare: ast.Compare, var: str) -> bool:
    """``i + 1 < n`` compares the position; ``nums[i] > nums[i + 1]`` compares values."""
    stack: list[ast.AST] = [compare]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == var:
            return True
        if not isinstance(node, ast.Subscript):
            stack.extend(ast.iter_child_nodes(node))
    return False


class _OffByOne:
    def __init__(self, program: Program, owner: Owner) -> None:
        self.program = program
        self.owner = owner

    def findings(self) -> Iterator[Finding]:
        for node in own_nodes(self.owner.body):
            if isinstance(node, ast.For) and (loop := self._range_loop(node)) is not None:
                yield from self._check_loop(loop)
            elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
                yield from self._check_index(node)

    def _length_plus(self, expr: ast.expr | None, depth: int = 0) -> tuple[str, int] | None:
        """(sequence, k) when ``expr`` is ``len(sequence) + k``, following ``n = len(xs)``."""
        if expr is None or depth > 4:
            return None
        if isinstance(expr, ast.Call) and function_name(expr) == "len" and len(expr.args) == 1 and not expr.keywords:
            key = key_of(expr.args[0])
            return None if key is None else (key, 0)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Sub):
            k = int_constant(expr.right)
            inner = self._length_plus(expr.left, depth + 1)
            if k is None or inner is None:
                return None
            return inner[0], inner[1] + (k if isinstance(expr.op, ast.Add) else -k)
        if isinstance(expr, ast.IfExp):
            return self._length_plus(expr.body, depth + 1)
        if isinstance(expr, ast.Name):
            return self._length_plus(self.program.resolve(expr.id, self.owner), depth + 1)
        return None

    @staticmethod
    def _range_loop(node: ast.For) -> _RangeLoop | None:
        call = node.iter
        if not (isinstance(node.target, ast.Name) and isinstance(call, ast.Call)):
            return None
        if function_name(call) != "range" or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        args = call.args
        if not 1 <= len(args) <= 3:
            return None
        step = int_constant(args[2]) if len(args) == 3 else 1
        if step is None or step == 0:
            return None
        start = args[0] if len(args) >= 2 else None
        stop = args[1] if len(args) >= 2 else args[0]
        return _RangeLoop(node, node.target.id, start, stop, step)

    @staticmethod
    def _reads(loop: _RangeLoop, key: str) -> _Reads:
        at: list[tuple[int, int]] = []
        sliced = other = guarded = False
        for node in own_nodes(loop.node.body):
            if isinstance(node, ast.Subscript):
                same = key_of(node.value) == key
                if isinstance(node.slice, ast.Slice):
                    sliced = sliced or loop.var in names_in(node.slice)
                elif (offset := _offset_from(node.slice, loop.var)) is not None:
                    if same:
                        at.append((offset, node.lineno))
                    elif offset == 0:
                        other = True
            elif (isinstance(node, ast.Compare) and _compares_position(node, loop.var)) or (
                isinstance(node, ast.Try) and node.handlers
            ):
                guarded = True  # a bounds check on i, or a handler for the IndexError
        return _Reads(at, sliced, other, guarded)

    def _check_loop(self, loop: _RangeLoop) -> Iterator[Finding]:
        from_zero = loop.start is None or int_constant(loop.start) == 0
        if loop.step < 0:
            yield from self._check_backwards(loop)
            return
        if loop.step != 1 or (bound := self._length_plus(loop.stop)) is None:
            return
        key, k = bound
        reads = self._reads(loop, key)
        seq, var, line = spoken(key), loop.var, loop.node.lineno
        if k == -1 and from_zero and not reads.sliced and reads.first(lambda o: o >= 1) is None:
            yield self._finding(
                line,
                f"On line {line}, which values does {var} take, and does the loop ever reach the last element of {seq}?",
                f"range stops at len({key}) - 1 and the body never reads {key}[{var} + 1]",
            )
        elif k == 1:
            use = reads.first(lambda o: o >= 0)
            deliberate = reads.sliced or reads.first(lambda o: o < 0) is not None or reads.other_indexed
            if use is not None:
                yield self._finding(
                    use,
                    f"On line {line}, what is the largest value {var} reaches, and what does line {use} read from {seq} then?",
                    f"range goes up to len({key}) and line {use} reads {key}[{var}]",
                )
            elif not deliberate:
                yield self._finding(
                    line,
                    f"On line {line}, what is the largest value {var} reaches, and is there an element of {seq} at that position?",
                    f"range goes up to len({key}), one past the last index of {key}",
                )
        elif k == 0 and not reads.guarded:
            ahead = reads.first(lambda o: o >= 1)
            behind = reads.first(lambda o: o <= -1)
            if ahead is not None:
                yield self._finding(
                    ahead,
                    f"What happens on line {ahead} when {var} reaches the last index of {seq}?",
                    f"range covers every index of {key} and line {ahead} reads past {key}[{var}]",
                )
            elif behind is not None and from_zero:
                yield self._finding(
                    behind,
                    f"What does line {behind} read from {seq} when {var} is 0?",
                    f"range starts at 0 and line {behind} reads {key}[{var} - k], which wraps to the end",
                )

    def _check_backwards(self, loop: _RangeLoop) -> Iterator[Finding]:
        bound = self._length_plus(loop.start)
        if bound is None or bound[1] < 0:
            return
        key, k = bound
        use = self._reads(loop, key).first(lambda o: o + k >= 0)
        if use is not None:
            line = loop.node.lineno
            yield self._finding(
                use,
                f"On line {line}, what is the first value of {loop.var}, and what does line {use} read from {spoken(key)} then?",
                f"backwards range starts at len({key}){' + ' + str(k) if k else ''} and line {use} indexes {key} with it",
            )

    def _check_index(self, node: ast.Subscript) -> Iterator[Finding]:
        key = key_of(node.value)
        bound = self._length_plus(node.slice)
        if key is None or bound is None or bound[0] != key or bound[1] < 0:
            return
        yield self._finding(
            node.lineno,
            f"What is the last valid position in {spoken(key)}, and which position does line {node.lineno} read?",
            f"{ast.unparse(node)} indexes one past the end (or further)",
        )

    @staticmethod
    def _finding(line: int, question: str, detail: str) -> Finding:
        return Finding("off_by_one_range", line, question, detail)


def check_off_by_one(context: Context) -> Iterator[Finding]:
    for owner in context.owners:
        yield from _OffByOne(context.program, owner).findings()

