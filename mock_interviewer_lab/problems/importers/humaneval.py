"""Import OpenAI's HumanEval (JSONL, gzipped or not) as a problem pack.

Each line of the file is one task: ``task_id``, ``prompt`` (imports, helper
functions and the entry point's stub with its docstring), ``entry_point``,
``canonical_solution`` (the body that completes the prompt) and ``test`` (a
``check(candidate)`` function of asserts). Each task becomes one problem:

- ``signature.py`` is the prompt, ``solution.py`` the prompt plus the
  canonical solution;
- the statement is the entry point's docstring, with its examples in code
  blocks; an example whose value the canonical solution disagrees with is
  corrected there to the solution's value, or taken out when the solution
  cannot run it (see :func:`settle_examples`), so the statement shows no
  example the cases do not hold;
- the visible test cases are the docstring's examples whose arguments and
  value are plain literals (see :data:`ExampleStyle` for the forms read);
  where the task's check judges a property of the answer rather than one
  value (HumanEval/32: any root), they are judged by ``checker.py``, that
  property lifted out of the check (see :mod:`.answer_check`);
- the hints, ``never_say``, constraints and expected complexity are
  derived per problem (see :mod:`.derive`); every hint passes the coach's
  leak filter;
- the hidden test is the task's own ``check``, run by the harness as an
  assert case whose ``setup`` is the prompt without the entry point's stub
  (imports and helpers such as ``encode_cyclic`` or ``poly``);
- the ``clarifications`` (the coach's answers to clarifying questions) are
  what the docstring states and its kept examples show, and nothing else
  (see :func:`derive_clarifications`);
- a LICENSE file beside pack.yaml carries HumanEval's MIT notice.

The canonical solutions are executed in this process to check the examples:
import only files you trust (HumanEval itself, or your own tasks).
"""

from __future__ import annotations

import ast
import builtins
import copy
import gzip
import inspect
import json
import math
import os
import re
import shutil
import tempfile
import textwrap
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from keyword import kwlist
from pathlib import Path
from typing import Any, Literal

import yaml

from mock_interviewer_lab.harness.compare import judge
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.importers.answer_check import (
    CHECKER_NAME,
    AnswerCheck,
    judge_answers,
    load_checker,
)
from mock_interviewer_lab.problems.importers.derive import (
    DerivedHints,
    Shape,
    ShownExample,
    candidate_hints,
    candidate_never_say,
    derive_constraints,
    expected_space,
    expected_time,
    reference_shape,
    settle_hints,
)
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import (
    CLARIFICATION_TOPICS,
    ID_PATTERN,
    HintSpec,
    PackMeta,
    ProblemSpec,
    TestSpec,
)
from mock_interviewer_lab.problems.validate import call_arguments, constraint_bounds

try:  # libyaml's emitter is ten times faster than the pure-Python one
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

GZIP_MAGIC = b"\x1f\x8b"
REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "canonical_solution", "test")

#: The difficulty guess: a canonical solution of at most this many lines of
#: code (blank lines and comments not counted) makes an "easy" problem, a
#: longer one "medium". HumanEval has no harder tasks than that.
EASY_MAX_SOLUTION_LINES = 5

#: Visible cases whose values hold a float are compared with this tolerance.
FLOAT_TOLERANCE = 1e-6

#: How many docstring lines one example call may span ("get_row([\n [1, 2],\n ...").
_MAX_EXAMPLE_LINES = 8

_HINTS: dict[str, list[str]] = {
    "level_1": [
        "Re-read the statement and the examples: what exactly goes in, and what must come out?",
        "Say the task back in your own words before you write any code.",
    ],
    "level_2": [
        "Work one of the examples by hand, step by step, and write down what you do at each step.",
        "The steps you just did by hand are your algorithm: turn them into code one at a time.",
    ],
    "level_3": [
        "Look again at the edge cases the statement mentions (empty input, a single item, "
        "negative numbers, ties) and decide what each one must return.",
        "Run your code in your head on each example and compare with the expected answer.",
    ],
}

