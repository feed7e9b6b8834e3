"""nested_loops: a loop over the input inside another, when the target time is
better than quadratic.

Loops are costed by how they grow (constant, logarithmic, linear); the usual
linear-time shapes (a sliding window, a monotonic stack, a breadth-first
search, a walk over a grid's rows and columns) are recognised and not flagged."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding
from mock_interviewer_lab.interview.rules.analyzer.program import (
    COMPREHENSIONS,
    SCOPE_NODES,
    VIEWS,
    Context,
    FunctionNode,
    Owner,
    Program,
    bindings_of,
    function_name,
    int_constant,
    method_of,
    names_in,
    number_constant,
    own_nodes,
    target_bindings,
)
from mock_interviewer_lab.problems.model import complexity_rank


class _Factor(Enum):
    CONSTANT = "constant"
    LOG = "logarithmic"
    LINEAR = "linear"


@dataclass(frozen=True, order=True)
class _Cost:
    """n**linear * log(n)**log, the rough growth of some code."""

    linear: int = 0
    log: int = 0

    def times(self, other: _Cost) -> _Cost:
        return _Cost(self.linear + other.linear, self.log + other.log)

    def label(self) -> str:
        if self.linear == 0:
            return "O(1)" if self.log == 0 else "O(log n)"
        if self.linear == 1:
            return "O(n)" if self.log == 0 else "O(n log n)"
        return "O(n^2)" if self.linear == 2 and self.log == 0 else "worse"


_FACTOR_COST = {_Factor.CONSTANT: _Cost(), _Factor.LOG: _Cost(0, 1), _Factor.LINEAR: _Cost(1, 0)}


@dataclass(frozen=True)
class _Loop:
    node: ast.AST  # For, AsyncFor, While or comprehension
    line: int
    factor: _Factor
    #: Names that hold the item of the current iteration.
    elements: frozenset[str]
    #: Root name of the collection walked, when there is one.
    collection: str | None
    why: str


@dataclass(frozen=True)
class _Event:
    """A point where work happens: a loop starts, or a local function is called."""

    chain: tuple[_Loop, ...]
    line: int
    callee: str | None
    callee_cost: _Cost
    cost: _Cost

    def growing_loops(self) -> list[_Loop]:
        return [loop for loop in self.chain if loop.factor is not _Factor.CONSTANT]

    def contributors(self) -> int:
        return len(self.growing_loops()) + (1 if self.callee_cost > _Cost() else 0)


_POP_METHODS = frozenset({"pop", "popleft", "popitem"})
_PUSH_METHODS = frozenset({"append", "appendleft", "add", "extend", "extendleft", "insert", "put"})
_HEAP_POPS = frozenset({"heappop", "heapreplace", "heappushpop"})
_HEAP_PUSHES = frozenset({"heappush", "heapreplace", "heappushpop"})
_CONSUMING_METHODS = _POP_METHODS | {"remove", "discard", "clear"}
# Calls that go through the items of their argument: str(number) walks its digits.
_WRAPPERS = frozenset({"enumerate", "reversed", "sorted", "list", "tuple", "iter", "set", "str"})
_HALVING_OPS = (ast.FloorDiv, ast.RShift, ast.Div)


def _pops_from(nodes: Iterable[ast.AST], name: str) -> bool:
    return _calls_on(nodes, name, _POP_METHODS, _HEAP_POPS)


def _pushes_to(nodes: Iterable[ast.AST], name: str) -> bool:
    return _calls_on(nodes, name, _PUSH_METHODS, _HEAP_PUSHES)


def _calls_on(nodes: Iterable[ast.AST], name: str, methods: frozenset[str], heap_functions: frozenset[str]) -> bool:
    """Whether a node calls one of ``methods`` on ``name``, or one of the heapq
    ``heap_functions`` with ``name`` as the heap."""
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        method = method_of(node)
        if method and isinstance(method[0], ast.Name) and method[0].id == name and method[1] in methods:
            return True
        if function_name(node) in heap_functions and node.args and names_in(node.args[0]) == {name}:
            return True
    return False


def _popped_items(body: list[ast.stmt]) -> set[str]:
    """Names assigned from a pop in a loop body: the worklist's current item."""
    names: set[str] = set()
    for node in own_nodes(body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            method = method_of(call)
            if (method and method[1] in _POP_METHODS) or function_name(call) in _HEAP_POPS:
                for target in node.targets:
                    names.update(name for name, _ in target_bindings(target, None))
    return names


def _progress_names(body: list[ast.stmt]) -> set[str]:
    """Names a loop body moves along: counters, pointers, consumed containers."""
    names: set[str] = set()
    for node in own_nodes(body):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in names_in(node.value):
                    names.add(target.id)  # p = p.next, i = i + 1
        elif isinstance(node, ast.Call):
            method = method_of(node)
            if method and isinstance(method[0], ast.Name) and method[1] in _CONSUMING_METHODS:
                names.add(method[0].id)
            elif function_name(node) in _HEAP_POPS and node.args and isinstance(node.args[0], ast.Name):
                names.add(node.args[0].id)
        elif isinstance(node, ast.Delete):
            names.update(t.value.id for t in node.targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name))
    return names


