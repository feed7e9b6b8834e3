"""AST analysis of a candidate's code, turned into questions for the coach.

The analyzer never says how to fix anything. Each finding carries a Socratic
question that points at a line ("What happens on line 4 when i reaches the
last index?") and a detail for the report and the logs; the coach decides
whether and when to ask it.

Every rule is a heuristic, and every rule errs towards silence: a wrong nudge
on correct code costs a candidate more than a missed hint does. So the loop
rule knows the usual linear-time shapes (a sliding window, a monotonic stack,
a breadth-first search, a walk over a grid's rows and columns) and the range
rule stays quiet when the loop body shows that an offset was deliberate.

``analyze`` never raises on any input: code that does not parse gives one
``syntax_error`` finding, and a rule that fails on a strange tree is skipped
and logged (``strict=True`` re-raises instead, for tests).
"""

from __future__ import annotations

import ast
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from mock_interviewer_lab.problems.model import complexity_rank, normalise_complexity

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    #: Stable id, one of ``rules()``.
    rule: str
    #: 1-based line in the candidate's code; None when no line applies.
    line: int | None
    #: What the coach may ask: points at the line, never says what to change.
    question: str
    #: What was found, in technical terms, for the report and the logs.
    detail: str


_RULES: dict[str, str] = {
    "syntax_error": "The code does not parse: where, and what went wrong, in plain words.",
    "function_missing": "The function the tests call is not defined.",
    "nested_loops": "A loop over the input inside another, when the target time is better than quadratic.",
    "recursion_without_base_case": "A function calls itself on every path, so nothing stops the recursion.",
    "missing_return": "Some paths end without a value while others return one, or a promised value never comes.",
    "off_by_one_range": "A range or an index at the length plus or minus one that reads past an end or skips an element.",
    "mutating_while_iterating": "A list, dict or set changes size while a loop goes through it.",
    "unused_parameter": "A parameter of the function is never read.",
}
_RULE_ORDER = {rule: position for position, rule in enumerate(_RULES)}


def rules() -> dict[str, str]:
    """Rule id -> one-line description, in the order findings are reported."""
    return dict(_RULES)


FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Owner = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes whose bodies run in another frame: a loop there is not a loop here.
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class CodeAnalyzer:
    """Looks at a candidate's code and reports findings the coach can ask about."""

    def __init__(self, *, strict: bool = False) -> None:
        # strict: let a rule's own bug escape instead of skipping the rule.
        self._strict = strict

    @staticmethod
    def rules() -> dict[str, str]:
        return rules()

    def analyze(
        self,
        code: str,
        *,
        function: str | None = None,
        expected_time: str | None = None,
    ) -> list[Finding]:
        try:
            return self._analyze(code, function, expected_time)
        except Exception:
            # The coach must keep talking whatever the candidate typed.
            if self._strict:
                raise
            log.exception("code analysis failed; no findings reported")
            return []

    def _analyze(
        self, code: str, function: str | None, expected_time: str | None
    ) -> list[Finding]:
        parsed = _parse(code)
        if isinstance(parsed, Finding):
            return [parsed]
        program = _Program(parsed)
        context, findings = _context(program, function or None, expected_time)
        for check in _CHECKS:
            findings.extend(self._run(check, context))
        return _ordered(findings)

    def _run(self, check: _Check, context: _Context) -> list[Finding]:
        try:
            return list(check(context))
        except RecursionError:
            # Absurdly deep expressions: this rule has nothing to say about them.
            log.warning("%s skipped: the code is nested too deeply", check.__name__)
            return []
        except Exception:
            if self._strict:
                raise
            log.exception("%s failed; its findings are left out", check.__name__)
            return []


def _ordered(findings: list[Finding]) -> list[Finding]:
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: (f.line or 0, _RULE_ORDER[f.rule]))


# ---------------------------------------------------------------------------
# Parsing and syntax errors


def _parse(code: str) -> ast.Module | Finding:
    # SyntaxWarnings ("is" with a literal, "\d" escapes) would only clutter
    # the server's log; the code is the candidate's to run, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return _parse_quietly(code)


