"""The tools a model may call while it coaches, as an interviewer agent
would use them: ``run_tests``, ``get_hint(level)``, ``analyze_code`` and
``assess_solution``.

Each returns plain JSON for the model, and nothing the candidate could not
see: visible test cases in full, hidden ones only counted; the hint ladder's
next level through the orchestrator (which keeps the ladder's rules and
shows the hint on the panel); the analyzer's questions and lines. No tool
returns the reference solution, a hidden input or output, the expected
complexity or a score.
"""

from __future__ import annotations

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