def _rebinds(roots: Iterable[ast.AST], name: str, skip: ast.AST | None) -> bool:
    """Whether ``name`` gets a fresh value under ``roots`` (augmented assignment aside)."""
    for node in own_nodes(roots, skip):
        if isinstance(node, ast.AugAssign):
            continue
        if any(bound == name for bound, _ in bindings_of(node)):
            return True
    return False


def _loop_rebinds(loop: ast.AST, name: str, skip: ast.AST) -> bool:
    """Whether each iteration of ``loop`` starts ``name`` afresh."""
    if isinstance(loop, ast.For | ast.AsyncFor) and name in names_in(loop.target):
        return True
    body = loop.body if isinstance(loop, ast.For | ast.AsyncFor | ast.While) else []
    return _rebinds(body, name, skip)


def _halves(loop: ast.While) -> bool:
    """Whether the loop halves (or doubles) what its condition looks at."""
    watched = names_in(loop.test)
    halved: set[str] = set()
    for node in own_nodes(loop.body):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in watched:
            step = number_constant(node.value)
            least = 1 if isinstance(node.op, ast.LShift | ast.RShift) else 2
            scaling = isinstance(node.op, ast.Mult | ast.LShift | ast.FloorDiv | ast.RShift | ast.Div)
            if scaling and step is not None and step >= least:
                return True
        if isinstance(node, ast.Assign) and _contains_halving(node.value):
            for target in node.targets:
                halved.update(name for name, _ in target_bindings(target, None))
    if halved & watched:
        return True
    # lo = mid + 1 / hi = mid, with mid a halfway point
    for node in own_nodes(loop.body):
        if (
            isinstance(node, ast.Assign)
            and names_in(node.value) & halved
            and any(name in watched for t in node.targets for name, _ in target_bindings(t, None))
        ):
            return True
    return False


def _contains_halving(expr: ast.expr) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.BinOp) and isinstance(node.op, _HALVING_OPS):
            divisor = number_constant(node.right)
            if divisor is not None and divisor >= (1 if isinstance(node.op, ast.RShift) else 2):
                return True
    return False


def _has_slice(expr: ast.AST) -> bool:
    return any(isinstance(node, ast.Slice) for node in ast.walk(expr))


def _subscript_chain(expr: ast.AST) -> tuple[str | None, list[ast.expr]]:
    """Root name and index expressions of ``a.b[i][j]``."""
    indices: list[ast.expr] = []
    while isinstance(expr, ast.Subscript | ast.Attribute):
        if isinstance(expr, ast.Subscript):
            indices.append(expr.slice)
        expr = expr.value
    return (expr.id if isinstance(expr, ast.Name) else None), indices