def _parse_quietly(code: str) -> ast.Module | Finding:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:  # IndentationError and TabError included
        return _syntax_finding(error, code)
    except (ValueError, RecursionError, MemoryError) as error:
        return Finding(
            "syntax_error",
            None,
            "Python cannot read this code at all, because it is nested too deeply"
            " or holds characters Python does not accept. What is unusual about it?",
            f"{type(error).__name__}: {error}",
        )
    try:
        # Some mistakes (a return outside a function) only show when compiling.
        compile(tree, "<candidate>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return _syntax_finding(error, code)
    except (ValueError, RecursionError, MemoryError):
        pass  # the tree is sound; only the bytecode compiler gave up on it
    return tree


def _syntax_finding(error: SyntaxError, code: str) -> Finding:
    lines = re.split(r"\r\n|\r|\n", code)
    line = None if error.lineno is None else min(max(error.lineno, 1), len(lines))
    message = error.msg or str(error)
    source_line = lines[line - 1] if line is not None else ""
    return Finding(
        "syntax_error",
        line,
        _explain_syntax_error(message, line, source_line),
        f"{type(error).__name__}: {message} (line {error.lineno}, column {error.offset})",
    )


_CURLY_QUOTES = frozenset({"2018", "2019", "201C", "201D"})
_CONDITION_START = re.compile(r"^\s*(if|elif|while|assert|return)\b")


def _equals_in_condition(match: re.Match[str], line: int, source: str) -> str:
    if _CONDITION_START.match(source) or " if " in source:
        return (
            f"Line {line} has a single equals sign where a comparison is expected,"
            " and a single equals sign assigns. Which of the two is meant there?"
        )
    return _cannot_assign(match, line, source)


def _cannot_assign(match: re.Match[str], line: int, source: str) -> str:
    return (
        f"Line {line} assigns a value to something that cannot hold one."
        " What is on the left of the equals sign?"
    )


def _indented_block_after(match: re.Match[str], line: int, source: str) -> str:
    what, header = match["what"].replace("'", ""), int(match["other"])
    where = "the code ends before one" if header >= line else f"line {line} is not indented under it"
    return f"The {what} on line {header} needs an indented body, and {where}. What belongs inside it?"


def _bracket_mismatch(match: re.Match[str], line: int, source: str) -> str:
    opened = f" on line {match['other']}" if match["other"] else ""
    return (
        f"Line {line} closes a bracket of a different kind from the one opened{opened}."
        " Which two brackets belong together?"
    )


def _invalid_character(match: re.Match[str], line: int, source: str) -> str:
    if match["code"] in _CURLY_QUOTES:
        return (
            f"Line {line} contains a curly quotation mark, which Python does not accept in code;"
            " it often comes from pasted text. Which quotes does Python read as a string?"
        )
    return (
        f"Line {line} contains a character Python does not accept in code, number U+{match['code']}."
        " Where did it come from?"
    )


def _fixed(template: str) -> Callable[[re.Match[str], int, str], str]:
    def render(match: re.Match[str], line: int, source: str) -> str:
        return template.format(line=line, **{k: v or "" for k, v in match.groupdict().items()})

    return render


# Python 3.11's messages, most specific first; the sentences describe the
# problem and ask, and never write the corrected code for the candidate.
_SYNTAX_EXPLANATIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int, str], str]], ...] = (
    (re.compile(r"^'[(\[{]' was never closed"),
     _fixed("Line {line} opens a bracket that is never closed. Where was it meant to end?")),
    (re.compile(r"^unmatched '[)\]}]'"),
     _fixed("Line {line} closes a bracket that was never opened. Which opening bracket was it meant to match?")),
    (re.compile(r"^closing parenthesis '.' does not match opening parenthesis '.'(?: on line (?P<other>\d+))?"),
     _bracket_mismatch),
    (re.compile(r"^expected ':'"),
     _fixed("Line {line} starts a block, but the colon that ends its first line is missing."
            " What does the end of that line look like?")),
    (re.compile(r"Maybe you meant '=='"), _equals_in_condition),
    (re.compile(r"^cannot assign to"), _cannot_assign),
    (re.compile(r"^unterminated triple-quoted string"),
     _fixed("Line {line} opens a triple-quoted string that is never closed. Where was it meant to end?")),
    (re.compile(r"^unterminated string literal"),
     _fixed("Line {line} starts a string that is never closed. Where does it end?")),
    (re.compile(r"^expected an indented block after (?P<what>.+?) on line (?P<other>\d+)"),
     _indented_block_after),
    (re.compile(r"^expected an indented block"),
     _fixed("Line {line} needs an indented block under it. What belongs inside it?")),
    (re.compile(r"^unexpected indent"),
     _fixed("Line {line} is indented further than the lines around it. Which block is it part of?")),
    (re.compile(r"^unindent does not match any outer indentation level"),
     _fixed("Line {line} is indented to a depth that lines up with no enclosing block."
            " Which block is it meant to line up with?")),
    (re.compile(r"^inconsistent use of tabs and spaces"),
     _fixed("Line {line} mixes tabs and spaces in its indentation. How are the lines above it indented?")),
    (re.compile(r"^invalid character '.' \(U\+(?P<code>[0-9A-Fa-f]+)\)"), _invalid_character),
    (re.compile(r"^invalid non-printable character"),
     _fixed("Line {line} contains an invisible character, such as a non-breaking space,"
            " that Python does not accept in code. Where might it have come from?")),
    (re.compile(r"null bytes"),
     _fixed("The code contains a null character, which Python does not accept. Where might it have come from?")),
    (re.compile(r"^Missing parentheses in call to '(?P<name>\w+)'"),
     _fixed("Line {line} calls {name} the way Python 2 did. How does Python 3 pass arguments to a function?")),
    (re.compile(r"^invalid (?:decimal|hexadecimal|octal|binary|digit)"),
     _fixed("Line {line} has a number that runs straight into letters, which Python cannot read"
            " as a number or as a name. What was meant there?")),
    (re.compile(r"Perhaps you forgot a comma"),
     _fixed("Line {line} has two items side by side with nothing between them."
            " What separates the items of a list or of a call?")),
    (re.compile(r"^expected 'except' or 'finally' block"),
     _fixed("The try block that ends before line {line} has no except or finally part."
            " What happens when the code inside it fails?")),
    (re.compile(r"^expected '\('"),
     _fixed("Line {line} names a function but the parameter list Python expects after the name is missing."
            " What comes after the name?")),
    (re.compile(r"^positional argument follows keyword argument"),
     _fixed("Line {line} passes a plain argument after a named one. In what order does Python accept them?")),
    (re.compile(r"^(?:non-default argument follows default|parameter without a default follows)"),
     _fixed("Line {line} lists a parameter without a default after one that has a default."
            " In what order does Python accept them?")),
    (re.compile(r"^unexpected character after line continuation character"),
     _fixed("Line {line} has something after a backslash that continues the line. What is that backslash doing there?")),
    (re.compile(r"^f-string"),
     _fixed("Line {line} has a formatted string whose braces do not add up. Which brace is left open or unmatched?")),
    (re.compile(r"^'(?:return|yield|await)' outside"),
     _fixed("Line {line} only makes sense inside a function, and it is not inside one. Which function was it meant to belong to?")),
    (re.compile(r"^'(?:break' outside loop|continue' not properly in loop)"),
     _fixed("Line {line} leaves or restarts a loop, but it is not inside one. Which loop was it meant to belong to?")),
    (re.compile(r"^unexpected EOF"),
     _fixed("The code ends in the middle of a statement on line {line}. What is left unfinished?")),
    (re.compile(r"^too many nested parentheses"),
     _fixed("Line {line} nests more brackets than Python can read. Are they all needed?")),
    (re.compile(r"^expected '"),
     _fixed("Line {line} stops before a part Python expects there. Which part of that statement is incomplete?")),
    (re.compile(r"^invalid syntax$"),
     _fixed("Python cannot make sense of line {line}. What on that line looks different from the lines that work?")),
)