_LICENCE_NOTICE = """\
The problems in this pack were imported from HumanEval
(https://github.com/openai/human-eval), under the following licence.

The MIT License

Copyright (c) OpenAI (https://openai.com)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""


# ------------------------------------------------------------------ errors


class DatasetError(Exception):
    """The input file cannot be imported: says which file, which line, and why."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class OutputExistsError(FileExistsError):
    """The output folder is not empty and may not be replaced."""


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class HumanEvalTask:
    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str
    test: str
    #: The line of the JSONL file the task came from (1-based), for messages.
    line: int

    @property
    def number(self) -> int | None:
        """17 for "HumanEval/17"; None when the id does not end in a number."""
        match = re.search(r"(\d+)\s*$", self.task_id)
        return int(match.group(1)) if match else None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(path, f"cannot be read: {exc.strerror or exc}") from None
    # By content, not by name: a HumanEval.jsonl.gz saved uncompressed is common.
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(path, f"is not a valid gzip file: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(path, "is not UTF-8 text", line=line) from None


def _task_from_json(path: Path, line: int, raw: str) -> HumanEvalTask:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(path, f"not valid JSON: {exc.msg} (column {exc.colno})", line) from None
    if not isinstance(obj, dict):
        raise DatasetError(path, f"must be a JSON object, not {type(obj).__name__}", line)
    missing = [name for name in REQUIRED_FIELDS if name not in obj]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise DatasetError(path, f"missing field{'s' if len(missing) > 1 else ''} {names}", line)
    for name in REQUIRED_FIELDS:
        if not isinstance(obj[name], str):
            raise DatasetError(
                path, f"field {name!r} must be a string, not {type(obj[name]).__name__}", line
            )
    if not obj["entry_point"].isidentifier():
        raise DatasetError(path, f"entry_point {obj['entry_point']!r} is not a Python name", line)
    return HumanEvalTask(
        task_id=obj["task_id"],
        prompt=obj["prompt"],
        entry_point=obj["entry_point"],
        canonical_solution=obj["canonical_solution"],
        test=obj["test"],
        line=line,
    )


def read_humaneval(path: Path) -> list[HumanEvalTask]:
    """Every task of a HumanEval JSONL file, gzipped or not (told by its first
    bytes). Blank lines are skipped; anything else wrong raises
    :class:`DatasetError` naming the file and the line."""
    path = Path(path)
    text = _read_text(path)
    tasks: list[HumanEvalTask] = []
    seen: dict[str, int] = {}
    # Not splitlines(): it also splits at U+2028, which JSON strings may hold raw.
    for line_no, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        task = _task_from_json(path, line_no, raw)
        if task.task_id in seen:
            raise DatasetError(
                path, f"task {task.task_id!r} already appears on line {seen[task.task_id]}", line_no
            )
        seen[task.task_id] = line_no
        tasks.append(task)
    if not tasks:
        raise DatasetError(path, "holds no tasks")
    return tasks


# ------------------------------------------------------------ plain values


class NotPlain(ValueError):
    """A value that cannot travel as JSON between the sandbox and the harness."""


def to_plain(value: Any) -> Any:
    """``value`` with tuples made lists, or :class:`NotPlain` when it holds
    anything JSON cannot carry (sets, bytes, non-string keys, inf, objects)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotPlain(f"{value!r} is not a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotPlain("a dict whose keys are not all strings")
        return {key: to_plain(item) for key, item in value.items()}
    raise NotPlain(f"a {type(value).__name__}")


def _holds_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_float(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_float(item) for item in value.values())
    return False


# ------------------------------------------------------- docstring examples

#: How the docstring shows an example:
#: - ``doctest``: ``>>> f(1, 2)`` and the value on the next line (or ``>>> f(1, 2) == 3``);
#: - ``call``: a line ``f(1, 2) => 3`` (also ``==``, ``==>``, ``->``, ``➞``, ``=``,
#:   ``returns``, ``should return``);
#: - ``sentence``: ``For a = 1, b = 2 the output should be 3``;
#: - ``input_output``: an ``Input: a = 1, b = 2`` line and an ``Output: 3`` line;
#: - ``assignments``: ``a = 1`` and ``b = 2`` a line each, then ``return 3``.
ExampleStyle = Literal["doctest", "call", "sentence", "input_output", "assignments"]


@dataclass(frozen=True)
class DocExample:
    """A call of the entry point with literal arguments, and what it returns."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    expected: Any
    #: The call as written in the docstring, for messages.
    call_text: str
    #: The value as written in the docstring ("15.0"), so that a value the
    #: reference disagrees with can be corrected where it stands.
    value_text: str = ""


@dataclass(frozen=True)
class ExampleSpan:
    """Docstring lines ``first``..``last`` (0-based, inclusive) that show one
    example. ``example`` is None when it could not be read as literals."""

    first: int
    last: int
    style: ExampleStyle
    example: DocExample | None


def _literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _literal_text(text: str) -> tuple[bool, Any]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False, None
    return _literal(tree.body)


def _value(text: str) -> tuple[bool, Any, str]:
    """The expected value as the docstring writes it, comments allowed, and
    the part of ``text`` it was read from."""
    text = text.strip()
    if text.lower() in ("true", "false"):  # "is_simple_power(1, 4) => true"
        return True, text.lower() == "true", text
    # "should return 16." ends a sentence: the value is 16, not the float 16.0.
    for part in ([text[:-1]] if text.endswith(".") else []) + [text]:
        ok, value = _literal_text(part)
        if ok:
            return True, value, part.strip()
    if "=" in text:  # "-> 19 - 5 - 6 = 8": the worked answer comes last
        part = text.rsplit("=", 1)[1].strip()
        for piece in ([part[:-1]] if part.endswith(".") else []) + [part]:
            ok, value = _literal_text(piece)
            if ok:
                return True, value, piece.strip()
    return False, None, ""


def _call_of(node: ast.expr, entry: str) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == entry:
        return node
    return None


def _rounded_call(node: ast.expr, entry: str) -> ast.Call | None:
    """``f(...)`` in ``round(f(...), 2)``: the docstring rounds a float answer
    to show it (HumanEval/32); the case compares with a float tolerance."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "round"
        and len(node.args) == 2
        and not node.keywords
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, int)
    ):
        return _call_of(node.args[0], entry)
    return None


def _bare_word_call(call: ast.Call, params: list[str]) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """``is_happy(abcd)``: the docstring left out a string's quotes. Read
    each bare word as the string it spells (never a parameter's own name,
    which is prose: ``tri(n)``); the reference confirms or drops the guess."""
    if call.keywords or not call.args:
        return None
    args: list[Any] = []
    for arg in call.args:
        ok, value = _literal(arg)
        if ok:
            args.append(value)
        elif isinstance(arg, ast.Name) and arg.id not in params:
            args.append(arg.id)
        else:
            return None
    return tuple(args), {}


def _literal_call(call: ast.Call) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The call's arguments as values, or None unless every one is a literal."""
    args: list[Any] = []
    for arg in call.args:
        ok, value = _literal(arg)
        if isinstance(arg, ast.Starred) or not ok:
            return None
        args.append(value)
    kwargs: dict[str, Any] = {}
    for keyword in call.keywords:
        ok, value = _literal(keyword.value)
        if keyword.arg is None or not ok:
            return None
        kwargs[keyword.arg] = value
    return tuple(args), kwargs


def _named_arguments(text: str, params: list[str]) -> tuple[Any, ...] | None:
    """``arr = [1, 2], k = 3`` (or one bare value) as positional arguments.

    The names usually are the parameters'; when they are not (HumanEval/115
    says ``bucket_capacity`` for ``capacity``) but their number is, they are
    taken in order: the reference solution confirms the guess or drops it.
    """
    parsed = call_arguments(text)
    if parsed is None:
        return None
    args, kwargs = parsed
    rest = params[len(args) :]
    if set(kwargs) == set(rest):
        return (*args, *(kwargs[name] for name in rest))
    if len(kwargs) == len(rest):
        return (*args, *kwargs.values())
    return None


def _doctest_example(source: str, want: list[str], entry: str) -> DocExample | None:
    """The example of one ``>>>`` line (and its output lines ``want``)."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        return None
    node = tree.body
    expected_node: ast.expr | None = None
    # ">>> f(x) == 3" with no output (or True) states the value in the source.
    compare = tree.body
    if (
        isinstance(compare, ast.Compare)
        and len(compare.ops) == 1
        and isinstance(compare.ops[0], ast.Eq)
        and want in ([], ["True"])
    ):
        node, expected_node = compare.left, compare.comparators[0]
    call = _call_of(node, entry) or _rounded_call(node, entry)
    parsed = _literal_call(call) if call is not None else None
    value_text = ""
    if expected_node is not None:
        ok, expected = _literal(expected_node)
        value_text = ast.get_source_segment(source, expected_node) or ""
    elif want:
        ok, expected = _literal_text("\n".join(want))
        value_text = "\n".join(want)
    else:  # doctest: no output means the call returned None
        ok, expected = True, None
    if parsed is None or not ok:
        return None
    call_text = ast.get_source_segment(source, node) or ast.unparse(node)
    return DocExample(parsed[0], parsed[1], expected, call_text, value_text)


def _doctest_spans(lines: list[str], entry: str) -> list[ExampleSpan]:
    spans: list[ExampleSpan] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped.startswith(">>>"):
            i += 1
            continue
        first = i
        source = stripped[3:].strip()
        i += 1
        while i < len(lines) and lines[i].strip().startswith("..."):
            source += "\n" + lines[i].strip()[3:]
            i += 1
        want: list[str] = []
        while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(">>>"):
            want.append(lines[i].strip())
            i += 1
        spans.append(ExampleSpan(first, i - 1, "doctest", _doctest_example(source, want, entry)))
    return spans


# What may follow the call on a "call" line.
_CALL_SEPARATOR = re.compile(
    r"\s*(?:#\s*)?(?:==>|=>|==|->|➞|=|should\s+return|returns?)(?![=>])\s*(?P<value>.*?)\s*$",
    re.DOTALL,
)


def _close_call(text: str, entry: str) -> tuple[ast.Call, int] | None:
    """The entry-point call that ``text`` starts with, and where it ends."""
    for end, char in enumerate(text):
        if char != ")":
            continue
        try:
            tree = ast.parse(text[: end + 1], mode="eval")
        except (SyntaxError, ValueError):
            continue
        call = _call_of(tree.body, entry)
        return (call, end + 1) if call is not None else None
    return None


#: Separators that only ever introduce a value (not ``=``, which prose uses
#: for definitions: ``tri(n) = 1 + n / 2``).
_ARROWS = ("==>", "=>", "->", "➞")


def _call_span(lines: list[str], i: int, entry: str, params: list[str]) -> ExampleSpan | None:
    """``f(args) => value`` starting on line ``i`` (the call may span lines)."""
    match = re.search(rf"(?<![\w.]){re.escape(entry)}\(", lines[i])
    if match is None:
        return None
    text = lines[i][match.start() :]
    last = i
    closed = _close_call(text, entry)
    while closed is None and last + 1 < len(lines) and last - i + 1 < _MAX_EXAMPLE_LINES:
        last += 1
        text += "\n" + lines[last]
        closed = _close_call(text, entry)
    if closed is None:
        return None
    call, end = closed
    parsed = _literal_call(call)
    separator = _CALL_SEPARATOR.match(text[end:])
    if parsed is None and separator is not None and separator.group(0).strip().startswith(_ARROWS):
        parsed = _bare_word_call(call, params)
    # Conservative: prose such as "tri(n) = 1 + n / 2" is not an example.
    if parsed is None or separator is None:
        return None
    ok, expected, value_text = _value(separator.group("value"))
    example = DocExample(parsed[0], parsed[1], expected, text[:end], value_text) if ok else None
    return ExampleSpan(i, last, "call", example)


_SENTENCE = re.compile(
    r"\s*For\s+(?P<args>.+?)\s*,?\s+the\s+(?:output|result)\s+should\s+be\s+(?P<value>.+?)\s*$",
    re.IGNORECASE,
)


def _leading_arguments(text: str, params: list[str]) -> tuple[tuple[Any, ...], str] | None:
    """The arguments ``text`` starts with, and their text: "N = 1000, the sum
    of digits will be 1" gives (1000,) from "N = 1000" (a worked note may
    follow the arguments)."""
    cuts = [len(text), *[m.start() for m in re.finditer(",", text)][::-1]]
    for cut in cuts:
        args = _named_arguments(text[:cut], params)
        if args is not None:
            return args, text[:cut].strip()
    return None


def _sentence_span(lines: list[str], i: int, entry: str, params: list[str]) -> ExampleSpan | None:
    match = _SENTENCE.match(lines[i])
    if match is None:
        return None
    found = _leading_arguments(match.group("args"), params)
    ok, expected, value_text = _value(match.group("value"))
    if found is None or not ok:
        return ExampleSpan(i, i, "sentence", None)
    args, args_text = found
    example = DocExample(args, {}, expected, f"{entry}({args_text})", value_text)
    return ExampleSpan(i, i, "sentence", example)


_INPUT = re.compile(r"\s*Input\s*:\s*(?P<args>.*?)\s*$", re.IGNORECASE)
_OUTPUT = re.compile(r"\s*Output\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)


def _input_output_span(
    lines: list[str], i: int, entry: str, params: list[str]
) -> ExampleSpan | None:
    """``Input: arr = [1, 2], k = 1`` then ``Output: [2]`` within a few lines;
    an empty ``Input:`` may list one argument a line (``grid : [[0, 1]]``)."""
    match = _INPUT.match(lines[i])
    if match is None:
        return None
    for j in range(i + 1, min(i + _MAX_EXAMPLE_LINES, len(lines))):
        output = _OUTPUT.match(lines[j])
        if output is None:
            continue
        between = [re.sub(r"^\s*(\w+)\s*:\s*", r"\1 = ", line) for line in lines[i + 1 : j]]
        text = match.group("args") or ", ".join(line for line in between if line.strip())
        args = _named_arguments(text, params)
        ok, expected, value_text = _value(output.group("value"))
        example = (
            DocExample(args, {}, expected, f"{entry}({text})", value_text)
            if args is not None and ok
            else None
        )
        return ExampleSpan(i, j, "input_output", example)
    return None


# "arr = [1, -1, 55]" (or "operator['+', '*']", the "=" left out), one argument a line.
_ASSIGNMENT = re.compile(r"^\s*(?P<name>[A-Za-z_]\w*)\s*(?:=(?!=)\s*|(?=[\[{(]))(?P<value>.+?)\s*$")
# "return ['One']", "return = ['One']", "=> result = 9": what the arguments give.
_RESULT = re.compile(r"^\s*(?:return\b\s*=?|==>|=>)\s*(?P<value>.+?)\s*$")


def _assignments_span(
    lines: list[str], i: int, entry: str, params: list[str]
) -> ExampleSpan | None:
    """Each argument assigned on a line of its own, then the result a few
    lines below (worked steps between)::

        arr = [2, 1, 1, 4]
              -> sort arr -> [1, 1, 2, 4]
        return ["Four", "Two", "One", "One"]
    """
    names: list[str] = []
    last = i
    while last < len(lines) and len(names) < len(params):
        match = _ASSIGNMENT.match(lines[last])
        ok = match is not None and _literal_text(match.group("value"))[0]
        if match is None or not ok:
            break
        names.append(f"{match.group('name')} = {match.group('value')}")
        last += 1
    if len(names) != len(params):
        return None
    for j in range(last, min(last + _MAX_EXAMPLE_LINES, len(lines))):
        if not lines[j].strip():
            return None
        result = _RESULT.match(lines[j])
        if result is None:
            continue
        args = _named_arguments(", ".join(names), params)
        ok, expected, value_text = _value(result.group("value"))
        if args is None or not ok:
            return None
        call_text = f"{entry}({', '.join(names)})"
        return ExampleSpan(i, j, "assignments", DocExample(args, {}, expected, call_text, value_text))
    return None


def find_examples(docstring: str, entry: str, params: list[str]) -> list[ExampleSpan]:
    """The examples in a (cleaned) docstring, in order. ``params`` are the
    entry point's parameter names, for examples that name their arguments."""
    lines = docstring.split("\n")
    spans = _doctest_spans(lines, entry)
    taken = {n for span in spans for n in range(span.first, span.last + 1)}
    i = 0
    while i < len(lines):
        span = None
        if i not in taken:
            span = (
                _call_span(lines, i, entry, params)
                or _sentence_span(lines, i, entry, params)
                or _input_output_span(lines, i, entry, params)
                or _assignments_span(lines, i, entry, params)
            )
        if span is None or any(n in taken for n in range(span.first, span.last + 1)):
            i += 1
            continue
        spans.append(span)
        i = span.last + 1
    return sorted(spans, key=lambda span: span.first)


