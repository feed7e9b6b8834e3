"""Dynamic difficulty calibration: how did the problem suit the candidate, and what next.

The seed spec's calibrator, on :class:`~mock_interviewer_lab.reporting.metrics.SessionMetrics`.

:meth:`DifficultyCalibrator.assess` uses the spec's thresholds (all in
:class:`Thresholds`), first match wins:

==============  ================================================================
assessment      when
==============  ================================================================
too_hard        the first approach came after more than 300 s; or none came in
                a session longer than 300 s
struggling      more than 5 hints were asked for (``hint_requested`` events;
                hints the coach offered because the candidate was stuck are not
                requests)
too_easy        the first approach came in under 60 s, and the tests all passed
                at some point
comfortable     the tests all passed within 600 s
appropriate     anything else (including a session too short to judge)
==============  ================================================================

Two deliberate departures from the spec's ``assess_performance``, both so a
fast first sentence cannot outweigh everything after it: the spec checks
"too easy" first, from the approach time alone; here "struggling" comes
first, and "too easy" also needs working code. The boundaries are as the
spec's comparisons: exactly 60 s is not too easy, exactly 300 s not too hard,
exactly 5 hints not struggling, exactly 600 s not comfortable.

:meth:`DifficultyCalibrator.adjust_coaching` is the spec's table of coach
changes; :meth:`DifficultyCalibrator.suggest_next_problem` walks the problem
pack's ``harder_variants`` and ``prerequisites``. :func:`progress_stats`
summarises many sessions for ``sessions stats``.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, UnknownProblem
from mock_interviewer_lab.reporting.metrics import SessionMetrics

AssessmentLevel = Literal["too_easy", "too_hard", "struggling", "comfortable", "appropriate"]
Route = Literal[
    "harder_variant",
    "harder_difficulty",
    "prerequisite",
    "easier_difficulty",
    "same_difficulty",
    "none",
]

DIFFICULTY_ORDER: tuple[str, ...] = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Thresholds:
    """The seed spec's numbers (seconds and counts)."""

    fast_approach_s: float = 60.0
    slow_approach_s: float = 300.0
    max_hints_requested: int = 5
    quick_working_code_s: float = 600.0


@dataclass(frozen=True)
class PerformanceMetrics:
    """The spec's performance figures, taken from a session's metrics."""

    #: None: no approach was described and no code was written.
    time_to_first_approach: float | None
    time_to_working_code: float | None
    hints_requested: int
    bugs_encountered: int
    test_iterations: int
    #: None: the complexity was never checked.
    complexity_correct: bool | None
    silence_periods: tuple[float, ...]
    #: Not in the spec: needed to tell "no approach yet" from "no approach at all".
    session_duration: float

    @classmethod
    def from_session(cls, metrics: SessionMetrics) -> PerformanceMetrics:
        return cls(
            time_to_first_approach=metrics.time_to_first_approach,
            time_to_working_code=metrics.time_to_working_code,
            hints_requested=metrics.hints_requested,
            bugs_encountered=metrics.bugs_encountered,
            test_iterations=metrics.test_runs,
            complexity_correct=metrics.complexity_correct,
            silence_periods=metrics.silence_periods,
            session_duration=metrics.total_duration,
        )


@dataclass(frozen=True)
class Assessment:
    level: AssessmentLevel
    #: Which rule decided, with the figures it compared.
    reason: str
    metrics: PerformanceMetrics

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CoachAdjustments:
    """The spec's coach changes for an assessment, and the coach settings with them applied."""

    assessment: AssessmentLevel
    helpfulness: str
    #: Applied to every "wait before helping" setting: 2.0 makes hints rarer,
    #: 0.5 makes them come twice as soon.
    hint_threshold_multiplier: float = 1.0
    suggest_optimization: bool = False
    add_followup: bool = False
    offer_subproblem: bool = False
    simplify_requirements: bool = False
    break_into_steps: bool = False
    provide_examples: bool = False
    allow_pseudocode_first: bool = False
    #: A copy of the coach settings given, with helpfulness and the waits changed.
    coach: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Recommendation:
    #: The problem's id (``two_sum``); None when nothing fits.
    problem_id: str | None
    reason: str
    route: Route = "none"
    qualified_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Coach settings that say how long to wait before helping. Scaled by the