def _explain_syntax_error(message: str, line: int | None, source: str) -> str:
    for pattern, render in _SYNTAX_EXPLANATIONS:
        match = pattern.search(message)
        if match is None:
            continue
        if line is None:
            # Without a line only the messages that need none read well.
            return render(match, 1, source).replace("Line 1", "The code").replace("line 1", "the code")
        return render(match, line, source)
    where = f"line {line}" if line is not None else "this code"
    return f"Python cannot read {where}, and says: {message}. What on that line could it mean?"


# ---------------------------------------------------------------------------
# The program: scopes, bindings, functions


def _own_nodes(roots: Iterable[ast.AST], skip: ast.AST | None = None) -> Iterator[ast.AST]:
    """Every node under ``roots`` that runs in the same frame, depth first.

    Nested functions and lambdas are yielded but not entered; ``skip`` and
    everything under it are left out.
    """
    stack = [node for node in reversed(list(roots)) if node is not skip]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPE_NODES):
            continue
        stack.extend(child for child in reversed(list(ast.iter_child_nodes(node))) if child is not skip)


def _names(*nodes: ast.AST | None) -> set[str]:
    return {n.id for node in nodes if node is not None for n in ast.walk(node) if isinstance(n, ast.Name)}


def _key(expr: ast.AST) -> str | None:
    """A stable spelling of a simple place (``nums``, ``self.items``, ``grid[0]``)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        inner = _key(expr.value)
        return None if inner is None else f"{inner}.{expr.attr}"
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
        inner = _key(expr.value)
        return None if inner is None else f"{inner}[{expr.slice.value!r}]"
    return None


def _spoken(key: str) -> str:
    """How a question names a place: a plain name, never a piece of code."""
    return key if re.fullmatch(r"[A-Za-z_][\w.]*", key) else "the sequence"


def _function_name(call: ast.Call) -> str | None:
    """``f`` for ``f(...)`` and ``heapq.heappop`` alike; None for ``x.pop()``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in (
        "heapq", "math", "itertools", "builtins", "string",
    ):
        return func.attr
    return None


def _method(call: ast.Call) -> tuple[ast.expr, str] | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.value, call.func.attr
    return None


