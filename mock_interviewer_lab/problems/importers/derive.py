"""What an imported problem's pack files need beyond its statement and
tests, derived per problem: hints and ``never_say`` from the reference
solution's shape (the builtins and structures it uses, its loops), the
function's name, parameters and examples; constraints from the statement;
an expected complexity where the reference's shape settles it.

Everything here reads the reference to *choose* what to say, and never says
the reference: every hint is passed through the coach's own leak filter
(:class:`~mock_interviewer_lab.interview.rules.leaks.LeakFilter`) with the
problem's ``never_say``, and one that it flags is not written.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import HintSpec
from mock_interviewer_lab.problems.validate import constraint_bounds

#: Builtins (and str/list methods) that go through their whole argument.
_LINEAR_CALLS = frozenset({
    "sorted", "sum", "max", "min", "any", "all", "list", "set", "tuple", "dict", "map", "filter",
    "reversed", "join", "count", "index", "replace", "split", "str", "bin", "Counter", "lower",
    "upper", "swapcase", "strip", "extend", "remove", "find", "startswith", "endswith",
})
_SORTS = frozenset({"sorted", "sort"})
#: Most never_say phrases a problem gets; the first hints per level kept.
MAX_NEVER_SAY = 6
MAX_HINTS_PER_LEVEL = 3
#: A code expression of the reference is a never_say phrase when it has at
#: least this many words (``sorted(l)`` alone would block "is l sorted?").
_MIN_PHRASE_WORDS = 3


@dataclass
class Shape:
    """What the reference solution's code does, as far as hints and the
    expected complexity need it."""

    sequence_params: list[str] = field(default_factory=list)
    number_params: list[str] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)
    #: The deepest nesting of passes over data (loops, comprehensions,
    #: builtins that read a whole collection).
    depth: int = 0
    sorts: bool = False
    sort_in_loop: bool = False
    while_loop: bool = False
    #: It calls itself, or a helper defined in the prompt or the solution.
    calls_helper: bool = False
    #: A ``for`` over ``range(...)`` of a number (not of a length).
    counts_up_to_number: bool = False
    index_loop: bool = False
    #: A loop (or comprehension) inside another: the items taken two at a time.
    nested: bool = False
    #: Some pass reads an argument (or a value made from one), not only constants.
    reads_input: bool = False
    digits: bool = False
    modulo: bool = False
    depth_counter: bool = False
    reverses: bool = False
    chars: bool = False
    filters: bool = False
    builds: bool = False
    #: Key expressions (returns, conditions) as the reference writes them.
    expressions: list[str] = field(default_factory=list)


def _func_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _ShapeVisitor(ast.NodeVisitor):
    def __init__(self, shape: Shape, entry: str, helpers: set[str], inputs: set[str]) -> None:
        self.shape = shape
        self.entry = entry
        self.helpers = helpers
        #: The arguments and the names assigned from them.
        self.inputs = inputs
        self.loop_depth = 0
        self.loops = 0
        #: Loop variables: a call on one of them reads one item, not the input.
        self.targets: set[str] = set()

    def _enter(self, extra: int = 1, over: ast.AST | None = None) -> None:
        """One more pass (``extra`` nested ones), over ``over`` when known."""
        self.loop_depth += extra
        self.shape.depth = max(self.shape.depth, self.loop_depth)
        if over is not None and _names(over) & self.inputs:
            self.shape.reads_input = True

    def _pass(self, over: ast.AST) -> None:
        """A builtin's pass over ``over`` (sorted, sum, a slice, ``in``): one
        level below the loops it is in; its arguments are read before it."""
        self._enter(over=over)
        self.loop_depth -= 1

    def _loop(self, extra: int = 1) -> None:
        self.loops += extra
        self.shape.nested = self.shape.nested or self.loops > 1

    def visit_For(self, node: ast.For) -> None:
        it = node.iter
        if isinstance(it, ast.Call) and _func_name(it) == "range":
            lengths = [n for a in it.args for n in ast.walk(a)
                       if isinstance(n, ast.Call) and _func_name(n) == "len"]
            if lengths:
                self.shape.index_loop = True
            elif not all(isinstance(a, ast.Constant) for a in it.args):
                self.shape.counts_up_to_number = True  # as many rounds as a value says
        self.visit(it)
        self.targets |= _names(node.target)
        self._enter(over=it)
        self._loop()
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)
        self.loop_depth -= 1
        self.loops -= 1

    def visit_While(self, node: ast.While) -> None:
        self.shape.while_loop = True
        self._enter()
        self._loop()
        self.generic_visit(node)
        self.loop_depth -= 1
        self.loops -= 1

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        for gen in node.generators:
            self.visit(gen.iter)
            self.targets |= _names(gen.target)
            self.shape.filters = self.shape.filters or bool(gen.ifs)
        self._enter(len(node.generators), over=node.generators[0].iter)
        self._loop(len(node.generators))
        for gen in node.generators:
            for cond in gen.ifs:
                self.visit(cond)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for part in parts:
            self.visit(part)
        self.loop_depth -= len(node.generators)
        self.loops -= len(node.generators)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self.shape.builds = True
        self._comprehension(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self.shape.builds = True
        self._comprehension(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self.shape.builds = True
        self._comprehension(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _func_name(node)
        self.shape.calls.add(name)
        if name == self.entry or name in self.helpers:
            self.shape.calls_helper = True
        if name in _SORTS:
            self.shape.sorts = True
            self.shape.sort_in_loop = self.shape.sort_in_loop or self.loop_depth > 0
        if name in ("ord", "chr"):
            self.shape.chars = True
        if name in ("sorted", "list", "set", "dict", "append", "join", "split", "Counter", "str"):
            self.shape.builds = True
        if name == "filter":
            self.shape.filters = True
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        read = [*node.args, *([receiver] if receiver is not None else [])]
        one_item = all(_names(arg) <= self.targets for arg in read if not isinstance(arg, ast.Constant))
        if name in _LINEAR_CALLS and read and not one_item:
            self._pass(receiver if receiver is not None else node.args[0])
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for op, right in zip(node.ops, node.comparators, strict=True):
            literal = isinstance(right, (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict))
            if isinstance(op, (ast.In, ast.NotIn)) and not literal and not _names(right) <= self.targets:
                self._pass(right)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, (ast.Mod, ast.FloorDiv)):
            ten = isinstance(node.right, ast.Constant) and node.right.value == 10
            self.shape.digits = self.shape.digits or ten
            self.shape.modulo = self.shape.modulo or (isinstance(node.op, ast.Mod) and not ten)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.Sub) and isinstance(node.value, ast.Constant) and node.value.value == 1:
            self.shape.depth_counter = True
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        sl = node.slice
        if isinstance(sl, ast.Slice) and isinstance(sl.step, ast.UnaryOp) \
                and isinstance(sl.step.op, ast.USub):
            self.shape.reverses = True
        if isinstance(sl, ast.Slice):
            self.shape.builds = True
            self._pass(node.value)  # a slice copies
        self.generic_visit(node)


def _param_kinds(fn: ast.FunctionDef | ast.AsyncFunctionDef, examples: Sequence[tuple[Any, ...]]
                 ) -> tuple[list[str], list[str]]:
    """(sequence parameters, number parameters), from the annotations, else
    from the values the examples pass."""
    sequences: list[str] = []
    numbers: list[str] = []
    args = [*fn.args.posonlyargs, *fn.args.args]
    for i, arg in enumerate(args):
        note = ast.unparse(arg.annotation).lower() if arg.annotation is not None else ""
        values = [ex[i] for ex in examples if i < len(ex)]
        if re.match(r"(?:list|tuple|str|dict|set)\b", note) or (
                values and all(isinstance(v, (list, tuple, str, dict)) for v in values)):
            sequences.append(arg.arg)
        elif re.match(r"(?:int|float)\b", note) or (
                values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)):
            numbers.append(arg.arg)
    return sequences, numbers


def reference_shape(source: str, entry: str, examples: Sequence[tuple[Any, ...]] = ()) -> Shape:
    """The shape of ``entry`` in ``source`` (the prompt and the canonical solution)."""
    tree = ast.parse(source)
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    fn = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and n.name == entry)
    shape = Shape()
    shape.sequence_params, shape.number_params = _param_kinds(fn, examples)
    inputs = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args]}
    assigns = [n for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))]
    for _ in range(3):  # names made from names made from the arguments
        for node in assigns:
            if node.value is not None and _names(node.value) & inputs:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                inputs |= {name for t in targets for name in _names(t)}
    visitor = _ShapeVisitor(shape, entry, defined | {entry}, inputs)
    for stmt in fn.body:
        visitor.visit(stmt)
    # Nested helpers are the solution's own code: their calls are the reference's shape.
    shape.calls_helper = shape.calls_helper or any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not fn for n in ast.walk(fn))
    for ret in ast.walk(fn):
        if isinstance(ret, ast.Return) and ret.value is not None \
                and not isinstance(ret.value, (ast.Name, ast.Constant)):
            shape.expressions.append(ast.unparse(ret.value))
    return shape


# ------------------------------------------------------------ complexity


def expected_time(shape: Shape, docstring: str, returns_list: bool) -> str | None:
    """The time class the reference's shape settles, or None.

    Only where no faster solution can exist: ``O(1)`` for arithmetic on
    numbers with no pass over anything; ``O(n)`` for a single pass over a
    list or string argument (a solution must read the input once); and
    ``O(n log n)`` for a sort whose sorted order is what the statement asks
    for (``returns_list``: the examples return lists). Anything that loops over a number's value, repeats until a
    condition, recurses or nests passes (a better solution may exist, the
    reference is not always the fastest) gets none, so it is not judged.
    """
    if shape.while_loop or shape.calls_helper or shape.counts_up_to_number or shape.sort_in_loop:
        return None
    if shape.depth == 0 and shape.number_params and not shape.sequence_params:
        return "O(1)"
    if not shape.sequence_params or shape.depth != 1 or not shape.reads_input:
        return None
    if not shape.sorts:
        return "O(n)"
    if returns_list and re.search(r"\bsort(?:ed)?\b|\bascending\b|\bdescending\b", docstring,
                                  re.IGNORECASE):
        return "O(n log n)"
    return None


def expected_space(shape: Shape) -> str:
    return "O(n)" if shape.builds else "O(1)"


# ----------------------------------------------------------- constraints

_ASSUMES = re.compile(r"\b(?:you (?:may|can) assume|assumed?|guaranteed?|will always|is always|"
                      r"are always|at least|at most|never)\b", re.IGNORECASE)
_MAX_CONSTRAINT = 160


def derive_constraints(sentences: Iterable[str]) -> list[str]:
    """The statement's bounds (``1 <= len(arr) <= 1000``) and what it says
    may be assumed of the input, each once, as the statement words it."""
    found: list[str] = []
    for sentence in sentences:
        bounds = [b.text for b in constraint_bounds(sentence)]
        if bounds:
            found += bounds
        elif _ASSUMES.search(sentence) and len(sentence) <= _MAX_CONSTRAINT \
                and not re.search(r"\breturns?\b|\boutput\b", sentence, re.IGNORECASE):
            found.append(sentence.rstrip(" .") + ".")
    unique: list[str] = []
    for text in found:
        if text not in unique:
            unique.append(text)
    return unique[:4]


# ----------------------------------------------------------------- hints


@dataclass(frozen=True)
class _Idea:
    level_2: str
    level_3: str
    #: What would give the idea away, for never_say ("" when nothing does).
    giveaway: str = ""


def _ideas(shape: Shape, p: str, n: str) -> list[_Idea]:
    """The ideas the reference's shape shows, most telling first. ``p`` is
    the main list or string argument, ``n`` the main number argument."""
    ideas: list[_Idea] = []
    calls = shape.calls
    if shape.depth_counter and shape.depth >= 1:
        ideas.append(_Idea(
            f"Reading `{p}` from left to right, what single number would tell you where you are?",
            "What happens to that number at an opening and at a closing symbol, "
            "and what does it mean when it drops below zero?",
            "keep a counter of the depth that goes up and down"))
    if shape.sorts:
        ideas.append(_Idea(
            f"Would `{p}` be easier to work with if its values were in order?",
            f"Once `{p}` is in order, where does the answer sit, and what is left to do?",
            "sort the values first and then read the answer off"))
    if "Counter" in calls or "count" in calls or ("dict" in calls and shape.depth >= 1):
        ideas.append(_Idea(
            f"What would you want to know about how often each value of `{p}` appears?",
            f"If you had a tally for each value of `{p}`, which tallies decide the answer?",
            "count how many times each value appears"))
    if "set" in calls:
        ideas.append(_Idea(
            "How would you know, at each step, whether you have met a value before?",
            "Which collection of the values seen so far lets you check that in one step?",
            "keep a set of the values already seen"))
    if shape.nested and not shape.sorts:
        ideas.append(_Idea(
            f"Is it enough to look at the items of `{p}` two at a time? Which pairs do you need?",
            f"For each item of `{p}`, which other items do you compare it with, and what do you check?",
            "compare every pair of items with two loops"))
    if shape.reverses or "reversed" in calls:
        ideas.append(_Idea(
            f"What does `{p}` look like read backwards, and does that help here?",
            "What do you compare the backwards version with, and what does a match tell you?",
            "compare it with its reverse"))
    if shape.chars:
        ideas.append(_Idea(
            "How could you turn a letter into a number you can do arithmetic on, and back again?",
            "What happens at the end of the alphabet: how do you wrap around to the start?",
            "convert each character with ord and chr"))
    if shape.digits or ("str" in calls and shape.number_params):
        ideas.append(_Idea(
            f"How could you get at the digits of `{n}` one at a time?",
            "What does the remainder of a division by 10 give you, and what does whole division "
            "by 10 leave behind? Or could the number be read as text?",
            "take the digits off with modulo ten"))
    if "split" in calls or "join" in calls:
        ideas.append(_Idea(
            f"What are the pieces of `{p}` you have to look at: characters, words, or groups?",
            "Once you have handled each piece, how do you put the answer back together?",
            "split it into words and join them back"))
    if "any" in calls or "all" in calls:
        ideas.append(_Idea(
            "Does a single item settle the answer, or must every item pass a test?",
            "What test must each item pass, and when can you stop looking?"))
    if "max" in calls or "min" in calls:
        ideas.append(_Idea(
            "Is the answer the largest or the smallest of something? Of what, exactly?",
            "Which values do you compare to find it, and how do you keep the best one so far?"))
    if "sum" in calls:
        ideas.append(_Idea(
            "Is the answer a total? A total of what, item by item?",
            "Which items count towards the total, and what does each one add?"))
    if shape.modulo:
        ideas.append(_Idea(
            "Does divisibility or a remainder decide anything here?",
            "Which remainder do you test, and for which values?"))
    if shape.index_loop or "enumerate" in calls:
        ideas.append(_Idea(
            f"Does the position of an item in `{p}` matter, not only its value?",
            "Which positions do you look at (even, odd, neighbours), and what do you do there?"))
    if shape.filters:
        ideas.append(_Idea(
            f"Which items of `{p}` belong in the answer, and which are left out?",
            f"What exact test decides whether an item of `{p}` is kept?"))
    if shape.while_loop:
        ideas.append(_Idea(
            "Is there a step you repeat until something changes? When does it stop?",
            "What do you update on each round, and what ends the repetition?"))
    if shape.calls_helper:
        ideas.append(_Idea(
            "Is there a smaller question whose answer would make this one easy?",
            "Could you write that smaller piece as a function of its own first, and test it alone?"))
    if shape.counts_up_to_number:
        ideas.append(_Idea(
            f"Which whole numbers up to `{n}` does the answer depend on?",
            "If you went through those numbers one by one, what would you check or add for each?"))
    if shape.depth == 0:
        ideas.append(_Idea(
            "Can you work the smallest cases by hand and spot a pattern or a formula?",
            "Put the answers for the smallest inputs side by side: what arithmetic turns "
            "each input into its answer?"))
    elif not ideas or (shape.depth == 1 and not shape.nested and len(ideas) < 2):
        ideas.append(_Idea(
            f"If you went through `{p}` once, from the start, what would you need to remember?",
            f"What do you keep in a variable while you walk through `{p}`, and when do you update it?"))
    return ideas


_KIND_NAMES = {bool: "True or False", int: "an integer", float: "a number", str: "a string",
               list: "a list", tuple: "a tuple", dict: "a dictionary", type(None): "None"}


@dataclass(frozen=True)
class ShownExample:
    """A kept example as the statement writes it."""

    call_text: str
    value_text: str
    expected: Any


def candidate_hints(entry: str, params: list[str], shape: Shape, shown: Sequence[ShownExample],
                    clarified: Iterable[str], *, several_right: bool = False) -> dict[str, list[str]]:
    """Hints for one problem, best first per level, before the leak filter.
    With ``several_right`` (the check accepts more than one answer), an
    example's value is one right answer, not the one to reach."""
    p = (shape.sequence_params or params or ["the input"])[0]
    n = (shape.number_params or params or ["the number"])[0]
    names = ", ".join(f"`{name}`" for name in params) or "nothing"
    kinds = []
    for ex in shown:
        kind = _KIND_NAMES.get(type(ex.expected))
        if kind and kind not in kinds:
            kinds.append(kind)
    gives = " or ".join(kinds[:2]) if kinds else "what the statement asks for"
    level_1 = [f"What does `{entry}` receive ({names}) and what must it give back ({gives})? "
               "Say it in your own words first."]
    if shown:
        ex = shown[0]
        level_1.append(f"Look at `{ex.call_text}`: why is `{ex.value_text}` a right answer?"
                       if several_right else
                       f"Look at `{ex.call_text}`: why is the answer `{ex.value_text}`?")
    clarified = set(clarified)
    if "empty" in clarified:
        level_1.append(f"What must `{entry}` give back when `{p}` is empty?")
    else:
        level_1.append(f"Which small inputs would you check `{entry}` with first, and what should "
                       "each one give?")
    ideas = _ideas(shape, p, n)
    level_2 = [idea.level_2 for idea in ideas]
    level_3 = [idea.level_3 for idea in ideas]
    if shown:
        ex = shown[-1]
        level_3.append(f"Work `{ex.call_text}` by hand until you reach an answer that holds "
                       f"(`{ex.value_text}` is one; any other right one will do too): the steps you "
                       "take are your algorithm." if several_right else
                       f"Work `{ex.call_text}` by hand until you reach `{ex.value_text}`: "
                       "the steps you take are your algorithm.")
    return {"level_1": level_1, "level_2": level_2, "level_3": level_3}