class _LoopCosts:
    """Estimates how the loops of the program grow, function by function."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self._function_costs: dict[FunctionNode, _Cost] = {}
        self._in_progress: set[FunctionNode] = set()

    def function_cost(self, fn: FunctionNode) -> _Cost:
        if fn in self._function_costs:
            return self._function_costs[fn]
        if fn in self._in_progress:
            return _Cost()  # recursion: its cost is not something loops can tell
        self._in_progress.add(fn)
        try:
            cost = max((event.cost for event in self.events(fn)), default=_Cost())
        finally:
            self._in_progress.discard(fn)
        self._function_costs[fn] = cost
        return cost

    def events(self, owner: Owner) -> list[_Event]:
        walker = _LoopWalker(self, owner)
        return walker.walk()


def _chain_cost(chain: tuple[_Loop, ...]) -> _Cost:
    cost = _Cost()
    for loop in chain:
        cost = cost.times(_FACTOR_COST[loop.factor])
    return cost


class _LoopWalker:
    """Walks one function (or the module) and records each loop with those around it."""

    def __init__(self, costs: _LoopCosts, owner: Owner) -> None:
        self.costs = costs
        self.program = costs.program
        self.owner = owner
        self.found: list[_Event] = []

    def walk(self) -> list[_Event]:
        work: list[tuple[ast.AST, tuple[_Loop, ...]]] = [(stmt, ()) for stmt in self.owner.body]
        while work:
            node, chain = work.pop()
            if isinstance(node, SCOPE_NODES):
                continue
            if isinstance(node, ast.For | ast.AsyncFor):
                inner = self._enter(self._classify_for(node.iter, node.target, node.body, node, chain), chain)
                work.append((node.iter, chain))
                work.extend((stmt, inner) for stmt in node.body)
                work.extend((stmt, chain) for stmt in node.orelse)
            elif isinstance(node, ast.While):
                inner = self._enter(self._classify_while(node, chain), chain)
                work.append((node.test, inner))
                work.extend((stmt, inner) for stmt in node.body)
                work.extend((stmt, chain) for stmt in node.orelse)
            elif isinstance(node, COMPREHENSIONS):
                work.extend(self._comprehension(node, chain))
            else:
                if isinstance(node, ast.Call):
                    self._call(node, chain)
                work.extend((child, chain) for child in ast.iter_child_nodes(node))
        return self.found

    def _enter(self, loop: _Loop, chain: tuple[_Loop, ...]) -> tuple[_Loop, ...]:
        inner = (*chain, loop)
        self.found.append(_Event(inner, loop.line, None, _Cost(), _chain_cost(inner)))
        return inner

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, chain: tuple[_Loop, ...]
    ) -> list[tuple[ast.AST, tuple[_Loop, ...]]]:
        work: list[tuple[ast.AST, tuple[_Loop, ...]]] = []
        for generator in node.generators:
            # The first iterable is evaluated once, outside; the others per item.
            work.append((generator.iter, chain))
            chain = self._enter(self._classify_for(generator.iter, generator.target, [], generator, chain), chain)
            work.extend((condition, chain) for condition in generator.ifs)
        results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        work.extend((result, chain) for result in results)
        return work

    def _call(self, call: ast.Call, chain: tuple[_Loop, ...]) -> None:
        callee = self.program.callee(call)
        if callee is None:
            return
        callee_cost = self.costs.function_cost(callee)
        if chain and call.args and all(self._on_item(argument, chain) for argument in call.args):
            # is_palindrome(word) for each word: the callee walks one item,
            # which sums to one walk over the input, like a loop over a row.
            callee_cost = _Cost(max(callee_cost.linear - 1, 0), callee_cost.log)
        if callee_cost > _Cost():
            cost = _chain_cost(chain).times(callee_cost)
            self.found.append(_Event(chain, call.lineno, callee.name, callee_cost, cost))

    @classmethod
    def _on_item(cls, argument: ast.expr, chain: tuple[_Loop, ...]) -> bool:
        if isinstance(argument, ast.Constant):
            return True
        return not _has_slice(argument) and any(cls._part_of(argument, loop) for loop in chain)

    # -- classifying one loop -------------------------------------------------

    def _classify_for(
        self, iterable: ast.expr, target: ast.expr, body: list[ast.stmt], node: ast.AST, chain: tuple[_Loop, ...]
    ) -> _Loop:
        elements = frozenset(names_in(target) | _popped_items(body))
        collection = self._collection(iterable)

        def make(factor: _Factor, why: str) -> _Loop:
            return _Loop(node, target.lineno, factor, elements, collection, why)

        if self._fixed_size(iterable, 0):
            return make(_Factor.CONSTANT, "walks a small fixed collection")
        if self._walks_part_of(iterable, chain):
            return make(_Factor.CONSTANT, "walks one part of what an enclosing loop visits")
        if self._drains_level(iterable, body, node, chain):
            return make(_Factor.CONSTANT, "takes one level of the enclosing worklist")
        return make(_Factor.LINEAR, "walks the input")

    def _classify_while(self, node: ast.While, chain: tuple[_Loop, ...]) -> _Loop:
        elements = frozenset(_popped_items(node.body))

        def make(factor: _Factor, why: str) -> _Loop:
            return _Loop(node, node.lineno, factor, elements, None, why)

        if _halves(node):
            return make(_Factor.LOG, "halves its range each step")
        if chain and self._amortised(node, chain[-1]):
            return make(_Factor.CONSTANT, "moves state shared across the enclosing loop (amortised)")
        return make(_Factor.LINEAR, "runs until its condition fails")

    def _fixed_size(self, expr: ast.AST, depth: int) -> bool:
        """A collection whose size does not depend on the input."""
        if depth > 4:
            return False
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str | bytes)
        if isinstance(expr, ast.Tuple | ast.List | ast.Set):
            return not any(isinstance(e, ast.Starred) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return None not in expr.keys
        if isinstance(expr, ast.Attribute):
            return isinstance(expr.value, ast.Name) and expr.value.id == "string"
        if isinstance(expr, ast.Name):
            value = self.program.resolve(expr.id, self.owner)
            return value is not None and self._fixed_size(value, depth + 1)
        if isinstance(expr, ast.Call) and not expr.keywords:
            name = function_name(expr)
            if name == "range":
                return bool(expr.args) and all(self._fixed_int(a, depth + 1) for a in expr.args)
            if name in _WRAPPERS or name == "zip":
                return bool(expr.args) and all(self._fixed_size(a, depth + 1) for a in expr.args)
            method = method_of(expr)
            if method and method[1] in VIEWS:
                return self._fixed_size(method[0], depth + 1)
        return False

    def _fixed_int(self, expr: ast.AST, depth: int) -> bool:
        if depth > 4:
            return False
        if int_constant(expr) is not None:
            return True
        if isinstance(expr, ast.BinOp):
            return self._fixed_int(expr.left, depth + 1) and self._fixed_int(expr.right, depth + 1)
        if isinstance(expr, ast.Call) and function_name(expr) == "len" and len(expr.args) == 1:
            return self._fixed_size(expr.args[0], depth + 1)
        if isinstance(expr, ast.Name):
            value = self.program.resolve(expr.id, self.owner)
            return value is not None and self._fixed_int(value, depth + 1)
        return False

    def _walked(self, iterable: ast.expr) -> ast.expr | None:
        """The collection a loop goes through: ``nums`` for ``enumerate(nums)``,
        ``range(len(nums))`` and ``range(n)`` with ``n = len(nums)``; None for
        a range that is not over a collection's positions."""
        expr = iterable
        for _ in range(4):
            if not isinstance(expr, ast.Call):
                return expr
            name = function_name(expr)
            method = method_of(expr)
            if name in _WRAPPERS and expr.args:
                expr = expr.args[0]
            elif method and method[1] in VIEWS and not expr.args:
                expr = method[0]
            elif name == "range" and len(expr.args) in (1, 2):
                if len(expr.args) == 2 and int_constant(expr.args[0]) is None:
                    return None  # range(i + 1, n) starts where an enclosing loop is
                return self._length_of(expr.args[-1], 0)
            else:
                return expr
        return expr

    def _length_of(self, expr: ast.expr, depth: int) -> ast.expr | None:
        if depth > 4:
            return None
        if isinstance(expr, ast.Call) and function_name(expr) == "len" and len(expr.args) == 1:
            return expr.args[0]
        if isinstance(expr, ast.IfExp):
            return self._length_of(expr.body, depth + 1)
        if isinstance(expr, ast.Name):
            value = self.program.resolve(expr.id, self.owner)
            return None if value is None else self._length_of(value, depth + 1)
        return None

    def _collection(self, iterable: ast.expr) -> str | None:
        walked = self._walked(iterable)
        return None if walked is None else _subscript_chain(walked)[0]

    def _walks_part_of(self, iterable: ast.expr, chain: tuple[_Loop, ...]) -> bool:
        """A row of the grid, the neighbours of the node, the children of the item:
        over the whole enclosing loop this visits each part of the input once."""
        walked = self._walked(iterable)
        if walked is None:
            return False  # range(i), range(i + 1, n): positions, not parts
        candidates = [walked]
        if isinstance(walked, ast.Name) and (value := self.program.resolve(walked.id, self.owner)) is not None:
            candidates.append(value)  # row = grid[r]; for cell in row
        return any(
            not _has_slice(candidate) and self._part_of(candidate, loop)
            for candidate in candidates
            for loop in chain
        )

    @staticmethod
    def _part_of(candidate: ast.expr, loop: _Loop) -> bool:
        root, indices = _subscript_chain(candidate)
        if root is not None and root in loop.elements:
            return True  # for cell in row / for child in node.children
        if any(names_in(index) & loop.elements for index in indices):
            return True  # for nb in graph[node]
        # range(len(grid[0])) inside a loop over grid: its columns
        return bool(indices) and root is not None and root == loop.collection

    def _drains_level(
        self, iterable: ast.expr, body: list[ast.stmt], node: ast.AST, chain: tuple[_Loop, ...]
    ) -> bool:
        """``while queue: for _ in range(len(queue)): queue.popleft()`` and
        ``while level: for node in level: ...; level = nxt`` visit each item once."""
        if not chain or not isinstance(chain[-1].node, ast.While):
            return False
        outer = chain[-1].node
        walked = self._walked(iterable)
        if not isinstance(walked, ast.Name) or walked.id not in names_in(outer.test):
            return False
        queue = walked.id
        return _pops_from(own_nodes(body), queue) or _rebinds(outer.body, queue, node)

    def _amortised(self, node: ast.While, outer: _Loop) -> bool:
        """An inner while that moves state the enclosing loop does not reset
        (a window's left edge, a stack of pending items) runs as many times in
        total as that state can move, not once per outer iteration."""
        progress = _progress_names(node.body) & names_in(node.test)
        for name in progress:
            if not _loop_rebinds(outer.node, name, node):
                return True
            if isinstance(outer.node, ast.While) and self._outer_jumps_to(outer.node, name, node):
                return True
        return self._shared_search(node, outer)

    @staticmethod
    def _outer_jumps_to(outer: ast.While, name: str, inner: ast.While) -> bool:
        """``while i < n: j = i; while ...: j += 1; i = j``: runs of equal items."""
        watched = names_in(outer.test)
        for node in own_nodes(outer.body, inner):
            if (
                isinstance(node, ast.Assign)
                and name in names_in(node.value)
                and any(bound in watched for t in node.targets for bound, _ in target_bindings(t, None))
            ):
                return True
        return False

    @staticmethod
    def _shared_search(node: ast.While, outer: _Loop) -> bool:
        """A search from every start (flood fill, components) with a visited
        mark kept outside the outer loop: each item is searched from once."""
        body = list(own_nodes(node.body))
        worklists = {
            name for name in names_in(node.test) if _pops_from(body, name) and _pushes_to(body, name)
        }
        if not worklists:
            return False
        for marked in _marked_containers(body) - worklists:
            if not _loop_rebinds(outer.node, marked, node):
                return True
        return False