def render_statement(docstring: str, spans: list[ExampleSpan]) -> str:
    """The docstring as Markdown.

    Prose stays as written. Example lines and indented lines (tables, the
    ``Input:``/``Output:`` blocks) go in fenced code blocks, so Markdown keeps
    their line breaks; a block of nothing but doctests is marked as Python.
    """
    lines = [line.rstrip() for line in docstring.split("\n")]
    example_style = {
        n: span.style
        for span in spans
        if span.style != "input_output"  # these are indented blocks already
        for n in range(span.first, span.last + 1)
    }

    def preformatted(n: int) -> bool:
        return bool(lines[n]) and (n in example_style or lines[n][0] in " \t")

    out: list[str] = []
    i = 0
    while i < len(lines):
        if not preformatted(i):
            out.append(lines[i])
            i += 1
            continue
        last = j = i
        while j < len(lines) and (preformatted(j) or not lines[j]):
            last = j if lines[j] else last
            j += 1
        block = lines[i : last + 1]
        python = all(example_style.get(n) == "doctest" for n in range(i, last + 1) if lines[n])
        if out and out[-1]:
            out.append("")
        out += ["```python" if python else "```", *textwrap.dedent("\n".join(block)).split("\n")]
        out.append("```")
        if last + 1 < len(lines) and lines[last + 1]:
            out.append("")
        i = last + 1
    return "\n".join(out).strip() + "\n"


# ---------------------------------------------------------------- YAML


class _PackDumper(_BaseDumper):
    """Multi-line strings (code, statements) as readable ``|`` blocks."""


