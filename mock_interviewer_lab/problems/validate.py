"""``problems validate``: a pack is valid when it loads cleanly, its links
name real problems, and every reference solution passes all its tests (in
the real sandbox) within its expected complexity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..settings import Settings
from .loader import PackIssue, Problem
from .registry import ProblemRegistry, expand_pack_dirs

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
class ValidationReport:
    problems: list[ProblemValidation] = field(default_factory=list)
    issues: list[PackIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues and all(p.ok for p in self.problems) and bool(self.problems)

    @property
    def error_count(self) -> int:
        return len(self.issues) + sum(not p.ok for p in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "issues": [str(i) for i in self.issues],
            "problems": [vars(p) for p in self.problems],
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
    from ..harness.runner import SyncHarness, batch_workers

    dirs = [d for p in paths for d in expand_pack_dirs(p)]
    report = ValidationReport()
    if not dirs:
        report.issues = [PackIssue(str(p), "holds no pack.yaml") for p in paths]
        return report
    reg = ProblemRegistry.from_dirs(dirs)
    report.issues.extend(reg.issues)
    problems = reg.problems()
    known = {p.id for p in problems} | {p.id for p in ProblemRegistry.discover(settings).problems()}
    report.issues.extend(_link_issues(problems, known))
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
        results = harness.run_many([(p, p.solution) for p in problems], complexity=False,
                                   progress=tick)
        for problem, result in zip(problems, results, strict=True):
            pv = ProblemValidation(problem=problem.qualified_id, ok=True,
                                   tests=f"{result.passed}/{result.total}")
            if not result.all_passed:
                pv.ok = False
                if result.error:
                    pv.messages.append(result.error)
                for c in result.cases:
                    if c.status != "passed":
                        pv.messages.append(f"case {c.index + 1} ({c.name}): {c.status}"
                                           + (f": {c.message}" if c.message else ""))
            if complexity and problem.tests.performance is not None and pv.ok:
                pv.complexity, worse = _check_growth(harness, problem)
                if worse:
                    pv.ok = False
                    pv.messages.append(f"the reference measures {pv.complexity}")
            report.problems.append(pv)
    return report


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