def _int_constant(expr: ast.AST) -> int | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return int(expr.value)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub | ast.UAdd):
        inner = _int_constant(expr.operand)
        if inner is not None:
            return -inner if isinstance(expr.op, ast.USub) else inner
    return None


def _number_constant(expr: ast.AST) -> float | None:
    """An int or float literal: bisection halves by 2.0 as often as by 2."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, float):
        return expr.value
    return _int_constant(expr)


def _target_bindings(target: ast.AST, value: ast.expr | None) -> Iterator[tuple[str, ast.expr | None]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List):
        values: list[ast.expr] | None = None
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            values = value.elts
        for position, element in enumerate(target.elts):
            yield from _target_bindings(element, None if values is None else values[position])
    elif isinstance(target, ast.Starred):
        yield from _target_bindings(target.value, None)


def _bindings_of(node: ast.AST) -> Iterator[tuple[str, ast.expr | None]]:
    """The names one node binds, with the value when it is a plain assignment."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _target_bindings(target, node.value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield from _target_bindings(node.target, node.value)
    elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.comprehension | ast.NamedExpr):
        yield from _target_bindings(node.target, None)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield from _target_bindings(node.optional_vars, None)
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


def _parameters(fn: FunctionNode) -> list[ast.arg]:
    args = fn.args
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


class _Program:
    """The parsed code with what every rule needs: functions, scopes, bindings."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions: list[FunctionNode] = [n for n in ast.walk(tree) if isinstance(n, _FUNCTION_NODES)]
        self._bindings: dict[ast.AST, dict[str, list[ast.expr | None]]] = {
            owner: self._collect_bindings(owner) for owner in [tree, *self.functions]
        }

    @staticmethod
    def _collect_bindings(owner: Owner) -> dict[str, list[ast.expr | None]]:
        bindings: dict[str, list[ast.expr | None]] = {}
        if not isinstance(owner, ast.Module):
            for parameter in _parameters(owner):
                bindings.setdefault(parameter.arg, []).append(None)
        for node in _own_nodes(owner.body):
            for name, value in _bindings_of(node):
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
class _Context:
    program: _Program
    #: Functions whose signature and returns are checked.
    targets: tuple[FunctionNode, ...]
    #: Code whose loops, ranges and recursion are checked.
    owners: tuple[Owner, ...]
    expected_time: str | None


def _context(program: _Program, function: str | None, expected_time: str | None) -> tuple[_Context, list[Finding]]:
    expected = normalise_complexity(expected_time) if expected_time else None
    everything: tuple[Owner, ...] = (program.tree, *program.functions)
    if function is None:
        return _Context(program, tuple(program.functions), everything, expected), []
    targets = tuple(fn for fn in program.functions if fn.name == function)
    if targets:
        return _Context(program, targets, _reachable(program, targets), expected), []
    if program.defines(function):  # bound some other way: a lambda, an import
        return _Context(program, (), everything, expected), []
    return _Context(program, tuple(program.functions), everything, expected), [_function_missing(program, function)]


def _reachable(program: _Program, targets: tuple[FunctionNode, ...]) -> tuple[Owner, ...]:
    """The targets, the functions nested in them, and the helpers they call."""
    found: dict[FunctionNode, None] = {}
    pending = list(targets)
    while pending:
        fn = pending.pop()
        if fn in found:
            continue
        found[fn] = None
        pending.extend(n for n in ast.walk(fn) if isinstance(n, _FUNCTION_NODES) and n is not fn)
        for node in _own_nodes(fn.body):
            if isinstance(node, ast.Call) and (callee := program.callee(node)) is not None:
                pending.append(callee)
    return tuple(found)


def _function_missing(program: _Program, function: str) -> Finding:
    defined = sorted({fn.name for fn in program.functions})
    listing = f" The code defines {', '.join(defined)}." if defined else " The code defines no function yet."
    return Finding(
        "function_missing",
        None,
        f"Which function should I call? I was expecting one named {function}.{listing}",
        f"no function named {function!r}; defined: {defined}",
    )


def _is_stub(fn: FunctionNode) -> bool:
    """A body still to be written: a docstring, pass, ... or raise NotImplementedError."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in _names(stmt.exc):
            continue
        return False
    return True


# ---------------------------------------------------------------------------
# nested_loops


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
_VIEWS = frozenset({"items", "keys", "values"})
_HALVING_OPS = (ast.FloorDiv, ast.RShift, ast.Div)


def _pops_from(nodes: Iterable[ast.AST], name: str) -> bool:
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        method = _method(node)
        if method and isinstance(method[0], ast.Name) and method[0].id == name and method[1] in _POP_METHODS:
            return True
        if _function_name(node) in _HEAP_POPS and node.args and _names(node.args[0]) == {name}:
            return True
    return False