def _represent_str(dumper: _PackDumper, data: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself where a block cannot
    # hold the text exactly (trailing spaces), so this is only a preference.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


class _Flow(list[Any]):
    """A list written on one line, ``[1, [2, 3]]``, as test values read best."""


class _FlowMap(dict[str, Any]):
    """A mapping written on one line, ``{a: 1}``."""


def _flow(value: Any) -> Any:
    if isinstance(value, list):
        return _Flow(value)
    if isinstance(value, dict):
        return _FlowMap(value)
    return value


def _represent_flow_list(dumper: _PackDumper, data: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_flow_map(dumper: _PackDumper, data: _FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_PackDumper.add_representer(str, _represent_str)
_PackDumper.add_representer(_Flow, _represent_flow_list)
_PackDumper.add_representer(_FlowMap, _represent_flow_map)


def _dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_PackDumper, sort_keys=False, allow_unicode=True, width=100)


# ------------------------------------------------------------- the prompt


def _entry_def(tree: ast.Module, entry: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry:
            return node
    return None


def entry_docstring(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The entry point's docstring, dedented. A few tasks put an import before
    it (HumanEval/115), so the first bare string of the body counts too."""
    for stmt in fn.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            if isinstance(stmt.value.value, str):
                return inspect.cleandoc(stmt.value.value)
        elif not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            break
    return ""


def _without_entry_def(prompt: str, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The prompt minus the entry point's stub: its imports and helpers."""
    first = min([fn.lineno, *(d.lineno for d in fn.decorator_list)])
    lines = prompt.split("\n")
    kept = lines[: first - 1] + lines[(fn.end_lineno or fn.lineno) :]
    text = "\n".join(kept).strip("\n")
    try:
        ast.parse(text)
    except SyntaxError:  # the stub shared a line with other code: keep it all
        return prompt
    return text + "\n" if text.strip() else ""


def _check_source(task: HumanEvalTask, setup: str, source: Path) -> str:
    """The task's test, made to run where the prompt's stub is not defined.

    HumanEval runs prompt + completion + test as one module, so a check that
    names the entry point (HumanEval/33 calls ``sort_third``) calls the
    candidate's function. Bind that name to the candidate, through the check,
    so the harness's recording wrapper sees those calls too.
    """
    try:
        tree = ast.parse(task.test)
    except SyntaxError as exc:
        raise DatasetError(
            source, f"{task.task_id}: the test is not valid Python ({exc.msg})", task.line
        ) from None
    if not any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in tree.body):
        raise DatasetError(source, f"{task.task_id}: the test defines no check(candidate)", task.line)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if setup:
        names |= {n.id for n in ast.walk(ast.parse(setup)) if isinstance(n, ast.Name)}
    test = task.test.strip("\n") + "\n"  # HumanEval's tests start and end with blank lines
    if task.entry_point not in names:
        return test
    entry = task.entry_point
    return (
        test.rstrip("\n")
        + "\n\n\n_humaneval_check = check\n\n\n"
        + "def check(candidate):\n"
        + f"    # In HumanEval, `{entry}` in the check is the candidate's function.\n"
        + f"    global {entry}\n"
        + f"    {entry} = candidate\n"
        + "    return _humaneval_check(candidate)\n"
    )


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def problem_id(task: HumanEvalTask, index: int) -> str:
    """``he_000_has_close_elements``: the task number (or its position in the
    file), then the entry point in snake case."""
    number = task.number if task.number is not None else index
    snake = "_".join(w.lower() for w in _words(task.entry_point))
    return f"he_{number:03d}_{snake}" if snake else f"he_{number:03d}"


def problem_title(task: HumanEvalTask) -> str:
    readable = " ".join(w[:1].upper() + w[1:] for w in _words(task.entry_point))
    # Several tasks share a name ("solve", "sum_squares"): the id tells them apart.
    return f"{readable} ({task.task_id})"


def guess_difficulty(task: HumanEvalTask) -> Literal["easy", "medium"]:
    code_lines = [
        line
        for line in task.canonical_solution.split("\n")
        if line.strip() and not line.strip().startswith("#")
    ]
    return "easy" if len(code_lines) <= EASY_MAX_SOLUTION_LINES else "medium"


# --------------------------------------------------------- the reference


def _reference_function(task: HumanEvalTask, source: Path) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": f"humaneval_reference_{task.number}"}
    try:
        code = compile(task.prompt + task.canonical_solution, f"<{task.task_id}>", "exec")
        exec(code, namespace)  # the dataset's own reference: see the module docstring
    except Exception as exc:
        raise DatasetError(
            source, f"{task.task_id}: the canonical solution does not run ({exc!r})", task.line
        ) from None
    fn = namespace.get(task.entry_point)
    if not callable(fn):
        raise DatasetError(
            source, f"{task.task_id}: the solution defines no {task.entry_point}()", task.line
        )
    return fn  # type: ignore[no-any-return]


def _reference_output(reference: Callable[..., Any], example: DocExample) -> tuple[Any, str]:
    """What the reference returns for the example's call, and why that is not
    a plain value (empty when it is)."""
    try:
        got = reference(*copy.deepcopy(example.args), **copy.deepcopy(example.kwargs))
    except Exception as exc:
        return None, f"the reference raised {type(exc).__name__}"
    try:
        to_plain(got)
    except NotPlain as exc:
        return None, f"the reference returned {exc}"
    return got, ""


def _reference_disagrees(
    reference: Callable[..., Any], example: DocExample, expected: Any, mode: str
) -> str:
    """Why the reference does not give ``expected``; empty when it does."""
    got, why = _reference_output(reference, example)
    if why:
        return why
    plain = to_plain(got)
    ok, _ = judge(mode, expected, plain, tolerance=FLOAT_TOLERANCE)
    return "" if ok else f"the reference returned {plain!r}"


#: A checker lifted out of a task's check (see :mod:`.answer_check`).
Accepts = Callable[[list[Any], dict[str, Any], Any], Any]


def _accepted(accepts: Accepts, example: DocExample, value: Any) -> bool:
    """Whether the task's check would accept ``value`` as the answer to the
    example's call (the checker says True; a string is its reason not to)."""
    try:
        verdict = accepts(to_plain(example.args), to_plain(example.kwargs), to_plain(value))
    except Exception:
        return False
    return verdict is True or (bool(verdict) and not isinstance(verdict, str))


def _checker_rejects(accepts: Accepts, reference: Callable[..., Any], example: DocExample,
                     expected: Any) -> str:
    """Why the case cannot be judged by the checker: the value written, or
    the reference's own answer, does not satisfy it; empty when both do."""
    got, why = _reference_output(reference, example)
    if why:
        return why
    if not _accepted(accepts, example, got):
        return f"the check's property does not hold for the reference's {to_plain(got)!r}"
    if not _accepted(accepts, example, expected):
        return "the check's property does not hold for the value written"
    return ""


# ---------------------------------------------- examples the reference corrects


@dataclass
class SettledExamples:
    """The docstring with every example the reference disagrees with
    corrected to the reference's value, or taken out where it cannot be,
    and the examples found in it."""

    docstring: str
    spans: list[ExampleSpan]
    #: One line per corrected example: which call, the value written, the reference's.
    corrected: list[str] = field(default_factory=list)
    #: One line per example taken out of the statement, and why.
    removed: list[str] = field(default_factory=list)
    #: Lines that use the function's name for one term of what it returns
    #: (``tri(4) = 3`` where ``tri(4)`` returns the first five terms): left as written.
    notation: int = 0


def _names_a_term(written: Any, got: Any) -> bool:
    """``tri(4) = 3`` where ``tri(4)`` returns ``[1, 3, 2.0, 8.0, 3.0]``: the
    docstring names the sequence's n-th term after the function, it does not
    show what the function returns."""
    return (
        isinstance(got, (list, tuple))
        and len(got) > 1
        and not isinstance(written, (list, tuple, dict, str))
        and got[-1] == written
    )


def _with_value(lines: list[str], span: ExampleSpan, value_text: str, new: str) -> list[str] | None:
    """``lines`` with the span's value ``value_text`` replaced by ``new``;
    None when the value cannot be found there as written."""
    if not value_text:
        return None
    if "\n" in value_text:  # a doctest's output over several lines: one line now
        if span.style != "doctest" or span.last <= span.first:
            return None
        indent = re.match(r"\s*", lines[span.first + 1]).group(0)  # type: ignore[union-attr]
        return [*lines[: span.first + 1], indent + new, *lines[span.last + 1 :]]
    for n in range(span.last, span.first - 1, -1):
        at = lines[n].rfind(value_text)
        if at >= 0:
            line = lines[n][:at] + new + lines[n][at + len(value_text) :]
            return [*lines[:n], line, *lines[n + 1 :]]
    return None


def settle_examples(
    docstring: str, name: str, params: list[str], reference: Callable[..., Any],
    accepts: Accepts | None = None,
) -> SettledExamples:
    """Make the statement agree with the reference: an example whose value
    the reference disagrees with is shown with the reference's value instead
    (the check agrees with the reference: ``median([-10, 4, 6, 1000, 10, 20])``
    is 8.0, not the 15.0 written); an example the reference cannot run, or
    whose value cannot be found to correct, is taken out of the statement.
    With ``accepts`` (the task's check judges a property, several answers
    are right), a value it accepts stays as written."""
    spans = find_examples(docstring, name, params)
    lines = docstring.split("\n")
    settled = SettledExamples(docstring, spans)
    for span in reversed(spans):  # bottom up: the lines above keep their numbers
        ex = span.example
        if ex is None:
            continue
        try:
            expected = to_plain(ex.expected)
            to_plain([ex.args, ex.kwargs])
        except NotPlain:
            continue
        mode = "float" if _holds_float([ex.args, ex.kwargs, expected]) else "exact"
        got, why = _reference_output(reference, ex)
        if not why:
            if judge(mode, expected, to_plain(got), tolerance=FLOAT_TOLERANCE)[0]:
                continue
            if accepts is not None and _accepted(accepts, ex, expected):
                continue
            if _names_a_term(ex.expected, got):
                settled.notation += 1
                continue
            fixed = _with_value(lines, span, ex.value_text, repr(got))
            if fixed is not None:
                lines = fixed
                settled.corrected.append(
                    f"{ex.call_text} -> {ex.expected!r}: corrected to {got!r}, the reference's value")
                continue
            why = f"the reference returned {to_plain(got)!r}"
        del lines[span.first : span.last + 1]
        settled.removed.append(f"{ex.call_text} -> {ex.expected!r}: {why}")
    settled.corrected.reverse()
    settled.removed.reverse()
    if settled.corrected or settled.removed:
        settled.docstring = "\n".join(lines)
        settled.spans = find_examples(settled.docstring, name, params)
    return settled


def example_call_name(docstring: str, prompt: str, entry: str, params: list[str]) -> str:
    """The name the docstring's examples call the function by: the entry
    point's, or, when no example calls that, the one other name examples
    call (HumanEval/81 writes ``grade_equation(...) ==> [...]`` for
    ``numerical_letter_grade``). Builtins and the prompt's own helpers
    (``poly``, ``encode_cyclic``) are never taken for it."""
    if any(span.example for span in find_examples(docstring, entry, params)):
        return entry
    defined = {n.name for n in ast.walk(ast.parse(prompt))
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    called = {
        m.group(1)
        for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\([^\n]*\)\s*(?:==>|=>|➞|->)", docstring)
    }
    others = sorted(called - defined - set(dir(builtins)) - set(kwlist) - {entry})
    if len(others) == 1 and any(s.example for s in find_examples(docstring, others[0], params)):
        return others[0]
    return entry


# -------------------------------------------------------- clarifications
#
# What a real interviewer would answer to a clarifying question, taken only
# from what the docstring states or its examples show (the examples the
# reference agrees with, which the candidate sees as visible cases). Never
# from the reference's code or the hidden check: a topic the docstring does
# not settle is left out, and the coach then says the problem leaves it open.

#: A docstring sentence longer than this is cut to the clause that says the
#: fact; a clause still longer is not quoted.
_MAX_QUOTE = 200

#: A clause shorter than this many words says too little alone ("but sorted").
_MIN_CLAUSE_WORDS = 4

#: How many sentences one answer quotes at most.
_MAX_QUOTES = 2

#: Words that say a clause is about the input (and not about what to return).
_ABOUT_INPUT = re.compile(
    r"\b(?:given|takes?|receives?|input|inputs|assumed?|guaranteed|you may|you can|"
    r"consists?|consisting|contains?)\b|\b(?:is|are) (?:a |an )?(?:list|array) of\b",
    re.IGNORECASE,
)
_ABOUT_OUTPUT = re.compile(r"\b(?:returns?|returned|output|result)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless)\b", re.IGNORECASE)
_ASSUMED = re.compile(r"\bassum|\bguarantee", re.IGNORECASE)

# What the input is: "given a list of positive integers", "takes two positive
# numbers x and y", "Given a string s and a natural number n"; the words in
# between may not start a clause of their own ("the given number is ...").
_ANCHOR = (
    r"\b(?:given|takes?|receives?|input is|(?:is|are) (?:a |an )?(?:list|array) of)\b"
    r"(?:\s+(?!(?:is|are|be|can|to|as|if|from|that|than|with|returns?)\b)[\w'-]+,?){0,5}?\s+"
)

# "If the array is empty, return ...", "Return None for empty arr".
_EMPTY_IN_CONDITION = r"(?:\bif\b|\bin case\b|\bwhen\b|\bfor\b|\bis the given\b)[^,;.]*?\bempty\b"
_NO_ANSWER_VALUE = (
    r"(?:None|-1|0|\"\"|''|\[\]|\(\)|an? empty \w+|empty \w+|them as None|[\"'](?:no|NO|No)[\"'])"
)
_NO_SUCH = (
    r"\b(?:no such|not exists?|does not exist|doesn't exist|didn't find|don't intersect|"
    r"there (?:is|are) no|isn't any|not possible|impossible|no \w+ (?:values?|elements?)|"
    r"greater than)\b"  # "If n is greater than m, return -1": a range with nothing in it
)


@dataclass(frozen=True)
class _Rule:
    """A docstring sentence that settles ``topic``: it matches ``pattern``
    (and ``needs``, and not ``unless``). ``yes`` is the answer's polarity
    (True: "yes, it can be empty"), None when the quote speaks for itself.
    A ``clause`` rule is tried on each clause of the sentence alone, so that
    "Given a string, return the lower-case letters" is not about the input's
    letters."""

    topic: str
    yes: bool | None
    pattern: str
    needs: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    clause: bool = False


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RULES: tuple[_Rule, ...] = (
    # -- the values
    _Rule("negatives", False, _ANCHOR + r"(?:positive|non-?negative|natural)\b", clause=True),
    _Rule("negatives", False, r"\bno negative\b", needs=_ASSUMED),
    _Rule("negatives", True, r"(?<!non-)(?<!non )(?<!no )\bnegative\b",
          unless=_rx(r"\bnon-?negative\b|\bno negative\b")),
    _Rule("negatives", True, r"\brange of \[\s*-\s*\d"),
    _Rule("zero", False, _ANCHOR + r"positive\b(?! or zero)", clause=True),
    _Rule("zero", True, _ANCHOR + r"non-?negative\b", clause=True),
    _Rule("zero", None, r"\bzero as\b|\bnot have zero\b"),
    _Rule("integers", True, _ANCHOR + r"integers?\b", unless=_rx(r"\bfloat"), clause=True),
    _Rule("integers", True, r"\bfrom a (?:given )?list of integers\b|\bonly integers\b"),
    _Rule("integers", False, _ANCHOR + r"float(?:ing)?\b", clause=True),
    _Rule("integers", False, r"\bnot integers?\b|\bnon-?integers?\b"),
    # -- the input as a whole
    _Rule("empty", False, r"\bnon-?empty (?:list|array|string|dictionary|dict|tuple|input)s?\b"),
    _Rule("empty", False, r"\b(?:will|would|is|are) (?:always )?(?:be )?non-?empty\b"),
    _Rule("empty", False, r"\bat least (?:one|two|1|2)\b", unless=_CONDITIONAL),
    _Rule("empty", True, _EMPTY_IN_CONDITION, needs=_ABOUT_OUTPUT),
    _Rule("empty", True, r"\bor (?:an? )?empty (?:string|list|array)\b", needs=_ASSUMED),
    _Rule("single", False, r"\bat least (?:two|2)\b", unless=_CONDITIONAL),
    _Rule("duplicates", False,
          r"\b(?:will not|won't|does not|doesn't|do not|don't|never) (?:contain|have) (?:any )?"
          r"duplicate|\bguaranteed to have unique\b|\bappears exactly once\b"),
    _Rule("duplicates", True, r"\b(?:may|can|might) (?:contain|have) duplicates\b"
          r"|\bmore than \w+ duplicates?\b"),
    _Rule("sorted", False, r"\brandomly ordered\b|\bin no particular order\b"
          r"|\bnot (?:necessarily )?sorted\b", unless=_ABOUT_OUTPUT),
    _Rule("sorted", True, r"\bgiven (?:a |an )?sorted\b", unless=_ABOUT_OUTPUT),
    _Rule("modify_input", False,
          r"\b(?:don't|do not|must not|should not|shouldn't) (?:change|modify|mutate|alter)\b"
          r"|\bwithout (?:changing|modifying)\b"),
    _Rule("same_element", False, r"\bdistinct elements\b"),
    _Rule("same_element", True, r"\bnot necessarily distinct\b"),
    # -- characters
    _Rule("charset", None,
          r"\bonly (?:\w+ ){0,2}(?:letters?|digits?|brackets|parenthes[ie]s|characters)\b"
          r"|\b(?:letters?|digits?|brackets|parenthes[ie]s) only\b|\bconsist(?:s|ing)? (?:only )?of\b"
          r"|\bcontains? only\b|\bstring of ([\"'])[^\"']{1,3}\1 and\b|\bvalid choices are\b"
          r"|\benglish letters?\b|\b1s and 0s\b|\bletters and spaces\b"
          r"|\bseparated by (?:a )?(?:space|spaces|commas)\b|\b(?:upper|lower)[- ]?case letters\b",
          needs=_rx(_ABOUT_INPUT.pattern + r"|\bvalid choices\b|\bsentence contains\b"),
          unless=_ABOUT_OUTPUT, clause=True),
    _Rule("case", None, r"\bcase[- ]sensitive\b|\bcase[- ]insensitive\b|\bregardless of case\b"),
    _Rule("case", None, r"\b(?:always|only) (?:in )?(?:upper|lower)[- ]?case\b"
          r"|\b(?:upper|lower)[- ]?case letters\b", needs=_ABOUT_INPUT, unless=_ABOUT_OUTPUT,
          clause=True),
    # -- sizes and ranges (comparison chains are read by _bound_facts)
    _Rule("value_range", None, r"\b(?:is|are) less th[ae]n \d+\b|\bbe aware of numerics\b",
          unless=_CONDITIONAL),
    _Rule("value_range", None, r"\belements? [\w ]{0,40}\bin the range of \["),
    _Rule("size", None, r"\blength [\w ]{0,40}\bin the range of \["),
    _Rule("empty", False, r"\blength [\w ]{0,40}\bin the range of \[\s*[1-9]"),
    # -- the answer
    _Rule("no_answer", None,
          rf"\breturns?\b[^.]*?\b{_NO_ANSWER_VALUE}[^.]*?\b(?:if|in case|when|for)\b",
          unless=_rx(r"^(?:(?!" + _NO_SUCH + r").)*" + _EMPTY_IN_CONDITION)),
    _Rule("no_answer", None, rf"\b(?:if|when)\b[^.]*?{_NO_SUCH}[^.]*?\breturn"),
    _Rule("no_answer", None,
          rf"\botherwise,? return {_NO_ANSWER_VALUE}|\breturn {_NO_ANSWER_VALUE} otherwise\b"),
    _Rule("no_answer", None, r"\bguarantees? a solution\b"),
    _Rule("multiple_answers", None,
          r"\b(?:multiple|several|two or more|more than one)\b.*\b(?:same|similar|maximum|minimum|"
          r"smallest|largest)\b|\bsimilar (?:number|sum)\b|\bin case of multiple\b"
          r"|\bsame (?:length|number of chars|strength|occurrence)\b.*\b(?:return|choose|sort|first)\b"
          r"|\bequidistant\b|\beven if there are many\b|\banswer is unique\b"),
    _Rule("output_order", True,
          r"\b(?:sorted|ascending|descending|increasing order|decreasing order|in order|"
          r"in \w+ order|from smallest to largest|from shortest to longest|keep order|"
          r"same as (?:in )?the (?:input|original)|order of the words)\b",
          needs=_rx(r"\b(?:returns?|returned|output|result)\b|^(?:also, )?sorts?\b|\bsorts? "
                    r"(?:the|an?|it)\b|\bkeep order\b|\bthe order of\b"),
          # Not the input's order ("whether they are sorted"), nor a tie-break.
          unless=_rx(r"\bwhether\b|\bpossible\b|\bsubsequence\b|\bmultiple\b|\bseveral\b")),
    _Rule("output_order", False, r"\bin any order\b", needs=_ABOUT_OUTPUT),
    _Rule("output_format", None,
          r"\brespectively\b|\bin this format\b|\bshould be returned in\b|\brounded to\b"
          r"|\breturn it in (?:upper|lower)case\b|\bstring representation\b",
          needs=_ABOUT_OUTPUT),
    # -- what the words mean
    _Rule("definition", None,
          r"\b(?:is|are) (?:considered|called|defined|said)\b|\bmeans\b|\bin this case are\b"
          r"|\boverlap|\bis (?:a|an) [\w-]+ (?:that|which|in which)\b|\bis when\b|\bcounts? as\b"
          r"|\b[\w-]+ (?:is|are) (?:a |an )?[\w-]+(?: [\w-]+){0,3} if (?:and only if )?",
          # Not the task ("Your task is to check if ..."), nor an intro to a list ("...:").
          unless=_rx(r"\b(?:returns?|should return)\b|\b(?:task|job|goal) is\b|:$")),
    _Rule("boundaries", None,
          r"\binclusive\b|\bincluding\b|\bincludes both\b|\bare closed\b|\boff the grid\b"
          r"|\bexclusive\b"),
    _Rule("shape", None,
          r"\brectangular\b|\bsame length\b|\bdifferent number of columns\b|\bN rows and N columns\b",
          needs=_rx(r"\b(?:grid|matrix|rows?|columns?|wells?)\b")),
    _Rule("connectivity", None, r"\bshare an edge\b|\bneighbou?rs?\b|\badjacent\b"),
    _Rule("complexity_target", None, r"\befficient(?:ly)?\b|\bdo not use recursion\b"),
)
_COMPILED_RULES = tuple((rule, _rx(rule.pattern)) for rule in _RULES)

#: An answer's first words, by topic and polarity (yes, no).
_LEADS: dict[str, tuple[str, str]] = {
    "negatives": ("Yes, negative numbers can appear.", "No, they can't be negative."),
    "zero": ("Yes, zero is allowed.", "No, zero doesn't appear."),
    "integers": ("Yes, integers.", "No, not only integers."),
    "empty": ("Yes, it can be empty.", "No, it is never empty."),
    "single": ("Yes, a single element is possible.", "No, there are always at least two."),
    "duplicates": ("Yes, values can repeat.", "No, the values are distinct."),
    "sorted": ("Yes, it is sorted.", "No, it isn't sorted."),
    "modify_input": ("Yes, you may.", "No, leave the input as it is."),
    "same_element": ("Yes, the same one may come back.", "No, they must be different elements."),
    "output_order": ("Yes, the order matters.", "No, any order is fine."),
}

_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs)\.$", re.IGNORECASE)
_LABEL = re.compile(r"^(?:[@\w ]*?\b)?(?:Note|Notes|Constraints?|Constrain|Restrictions?|Variables|"
                    r"Task|Example|Examples|For example)\s*:\s*", re.IGNORECASE)
_HEADER = re.compile(r"(?:[A-Z][\w ]{0,30}|(?i:for exam\w*|examples?|example \d+|note)"
                     r"|\[[\w/ ]+\][\w ]{0,30})\s*:")
#: A line of code or worked example in the prose: "arr = [1, 2]", "-> sort arr",
#: "tri(1) = 3", "return ['One']".
_CODE_LINE = re.compile(r"^(?:[\w\[\]]+\s*=(?!=)|\w+\([^)]*\)\s*=|->|=>|==>|return\s*[\[(\"'=]|#|>>>|"
                        r"\.\.\.)")
# A line that starts a sentence even after a comma ("...its index ],\nIf there are ...").
_STARTS_SENTENCE = re.compile(r"(?:If|Return|Otherwise|Note)\b")


@dataclass(frozen=True)
class _Fact:
    topic: str
    yes: bool | None
    #: For a sentence: the quote. For an example: the whole answer.
    text: str
    example: bool = False


def _prose_sentences(docstring: str, spans: list[ExampleSpan], entry: str) -> list[str]:
    """The docstring's sentences, without its examples, headers and code:
    paragraphs and list items joined across line breaks, then split after
    ``.``, ``!``, ``?``, and at a line break before a capital where the line
    did not end a clause (HumanEval often leaves out the full stop)."""
    in_example = {n for span in spans for n in range(span.first, span.last + 1)}
    call = re.compile(rf"^\W*{re.escape(entry)}\(")
    units: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        nonlocal current
        if current:
            units.append(current)
        current = []

    for n, raw in enumerate(docstring.split("\n")):
        line = raw.strip()
        item = re.match(r"^(?:[*\-•]|\d+\.)\s+", line)
        skip = (not line or n in in_example or _CODE_LINE.match(line) or call.match(line)
                or _HEADER.fullmatch(line))
        if skip or item:
            close()
        if skip:
            continue
        line = line[item.end():] if item else line
        if current and (
            _STARTS_SENTENCE.match(line)
            or (line[:1].isupper() and not re.search(r"[,;(\-]$|\b(?:and|or|the|a|an|of)$", current[-1]))
        ):
            close()
        current.append(line)
        if line.endswith(":"):  # "... defined as:" introduces what follows
            close()
    close()
    sentences: list[str] = []
    for unit in units:
        merged: list[str] = []
        for piece in re.split(r"(?<=[.!?])\s+", " ".join(unit)):
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        sentences += [_LABEL.sub("", " ".join(s.split())).strip() for s in merged]
    return [s for s in sentences if len(s) > 3]


_LETTER_LIST = re.compile(r"(?<!\w)\w,\w(?!\w)")


def _clauses(sentence: str) -> list[tuple[int, str]]:
    """(start, text) of the sentence's clauses: split at commas and
    semicolons outside brackets (and not in a list of letters, "A,B,C")."""
    found: list[tuple[int, str]] = []
    depth, start = 0, 0
    for i, char in enumerate(sentence):
        depth += char in "([{"
        depth -= char in ")]}"
        if char in ",;" and depth <= 0 and not _LETTER_LIST.match(sentence, i - 1):
            found.append((start, sentence[start:i]))
            start = i + 1
    found.append((start, sentence[start:]))
    return [(s + len(text) - len(text.lstrip()), text.strip()) for s, text in found if text.strip()]


def _quote(sentence: str, at: int) -> str | None:
    """The sentence, or the clause of it at ``at`` when the sentence is
    long; None when even that is too long, or too short to say anything."""
    text = sentence.rstrip(" :,;")
    if len(text) <= _MAX_QUOTE:
        return text
    for start, clause in _clauses(text):
        if start <= at <= start + len(clause):
            fits = len(clause) <= _MAX_QUOTE and len(clause.split()) >= _MIN_CLAUSE_WORDS
            return clause.rstrip(" :,;") if fits else None
    return None


def _rule_match(rule: _Rule, rx: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """Where ``rule`` holds in the sentence, or None. A clause rule holds in
    one clause: its pattern there, ``unless`` not there, and ``needs`` there
    or in a clause before it ("you may assume ..., and symbols are always
    uppercase")."""
    parts = _clauses(sentence) if rule.clause else [(0, sentence)]
    for start, text in parts:
        match = rx.search(text)
        if match is None:
            continue
        context = sentence[: start + len(text)]
        if rule.needs is not None and not rule.needs.search(context):
            continue
        if rule.unless is not None and rule.unless.search(text):
            continue
        return rx.search(sentence, start) or match
    return None


def _sentence_facts(sentences: list[str], params: list[str]) -> list[_Fact]:
    facts: list[_Fact] = []
    for index, sentence in enumerate(sentences):
        for rule, rx in _COMPILED_RULES:
            match = _rule_match(rule, rx, sentence)
            if match is None:
                continue
            quote = _quote(sentence, max(match.start(), match.end() - 1))
            if quote is None:
                continue
            # "Otherwise return -1" needs the sentence it is the other side of.
            if re.match(r"otherwise\b", quote, re.IGNORECASE) and index > 0:
                both = f"{sentences[index - 1]} {quote}"
                quote = both if len(both) <= _MAX_QUOTE else quote
            facts.append(_Fact(rule.topic, rule.yes, quote))
        facts += _bound_facts(sentence, params)
    return facts


def _named(name: str, params: list[str]) -> bool:
    """A bound's name is a parameter's, or the start of one (``num`` for
    ``number``)."""
    return any(p == name or (len(name) >= 3 and p.startswith(name)) for p in params)


def _bound_facts(sentence: str, params: list[str]) -> list[_Fact]:
    """Facts from a comparison chain that states a bound directly:
    ``1 <= len(arr) <= 100`` (the size, and never empty), ``0 <= n <= 1000``
    (a parameter's range). ``0 <= k <= len(arr)`` says nothing of how short
    ``arr`` can be."""
    if _CONDITIONAL.search(sentence):
        return []
    facts: list[_Fact] = []
    for bound in constraint_bounds(sentence):
        if bound.length and (bound.direct_low or bound.direct_high):
            facts.append(_Fact("size", None, bound.text))
            if bound.direct_low and bound.low is not None and "[" not in bound.name:
                facts.append(_Fact("empty", bound.low == 0, bound.text))
                if bound.low >= 2:
                    facts.append(_Fact("single", False, bound.text))
        elif not bound.length and _named(bound.name, params) and (bound.direct_low or bound.direct_high):
            facts.append(_Fact("value_range", None, bound.text))
    return facts


def _param_bound_facts(sentences: list[str], params: list[str]) -> list[_Fact]:
    """Negatives and zero, where comparison chains bound every parameter
    from below (``0 <= number``, and the same for ``need`` and ``remaining``)."""
    bounds = [b for s in sentences if not _CONDITIONAL.search(s) for b in constraint_bounds(s)
              if not b.length and b.direct_low and b.low is not None and _named(b.name, params)]
    if not params or not all(any(_named(b.name, [p]) for b in bounds) for p in params):
        return []
    if not all(b.low is not None and b.low >= 0 for b in bounds):
        return []
    text = bounds[0].text
    above_zero = all(b.low_strict or (b.low or 0) > 0 for b in bounds)
    return [_Fact("negatives", False, text), _Fact("zero", not above_zero, text)]


# ------------------------------------------------------ facts from examples


def _call(entry: str, example: DocExample) -> str:
    parts = [repr(arg) for arg in example.args]
    parts += [f"{name}={value!r}" for name, value in example.kwargs.items()]
    return f"{entry}({', '.join(parts)})"


def _numbers_in(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in _numbers_in(item)]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers_in(item)]
    return []


def _scalars(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, (int, float, str)) and not isinstance(item, bool) for item in value)


def _who(params: list[str], positions: list[int]) -> str:
    """"the input" for a one-parameter function, else the parameters' names."""
    if len(params) <= 1:
        return "the input"
    names = [f"`{params[i]}`" for i in positions if i < len(params)]
    return " and ".join(names) if names else "an argument"


def _example_facts(entry: str, params: list[str], kept: list[DocExample]) -> list[_Fact]:
    """Facts the examples show: an empty or one-element argument (with what
    it gives), a negative number, a zero, a float, a repeated value, an
    unsorted list. Each names the shortest example that shows it."""
    facts: list[_Fact] = []

    def first(test: Callable[[Any], bool]) -> tuple[DocExample, list[int]] | None:
        found = [(ex, [i for i, arg in enumerate(ex.args) if test(arg)]) for ex in kept]
        shown = [(ex, where) for ex, where in found if where]
        return min(shown, key=lambda f: len(_call(entry, f[0]))) if shown else None

    def empty(arg: Any) -> bool:
        return isinstance(arg, (list, tuple, str, dict)) and len(arg) == 0

    def single(arg: Any) -> bool:
        if isinstance(arg, str):
            return len(params) == 1 and len(arg) == 1
        return isinstance(arg, (list, tuple)) and len(arg) == 1

    def unsorted(arg: Any) -> bool:
        if not _scalars(arg) or len(arg) < 3 or len({isinstance(x, str) for x in arg}) != 1:
            return False
        return list(arg) != sorted(arg) and list(arg) != sorted(arg, reverse=True)

    def add(topic: str, yes: bool, text: str) -> None:
        facts.append(_Fact(topic, yes, text, example=True))

    if found := first(empty):
        ex, where = found
        add("empty", True, f"Yes, {_who(params, where)} can be empty: "
                           f"{_call(entry, ex)} gives {ex.expected!r}.")
    if found := first(single):
        ex, where = found
        what = "a single character" if isinstance(ex.args[where[0]], str) else "a single element"
        add("single", True, f"Yes, {_who(params, where)} can be {what}: "
                            f"{_call(entry, ex)} gives {ex.expected!r}.")
    if found := first(lambda arg: any(n < 0 for n in _numbers_in(arg))):
        add("negatives", True, f"Yes, negative numbers can appear, as in {_call(entry, found[0])}.")
    if found := first(lambda arg: any(n == 0 for n in _numbers_in(arg))):
        add("zero", True, f"Yes, zero can appear, as in {_call(entry, found[0])}.")
    if found := first(lambda arg: any(isinstance(n, float) for n in _numbers_in(arg))):
        add("integers", False, f"No, floats can appear too, as in {_call(entry, found[0])}.")
    if found := first(lambda arg: _scalars(arg) and len(set(arg)) < len(arg)):
        add("duplicates", True, f"Yes, values can repeat, as in {_call(entry, found[0])}.")
    if found := first(unsorted):
        add("sorted", False, f"No, not necessarily: the list in {_call(entry, found[0])} isn't sorted.")
    return facts


_TYPE_NAMES: dict[type, str] = {
    bool: "True or False", int: "an integer", float: "a float", str: "a string", list: "a list",
    tuple: "a tuple", dict: "a dictionary", type(None): "None",
}


def _output_fact(entry: str, kept: list[DocExample], reference: Callable[..., Any]) -> _Fact | None:
    """What the function returns, by the Python type of the examples'
    values: "a tuple: sum_product([]) returns (0, 1)". Left out when the
    reference returns another type for the same call (a docstring that
    writes a tuple as a list), or when the examples show more than two."""
    shown: dict[type, DocExample] = {}
    for ex in kept:
        kind = type(ex.expected)
        try:
            got = reference(*copy.deepcopy(ex.args), **copy.deepcopy(ex.kwargs))
        except Exception:
            return None
        if kind not in _TYPE_NAMES or type(got) is not kind:
            return None
        shown.setdefault(kind, ex)
    if not shown or len(shown) > 2 or set(shown) == {type(None)}:
        return None
    names = " or ".join(_TYPE_NAMES[kind] for kind in shown)
    calls = " and ".join(f"{_call(entry, ex)} returns {ex.expected!r}" for ex in shown.values())
    return _Fact("output_format", None, f"It returns {names}: {calls}.", example=True)


def _answer(topic: str, facts: list[_Fact]) -> str | None:
    """One topic's answer: the example's when one shows it (the examples are
    what the reference agrees with); else the docstring's sentences with a
    yes or no in front, or nothing when the sentences disagree."""
    examples = [f for f in facts if f.example]
    quotes: list[str] = []
    for fact in facts:
        text = fact.text.rstrip(".")
        if not fact.example and not any(text in q or q in text for q in quotes):
            quotes.append(text)
    if examples:
        if topic == "output_format" and quotes:
            return f'{examples[0].text} The problem says: "{quotes[0]}".'
        return examples[0].text
    polar = {f.yes for f in facts if f.yes is not None}
    if len(polar) > 1:
        return None
    lead = f"{_LEADS[topic][0 if polar.pop() else 1]} " if polar and topic in _LEADS else ""
    return lead + "The problem says: " + " and ".join(f'"{q}"' for q in quotes[:_MAX_QUOTES]) + "."


def _unleaked(answers: dict[str, str], problem: Problem) -> dict[str, str]:
    """The answers the coach's leak filter lets through: the coach would
    not say the others ("It is guaranteed that the answer is unique" reads
    as giving the answer away)."""
    leaks = LeakFilter(problem)
    return {topic: answer for topic, answer in answers.items() if not leaks.reasons(answer)}


def derive_clarifications(
    docstring: str,
    spans: list[ExampleSpan],
    entry: str,
    params: list[str],
    kept: list[DocExample],
    reference: Callable[..., Any] | None = None,
) -> dict[str, str]:
    """Answers to clarifying questions, by topic (``CLARIFICATION_TOPICS``),
    from the docstring's sentences and the examples in ``kept`` (the ones
    the reference agrees with; ``reference`` also confirms the return type
    they show). Topics the docstring does not settle are left out."""
    sentences = _prose_sentences(docstring, spans, entry)
    facts = _sentence_facts(sentences, params) + _param_bound_facts(sentences, params)
    facts += _example_facts(entry, params, kept)
    if reference is not None and (output := _output_fact(entry, kept, reference)):
        facts.append(output)
    by_topic: dict[str, list[_Fact]] = {}
    for fact in facts:
        by_topic.setdefault(fact.topic, []).append(fact)
    answers = {topic: _answer(topic, found) for topic, found in by_topic.items()}
    return {t: a for t in CLARIFICATION_TOPICS if (a := answers.get(t))}


# ----------------------------------------------------------- one problem


@dataclass
class _BuiltProblem:
    id: str
    files: dict[str, str]
    kept: int = 0
    dropped: list[str] = field(default_factory=list)
    skipped: int = 0
    corrected: list[str] = field(default_factory=list)
    hints_filtered: int = 0
    #: The task's check judges a property of the answer (several are right).
    judged_by_property: bool = False


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]]


