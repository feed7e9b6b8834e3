"""``problems validate``: a pack is valid when it loads cleanly, its links
name real problems, its facts for the coach (clarifications and pitfalls)
neither contradict the problem nor give the answer away, and every
reference solution passes all its tests (in the real sandbox) within its
expected complexity. A problem with no clarifications is only warned about.
A question bank is valid when it loads cleanly and passes
``bank_checks.bank_issues`` (its coverage gaps are warnings)."""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_interviewer_lab.harness.outcome import CaseOutcome
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.interview.rules.pitfalls import _flat
from mock_interviewer_lab.interview.rules.vocabulary import split_sentences
from mock_interviewer_lab.problems.bank_checks import bank_issues
from mock_interviewer_lab.problems.loader import PackIssue, Problem, field_path
from mock_interviewer_lab.problems.model import HINT_LEVELS
from mock_interviewer_lab.problems.registry import ProblemRegistry, expand_pack_dirs
from mock_interviewer_lab.settings import Settings

#: A growth measurement can only look worse than the truth when the machine
#: is busy, never better: a reference that measures worse is measured again.
COMPLEXITY_ATTEMPTS = 3


@dataclass
class ProblemValidation:
    problem: str
    ok: bool
    tests: str = ""
    complexity: str = ""
    messages: list[str] = field(default_factory=list)


@dataclass
class BankValidation:
    """A question bank that loaded: its name, how many questions, for which
    stages, and how many errors ``bank_checks`` found in it."""

    bank: str
    questions: int
    stages: list[str]
    errors: int = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0