# hint threshold multiplier. (path in the coach settings, smallest value)
_WAIT_SETTINGS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("interrupt_after_silence_ms",), 0),
    (("nudge_interval_s",), 1),
    (("intervention", "silence_before_nudge_ms"), 0),
    # The seed spec's own key, should a caller's settings carry it.
    (("hint_threshold",), 0),
)


class DifficultyCalibrator:
    """Assesses a session, adapts the coach, and recommends the next problem."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()

    # ------------------------------------------------------------ assess

    def assess(self, metrics: PerformanceMetrics | SessionMetrics) -> Assessment:
        """The spec's five levels; see the module docstring for the rules."""
        perf = (
            PerformanceMetrics.from_session(metrics)
            if isinstance(metrics, SessionMetrics)
            else metrics
        )
        th = self.thresholds
        approach = perf.time_to_first_approach
        working = perf.time_to_working_code

        def verdict(level: AssessmentLevel, reason: str) -> Assessment:
            return Assessment(level, reason, perf)

        if approach is not None and approach > th.slow_approach_s:
            return verdict(
                "too_hard", f"first approach after {approach:.0f} s (> {th.slow_approach_s:.0f} s)"
            )
        if approach is None and perf.session_duration > th.slow_approach_s:
            return verdict(
                "too_hard",
                f"no approach in {perf.session_duration:.0f} s (> {th.slow_approach_s:.0f} s)",
            )
        if perf.hints_requested > th.max_hints_requested:
            return verdict(
                "struggling",
                f"{perf.hints_requested} hints asked for (> {th.max_hints_requested})",
            )
        if approach is not None and approach < th.fast_approach_s and working is not None:
            return verdict(
                "too_easy",
                f"first approach after {approach:.0f} s (< {th.fast_approach_s:.0f} s) "
                f"and working code after {working:.0f} s",
            )
        if working is not None and working < th.quick_working_code_s:
            return verdict(
                "comfortable",
                f"working code after {working:.0f} s (< {th.quick_working_code_s:.0f} s)",
            )
        if approach is None:
            return verdict("appropriate", "too little of the session to judge: no approach yet")
        return verdict("appropriate", "no rule for too easy, too hard or struggling applied")

    # ------------------------------------------------------------ coach

    def adjust_coaching(
        self, assessment: Assessment | AssessmentLevel, coach: Mapping[str, Any] | BaseModel
    ) -> CoachAdjustments:
        """The spec's changes for ``assessment``, applied to a copy of ``coach``.

        ``coach`` is a ``CoachSettings`` or its dict (``settings.coach``);
        it is not modified. The copy validates as ``CoachSettings`` when the
        input did.
        """
        level = assessment.level if isinstance(assessment, Assessment) else assessment
        base: dict[str, Any] = (
            coach.model_dump() if isinstance(coach, BaseModel) else copy.deepcopy(dict(coach))
        )
        helpfulness = str(base.get("helpfulness", "balanced"))
        flags: dict[str, bool] = {}
        multiplier = 1.0
        if level == "too_easy":
            helpfulness, multiplier = "gentle", 2.0
            flags = {"suggest_optimization": True, "add_followup": True}
        elif level == "too_hard":
            helpfulness, multiplier = "insistent", 0.5
            flags = {"offer_subproblem": True, "simplify_requirements": True}
        elif level == "struggling":
            flags = {
                "break_into_steps": True,
                "provide_examples": True,
                "allow_pseudocode_first": True,
            }
        adjusted = _scaled_waits(base, multiplier)
        adjusted["helpfulness"] = helpfulness
        return CoachAdjustments(
            assessment=level,
            helpfulness=helpfulness,
            hint_threshold_multiplier=multiplier,
            coach=adjusted,
            **flags,
        )

    # ------------------------------------------------------------ next problem

    def suggest_next_problem(
        self,
        assessment: Assessment | AssessmentLevel,
        problem: Problem,
        registry: ProblemRegistry,
    ) -> Recommendation:
        """A different problem that suits the assessment, or None with the reason.

        too_easy, comfortable: a harder variant (``harder_variants``), else a
        harder problem sharing a tag, else one of the same difficulty with
        different tags. too_hard, struggling: a prerequisite
        (``prerequisites``), else an easier problem sharing a tag.
        appropriate: the same difficulty with different tags. Never the same
        problem. The reason never names a tag: tags name the pattern, which the
        candidate is meant to find (the same rule as ``Problem.public_view``).
        """
        level = assessment.level if isinstance(assessment, Assessment) else assessment
        others = [p for p in registry.problems() if p.qualified_id != problem.qualified_id]
        title = problem.spec.title
        if level in ("too_easy", "comfortable"):
            variant = _first_listed(problem, problem.spec.harder_variants, registry)
            if variant:
                return _recommend(
                    variant, "harder_variant",
                    f"{variant.spec.title} is a harder variant of {title}.",
                )
            harder = _sharing_tags(problem, _at_difficulty(others, problem, +1))
            if harder:
                return _recommend(
                    harder, "harder_difficulty",
                    f"{title} lists no harder variant; {harder.spec.title} is "
                    f"{harder.spec.difficulty} and practises some of the same ideas.",
                )
            return self._same_difficulty(
                problem, others, f"{title} lists no harder variant and no harder problem is related"
            )
        if level in ("too_hard", "struggling"):
            prerequisite = _first_listed(problem, problem.spec.prerequisites, registry)
            if prerequisite:
                return _recommend(
                    prerequisite, "prerequisite",
                    f"{prerequisite.spec.title} is a prerequisite of {title}: "
                    "practise it first, then come back.",
                )
            easier = _sharing_tags(problem, _at_difficulty(others, problem, -1))
            if easier:
                return _recommend(
                    easier, "easier_difficulty",
                    f"{title} lists no prerequisite; {easier.spec.title} is "
                    f"{easier.spec.difficulty} and practises some of the same ideas.",
                )
            return Recommendation(
                None,
                f"{title} lists no prerequisite and no easier problem shares its tags: "
                f"try {title} again with the hints.",
            )
        return self._same_difficulty(problem, others, "")

    @staticmethod
    def _same_difficulty(problem: Problem, others: Sequence[Problem], why: str) -> Recommendation:
        difficulty = problem.spec.difficulty
        pick = _different_tags(problem, _at_difficulty(others, problem, 0))
        lead = f"{why}; " if why else ""
        if pick is None:
            return Recommendation(
                None, _sentence(lead + f"no other {difficulty} problem with a different "
                                "pattern is loaded.")
            )
        return _recommend(
            pick, "same_difficulty",
            _sentence(lead + f"{pick.spec.title} is also {difficulty}, with a different pattern."),
        )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _recommend(problem: Problem, route: Route, reason: str) -> Recommendation:
    return Recommendation(problem.id, reason, route, problem.qualified_id)