def _example_input(example: DocExample, params: list[str]) -> str:
    if len(example.args) > len(params):  # *args: no names to give
        parts = [repr(value) for value in example.args]
    else:
        parts = [f"{name} = {value!r}" for name, value in zip(params, example.args, strict=False)]
    parts += [f"{name} = {value!r}" for name, value in example.kwargs.items()]
    return ", ".join(parts)


def _visible_cases(
    built: _BuiltProblem,
    spans: list[ExampleSpan],
    reference: Callable[..., Any],
    params: list[str],
    judged: AnswerCheck,
    accepts: Accepts | None,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[DocExample]]:
    """The test cases and the problem's examples from the docstring's
    examples that the reference agrees with, and those examples; counts the
    rest in ``built``. Where the task's check judges a property of the
    answer (``judged``), a case is judged by the checker ``accepts`` lifted
    out of it, never by the reference's one value; without such a checker
    no case is written, since one could reject a right answer."""
    cases: list[dict[str, Any]] = []
    examples: list[dict[str, str]] = []
    kept: list[DocExample] = []
    for span in spans:
        ex = span.example
        try:
            if ex is None:
                raise NotPlain("not literals")
            args, kwargs, expected = to_plain(ex.args), to_plain(ex.kwargs), to_plain(ex.expected)
        except NotPlain:
            built.skipped += 1
            continue
        mode = "float" if _holds_float([args, kwargs, expected]) else "exact"
        if judged.kind == "property":
            mode = "checker"
            why = (_checker_rejects(accepts, reference, ex, expected) if accepts is not None
                   else "the check tests a property of the answer that it cannot be judged by")
        else:
            why = _reference_disagrees(reference, ex, expected, mode)
        if why and _names_a_term(ex.expected, _reference_output(reference, ex)[0]):
            continue  # "tri(4) = 3": counted by settle_examples, shown as written
        if why:
            built.dropped.append(f"{built.id}: {ex.call_text} -> {ex.expected!r}: {why}")
            continue
        case: dict[str, Any] = {"name": f"docstring example {len(cases) + 1}", "args": _flow(args)}
        if kwargs:
            case["kwargs"] = _flow(kwargs)
        case["expected"] = _flow(expected)
        if mode != "exact":
            case["compare"] = mode
        cases.append(case)
        examples.append({"input": _example_input(ex, params), "output": repr(ex.expected)})
        kept.append(ex)
    built.kept = len(cases)
    return cases, examples, kept


