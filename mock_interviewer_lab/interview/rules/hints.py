"""The hint ladder: three levels, one at a time, on request or when stuck.

Rules (seed spec, "Intelligent Hint System"):
* level 1 after 2–3 minutes stuck, level 2 after 5–7, level 3 after 10+
  (where in each window depends on ``helpfulness``), or on request;
* never two levels at once: one request or one stuck threshold gives the
  next level only, and an automatic hint waits at least a minute after the
  previous one;
* after ``max_hints_before_subproblem`` hints the coach offers a simpler
  sub-problem instead of more hints;
* ``limit`` (``coach.intervention.max_hints``, a class setting) caps the
  hints of a session, automatic ones included: 0 gives none, -1 no cap.

Pure state: the orchestrator tells it the time; it reads no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mock_interviewer_lab.problems.model import HINT_LEVELS, HintSpec

#: Minutes stuck before each automatic level, by helpfulness.
STUCK_MINUTES: dict[str, tuple[float, float, float]] = {
    "gentle": (3.0, 7.0, 12.0),
    "balanced": (2.5, 6.0, 10.0),
    "insistent": (2.0, 5.0, 10.0),
}
MIN_GAP_S = 60.0
LEVELS = HINT_LEVELS
#: A step's reason when the session's cap on hints allows no more.
LIMIT_REASON = "limit"


@dataclass(frozen=True)
class HintStep:
    kind: Literal["hint", "subproblem", "none"]
    level: int = 0
    text: str = ""
    reason: str = ""


@dataclass
class HintLadder:
    hints: HintSpec
    helpfulness: str = "balanced"
    max_hints_before_subproblem: int = 3
    #: Hints this session may give at most (0: none; -1: no cap).
    limit: int = -1
    #: Multiplies the stuck thresholds (the calibrator may make hints rarer).
    threshold_scale: float = 1.0
    level: int = 0
    given: int = 0
    last_hint_t: float | None = None
    subproblem_offered: bool = False
    history: list[tuple[float, int, str]] = field(default_factory=list)

    def label(self) -> str:
        """What the panel shows: "hint 2 of 3"."""
        return f"hint {self.level} of {LEVELS}"

    def _text(self, level: int) -> str:
        options = self.hints.level(level)
        # A second request at the same level (after level 3) cycles the texts.
        repeats = sum(1 for _, lv, _ in self.history if lv == level)
        return options[repeats % len(options)]

    @property
    def used_up(self) -> bool:
        """True when the cap (``limit``) allows no more hints."""
        return 0 <= self.limit <= self.given

    def _step(self, t: float, reason: str) -> HintStep:
        if self.used_up:
            return HintStep("none", self.level, reason=LIMIT_REASON)
        if self.given >= self.max_hints_before_subproblem and not self.subproblem_offered:
            self.subproblem_offered = True
            return HintStep("subproblem", self.level, reason=reason)
        if self.level >= LEVELS:
            if reason == "requested":
                # Past the last level a request repeats level 3 in other words.
                text = self._text(LEVELS)
                self.history.append((t, LEVELS, reason))
                self.given += 1
                self.last_hint_t = t
                return HintStep("hint", LEVELS, text, reason)
            return HintStep("none")
        self.level += 1
        self.given += 1
        self.last_hint_t = t
        text = self._text(self.level)
        self.history.append((t, self.level, reason))
        return HintStep("hint", self.level, text, reason)

    def request(self, t: float) -> HintStep:
        """The candidate asked: the next level, never two."""
        return self._step(t, "requested")

    def offer(self, t: float) -> HintStep:
        """The coach (a model's get_hint tool) gives the next level unasked:
        never two levels at once, and like an automatic hint not within
        ``MIN_GAP_S`` of the previous one."""
        if self.last_hint_t is not None and t - self.last_hint_t < MIN_GAP_S:
            return HintStep("none", self.level, reason="too soon after the last hint")
        if self.level >= LEVELS:
            return HintStep("none", self.level, reason="every level has been given")
        return self._step(t, "coach")

    def due(self, t: float, stuck_since: float) -> HintStep:
        """An automatic hint if the candidate has been stuck long enough."""
        if self.level >= LEVELS and self.subproblem_offered:
            return HintStep("none")
        if self.last_hint_t is not None and t - self.last_hint_t < MIN_GAP_S:
            return HintStep("none")
        thresholds = STUCK_MINUTES.get(self.helpfulness, STUCK_MINUTES["balanced"])
        next_level = min(self.level + 1, LEVELS)
        if self.level >= LEVELS:
            return HintStep("none")
        if t - stuck_since >= thresholds[next_level - 1] * 60 * self.threshold_scale:
            return self._step(t, "stuck")
        return HintStep("none")
