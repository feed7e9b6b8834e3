"""The tools a model may call while it coaches, as an interviewer agent
would use them: ``run_tests``, ``get_hint(level)``, ``analyze_code`` and
``assess_solution``.

Each returns plain JSON for the model, and nothing the candidate could not
see: visible test cases in full, hidden ones only counted; the hint ladder's
next level through the orchestrator (which keeps the ladder's rules and
shows the hint on the panel); the analyzer's questions and lines. No tool
returns the reference solution, a hidden input or output, the expected
complexity or a score.

A model that writes its call as text instead (``<tool_call>{…}</tool_call>``
as Qwen does, a fenced or bare ``{"name": …, "arguments": {…}}``) is
understood too: :class:`TextToolCalls` holds such text back from the
candidate and :func:`parse_text_tool_calls` reads the calls out of it. For a
model that cannot call tools at all, :func:`facts_without_tools` gives what
the tools would have fetched, for its context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mock_interviewer_lab.coach.prompts import findings_json, visible_run
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.kinds.coding import view_of
from mock_interviewer_lab.interview.rules.analyzer import CodeAnalyzer

if TYPE_CHECKING:
    from mock_interviewer_lab.interview.session import CodeRunner

#: OpenAI function-calling schemas (litellm passes them to any provider).
TOOL_SCHEMAS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "run_tests",
        "description": "Run the candidate's latest code against the problem's tests. Returns "
                       "passed/total, the visible cases in full and how many hidden ones failed.",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "get_hint",
        "description": "Give the candidate the hint of the given level (1 gentle, 2, 3 most "
                       "direct). Levels go one at a time and never skip; the hint is shown on "
                       "the candidate's panel. Returns its text, or why it cannot be given now.",
        "parameters": {"type": "object", "properties": {
            "level": {"type": "integer", "minimum": 1, "maximum": 3}},
            "required": ["level"], "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "analyze_code",
        "description": "Static analysis of the candidate's latest code: suspicious lines and a "
                       "question to ask about each (never the fix).",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "assess_solution",
        "description": "Where the candidate's solution stands from the latest test run and the "
                       "measured complexity: a verdict in words, no score.",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False}}},
]
TOOL_NAMES = frozenset(t["function"]["name"] for t in TOOL_SCHEMAS)


class CoachTools:
    """The tools for one turn: the context of that turn and the session's runner."""

    def __init__(self, ctx: CoachContext, runner: CodeRunner | None,
                 analyzer: CodeAnalyzer | None = None) -> None:
        self.ctx = ctx
        self.runner = runner
        self.analyzer = analyzer or CodeAnalyzer()
        #: The run made by run_tests this turn, newer than the view's last_run.
        self.latest_run: dict[str, Any] | None = None

    def call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "run_tests": lambda a: self.run_tests(),
            "get_hint": lambda a: self.get_hint(a.get("level")),
            "analyze_code": lambda a: self.analyze_code(),
            "assess_solution": lambda a: self.assess_solution(),
        }
        handler = handlers.get(name)
        if handler is None:
            return {"error": f"no tool {name!r}; the tools are {', '.join(sorted(TOOL_NAMES))}"}
        return handler(args)

    # ------------------------------------------------------------- tools

    def run_tests(self) -> dict[str, Any]:
        ctx = self.ctx
        work = view_of(ctx)
        if work.code is None:
            return {"error": "the candidate has not submitted any code yet"}
        if self.runner is None:
            return {"error": "tests cannot run in this session"}
        result = self.runner.run(ctx.problem, work.code)
        self.latest_run = result.public_json()
        shown = visible_run(self.latest_run)
        assert shown is not None
        return shown

    def get_hint(self, level: Any) -> dict[str, Any]:
        if self.ctx.request_hint is None:
            return {"error": "hints cannot be given in this session"}
        if isinstance(level, bool) or not isinstance(level, int):
            return {"error": "level must be an integer from 1 to 3"}
        return self.ctx.request_hint(level)

    def analyze_code(self) -> dict[str, Any]:
        ctx = self.ctx
        work = view_of(ctx)
        if work.code is None:
            return {"error": "the candidate has not submitted any code yet"}
        spec = ctx.problem.spec
        ignored = set(spec.analyzer_ignore)
        findings = [f for f in self.analyzer.analyze(
            work.code, function=ctx.problem.tests.function,
            expected_time=spec.complexity.time if spec.complexity else None)
            if f.rule not in ignored]
        return {"findings": findings_json(findings),
                "note": "ask the question; never say what to change"}

    def assess_solution(self) -> dict[str, Any]:
        work = view_of(self.ctx)
        run = self.latest_run or work.last_run
        if not run:
            return {"verdict": "not run yet", "note": "call run_tests, or ask them to run it"}
        shown = visible_run(run)
        assert shown is not None
        passed, total = int(shown["passed"]), int(shown["total"])
        visible_failing = [c for c in shown["visible_cases"] if c.get("status") != "passed"]
        if shown.get("error"):
            verdict = "the code does not load or stopped with an error"
        elif total and passed == total:
            verdict = "all tests pass"
        elif visible_failing:
            verdict = f"{len(visible_failing)} visible test(s) fail"
        else:
            verdict = "the visible tests pass; only hidden tests fail (edge cases)"
        cx = shown.get("complexity") or {}
        if cx.get("slower_than_needed"):
            verdict += "; the measured running time grows faster than the problem needs"
        return {"verdict": verdict, "passed": passed, "total": total,
                "visible_failing": visible_failing, "hidden_failed": shown["hidden_failed"],
                "measured_complexity": cx.get("estimated") if cx.get("reliable") else None,
                "complexity_discussed": work.complexity_discussed}