def _pushes_to(nodes: Iterable[ast.AST], name: str) -> bool:
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        method = _method(node)
        if method and isinstance(method[0], ast.Name) and method[0].id == name and method[1] in _PUSH_METHODS:
            return True
        if _function_name(node) in _HEAP_PUSHES and node.args and _names(node.args[0]) == {name}:
            return True
    return False


def _popped_items(body: list[ast.stmt]) -> set[str]:
    """Names assigned from a pop in a loop body: the worklist's current item."""
    names: set[str] = set()
    for node in _own_nodes(body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            method = _method(call)
            if (method and method[1] in _POP_METHODS) or _function_name(call) in _HEAP_POPS:
                for target in node.targets:
                    names.update(name for name, _ in _target_bindings(target, None))
    return names


def _progress_names(body: list[ast.stmt]) -> set[str]:
    """Names a loop body moves along: counters, pointers, consumed containers."""
    names: set[str] = set()
    for node in _own_nodes(body):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in _names(node.value):
                    names.add(target.id)  # p = p.next, i = i + 1
        elif isinstance(node, ast.Call):
            method = _method(node)
            if method and isinstance(method[0], ast.Name) and method[1] in _CONSUMING_METHODS:
                names.add(method[0].id)
            elif _function_name(node) in _HEAP_POPS and node.args and isinstance(node.args[0], ast.Name):
                names.add(node.args[0].id)
        elif isinstance(node, ast.Delete):
            names.update(t.value.id for t in node.targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name))
    return names


def _rebinds(roots: Iterable[ast.AST], name: str, skip: ast.AST | None) -> bool:
    """Whether ``name`` gets a fresh value under ``roots`` (augmented assignment aside)."""
    for node in _own_nodes(roots, skip):
        if isinstance(node, ast.AugAssign):
            continue
        if any(bound == name for bound, _ in _bindings_of(node)):
            return True
    return False


def _loop_rebinds(loop: ast.AST, name: str, skip: ast.AST) -> bool:
    """Whether each iteration of ``loop`` starts ``name`` afresh."""
    if isinstance(loop, ast.For | ast.AsyncFor) and name in _names(loop.target):
        return True
    body = loop.body if isinstance(loop, ast.For | ast.AsyncFor | ast.While) else []
    return _rebinds(body, name, skip)


def _halves(loop: ast.While) -> bool:
    """Whether the loop halves (or doubles) what its condition looks at."""
    watched = _names(loop.test)
    halved: set[str] = set()
    for node in _own_nodes(loop.body):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in watched:
            step = _number_constant(node.value)
            least = 1 if isinstance(node.op, ast.LShift | ast.RShift) else 2
            scaling = isinstance(node.op, ast.Mult | ast.LShift | ast.FloorDiv | ast.RShift | ast.Div)
            if scaling and step is not None and step >= least:
                return True
        if isinstance(node, ast.Assign) and _contains_halving(node.value):
            for target in node.targets:
                halved.update(name for name, _ in _target_bindings(target, None))
    if halved & watched:
        return True
    # lo = mid + 1 / hi = mid, with mid a halfway point
    for node in _own_nodes(loop.body):
        if (
            isinstance(node, ast.Assign)
            and _names(node.value) & halved
            and any(name in watched for t in node.targets for name, _ in _target_bindings(t, None))
        ):
            return True
    return False