def _resolve(registry: ProblemRegistry, origin: Problem, ref: str) -> Problem | None:
    """A problem named in ``origin``'s pack: its own pack first, then any pack."""
    refs = [ref] if ":" in ref else [f"{origin.pack}:{ref}", ref]
    for candidate in refs:
        try:
            return registry.get(candidate)
        except UnknownProblem:
            continue
    return None


def _first_listed(
    problem: Problem, refs: Iterable[str], registry: ProblemRegistry
) -> Problem | None:
    for ref in refs:
        found = _resolve(registry, problem, ref)
        if found is not None and found.qualified_id != problem.qualified_id:
            return found
    return None


def _at_difficulty(problems: Iterable[Problem], origin: Problem, step: int) -> list[Problem]:
    """Problems one difficulty step from ``origin``'s (0: the same difficulty)."""
    index = DIFFICULTY_ORDER.index(origin.spec.difficulty) + step
    if not 0 <= index < len(DIFFICULTY_ORDER):
        return []
    return [p for p in problems if p.spec.difficulty == DIFFICULTY_ORDER[index]]


def _shared(a: Problem, b: Problem) -> set[str]:
    return set(a.spec.tags) & set(b.spec.tags)


def _sharing_tags(origin: Problem, problems: Iterable[Problem]) -> Problem | None:
    """The problem sharing the most tags with ``origin`` (at least one); ties by id."""
    scored = [(len(_shared(origin, p)), p) for p in problems]
    scored = [(n, p) for n, p in scored if n > 0]
    if not scored:
        return None
    return min(scored, key=lambda pair: (-pair[0], pair[1].qualified_id))[1]


def _different_tags(origin: Problem, problems: Iterable[Problem]) -> Problem | None:
    """The problem sharing the fewest tags with ``origin`` (never all of them); ties by id."""
    own = set(origin.spec.tags)
    candidates = [p for p in problems if set(p.spec.tags) != own]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (len(_shared(origin, p)), p.qualified_id))