# ------------------------------------------------ calls written as text

#: How a call written as text opens: Qwen's tag, a code fence, a bare object.
_TAG_OPEN, _TAG_CLOSE = "<tool_call>", "</tool_call>"
_FENCE_LANGS = frozenset({"", "json", "tool_call", "tool", "tool_code", "function"})
_TAGGED = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.S)
_FENCED = re.compile(r"```([\w-]*)[ \t]*\n?(.*?)(?:```|$)", re.S)


def _opens_call(text: str) -> bool | None:
    """Whether ``text`` (which starts with ``<``, a backtick, ``{`` or ``[``) opens a
    tool call written as text: True, False, or None while it cannot tell yet."""
    if text.startswith("<"):
        if text.startswith(_TAG_OPEN):
            return True
        return None if _TAG_OPEN.startswith(text) else False
    if text.startswith("`"):
        if len(text) < 3:
            return None if "```".startswith(text) else False
        if not text.startswith("```"):
            return False
        head, newline, body = text[3:].partition("\n")
        if not newline:
            lang = head.strip()
            return None if len(head) < 20 and (not lang or lang.replace("-", "_").isidentifier()) \
                else False
        if head.strip().lower() not in _FENCE_LANGS:
            return False
        first = body.lstrip()[:1]
        return None if not first else first in "{["
    rest = text[1:].lstrip()
    if text.startswith("["):  # a list of calls: [{"name": ...}]
        return None if not rest else rest.startswith("{") and _opens_call(rest) is not False
    return None if not rest else rest.startswith('"')


def _as_call(obj: Any) -> tuple[str, str] | None:
    """(name, arguments as JSON) when ``obj`` is a tool call as models write
    them: {"name", "arguments"|"parameters"}, or {"function": {...}}."""
    if not isinstance(obj, dict):
        return None
    inner = obj.get("function")
    if isinstance(inner, dict) and isinstance(inner.get("name"), str):
        obj = inner
    name = obj.get("name", obj.get("tool"))
    if not isinstance(name, str) or not name:
        return None
    if name not in TOOL_NAMES and "arguments" not in obj and "parameters" not in obj:
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if args is None:
        args = {}
    return name, args if isinstance(args, str) else json.dumps(args)