def _contains_halving(expr: ast.expr) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.BinOp) and isinstance(node.op, _HALVING_OPS):
            divisor = _number_constant(node.right)
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

    def __init__(self, program: _Program) -> None:
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
            if isinstance(node, _SCOPE_NODES):
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
            elif isinstance(node, _COMPREHENSIONS):
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
        elements = frozenset(_names(target) | _popped_items(body))
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
            name = _function_name(expr)
            if name == "range":
                return bool(expr.args) and all(self._fixed_int(a, depth + 1) for a in expr.args)
            if name in _WRAPPERS or name == "zip":
                return bool(expr.args) and all(self._fixed_size(a, depth + 1) for a in expr.args)
            method = _method(expr)
            if method and method[1] in _VIEWS:
                return self._fixed_size(method[0], depth + 1)
        return False

    def _fixed_int(self, expr: ast.AST, depth: int) -> bool:
        if depth > 4:
            return False
        if _int_constant(expr) is not None:
            return True
        if isinstance(expr, ast.BinOp):
            return self._fixed_int(expr.left, depth + 1) and self._fixed_int(expr.right, depth + 1)
        if isinstance(expr, ast.Call) and _function_name(expr) == "len" and len(expr.args) == 1:
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
            name = _function_name(expr)
            method = _method(expr)
            if name in _WRAPPERS and expr.args:
                expr = expr.args[0]
            elif method and method[1] in _VIEWS and not expr.args:
                expr = method[0]
            elif name == "range" and len(expr.args) in (1, 2):
                if len(expr.args) == 2 and _int_constant(expr.args[0]) is None:
                    return None  # range(i + 1, n) starts where an enclosing loop is
                return self._length_of(expr.args[-1], 0)
            else:
                return expr
        return expr

    def _length_of(self, expr: ast.expr, depth: int) -> ast.expr | None:
        if depth > 4:
            return None
        if isinstance(expr, ast.Call) and _function_name(expr) == "len" and len(expr.args) == 1:
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
        if any(_names(index) & loop.elements for index in indices):
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
        if not isinstance(walked, ast.Name) or walked.id not in _names(outer.test):
            return False
        queue = walked.id
        return _pops_from(_own_nodes(body), queue) or _rebinds(outer.body, queue, node)

    def _amortised(self, node: ast.While, outer: _Loop) -> bool:
        """An inner while that moves state the enclosing loop does not reset
        (a window's left edge, a stack of pending items) runs as many times in
        total as that state can move, not once per outer iteration."""
        progress = _progress_names(node.body) & _names(node.test)
        for name in progress:
            if not _loop_rebinds(outer.node, name, node):
                return True
            if isinstance(outer.node, ast.While) and self._outer_jumps_to(outer.node, name, node):
                return True
        return self._shared_search(node, outer)

    @staticmethod
    def _outer_jumps_to(outer: ast.While, name: str, inner: ast.While) -> bool:
        """``while i < n: j = i; while ...: j += 1; i = j``: runs of equal items."""
        watched = _names(outer.test)
        for node in _own_nodes(outer.body, inner):
            if (
                isinstance(node, ast.Assign)
                and name in _names(node.value)
                and any(bound in watched for t in node.targets for bound, _ in _target_bindings(t, None))
            ):
                return True
        return False

    @staticmethod
    def _shared_search(node: ast.While, outer: _Loop) -> bool:
        """A search from every start (flood fill, components) with a visited
        mark kept outside the outer loop: each item is searched from once."""
        body = list(_own_nodes(node.body))
        worklists = {
            name for name in _names(node.test) if _pops_from(body, name) and _pushes_to(body, name)
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
        method = _method(node) if isinstance(node, ast.Call) else None
        if method and method[1] in ("add", "update") and isinstance(method[0], ast.Name):
            marked.add(method[0].id)
    return marked


def _check_nested_loops(context: _Context) -> Iterator[Finding]:
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


# ---------------------------------------------------------------------------
# Paths through a function: recursion_without_base_case and missing_return


@dataclass(frozen=True)
class _Paths:
    """Where the paths through a block can end, counting only the paths that
    have not called the function itself (all paths, when nothing recurses)."""

    exits: bool  # a return or raise
    falls: bool  # the end of the block
    breaks: bool  # a break out of the enclosing loop

    def __or__(self, other: _Paths) -> _Paths:
        return _Paths(self.exits or other.exits, self.falls or other.falls, self.breaks or other.breaks)


_BLOCKED = _Paths(False, False, False)
_THROUGH = _Paths(False, True, False)
_EXITS = _Paths(True, False, False)
_PROCESS_EXITS = frozenset({"exit", "quit", "_exit"})


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


class _PathAnalysis:
    """Follows the paths through statements, stopping each path at a call for
    which ``is_self_call`` holds (never, for plain control flow)."""

    def __init__(self, is_self_call: Callable[[ast.Call], bool]) -> None:
        self.is_self_call = is_self_call

    def block(self, stmts: list[ast.stmt]) -> _Paths:
        exits = breaks = False
        for stmt in stmts:
            paths = self.stmt(stmt)
            exits, breaks = exits or paths.exits, breaks or paths.breaks
            if not paths.falls:
                return _Paths(exits, False, breaks)
        return _Paths(exits, True, breaks)

    def stmt(self, stmt: ast.stmt) -> _Paths:
        if isinstance(stmt, ast.Return):
            return _BLOCKED if stmt.value is not None and self.recurses(stmt.value) else _EXITS
        if isinstance(stmt, ast.Raise):
            return _BLOCKED if stmt.exc is not None and self.recurses(stmt.exc) else _EXITS
        if isinstance(stmt, ast.Assert):
            return _BLOCKED if self.recurses(stmt.test) else _Paths(True, True, False)
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
            return _Paths(False, False, True)
        if isinstance(stmt, ast.Continue):
            return _BLOCKED  # back to the loop's head, which the loop accounts for
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return _THROUGH
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self._ends_process(stmt.value):
            return _EXITS
        expressions = [child for child in ast.iter_child_nodes(stmt) if isinstance(child, ast.expr)]
        return _BLOCKED if any(self.recurses(e) for e in expressions) else _THROUGH

    def _loop(self, stmt: ast.For | ast.AsyncFor | ast.While) -> _Paths:
        head = stmt.test if isinstance(stmt, ast.While) else stmt.iter
        if self.recurses(head):
            return _BLOCKED
        body = self.block(stmt.body)
        if isinstance(stmt, ast.While) and _always_true(stmt.test):
            return _Paths(body.exits, body.breaks, False)
        # The body may run zero times; the else block runs when the loop ends
        # without a break.
        after = self.block(stmt.orelse) if stmt.orelse else _THROUGH
        return _Paths(body.exits or after.exits, after.falls or body.breaks, after.breaks)

    def _try(self, stmt: ast.Try | ast.TryStar) -> _Paths:
        paths = self.block([*stmt.body, *stmt.orelse])
        for handler in stmt.handlers:
            # An exception can come before any call: handlers are reachable.
            paths = paths | self.block(handler.body)
        if not stmt.finalbody:
            return paths
        final = self.block(stmt.finalbody)
        return _Paths(
            final.exits or (paths.exits and final.falls),
            paths.falls and final.falls,
            (paths.breaks and final.falls) or final.breaks,
        )

    def _match(self, stmt: ast.Match) -> _Paths:
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
            name == "exit" and isinstance(func, ast.Attribute) and _names(func.value) == {"sys"}
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
        if isinstance(expr, _COMPREHENSIONS):
            return self.recurses(expr.generators[0].iter)  # the rest may run zero times
        if isinstance(expr, ast.Lambda):
            return False
        return any(self.recurses(child) for child in ast.iter_child_nodes(expr))


def _self_call_test(program: _Program, fn: FunctionNode) -> Callable[[ast.Call], bool]:
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


def _check_recursion(context: _Context) -> Iterator[Finding]:
    for owner in context.owners:
        if isinstance(owner, ast.Module):
            continue
        is_self_call = _self_call_test(context.program, owner)
        calls = [n for n in _own_nodes(owner.body) if isinstance(n, ast.Call) and is_self_call(n)]
        if not calls:
            continue
        paths = _PathAnalysis(is_self_call).block(owner.body)
        if paths.exits or paths.falls:
            continue
        first = min(calls, key=lambda call: call.lineno)
        yield Finding(
            "recursion_without_base_case",
            first.lineno,
            f"Which input lets {owner.name} finish without reaching the call to itself on line {first.lineno}?",
            f"{owner.name} calls itself on every path through its body (first call on line {first.lineno})",
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


def _check_missing_return(context: _Context) -> Iterator[Finding]:
    flow = _PathAnalysis(lambda _call: False)
    for fn in context.targets:
        own = list(_own_nodes(fn.body))
        if _is_stub(fn) or any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own):
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


# ---------------------------------------------------------------------------
# off_by_one_range


def _offset_from(index: ast.expr, var: str) -> int | None:
    """k for ``i + k`` (``i``, ``i + 1``, ``i - 1``); None for anything else."""
    if isinstance(index, ast.Name):
        return 0 if index.id == var else None
    if isinstance(index, ast.BinOp) and isinstance(index.op, ast.Add | ast.Sub):
        left, right = index.left, index.right
        sign = 1 if isinstance(index.op, ast.Add) else -1
        if isinstance(left, ast.Name) and left.id == var and (k := _int_constant(right)) is not None:
            return sign * k
        if sign == 1 and isinstance(right, ast.Name) and right.id == var and (k := _int_constant(left)) is not None:
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
    def __init__(self, program: _Program, owner: Owner) -> None:
        self.program = program
        self.owner = owner

    def findings(self) -> Iterator[Finding]:
        for node in _own_nodes(self.owner.body):
            if isinstance(node, ast.For) and (loop := self._range_loop(node)) is not None:
                yield from self._check_loop(loop)
            elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
                yield from self._check_index(node)

    def _length_plus(self, expr: ast.expr | None, depth: int = 0) -> tuple[str, int] | None:
        """(sequence, k) when ``expr`` is ``len(sequence) + k``, following ``n = len(xs)``."""
        if expr is None or depth > 4:
            return None
        if isinstance(expr, ast.Call) and _function_name(expr) == "len" and len(expr.args) == 1 and not expr.keywords:
            key = _key(expr.args[0])
            return None if key is None else (key, 0)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Sub):
            k = _int_constant(expr.right)
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
        if _function_name(call) != "range" or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        args = call.args
        if not 1 <= len(args) <= 3:
            return None
        step = _int_constant(args[2]) if len(args) == 3 else 1
        if step is None or step == 0:
            return None
        start = args[0] if len(args) >= 2 else None
        stop = args[1] if len(args) >= 2 else args[0]
        return _RangeLoop(node, node.target.id, start, stop, step)

    @staticmethod
    def _reads(loop: _RangeLoop, key: str) -> _Reads:
        at: list[tuple[int, int]] = []
        sliced = other = guarded = False
        for node in _own_nodes(loop.node.body):
            if isinstance(node, ast.Subscript):
                same = _key(node.value) == key
                if isinstance(node.slice, ast.Slice):
                    sliced = sliced or loop.var in _names(node.slice)
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
        from_zero = loop.start is None or _int_constant(loop.start) == 0
        if loop.step < 0:
            yield from self._check_backwards(loop)
            return
        if loop.step != 1 or (bound := self._length_plus(loop.stop)) is None:
            return
        key, k = bound
        reads = self._reads(loop, key)
        seq, var, line = _spoken(key), loop.var, loop.node.lineno
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
                f"On line {line}, what is the first value of {loop.var}, and what does line {use} read from {_spoken(key)} then?",
                f"backwards range starts at len({key}){' + ' + str(k) if k else ''} and line {use} indexes {key} with it",
            )

    def _check_index(self, node: ast.Subscript) -> Iterator[Finding]:
        key = _key(node.value)
        bound = self._length_plus(node.slice)
        if key is None or bound is None or bound[0] != key or bound[1] < 0:
            return
        yield self._finding(
            node.lineno,
            f"What is the last valid position in {_spoken(key)}, and which position does line {node.lineno} read?",
            f"{ast.unparse(node)} indexes one past the end (or further)",
        )

    @staticmethod
    def _finding(line: int, question: str, detail: str) -> Finding:
        return Finding("off_by_one_range", line, question, detail)


