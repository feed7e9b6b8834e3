"""The analyzer itself: parse, choose the code each rule reads, run every rule
in :data:`_CHECKS` (the registry: one check per rule module), order the
findings. A rule that fails on a strange tree is skipped and logged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from mock_interviewer_lab.interview.rules.analyzer.findings import RULE_ORDER, Finding, rules
from mock_interviewer_lab.interview.rules.analyzer.function_missing import check_function_missing
from mock_interviewer_lab.interview.rules.analyzer.missing_return import check_missing_return
from mock_interviewer_lab.interview.rules.analyzer.mutating_while_iterating import check_mutation
from mock_interviewer_lab.interview.rules.analyzer.nested_loops import check_nested_loops
from mock_interviewer_lab.interview.rules.analyzer.off_by_one_range import check_off_by_one
from mock_interviewer_lab.interview.rules.analyzer.program import Context, Program, build_context
from mock_interviewer_lab.interview.rules.analyzer.recursion_without_base_case import (
    check_recursion,
)
from mock_interviewer_lab.interview.rules.analyzer.syntax_error import parse
from mock_interviewer_lab.interview.rules.analyzer.unused_parameter import (
    check_unused_parameters,
)

log = logging.getLogger(__name__)

Check = Callable[[Context], Iterable[Finding]]
#: Every rule but syntax_error (which :func:`parse` reports), in turn.
_CHECKS: tuple[Check, ...] = (
    check_function_missing,
    check_nested_loops,
    check_recursion,
    check_missing_return,
    check_off_by_one,
    check_mutation,
    check_unused_parameters,
)


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
        parsed = parse(code)
        if isinstance(parsed, Finding):
            return [parsed]
        context = build_context(Program(parsed), function or None, expected_time)
        findings: list[Finding] = []
        for check in _CHECKS:
            findings.extend(self._run(check, context))
        return _ordered(findings)

    def _run(self, check: Check, context: Context) -> list[Finding]:
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
    return sorted(unique, key=lambda f: (f.line or 0, RULE_ORDER[f.rule]))