def _scaled_waits(coach: dict[str, Any], multiplier: float) -> dict[str, Any]:
    if multiplier == 1.0:
        return coach
    for path, smallest in _WAIT_SETTINGS:
        holder: Any = coach
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or not isinstance(holder.get(path[-1]), (int, float)):
            continue
        value = holder[path[-1]] * multiplier
        # Whole numbers stay whole: the settings model wants integers.
        holder[path[-1]] = (
            max(smallest, round(value)) if isinstance(holder[path[-1]], int) else value
        )
    return coach


# --------------------------------------------------------------------------
# Progress over many sessions


class SessionInfoLike(Protocol):
    """What :func:`progress_stats` needs of a stored session (``store.SessionInfo``)."""

    @property
    def id(self) -> str: ...

    @property
    def problem(self) -> str: ...

    @property
    def created_at(self) -> str: ...


#: A change in median time to working code smaller than this share is "steady".
TIME_TREND_MARGIN = 0.10


def progress_stats(sessions: Sequence[tuple[SessionInfoLike, SessionMetrics]]) -> dict[str, Any]:
    """Per problem and overall: how many sessions, pass rates, times, hints, trend.

    Sessions are taken oldest first (by ``created_at``). For each group:

    * ``sessions``; ``solved``: sessions whose tests all passed at some point
    * ``best_pass_rate``, ``last_pass_rate``: of the final runs (None if never run;
      a session without runs counts as 0 in the trend)
    * ``median_time_to_working_code``: over the solved sessions (None if none)
    * ``hints_per_session``: the mean number of hints shown
    * ``trend``: "new" with one session; else the mean final pass rate of the
      later half of the sessions against the earlier half (the middle one left
      out when the count is odd): "improving" or "declining"; when equal, the
      median time to working code of each half, if both have one, decides
      beyond a 10 % change; otherwise "steady".
    """
    ordered = sorted(sessions, key=lambda pair: pair[0].created_at)
    groups: dict[str, list[tuple[SessionInfoLike, SessionMetrics]]] = {}
    for info, metrics in ordered:
        groups.setdefault(info.problem, []).append((info, metrics))
    overall = _group_stats(ordered)
    overall["problems"] = len(groups)
    return {
        "overall": overall,
        "problems": {problem: _group_stats(group) for problem, group in sorted(groups.items())},
    }


def _group_stats(group: Sequence[tuple[SessionInfoLike, SessionMetrics]]) -> dict[str, Any]:
    metrics = [m for _, m in group]
    rates = [m.test_pass_rate for m in metrics if m.test_pass_rate is not None]
    last_info = group[-1][0] if group else None
    return {
        "sessions": len(metrics),
        "solved": sum(m.time_to_working_code is not None for m in metrics),
        "best_pass_rate": max(rates) if rates else None,
        "last_pass_rate": metrics[-1].test_pass_rate if metrics else None,
        "median_time_to_working_code": _median_time(metrics),
        "hints_per_session": (
            round(statistics.fmean(m.hints_given for m in metrics), 2) if metrics else 0.0
        ),
        "trend": _trend(metrics),
        "last_session": last_info.id if last_info else None,
        "last_session_at": last_info.created_at if last_info else None,
    }


def _median_time(metrics: Iterable[SessionMetrics]) -> float | None:
    times = [m.time_to_working_code for m in metrics if m.time_to_working_code is not None]
    return statistics.median(times) if times else None


def _trend(metrics: Sequence[SessionMetrics]) -> str:
    if len(metrics) < 2:
        return "new"
    half = len(metrics) // 2
    earlier, later = metrics[:half], metrics[len(metrics) - half:]

    def mean_rate(ms: Sequence[SessionMetrics]) -> float:
        return statistics.fmean(m.test_pass_rate or 0.0 for m in ms)

    before, after = mean_rate(earlier), mean_rate(later)
    if after > before:
        return "improving"
    if after < before:
        return "declining"
    time_before, time_after = _median_time(earlier), _median_time(later)
    if time_before is not None and time_after is not None and time_before > 0:
        change = (time_after - time_before) / time_before
        if change <= -TIME_TREND_MARGIN:
            return "improving"
        if change >= TIME_TREND_MARGIN:
            return "declining"
    return "steady"