def _parsed_prompt(task: HumanEvalTask, source: Path) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The entry point's definition in the prompt; DatasetError if the task's
    code does not parse or does not define it."""
    try:
        tree = ast.parse(task.prompt)
        ast.parse(task.prompt + task.canonical_solution)
    except SyntaxError as exc:
        raise DatasetError(
            source, f"{task.task_id}: the prompt or solution is not valid Python ({exc.msg})",
            task.line,
        ) from None
    fn = _entry_def(tree, task.entry_point)
    if fn is None:
        raise DatasetError(
            source, f"{task.task_id}: the prompt defines no top-level {task.entry_point}()",
            task.line,
        )
    return fn


def _build_problem(task: HumanEvalTask, index: int, source: Path) -> _BuiltProblem:
    fn = _parsed_prompt(task, source)
    built = _BuiltProblem(id=problem_id(task, index), files={})
    params = _params(fn)
    reference = _reference_function(task, source)
    written = entry_docstring(fn)
    name = example_call_name(written, task.prompt, task.entry_point, params)
    setup = _without_entry_def(task.prompt, fn)
    judged = judge_answers(task.task_id, task.test, task.entry_point, setup, params)
    accepts = load_checker(judged.checker) if judged.checker else None
    settled = settle_examples(written, name, params, reference, accepts)
    docstring, spans = settled.docstring, settled.spans
    built.corrected = [f"{built.id}: {line}" for line in settled.corrected]
    built.dropped = [f"{built.id}: {line}" for line in settled.removed]
    built.skipped += settled.notation
    cases, examples, kept = _visible_cases(built, spans, reference, params, judged, accepts)
    statement = (
        render_statement(docstring, spans)
        if docstring
        else f"This task has no description: implement `{task.entry_point}` from its signature.\n"
    )
    problem: dict[str, Any] = {
        "id": built.id,
        "title": problem_title(task),
        "difficulty": guess_difficulty(task),
        "tags": _Flow(["humaneval"]),
        "statement": statement,
        "examples": examples,
    }
    shape = reference_shape(task.prompt + task.canonical_solution, task.entry_point,
                            [ex.args for ex in kept])
    constraints = derive_constraints(_prose_sentences(docstring, spans, name))
    if constraints:
        problem["constraints"] = constraints
    returns_list = bool(kept) and all(isinstance(ex.expected, list) for ex in kept)
    time = expected_time(shape, docstring, returns_list)
    if time is not None:
        problem["complexity"] = {"time": time, "space": expected_space(shape)}
    tests: dict[str, Any] = {
        "function": task.entry_point,
        "compare": "exact",
        # Never stricter than the check: abs(candidate(x) - y) < tol.
        "tolerance": max(FLOAT_TOLERANCE, judged.tolerance),
        **({"checker": CHECKER_NAME} if judged.checker else {}),
        "cases": cases,
        "asserts": [
            {
                "name": "HumanEval check",
                "check": _check_source(task, setup, source),
                "setup": setup,
                "hidden": True,
            }
        ],
    }
    hints = {**_HINTS, "never_say": _Flow()}
    # Validate here, so a schema mistake is reported against the task's line.
    try:
        spec = ProblemSpec.model_validate(problem)
        test_spec = TestSpec.model_validate(tests)
        hint_spec = HintSpec.model_validate(hints)
    except ValueError as exc:
        raise DatasetError(source, f"{task.task_id}: {exc}", task.line) from None
    signature = _ends_with_newline(task.prompt)
    solution = _ends_with_newline(task.prompt + task.canonical_solution)
    loaded = Problem(pack="humaneval", path=Path(built.id), spec=spec, tests=test_spec,
                     hints=hint_spec, signature=signature, solution=solution,
                     checker=judged.checker or "")
    answers = derive_clarifications(docstring, spans, name, params, kept, reference)
    clarifications = _unleaked(answers, loaded)
    if clarifications:
        problem["clarifications"] = clarifications
    derived = _derived_hints(task, loaded, params, shape, kept, clarifications,
                             several_right=judged.kind == "property")
    built.hints_filtered = derived.filtered
    hints = derived.hints.model_dump(exclude={"pitfalls"})
    hints["never_say"] = _Flow(hints["never_say"])
    built.files = {
        "problem.yaml": _dump_yaml(problem),
        "signature.py": signature,
        "solution.py": solution,
        "tests.yaml": _dump_yaml(tests),
        "hints.yaml": _dump_yaml(hints),
        **({"checker.py": judged.checker} if judged.checker else {}),
    }
    built.judged_by_property = judged.kind == "property"
    return built


def _derived_hints(task: HumanEvalTask, loaded: Problem, params: list[str], shape: Shape,
                   kept: list[DocExample], clarifications: dict[str, str], *,
                   several_right: bool = False) -> DerivedHints:
    """This problem's hints and never_say (see :mod:`.derive`), checked by the
    coach's leak filter against what the candidate can read."""
    shown = [ShownExample(ex.call_text, ex.value_text, ex.expected) for ex in kept
             if ex.value_text and "\n" not in ex.value_text + ex.call_text]
    candidates = candidate_hints(task.entry_point, params, shape, shown, clarifications,
                                 several_right=several_right)
    never_say = candidate_never_say(shape, task.entry_point, params)
    spec = loaded.spec
    public = "\n".join([spec.statement, *spec.constraints, *clarifications.values(),
                        *(f"{ex.input}\n{ex.output}" for ex in spec.examples)])
    return settle_hints(loaded, candidates, never_say, public, _HINTS)


