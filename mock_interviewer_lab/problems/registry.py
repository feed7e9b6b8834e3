"""Find packs: built in, named in the settings or ``$MOCK_INTERVIEWER_PACKS``,
and installed with pip under the entry-point group ``mock_interviewer_lab.packs``.

A problem is addressed as ``two_sum``, or ``pack:two_sum`` when two packs
share an id.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.problems.loader import Pack, PackIssue, Problem, load_pack

PACKS_ENV = "MOCK_INTERVIEWER_PACKS"
ENTRY_POINT_GROUP = "mock_interviewer_lab.packs"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_pack_dirs() -> list[Path]:
    """The packs shipped with the package: inside the wheel, or the
    repository's top-level ``problems/`` in a development install."""
    shipped = _PACKAGE_DIR / "builtin_packs"
    if shipped.is_dir():
        return sorted(p for p in shipped.iterdir() if (p / "pack.yaml").is_file())
    repo = _PACKAGE_DIR.parent / "problems"
    return [repo] if (repo / "pack.yaml").is_file() else []


def expand_pack_dirs(folder: Path) -> list[Path]:
    """A folder may be one pack or a folder of packs."""
    if (folder / "pack.yaml").is_file():
        return [folder]
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if (p / "pack.yaml").is_file())
    return []


def _entry_point_dirs(issues: list[PackIssue]) -> list[Path]:
    found: list[Path] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            if isinstance(obj, ModuleType):
                target = Path(obj.__file__ or "").parent
            elif callable(obj):
                target = Path(obj())
            else:
                target = Path(obj)
        except Exception as exc:  # a broken third-party pack must not break the registry
            issues.append(PackIssue(f"entry point {ep.name} ({ep.value})", f"cannot be loaded: {exc}"))
            continue
        dirs = expand_pack_dirs(target)
        if not dirs:
            issues.append(PackIssue(f"entry point {ep.name}", f"{target} holds no pack.yaml"))
        found.extend(dirs)
    return found


class UnknownProblem(LookupError):
    def __init__(self, ref: str, suggestions: list[str], reason: str = "") -> None:
        self.ref = ref
        self.suggestions = suggestions
        msg = reason or f"unknown problem {ref!r}"
        if suggestions:
            msg += f"; did you mean {', '.join(suggestions)}?"
        super().__init__(msg)


@dataclass
class ProblemRegistry:
    packs: list[Pack] = field(default_factory=list)
    issues: list[PackIssue] = field(default_factory=list)

    @classmethod
    def discover(
        cls,
        settings: Settings | None = None,
        extra_dirs: Iterable[str | os.PathLike[str]] = (),
        *,
        builtin: bool = True,
        installed: bool = True,
    ) -> ProblemRegistry:
        issues: list[PackIssue] = []
        dirs: list[Path] = list(builtin_pack_dirs()) if builtin else []
        named = [*(settings.problems.extra_dirs if settings else []), *extra_dirs]
        named += [d for d in os.environ.get(PACKS_ENV, "").split(os.pathsep) if d]
        for d in named:
            folder = Path(d).expanduser()
            expanded = expand_pack_dirs(folder)
            if not expanded:
                issues.append(PackIssue(str(folder), "holds no pack.yaml (named in the settings "
                                        f"or ${PACKS_ENV})"))
            dirs.extend(expanded)
        if installed:
            dirs.extend(_entry_point_dirs(issues))
        return cls.from_dirs(dirs, issues)

    @classmethod
    def from_dirs(cls, dirs: Iterable[Path], issues: list[PackIssue] | None = None) -> ProblemRegistry:
        reg = cls(issues=list(issues or []))
        seen: set[Path] = set()
        for d in dirs:
            real = d.resolve()
            if real in seen:
                continue
            seen.add(real)
            pack, pack_issues = load_pack(real)
            reg.issues.extend(pack_issues)
            if pack is None:
                continue
            if any(p.meta.name == pack.meta.name for p in reg.packs):
                reg.issues.append(PackIssue(f"{real}/pack.yaml",
                                            f"a pack named {pack.meta.name!r} is already loaded",
                                            field="name"))
                continue
            reg.packs.append(pack)
        return reg

    def problems(self) -> list[Problem]:
        return [p for pack in self.packs for p in pack.problems.values()]

    @property
    def pack_dirs(self) -> list[Path]:
        return [p.path for p in self.packs]

    def get(self, ref: str) -> Problem:
        ref = ref.strip()
        if ":" in ref:
            pack_name, pid = ref.split(":", 1)
            for pack in self.packs:
                if pack.meta.name == pack_name and pid in pack.problems:
                    return pack.problems[pid]
            raise UnknownProblem(ref, self._closest(ref, qualified=True))
        matches = [p for p in self.problems() if p.id == ref]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = [m.qualified_id for m in matches]
            raise UnknownProblem(ref, names, reason=f"{ref!r} is in several packs")
        raise UnknownProblem(ref, self._closest(ref, qualified=False))

    def _closest(self, ref: str, *, qualified: bool) -> list[str]:
        ids = [p.qualified_id if qualified else p.id for p in self.problems()]
        return difflib.get_close_matches(ref, ids, n=3, cutoff=0.5)