def _check_off_by_one(context: _Context) -> Iterator[Finding]:
    for owner in context.owners:
        yield from _OffByOne(context.program, owner).findings()


# ---------------------------------------------------------------------------
# mutating_while_iterating


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
    def __init__(self, program: _Program, owner: Owner) -> None:
        self.program = program
        self.owner = owner

    def findings(self) -> Iterator[Finding]:
        for node in _own_nodes(self.owner.body):
            if isinstance(node, ast.For | ast.AsyncFor):
                yield from self._check_loop(node)

    def _iterated(self, iterable: ast.expr) -> tuple[str, bool] | None:
        """(container, known to be a dict) for ``xs``, ``d.items()``, ``enumerate(xs)``."""
        if isinstance(iterable, ast.Call):
            method = _method(iterable)
            if method and method[1] in _VIEWS and not iterable.args:
                key = _key(method[0])
                return None if key is None else (key, True)
            if _function_name(iterable) in ("enumerate", "reversed") and iterable.args:
                return self._iterated(iterable.args[0])
            return None
        key = _key(iterable)
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
            _function_name(value) in _DICT_MAKERS
            or (isinstance(value.func, ast.Attribute) and value.func.attr in _DICT_MAKERS)
        )

    def _check_loop(self, loop: ast.For | ast.AsyncFor) -> Iterator[Finding]:
        iterated = self._iterated(loop.iter)
        if iterated is None:
            return
        key, is_dict = iterated
        loop_names = _names(loop.target)
        for node in _own_nodes(loop.body):
            change = self._change(node, key, is_dict, loop_names)
            if change is None or self._leaves_right_after(node):
                continue
            seq = _spoken(key)
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
            method = _method(node)
            if method and method[1] in _MUTATORS and _key(method[0]) == key:
                return node.lineno
        elif isinstance(node, ast.Delete):
            if any(isinstance(t, ast.Subscript) and _key(t.value) == key for t in node.targets):
                return node.lineno
        elif (
            isinstance(node, ast.AugAssign)
            and _key(node.target) == key
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
                if isinstance(target, ast.Subscript) and _key(target.value) == key and not in_hand:
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


def _check_mutation(context: _Context) -> Iterator[Finding]:
    for owner in context.owners:
        yield from _Mutations(context.program, owner).findings()


# ---------------------------------------------------------------------------
# unused_parameter

_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec"})


def _check_unused_parameters(context: _Context) -> Iterator[Finding]:
    for fn in context.targets:
        if _is_stub(fn):
            continue
        nodes = [n for stmt in fn.body for n in ast.walk(stmt)]
        if any(isinstance(n, ast.Call) and _function_name(n) in _INTROSPECTION for n in nodes):
            continue  # names can be read without being written down
        read = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store | ast.Del)}
        for parameter in _parameters(fn):
            name = parameter.arg
            if name.startswith("_") or name in ("self", "cls") or name in read:
                continue
            yield Finding(
                "unused_parameter",
                parameter.lineno,
                f"{fn.name} takes {name} on line {parameter.lineno}. What part does it play, and which line reads it?",
                f"parameter {name!r} of {fn.name} (line {parameter.lineno}) is never read",
            )


_Check = Callable[[_Context], Iterable[Finding]]
_CHECKS: tuple[_Check, ...] = (
    _check_nested_loops,
    _check_recursion,
    _check_missing_return,
    _check_off_by_one,
    _check_mutation,
    _check_unused_parameters,
)