def _ends_with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------- the pack


@dataclass(frozen=True)
class ImportSummary:
    out: Path
    tasks_read: int
    problems_written: int
    #: Docstring examples written as visible cases.
    example_cases_kept: int
    #: Examples read, but taken out of the statement and the cases because the
    #: canonical solution cannot run them (or their value cannot be corrected).
    example_cases_dropped: int
    #: Examples that are not a literal call of the entry point with a literal
    #: value (``round(find_zero([1, 2]), 2)``), so they stay text only.
    example_cases_skipped: int
    #: Problems with no visible case (only the hidden check).
    problems_without_visible_cases: int
    #: One line per dropped example: which problem, which call, why.
    dropped: tuple[str, ...] = ()
    #: Examples whose value the canonical solution disagrees with, shown (and
    #: tested) with the solution's value instead: the check agrees with it.
    example_cases_corrected: int = 0
    #: One line per corrected example: which problem, which call, both values.
    corrected: tuple[str, ...] = ()
    #: Derived hints the leak filter flagged, so not written (see ``derive.py``).
    hints_filtered: int = 0
    #: Problems whose check judges a property of the answer, where several
    #: answers are right (HumanEval/32: any root): their visible cases are
    #: judged by checker.py, the check's own assertion, not by one value.
    problems_judged_by_property: int = 0


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not overwrite:
        raise OutputExistsError(f"{out} is not empty: choose another folder, or overwrite")
    if not (out / "pack.yaml").is_file():
        # Overwriting replaces an earlier pack; it never deletes any other folder.
        raise OutputExistsError(f"{out} is not empty and holds no pack.yaml: not replacing it")


