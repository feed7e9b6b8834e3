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

The package: ``core`` (:class:`CodeAnalyzer` and the registry of checks),
``findings`` (:class:`Finding`, the rule ids), ``program`` (the parsed code
as every rule reads it), ``paths`` (control flow, shared by two rules), and
one module per rule, named by its id.
"""

from __future__ import annotations

from mock_interviewer_lab.interview.rules.analyzer.core import CodeAnalyzer
from mock_interviewer_lab.interview.rules.analyzer.findings import Finding, rules

__all__ = ["CodeAnalyzer", "Finding", "rules"]