def candidate_never_say(shape: Shape, entry: str, params: list[str]) -> list[str]:
    """Phrases that would give this problem's answer away: the key ideas in
    words and the reference's return expressions as code."""
    p = (shape.sequence_params or params or ["the input"])[0]
    phrases = [idea.giveaway for idea in _ideas(shape, p, p) if idea.giveaway]
    for expression in shape.expressions:
        words = re.findall(r"[A-Za-z_]\w*|\d+", expression)
        if len(words) >= _MIN_PHRASE_WORDS and len(expression) <= 120:
            phrases.append(expression)
    unique: list[str] = []
    for phrase in phrases:
        if phrase not in unique:
            unique.append(phrase)
    return unique


def _never_say_flags(problem: Problem, phrase: str, text: str) -> bool:
    one = replace(problem, hints=problem.hints.model_copy(update={"never_say": [phrase]}))
    return any(r.startswith("never_say") for r in LeakFilter(one).reasons(text))


@dataclass(frozen=True)
class DerivedHints:
    hints: HintSpec
    #: Candidate hints the leak filter stopped (not written).
    filtered: int


def settle_hints(problem: Problem, candidates: dict[str, list[str]], never_say: list[str],
                 public_text: str, fallback: dict[str, list[str]]) -> DerivedHints:
    """The hints and never_say to write: never_say phrases that the public
    text (statement, examples, clarifications) already says are dropped (the
    coach must stay free to quote the statement); then every hint the leak
    filter flags, with those never_say phrases, is dropped. A level left
    empty takes the fallback's lines that pass."""
    kept_phrases = [phrase for phrase in never_say
                    if not _never_say_flags(problem, phrase, public_text)][:MAX_NEVER_SAY]
    fallback_spec = HintSpec.model_validate({**fallback, "never_say": kept_phrases})
    checked = replace(problem, hints=fallback_spec)
    leaks = LeakFilter(checked)
    levels: dict[str, list[str]] = {}
    filtered = 0
    for level in ("level_1", "level_2", "level_3"):
        passing = []
        for hint in candidates[level]:
            if leaks.reasons(hint):
                filtered += 1
            elif hint not in passing:
                passing.append(hint)
        if not passing:
            passing = [hint for hint in fallback[level] if not leaks.reasons(hint)]
        levels[level] = passing[:MAX_HINTS_PER_LEVEL]
    spec = HintSpec.model_validate({**levels, "never_say": kept_phrases})
    return DerivedHints(spec, filtered)