def _write_pack(out: Path, meta: dict[str, Any], problems: list[_BuiltProblem]) -> None:
    """Write into a fresh folder beside ``out``, then swap it in, so a failure
    never leaves half a pack behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / "pack.yaml").write_text(_dump_yaml(meta), encoding="utf-8")
        (staging / "LICENSE").write_text(_LICENCE_NOTICE, encoding="utf-8")
        for problem in problems:
            folder = staging / problem.id
            folder.mkdir()
            for name, text in problem.files.items():
                (folder / name).write_text(text, encoding="utf-8")
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def import_humaneval(
    source: Path,
    out: Path,
    *,
    pack_name: str = "humaneval",
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> ImportSummary:
    """Write the HumanEval file ``source`` as a pack in the folder ``out``.

    ``limit`` imports only the first tasks; ``progress(done, total)`` is
    called after each one. ``out`` must be missing or empty, or, with
    ``overwrite``, an earlier pack (a folder with a pack.yaml), which is
    replaced. Raises :class:`DatasetError` for a bad input file and
    :class:`OutputExistsError` when ``out`` may not be written.
    """
    source, out = Path(source), Path(out)
    if not re.fullmatch(ID_PATTERN, pack_name):
        raise ValueError(f"pack name {pack_name!r} must match {ID_PATTERN}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    _prepare_out(out, overwrite)
    tasks = read_humaneval(source)
    selected = tasks[:limit] if limit is not None else tasks

    built: list[_BuiltProblem] = []
    ids: dict[str, str] = {}
    for index, task in enumerate(selected):
        problem = _build_problem(task, index, source)
        if problem.id in ids:
            raise DatasetError(
                source, f"{task.task_id} and {ids[problem.id]} both become {problem.id!r}", task.line
            )
        ids[problem.id] = task.task_id
        built.append(problem)
        if progress is not None:
            progress(index + 1, len(selected))

    meta = {
        "name": pack_name,
        "version": "1.0.0",
        "title": "HumanEval",
        "author": "OpenAI (HumanEval)",
        "licence": "MIT",
        "description": (
            f"{len(selected)} of the {len(tasks)} tasks of OpenAI's HumanEval "
            f"(https://github.com/openai/human-eval), imported from {source.name}. "
            "Visible cases are the docstring examples the canonical solution agrees with; "
            "the hidden test is each task's own check."
        ),
    }
    PackMeta.model_validate(meta)
    _write_pack(out, meta, built)
    return ImportSummary(
        out=out,
        tasks_read=len(tasks),
        problems_written=len(built),
        example_cases_kept=sum(p.kept for p in built),
        example_cases_dropped=sum(len(p.dropped) for p in built),
        example_cases_skipped=sum(p.skipped for p in built),
        problems_without_visible_cases=sum(p.kept == 0 for p in built),
        dropped=tuple(line for p in built for line in p.dropped),
        example_cases_corrected=sum(len(p.corrected) for p in built),
        corrected=tuple(line for p in built for line in p.corrected),
        hints_filtered=sum(p.hints_filtered for p in built),
        problems_judged_by_property=sum(p.judged_by_property for p in built),
    )