def _calls_in(payload: str) -> list[tuple[str, str]] | None:
    """The calls a JSON payload holds (one object, a list, or objects one after
    another), or None when it is not only calls."""
    decoder = json.JSONDecoder()
    calls: list[tuple[str, str]] = []
    at, text = 0, payload.strip()
    while at < len(text):
        try:
            value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            return None
        for item in value if isinstance(value, list) else [value]:
            call = _as_call(item)
            if call is None:
                return None
            calls.append(call)
        at = end
        while at < len(text) and text[at] in " \t\r\n,;":
            at += 1
    return calls or None


def _next_open(text: str, start: int) -> int:
    """Where the next JSON object or list may start, or -1."""
    found = [i for i in (text.find("{", start), text.find("[", start)) if i != -1]
    return min(found) if found else -1


def parse_text_tool_calls(text: str) -> tuple[list[tuple[str, str]], str]:
    """The tool calls a model wrote as text (``<tool_call>…</tool_call>``, a
    fenced or bare JSON object ``{"name": …, "arguments": {…}}``) as (name,
    arguments JSON) pairs, and the text without them. Anything else, code
    included, stays in the text (the leak filter judges it)."""
    calls: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, group in ((_TAGGED, 1), (_FENCED, 2)):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            if pattern is _FENCED and m.group(1).lower() not in _FENCE_LANGS:
                continue
            found = _calls_in(m.group(group))
            if found:
                calls.extend(found)
                spans.append(m.span())
    decoder = json.JSONDecoder()
    at = _next_open(text, 0)
    while at != -1:
        end = next((b for a, b in spans if a <= at < b), None)
        if end is None:
            try:
                value, end = decoder.raw_decode(text, at)
            except json.JSONDecodeError:
                value, end = None, at + 1
            read = [_as_call(v) for v in (value if isinstance(value, list) else [value])]
            if read and all(read):
                calls.extend(c for c in read if c is not None)
                spans.append((at, end))
            else:
                end = at + 1
        at = _next_open(text, end)
    if not spans:
        return [], text
    rest, last = [], 0
    for a, b in sorted(spans):
        rest.append(text[last:a])
        last = b
    rest.append(text[last:])
    return calls, re.sub(r"[ \t]{2,}", " ", "".join(rest)).strip()


class TextToolCalls:
    """A model's streamed text on its way to the candidate, with whatever may
    be a tool call written as text held back until the answer ends (then
    :meth:`finish` parses it: calls out, the rest of the text shown)."""

    def __init__(self) -> None:
        self._pending = ""
        self._held = ""

    def feed(self, text: str) -> str:
        """The part of ``text`` that can be shown now."""
        if self._held:
            self._held += text
            return ""
        buf, self._pending = self._pending + text, ""
        at = 0
        while True:
            starts = [i for i in (buf.find(c, at) for c in "<`{[") if i != -1]
            if not starts:
                return buf
            i = min(starts)
            opens = _opens_call(buf[i:])
            if opens is None:
                self._pending = buf[i:]
                return buf[:i]
            if opens:
                self._held = buf[i:]
                return buf[:i]
            at = i + 1

    def finish(self) -> tuple[str, list[tuple[str, str]]]:
        """The answer ended: the text held back that is not a call, and the calls."""
        held, self._pending, self._held = self._pending + self._held, "", ""
        if not held:
            return "", []
        calls, rest = parse_text_tool_calls(held)
        return rest, calls


def facts_without_tools(ctx: CoachContext) -> list[str]:
    """What the tools would have fetched, for a model that cannot call them
    (the run, the findings, the growth are in its notes already): where the
    solution stands, and that it cannot run code or give hints. Never a
    hidden case's contents."""
    work = view_of(ctx)
    facts: list[str] = []
    if work.last_run:
        assessment = CoachTools(ctx, None).assess_solution()
        facts.append("WHERE THE SOLUTION STANDS: " + json.dumps(
            {k: assessment.get(k) for k in ("verdict", "passed", "total", "hidden_failed",
                                             "measured_complexity")}, default=str))
    elif work.code is not None:
        facts.append("Their code has not been run yet: say nothing about whether it passes.")
    facts.append("You cannot run code or give hints yourself: the candidate's Run and Hint "
                 "buttons do.")
    return facts