def _marked_containers(nodes: list[ast.AST]) -> set[str]:
    """Containers a loop body writes into: ``seen.add(x)``, ``grid[r][c] = 0``."""
    marked: set[str] = set()
    for node in nodes:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and (root := _subscript_chain(target)[0]) is not None:
                marked.add(root)
        method = method_of(node) if isinstance(node, ast.Call) else None
        if method and method[1] in ("add", "update") and isinstance(method[0], ast.Name):
            marked.add(method[0].id)
    return marked


def check_nested_loops(context: Context) -> Iterator[Finding]:
    if context.expected_time is None:
        return
    expected_rank = complexity_rank(context.expected_time)
    if expected_rank >= complexity_rank("O(n^2)"):
        return
    costs = _LoopCosts(context.program)
    for owner in context.owners:
        worst: dict[int, _Event] = {}  # outermost growing loop -> its costliest nesting
        for event in costs.events(owner):
            if event.contributors() < 2:
                continue
            outer = event.growing_loops()[0]
            key = id(outer.node)
            known = worst.get(key)
            if known is None or (event.cost, -event.line) > (known.cost, -known.line):
                worst[key] = event
        for event in worst.values():
            if complexity_rank(event.cost.label()) > expected_rank:
                yield _nested_finding(event, context.expected_time)


def _nested_finding(event: _Event, expected: str) -> Finding:
    outer = event.growing_loops()[0]
    numbers = [str(loop.line) for loop in event.growing_loops()]
    lines = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {', '.join(numbers)}"
    reasons = "; ".join(f"line {loop.line} {loop.why}" for loop in event.chain)
    if event.callee is not None:
        loop = "a loop on the same line" if event.line == outer.line else f"the loop on line {outer.line}"
        question = (
            f"Line {event.line} calls {event.callee} inside {loop},"
            f" and {event.callee} loops as well. How much work does that add up to as the input grows?"
        )
        detail = f"a call to {event.callee} ({event.callee_cost.label()}) inside the loop on {lines}"
    else:
        where = (
            f"Line {event.line} loops inside another loop on the same line"
            if event.line == outer.line
            else f"The loop on line {event.line} runs inside the loop on line {outer.line}"
        )
        question = (
            f"{where}. How many steps does that add up to as the input grows,"
            " and does that fit the running time you are aiming for?"
        )
        detail = f"the loops on {lines}"
    return Finding(
        "nested_loops",
        event.line,
        question,
        f"{detail}: about {event.cost.label()} against an expected {expected} ({reasons})",
    )