@dataclass
class ValidationReport:
    problems: list[ProblemValidation] = field(default_factory=list)
    issues: list[PackIssue] = field(default_factory=list)
    #: Worth fixing, but not errors: they do not make the report fail.
    warnings: list[PackIssue] = field(default_factory=list)
    banks: list[BankValidation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (not self.issues and all(p.ok for p in self.problems)
                and bool(self.problems or self.banks))

    @property
    def error_count(self) -> int:
        return len(self.issues) + sum(not p.ok for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "issues": [str(i) for i in self.issues],
            "warnings": [str(w) for w in self.warnings],
            "problems": [vars(p) for p in self.problems],
            "banks": [{**vars(b), "ok": b.ok} for b in self.banks],
        }


def _link_issues(problems: Sequence[Problem], known: set[str]) -> list[PackIssue]:
    issues = []
    for p in problems:
        for key in ("prerequisites", "harder_variants"):
            for ref in getattr(p.spec, key):
                if ref not in known:
                    issues.append(PackIssue(f"{p.path.name}/problem.yaml",
                                            f"names {ref!r}, which no loaded pack has", field=key))
    return issues


def validate_packs(
    paths: Sequence[Path],
    settings: Settings,
    *,
    complexity: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    from mock_interviewer_lab.harness.runner import SyncHarness, batch_workers

    dirs = [d for p in paths for d in expand_pack_dirs(p)]
    report = ValidationReport()
    if not dirs:
        report.issues = [PackIssue(str(p), "holds no pack.yaml") for p in paths]
        return report
    reg = ProblemRegistry.from_dirs(dirs)
    report.issues.extend(reg.issues)
    for bank in reg.banks:
        errors, warnings = bank_issues(bank)
        report.issues.extend(errors)
        report.warnings.extend(warnings)
        report.banks.append(BankValidation(bank=bank.name, questions=len(bank.questions),
                                           stages=list(bank.stages()), errors=len(errors)))
    problems = reg.problems()
    known = {p.id for p in problems} | {p.id for p in ProblemRegistry.discover(settings).problems()}
    report.issues.extend(_link_issues(problems, known))
    for problem in problems:
        errors, warnings = fact_issues(problem)
        report.issues.extend(errors)
        report.warnings.extend(warnings)
    # A released pack has no reference to run: the class service keeps it.
    for problem in (p for p in problems if p.released):
        report.problems.append(ProblemValidation(
            problem=problem.qualified_id, ok=True,
            tests=f"{problem.visible_case_count} visible, {problem.tests.held_back} held back "
            "(released: no reference here)"))
    problems = [p for p in problems if not p.released]
    if not problems:
        return report
    total = len(problems)
    done = 0
    if progress:
        progress(0, total)
    with SyncHarness(settings.harness, workers=batch_workers(settings.harness)) as harness:

        def tick(_: Any) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, total)

        # Correctness first, in parallel; growth measurements one at a time,
        # since two of them side by side disturb each other's timings.
        # The author's view: every case run as a visible one, so a failing
        # hidden test shows its input, expected and actual value.
        results = harness.run_many([(author_view(p), p.solution) for p in problems],
                                   complexity=False, progress=tick)
        for problem, result in zip(problems, results, strict=True):
            pv = ProblemValidation(problem=problem.qualified_id, ok=True,
                                   tests=f"{result.passed}/{result.total}")
            if not result.all_passed:
                pv.ok = False
                if result.error:
                    pv.messages.append(result.error)
                pv.messages += [failure_message(problem, c) for c in result.cases
                                if c.status != "passed"]
            if complexity and problem.tests.performance is not None and pv.ok:
                pv.complexity, worse = _check_growth(harness, problem)
                if worse:
                    pv.ok = False
                    pv.messages.append(f"the reference measures {pv.complexity}")
            report.problems.append(pv)
    return report


def author_view(problem: Problem) -> Problem:
    """The problem with every test visible: what validation runs, so that a
    failing hidden test reaches its author with its input and values. Only
    for the author's own checks, never for a candidate's run."""
    t = problem.tests
    tests = t.model_copy(update={
        "cases": [c.model_copy(update={"hidden": False}) for c in t.cases],
        "generated": [g.model_copy(update={"hidden": False}) for g in t.generated],
        "asserts": [a.model_copy(update={"hidden": False}) for a in t.asserts]})
    return dataclasses.replace(problem, tests=tests)


def _test_of(problem: Problem, index: int) -> tuple[str, int, Any]:
    """(section of tests.yaml, position in it, the test) of a run's case index
    (the harness numbers cases, generated cases and checks in one run)."""
    t = problem.tests
    for section, items in (("cases", t.cases), ("generated", t.generated), ("asserts", t.asserts)):
        if index < len(items):
            return section, index, items[index]
        index -= len(items)
    raise IndexError(index)


def _call(function: str, args: Sequence[Any] | None, kwargs: dict[str, Any] | None) -> str:
    parts = [repr(a) for a in args or ()] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return _clip(f"{function}({', '.join(parts)})")


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_message(problem: Problem, case: CaseOutcome) -> str:
    """A test the reference fails, for the author: the test (as schema errors
    name it), its input, the expected and the actual value, or the error."""
    section, position, test = _test_of(problem, case.index)
    label = case_label(section, position, test.name or None, test.hidden)
    text = f"tests.yaml {label}: {case.status}"
    if case.kind == "assert":
        text += f": {_clip(test.check.strip())}"
    else:
        text += f": input {_call(problem.tests.function, case.args, case.kwargs)}"
        text += f", expected {_clip(repr(case.expected))}"
        if case.got_repr is not None:
            text += f", actual {_clip(case.got_repr)}"
    if case.message:
        text += f" ({_clip(case.message)})"
    return text


def _check_growth(harness: Any, problem: Problem) -> tuple[str, bool]:
    text = ""
    for _ in range(COMPLEXITY_ATTEMPTS):
        cx = harness.run(problem, problem.solution, complexity=True).complexity
        if cx is None:
            return "not measured", True
        text = f"{cx.estimated or '?'} (expected {cx.expected})"
        if cx.estimated is not None and not cx.worse_than_expected:
            return text, False
    return text, True


# ------------------------------------------------------------- constraints


@dataclass(frozen=True)
class Bound:
    """What one comparison chain of a constraint says about one name.

    ``2 <= len(nums) <= 10^5`` bounds the length of ``nums``;
    ``-10^9 <= nums[i], target <= 10^9`` the values of ``nums`` and of
    ``target``. ``low_strict`` is set when the lower bound is excluded
    (``n > 0``); a length's strict bound is already made inclusive (``+ 1``).
    ``direct_low`` and ``direct_high`` say the number stands next to the
    name: in ``0 <= k <= len(arr)`` the 0 bounds ``k`` directly, ``len(arr)``
    only through ``k`` (it is at least 0, which does not say it can be 0).
    """

    name: str
    length: bool
    low: float | None
    high: float | None
    low_strict: bool
    text: str
    direct_low: bool = False
    direct_high: bool = False


# A comparison, not an arrow ("->", "=>") nor an equality ("==").
_COMPARISON = re.compile(r"(?<![-=<>])(<=|>=|≤|≥|<(?![=>])|>(?!=))")
_NUMBER_TEXT = re.compile(r"[-+]?\s*[\d(][\d\s^*+\-().×]*")
_LENGTH_TERM = re.compile(r"len\(\s*([A-Za-z_]\w*)((?:\[[^\]]*\])*)\s*\)|([A-Za-z_]\w*)((?:\[[^\]]*\])*)\.length")
_VALUE_TERM = re.compile(r"([A-Za-z_]\w*)(?:(?:\[[^\]]*\])+|\.val(?:ue)?)?")
# A comma that starts another chain: "1 <= len(grid) <= 300, 1 <= len(grid[i])".
_CHAIN_BREAK = re.compile(r";|,\s*(?=[-+]?\d[\d^*\s]*\s*(?:<=|<|≤|>=|>|≥))")


def _number(text: str) -> float | None:
    """``10^5``, ``2^31 - 1``, ``-10**9``, ``2 * 10^5`` as a number."""
    text = text.strip().rstrip(".").replace("^", "**").replace("×", "*")
    if not text or not _NUMBER_TEXT.fullmatch(text) or not re.search(r"\d", text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return None

    def value(node: ast.expr) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Pow) and abs(right) <= 64:
                return float(left**right)
        raise ValueError("not a plain number")

    try:
        result = value(tree.body)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return result if math.isfinite(result) else None


def _split_items(text: str) -> list[str]:
    """``len(a), len(b)`` into its items; commas inside brackets stay."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth <= 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _term(text: str) -> tuple[str, Any] | None:
    """("number", 5.0), ("length", "nums") or ("value", "nums"); None for prose."""
    text = text.strip().strip(".:")
    # An unbalanced bracket at the edge belongs to the prose: "(1 <= i <= k)".
    while text and text[0] in "([" and text.count(text[0]) > text.count(")]"["([".index(text[0])]):
        text = text[1:].strip()
    while text and text[-1] in ")]" and text.count(text[-1]) > text.count("(["[")]".index(text[-1])]):
        text = text[:-1].strip()
    number = _number(text)
    if number is not None:
        return "number", number
    match = _LENGTH_TERM.fullmatch(text)
    if match:
        return "length", (match.group(1) or match.group(3)) + (match.group(2) or match.group(4) or "")
    match = _VALUE_TERM.fullmatch(text)
    if match:
        return "value", match.group(1)
    return None


def _chain_terms(chain: str) -> tuple[list[list[tuple[str, Any]]], list[str]] | None:
    parts = _COMPARISON.split(chain)
    if len(parts) < 3:
        return None
    groups, ops = parts[0::2], parts[1::2]
    terms: list[list[tuple[str, Any]]] = []
    for index, group in enumerate(groups):
        items = _split_items(group)
        if index == 0 and items:  # "with 0 <= a": the prose before the chain
            items = [items[-1]]
        elif index == len(groups) - 1 and items:  # "<= 10^5 nodes": the prose after it
            items = [items[0]]
        found = []
        for item in items:
            term = _term(item)
            if term is None and index in (0, len(groups) - 1) and item.split():
                term = _term(item.split()[-1] if index == 0 else item.split()[0])
            if term is not None:
                found.append(term)
        if not found:
            return None
        terms.append(found)
    upward = {op in ("<=", "<", "≤") for op in ops}
    if len(upward) != 1:
        return None
    if not upward.pop():  # "n > 1" is "1 < n"
        terms.reverse()
        ops.reverse()
    return terms, ops


def constraint_bounds(text: str) -> list[Bound]:
    """The bounds a constraint states, one per name and chain; prose without
    a comparison chain gives none."""
    bounds: list[Bound] = []
    for chain in _CHAIN_BREAK.split(text):
        parsed = _chain_terms(chain)
        if parsed is None:
            continue
        terms, ops = parsed
        for i, group in enumerate(terms):
            for kind, name in group:
                if kind == "number":
                    continue
                lows = [(value, any(op in ("<", ">") for op in ops[j:i]))
                        for j in range(i) for k, value in terms[j] if k == "number"]
                highs = [value for j in range(i + 1, len(terms)) for k, value in terms[j]
                         if k == "number"]
                low, strict = max(lows) if lows else (None, False)
                if kind == "length" and low is not None and strict:
                    low, strict = low + 1, False
                direct_low = i > 0 and any(k == "number" for k, _ in terms[i - 1])
                direct_high = i + 1 < len(terms) and any(k == "number" for k, _ in terms[i + 1])
                bounds.append(Bound(name, kind == "length", low, min(highs) if highs else None,
                                    strict, " ".join(chain.split()).strip(" ."),
                                    direct_low, direct_high))
    return bounds


# -------------------------------------------------------- facts and pitfalls

_YES = re.compile(r"^\W*yes\b", re.IGNORECASE)
_NO = re.compile(r"^\W*no\b", re.IGNORECASE)


def _polarity(answer: str) -> bool | None:
    """True for an answer that starts with "Yes", False for "No", else None."""
    if _YES.match(answer):
        return True
    return False if _NO.match(answer) else None


def call_arguments(text: str) -> tuple[list[Any], dict[str, Any]] | None:
    """An example's input, ``nums = [2, 7], target = 9`` (or bare values), as
    positional and keyword arguments; None unless every one is a literal."""
    try:
        tree = ast.parse(f"_({text.strip().rstrip(',')})", mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not isinstance(tree.body, ast.Call):
        return None
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    try:
        for node in tree.body.args:
            if isinstance(node, ast.Starred):
                return None
            args.append(ast.literal_eval(node))
        for keyword in tree.body.keywords:
            if keyword.arg is None:
                return None
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return args, kwargs


def _check_calls(problem: Problem, check: str) -> Iterator[tuple[str, list[Any]]]:
    """(call, literal arguments) of each call of the candidate in a check
    (``candidate([1, 2, 3], 2)``); calls with other arguments are left out."""
    try:
        tree = ast.parse(check)
    except SyntaxError:
        return
    names = {"candidate", problem.tests.function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            try:
                values = [ast.literal_eval(arg) for arg in node.args]
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            yield ast.unparse(node)[:60], values


def _inputs(problem: Problem) -> list[tuple[str, list[Any], bool]]:
    """(where, argument values, hidden) of every literal input the problem
    has: its cases, its statement's examples, the calls in its checks. The
    cases and examples of a pack whose arguments are encodings
    (``adapt_args``: a tree as a level-order list) are left out."""
    found: list[tuple[str, list[Any], bool]] = []
    if not problem.tests.adapt_args:
        for i, case in enumerate(problem.tests.cases):
            found.append((f"tests.yaml {case_label('cases', i, case.name, case.hidden)}",
                          [*case.args, *case.kwargs.values()], case.hidden))
        for i, example in enumerate(problem.spec.examples):
            parsed = call_arguments(example.input)
            if parsed is not None:
                found.append((f"example {i + 1} ({example.input})",
                              [*parsed[0], *parsed[1].values()], False))
    for check in problem.tests.asserts:
        for call, values in _check_calls(problem, check.check):
            kind = "a hidden check" if check.hidden else "a check"
            found.append((f"tests.yaml {kind}'s call {call}", values, check.hidden))
    return found


def case_label(section: str, index: int, name: str | None, hidden: bool) -> str:
    """One test of tests.yaml as every message names it: its list and
    1-based position (as schema errors count), then its name:
    ``cases.5 'negative target' (hidden)``."""
    return (field_path([section, index]) + (f" {name!r}" if name else "")
            + (" (hidden)" if hidden else ""))


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)


def _scalar_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, (int, float, str)) and not isinstance(item, bool) for item in value)


def _first_shown(shown: list[tuple[str, list[Any]]], test: Callable[[Any], bool]) -> str | None:
    for where, values in shown:
        if any(test(value) for value in values):
            return where
    return None


def _params(problem: Problem) -> list[str]:
    try:
        tree = ast.parse(problem.signature)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.name == problem.tests.function:
            return [a.arg for a in [*node.args.posonlyargs, *node.args.args] if a.arg != "self"]
    return []


def _contradictions(problem: Problem) -> Iterator[tuple[str, str]]:
    """(topic, why) for each clarification whose yes or no the problem's
    own constraints or inputs contradict. Only mechanical readings: a
    comparison chain (``1 <= len(nums)``), a literal argument of a case, an
    example or a check's call (hidden ones too: the answer would mislead),
    a constraint that says the input is sorted."""
    facts = problem.spec.clarifications
    bounds = [b for c in problem.spec.constraints for b in constraint_bounds(c)]
    params = set(_params(problem))
    lengths = [b for b in bounds if b.length and "[" not in b.name]
    ranges = [b for b in bounds if not b.length]
    shown = [(where, values) for where, values, _ in _inputs(problem)]

    def says(topic: str) -> bool | None:
        return _polarity(facts[topic]) if topic in facts else None

    def empty(v: Any) -> bool:
        return isinstance(v, (list, tuple, str, dict)) and len(v) == 0

    def single(v: Any) -> bool:
        return isinstance(v, (list, tuple)) and len(v) == 1

    def negative(v: Any) -> bool:
        return any(n < 0 for n in _numbers(v))

    def unsorted(v: Any) -> bool:
        return (_scalar_list(v) and len({type(x) for x in v}) <= 1
                and list(v) != sorted(v) and list(v) != sorted(v, reverse=True))

    if lengths:
        first = f'the constraint "{lengths[0].text}"'
        if says("empty") is True and all((b.low or 0) >= 1 for b in lengths) \
                and not _first_shown(shown, empty):
            yield "empty", f"says it can be empty, but {first} says otherwise"
        if says("single") is True and all((b.low or 0) >= 2 for b in lengths) \
                and not _first_shown(shown, single):
            yield "single", f"says one element is possible, but {first} says otherwise"
    if says("empty") is False:
        if where := _first_shown(shown, empty):
            yield "empty", f"says it is never empty, but {where} has an empty argument"
        elif lengths and all(b.direct_low and b.low == 0 for b in lengths):
            yield "empty", f'says it is never empty, but the constraint "{lengths[0].text}" allows 0'
    if says("single") is False:
        if where := _first_shown(shown, single):
            yield "single", f"says there is never a single element, but {where} has one"
        elif lengths and all(b.direct_low and b.low is not None and b.low <= 1 for b in lengths):
            yield "single", (f"says there is never a single element, but the constraint "
                             f'"{lengths[0].text}" allows one')
    if says("negatives") is False:
        below = [b for b in ranges if b.direct_low and b.low is not None and b.low < 0]
        if below:
            yield "negatives", f'says no, but the constraint "{below[0].text}" allows negative values'
        elif where := _first_shown(shown, negative):
            yield "negatives", f"says no, but {where} has a negative number"
    if says("negatives") is True and params and params <= {b.name for b in ranges} \
            and all(b.low is not None and b.low >= 0 for b in ranges) \
            and not _first_shown(shown, negative):
        yield "negatives", f'says yes, but the constraint "{ranges[0].text}" allows none'
    if says("zero") is False:
        allows = [b for b in ranges if b.direct_low and b.low is not None and b.name in params
                  and (b.low < 0 or (b.low == 0 and not b.low_strict))
                  and (b.high is None or b.high >= 0)]
        if where := _first_shown(shown, lambda v: any(n == 0 for n in _numbers(v))):
            yield "zero", f"says no, but {where} has a zero"
        elif allows and params <= {b.name for b in allows}:
            yield "zero", f'says no, but the constraint "{allows[0].text}" allows 0'
    if says("duplicates") is False and (
        where := _first_shown(shown, lambda v: _scalar_list(v) and len(set(v)) < len(v))
    ):
        yield "duplicates", f"says no, but {where} has a repeated value"
    if says("sorted") is True and (where := _first_shown(shown, unsorted)):
        yield "sorted", f"says yes, but {where} is not sorted"
    if says("sorted") is False:
        stated = [c for c in problem.spec.constraints
                  if re.search(r"\bsorted\b", c, re.IGNORECASE)
                  and not re.search(r"\bnot\b|\bno particular\b", c, re.IGNORECASE)]
        if stated:
            yield "sorted", f'says no, but the constraint "{stated[0]}" says it is sorted'


def _distinctive(value: Any) -> list[str]:
    """How a test input would read if an answer stated it: a list of two or
    more values, or a string of four or more characters (a number or a short
    string is too common to tell)."""
    if isinstance(value, (list, tuple)) and len(value) >= 2:
        return [re.sub(r"\s+", "", repr(list(value))).replace("'", '"')]
    if isinstance(value, str) and len(value.strip()) >= 4:
        return [f'"{value}"', f"'{value}'"] + ([value] if len(value) >= 8 else [])
    return []


def _hidden_inputs(problem: Problem) -> list[Any]:
    """The argument values of hidden cases and of the calls in hidden checks."""
    return [value for _, values, hidden in _inputs(problem) if hidden for value in values]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("'", '"')


def _states_hidden_input(text: str, hidden: list[Any], public: str) -> str | None:
    """The first hidden input ``text`` states that the public text does not."""
    said = _squash(text)
    for value in hidden:
        for form in _distinctive(value):
            squashed = _squash(form)
            if squashed in said and squashed not in public:
                return form
    return None


def _public_text(problem: Problem) -> str:
    spec = problem.spec
    parts = [spec.statement, *spec.constraints, problem.signature]
    parts += [f"{e.input} {e.output} {e.explanation}" for e in spec.examples]
    parts += [repr([*c.args, *c.kwargs.values()]) for c in problem.tests.cases if not c.hidden]
    return _squash("\n".join(parts))


def _line_of(match: re.Match[str], source: str) -> str:
    line = source.count("\n", 0, match.start()) + 1
    return f"line {line}: {source.splitlines()[line - 1].strip()[:60]}"


#: A line that says an idea fails names a wrong idea, not the right one.
_NEGATED = re.compile(r"\b(?:not|no|never|fails?|wrong|instead|won't|doesn't|don't|isn't|can't)\b",
                      re.IGNORECASE)


def _pitfall_issues(problem: Problem, where: str) -> Iterator[PackIssue]:
    spec, hints = problem.spec, problem.hints
    # The right idea in words: the key terms, and the never_say and last-rung
    # hint lines that state it (not the ones that say an idea fails).
    right_ideas = [(term, "key_terms") for term in spec.key_terms]
    right_ideas += [(line, source) for source, lines in (("never_say", hints.never_say),
                                                         ("level_3", hints.level_3))
                    for line in lines if not _NEGATED.search(line)]
    for i, pitfall in enumerate(hints.pitfalls):
        name = f"pitfalls.{i + 1}"
        for j, pattern in enumerate(pitfall.code):
            try:
                compiled = re.compile(pattern, re.MULTILINE)
            except re.error as exc:  # the schema reports it too; never crash on it
                yield PackIssue(f"{where}/hints.yaml", f"is not a regular expression: {exc}",
                                field=f"{name}.code.{j + 1}")
                continue
            for file, source in (("the reference solution.py", problem.solution),
                                 ("the stub signature.py", problem.signature)):
                if match := compiled.search(source):
                    yield PackIssue(
                        f"{where}/hints.yaml",
                        f"{pattern!r} matches {file} ({_line_of(match, source)}), "
                        "so it would fire on right code",
                        field=f"{name}.code.{j + 1}")
        for j, phrase in enumerate(pitfall.says):
            flat = _flat(phrase)
            for idea, source in right_ideas:
                if flat and f" {flat} " in f" {_flat(idea)} ":
                    yield PackIssue(
                        f"{where}/hints.yaml",
                        f"{phrase!r} is also in {source} ({idea!r}), so it would fire when the "
                        "candidate says the right idea", field=f"{name}.says.{j + 1}")
                    break
        if not pitfall.question.strip().rstrip("\"')»”").endswith("?"):
            yield PackIssue(f"{where}/hints.yaml", "is not a question (it must end with '?'): "
                            f"{pitfall.question!r}", field=f"{name}.question")


def fact_issues(problem: Problem) -> tuple[list[PackIssue], list[PackIssue]]:
    """(errors, warnings) about a problem's facts for the coach:

    - a clarification that the problem's own constraints or inputs contradict;
    - a clarification or pitfall question that states a hidden test input,
      or that the coach's leak filter stops (reference code, the key idea,
      a never_say phrase);
    - a pitfall code pattern that matches the reference solution or the
      stub, a pitfall phrase that names the right idea (a key term, or a
      never_say or level_3 line that states it), a pitfall question that is
      not a question;
    - a warning for a problem without clarifications.
    """
    where = problem.path.name
    errors: list[PackIssue] = []
    warnings: list[PackIssue] = []
    facts = problem.spec.clarifications
    if not facts:
        warnings.append(PackIssue(f"{where}/problem.yaml", "none: the coach can answer no "
                                  "clarifying question from facts", field="clarifications"))
    for topic, why in _contradictions(problem):
        errors.append(PackIssue(f"{where}/problem.yaml", f"{why}: {facts[topic]!r}",
                                field=f"clarifications.{topic}"))
    leaks = LeakFilter(problem)
    hidden = _hidden_inputs(problem)
    public = _public_text(problem)
    said: list[tuple[str, str, str]] = [
        ("problem.yaml", f"clarifications.{topic}", answer) for topic, answer in facts.items()]
    said += [("hints.yaml", f"pitfalls.{i + 1}.question", p.question)
             for i, p in enumerate(problem.hints.pitfalls)]
    for file, name, text in said:
        stated = _states_hidden_input(text, hidden, public)
        if stated:
            errors.append(PackIssue(f"{where}/{file}", f"states the hidden test input {stated}",
                                    field=name))
        for reason in leaks.reasons(text):
            errors.append(PackIssue(f"{where}/{file}", f"the leak filter stops it: {reason}",
                                    field=name))
    errors.extend(_pitfall_issues(problem, where))
    hint_errors, hint_warnings = hint_issues(problem, leaks)
    errors.extend(hint_errors)
    warnings.extend(hint_warnings)
    return errors, warnings


def _quotable(problem: Problem) -> list[tuple[str, str]]:
    """(where, sentence) of the public problem text the coach may quote."""
    spec = problem.spec
    parts = [("problem.yaml statement", spec.statement), ("problem.yaml title", spec.title)]
    parts += [(f"problem.yaml constraints.{i + 1}", c) for i, c in enumerate(spec.constraints)]
    parts += [(f"problem.yaml examples.{i + 1}.explanation", e.explanation)
              for i, e in enumerate(spec.examples) if e.explanation]
    return [(where, sentence) for where, text in parts for sentence in split_sentences(text)
            if sentence.strip()]


def hint_issues(problem: Problem, leaks: LeakFilter | None = None
                ) -> tuple[list[PackIssue], list[PackIssue]]:
    """(errors, warnings) from the coach's own leak filter (the one every
    message passes at run time) run over the problem's hints and never_say:

    - a hint line the filter stops whatever the candidate has said (a
      forbidden pattern, a never_say phrase, code, a run of the reference
      solution) is an error: that hint is never shown, a generic question is;
    - a hint line that names a key term is a warning: it is shown only once
      the candidate has named the idea themselves;
    - a never_say phrase the statement, a constraint or an example's
      explanation says is a warning: the coach can never quote that
      sentence (the phrase may still guard an idea the sentence does not
      give away, so only the author can tell which to reword);
    - a never_say phrase a key term alone says is a warning: the coach can
      never name the idea, even after the candidate has.
    """
    leaks = leaks or LeakFilter(problem)
    file = f"{problem.path.name}/hints.yaml"
    errors: list[PackIssue] = []
    warnings: list[PackIssue] = []
    # Said by the candidate, a key term no longer trips the filter: what is
    # left fires whatever they say.
    terms_said = "\n".join(problem.spec.key_terms)
    for level in range(1, HINT_LEVELS + 1):
        for j, line in enumerate(problem.hints.level(level)):
            always = leaks.reasons(line, candidate_said=terms_said)
            for reason in leaks.reasons(line):
                if reason in always:
                    errors.append(PackIssue(
                        file, f"the leak filter stops this hint, so the candidate gets a generic "
                        f"question instead: {reason}", field=f"level_{level}.{j + 1}"))
                else:
                    warnings.append(PackIssue(
                        file, f"the leak filter stops this hint until the candidate has named "
                        f"the idea: {reason}", field=f"level_{level}.{j + 1}"))
    phrases = {phrase: k for k, phrase in enumerate(problem.hints.never_say)}
    for where, sentence in _quotable(problem):
        for phrase, score in leaks.never_say_matches(sentence):
            warnings.append(PackIssue(
                file, f"{phrase!r} is close ({score:.2f}) to the {where} "
                f"({sentence.strip()[:80]!r}): the leak filter would stop the coach quoting it",
                field=f"never_say.{phrases[phrase] + 1}"))
    for term in problem.spec.key_terms:
        for phrase, score in leaks.never_say_matches(term):
            warnings.append(PackIssue(
                file, f"{phrase!r} matches the key term {term!r} alone ({score:.2f}): the coach "
                "could never name the idea, even after the candidate has",
                field=f"never_say.{phrases[phrase] + 1}"))
    return errors, warnings
