"""What a run reports: plain JSON-ready models.

For a hidden case only its index, kind and status are ever filled in; the
harness never copies a hidden input, expected value, answer, message or
output into these objects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

CaseStatus = Literal["passed", "failed", "error", "timeout", "memory"]


# The pydantic plugin's __init__ takes **kwargs, which a field named kwargs shadows.
class CaseOutcome(BaseModel):  # type: ignore[no-redef]
    index: int
    name: str
    hidden: bool
    kind: Literal["io", "generated", "assert"]
    status: CaseStatus
    # Visible cases only: everything below stays None for hidden ones.
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    expected: Any = None
    got: Any = None
    got_repr: str | None = None
    message: str | None = None
    traceback: str | None = None
    line: int | None = None
    stdout: str | None = None
    stdout_dropped_bytes: int = 0
    time_ms: float | None = None


class ComplexityReport(BaseModel):
    expected: str | None
    estimated: str | None
    exponent: float | None = None
    reliable: bool = False
    samples: list[tuple[int, float]] = Field(default_factory=list)
    #: Reliably and clearly worse than expected (see runner._complexity_report).
    worse_than_expected: bool = False
    note: str = ""


class RunResult(BaseModel):
    problem: str
    passed: int
    failed: int
    total: int
    cases: list[CaseOutcome]
    complexity: ComplexityReport | None = None
    error: str | None = None
    seconds: float = 0.0
    isolation: dict[str, Any] = Field(default_factory=dict)
    # True when the sandbox itself failed (a kernel that died or hung), as
    # opposed to the candidate's code failing in a sandbox that worked.
    _sandbox_failed: bool = PrivateAttr(default=False)

    @property
    def sandbox_failed(self) -> bool:
        return self._sandbox_failed

    @property
    def all_passed(self) -> bool:
        return self.error is None and self.total > 0 and self.passed == self.total

    def public_json(self) -> dict[str, Any]:
        """The run as the CLI and the API print it."""
        return self.model_dump(mode="json", exclude_none=False)
