"""Class settings an administrator owns: what a student may not change.

A server's ``MockInterviewerApp`` options (docs/jupyterhub.md, "Class
settings") make one :class:`ClassPolicy`. The server applies it to every
coding interview it starts, whoever asks (a browser, the kernel's magic):
the request's minutes and coach level are clamped with a notice the answer
carries, a problem outside the allowed packs and problems is neither listed
nor startable, a user who used their attempts at a problem is refused, and
the hint cap reaches the engine as ``coach.intervention.max_hints`` (an
administrator's value, so a user's own settings cannot undo it).

The ``exam`` profile fills what is not set: no hints, a fixed length (the
server's default minutes), one attempt per problem, no replay. A value set
explicitly wins over the profile's.

Nothing here knows HTTP: a hub service can apply the same checks
(:meth:`ClassPolicy.check_start`) with its own store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, builtin_pack_dirs
from mock_interviewer_lab.settings import HELPFULNESS
from mock_interviewer_lab.store import SessionStore

Profile = Literal["practice", "exam"]
PROFILES: tuple[str, ...] = get_args(Profile)


class ClassRefusal(Exception):
    """A start the class's settings do not allow; the message says why."""


@dataclass(frozen=True)
class ClassPolicy:
    """What the administrator decided for every user of a server (None,
    empty: not decided). ``packs``/``problems``: only these may be listed
    and started (a problem as ``id`` or ``pack:id``); ``hide_builtin``:
    the packs shipped with Mock Interviewer Lab are neither."""

    profile: Profile = "practice"
    minutes: float | None = None
    max_minutes: float | None = None
    max_hints: int | None = None
    packs: frozenset[str] = frozenset()
    problems: frozenset[str] = frozenset()
    hide_builtin: bool = False
    coach_level: str | None = None
    attempts: int | None = None
    replay: bool | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.profile not in PROFILES:
            problems.append(f"profile {self.profile!r}: one of {', '.join(PROFILES)}")
        if self.coach_level is not None and self.coach_level not in HELPFULNESS:
            problems.append(f"coach_level {self.coach_level!r}: one of {', '.join(HELPFULNESS)}")
        for name in ("minutes", "max_minutes"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 240:
                problems.append(f"{name} = {value}: between 1 and 240")
        if self.max_hints is not None and self.max_hints < 0:
            problems.append(f"max_hints = {self.max_hints}: 0 (hints off) or more")
        if self.attempts is not None and self.attempts < 1:
            problems.append(f"attempts = {self.attempts}: 1 or more")
        if problems:
            raise ValueError("; ".join(problems))

    # -------------------------------------------- effective values

    @property
    def exam(self) -> bool:
        return self.profile == "exam"

    @property
    def hints(self) -> int | None:
        """Hints a session gives at most (0: none); None: no cap."""
        return self.max_hints if self.max_hints is not None else (0 if self.exam else None)

    @property
    def attempts_per_problem(self) -> int | None:
        return self.attempts if self.attempts is not None else (1 if self.exam else None)

    @property
    def replay_allowed(self) -> bool:
        return self.replay if self.replay is not None else not self.exam

    def fixed_minutes(self, default_minutes: float) -> float | None:
        """An interview's length when the class fixes it; None when it does not."""
        if self.minutes is not None:
            return self.minutes
        return default_minutes if self.exam else None

    @property
    def active(self) -> bool:
        """True when anything is decided."""
        return self != ClassPolicy()

    # ------------------------------------------------- settings

    def admin_values(self) -> dict[str, dict[str, Any]]:
        """What the class decides of settings.toml, laid over the
        administrator's sections (a user's own file cannot undo it)."""
        coach: dict[str, Any] = {}
        if self.coach_level is not None:
            coach["helpfulness"] = self.coach_level
        if self.hints is not None:
            coach["intervention"] = {"max_hints": self.hints}
        return {"coach": coach} if coach else {}

    def described(self, default_minutes: float) -> dict[str, Any]:
        """The effective class settings, as a session's meta keeps them."""
        shown: dict[str, Any] = {"profile": self.profile}
        fixed = self.fixed_minutes(default_minutes)
        if fixed is not None:
            shown["minutes"] = fixed
        elif self.max_minutes is not None:
            shown["max_minutes"] = self.max_minutes
        for key, value in (("hints", self.hints), ("coach_level", self.coach_level),
                           ("attempts", self.attempts_per_problem)):
            if value is not None:
                shown[key] = value
        shown["replay"] = self.replay_allowed
        return shown

    # --------------------------------------------------- problems

    def allows(self, problem: Problem, builtin_packs: Iterable[str] = ()) -> bool:
        """True when ``problem`` may be listed and started."""
        if self.hide_builtin and problem.pack in set(builtin_packs):
            return False
        if self.packs and problem.pack not in self.packs:
            return False
        return not self.problems or bool({problem.id, problem.qualified_id} & self.problems)

    def minutes_for(self, asked: float | None, default_minutes: float) -> tuple[float, str]:
        """The interview's length for a request that asked ``asked`` (None:
        nothing), and a notice when the class changed it ("" if not)."""
        fixed = self.fixed_minutes(default_minutes)
        if fixed is not None:
            if asked is not None and asked != fixed:
                return fixed, (f"the class's interviews last {plural(fixed, 'minute')}; "
                               f"the {plural(asked, 'minute')} asked for were not used")
            return fixed, ""
        minutes = default_minutes if asked is None else asked
        if self.max_minutes is not None and minutes > self.max_minutes:
            return self.max_minutes, (f"the class allows {plural(self.max_minutes, 'minute')} "
                                      f"at most; {plural(minutes, 'minute')} asked for")
        return minutes, ""

    def check_start(self, problem: Problem, attempts_used: int) -> None:
        """Raise ClassRefusal when the user has used their attempts at ``problem``."""
        cap = self.attempts_per_problem
        if cap is not None and attempts_used >= cap:
            raise ClassRefusal(
                f"you have used your {plural(cap, 'attempt')} at {problem.qualified_id}: "
                f"the class allows {plural(cap, 'attempt')} per problem")


def builtin_pack_names(registry: ProblemRegistry) -> frozenset[str]:
    """The names of the registry's packs that ship with Mock Interviewer Lab."""
    shipped = {d.resolve() for d in builtin_pack_dirs()}
    return frozenset(p.meta.name for p in registry.packs if Path(p.path).resolve() in shipped)


def attempts_used(store: SessionStore, problem: Problem, user: str) -> int:
    """The coding sessions ``user`` started on ``problem`` (any status)."""
    return sum(info.kind == "coding" and info.problem == problem.qualified_id
               for info in store.sessions(problem=problem.qualified_id, user=user))


def coach_notices(asked: Mapping[str, Any], locked: Iterable[str],
                  effective: Mapping[str, Any]) -> list[str]:
    """A notice per coach choice of the request that the class's (the
    administrator's) settings decide instead: ``locked`` are the coach keys
    decided, ``effective`` the values the session runs with."""
    decided = set(locked)
    return [f"the class's settings decide the coach's {key} ({effective.get(key)}); "
            f"{value!r} was not used"
            for key, value in asked.items()
            if key in decided and value is not None and value != effective.get(key)]
