"""Find packs: built in, named in the settings or ``$MOCK_INTERVIEWER_PACKS``,
and installed with pip under the entry-point group ``mock_interviewer_lab.packs``.

A pack holds coding problems, or (``kind: behavioral``) a question bank for
the behavioural interview (``questions.py``); both come the same ways and
are kept apart: :meth:`ProblemRegistry.problems` never lists a question.

A problem is addressed as ``two_sum``, or ``pack:two_sum`` when two packs
share an id; a question likewise (``bank:question_id``).
"""

from __future__ import annotations

import difflib
import os
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from mock_interviewer_lab.competencies import Competency, Difficulty, Stage
from mock_interviewer_lab.problems.loader import (
    Pack,
    PackIssue,
    Problem,
    load_pack,
    read_pack_meta,
)
from mock_interviewer_lab.problems.questions import (
    Question,
    QuestionBank,
    interview_problem_for,
    load_bank,
    questions_of,
)
from mock_interviewer_lab.settings import Settings

PACKS_ENV = "MOCK_INTERVIEWER_PACKS"
ENTRY_POINT_GROUP = "mock_interviewer_lab.packs"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _builtin_dirs(shipped_name: str, repo_name: str) -> list[Path]:
    shipped = _PACKAGE_DIR / shipped_name
    if shipped.is_dir():
        return sorted(p for p in shipped.iterdir() if (p / "pack.yaml").is_file())
    repo = _PACKAGE_DIR.parent / repo_name
    return [repo] if (repo / "pack.yaml").is_file() else []


def builtin_pack_dirs() -> list[Path]:
    """The packs shipped with the package: inside the wheel, or the
    repository's top-level ``problems/`` in a development install."""
    return _builtin_dirs("builtin_packs", "problems")


def builtin_bank_dirs() -> list[Path]:
    """The question banks shipped with the package: inside the wheel
    (``builtin_banks/``), or the repository's top-level ``question_banks/``
    in a development install."""
    return _builtin_dirs("builtin_banks", "question_banks")


def expand_pack_dirs(folder: Path) -> list[Path]:
    """A folder may be one pack or a folder of packs."""
    if (folder / "pack.yaml").is_file():
        return [folder]
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if (p / "pack.yaml").is_file())
    return []


def _entry_point_dirs(issues: list[PackIssue],
                      releases: dict[Path, str] | None = None) -> list[Path]:
    """The pack folders installed packages name; ``releases`` gets each
    folder's distribution and version ("mypack-problems 1.2.0")."""
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
        if releases is not None and ep.dist is not None:
            releases.update({d.resolve(): f"{ep.dist.name} {ep.dist.version}" for d in dirs})
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


class NoQuestion(LookupError):
    """No question left to ask for a stage and competency, at any difficulty."""


#: Where a difficulty falls back to when the banks have no question left at
#: it: the nearest first, the easier of two equally near.
DIFFICULTY_FALLBACK: dict[Difficulty, tuple[Difficulty, ...]] = {
    "easy": ("medium", "hard"),
    "medium": ("easy", "hard"),
    "hard": ("medium", "easy"),
}


@dataclass(frozen=True)
class QuestionChoice:
    """The question chosen, the difficulty asked for, and why another
    difficulty was taken ("" when it was not)."""

    question: Question
    wanted: Difficulty
    reason: str = ""

    @property
    def fell_back(self) -> bool:
        return self.question.difficulty != self.wanted


@dataclass
class ProblemRegistry:
    #: Packs of coding problems.
    packs: list[Pack] = field(default_factory=list)
    issues: list[PackIssue] = field(default_factory=list)
    #: Question banks (``kind: behavioral`` packs).
    banks: list[QuestionBank] = field(default_factory=list)
    #: A pip-installed pack's folder -> its distribution and version.
    distributions: dict[Path, str] = field(default_factory=dict)

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
        dirs: list[Path] = [*builtin_pack_dirs(), *builtin_bank_dirs()] if builtin else []
        named = [*(settings.problems.extra_dirs if settings else []), *extra_dirs]
        named += [d for d in os.environ.get(PACKS_ENV, "").split(os.pathsep) if d]
        for d in named:
            folder = Path(d).expanduser()
            expanded = expand_pack_dirs(folder)
            if not expanded:
                issues.append(PackIssue(str(folder), "holds no pack.yaml (named in the settings "
                                        f"or ${PACKS_ENV})"))
            dirs.extend(expanded)
        releases: dict[Path, str] = {}
        if installed:
            dirs.extend(_entry_point_dirs(issues, releases))
        registry = cls.from_dirs(dirs, issues)
        registry.distributions = releases
        return registry

    @classmethod
    def from_dirs(cls, dirs: Iterable[Path], issues: list[PackIssue] | None = None) -> ProblemRegistry:
        reg = cls(issues=list(issues or []))
        seen: set[Path] = set()
        for d in dirs:
            real = d.resolve()
            if real in seen:
                continue
            seen.add(real)
            meta, meta_issues = read_pack_meta(real)
            reg.issues.extend(meta_issues)
            if meta is None:
                continue
            taken = {p.meta.name for p in reg.packs} | {b.meta.name for b in reg.banks}
            if meta.name in taken:
                reg.issues.append(PackIssue(f"{real}/pack.yaml",
                                            f"a pack named {meta.name!r} is already loaded",
                                            field="name"))
                continue
            if meta.kind == "behavioral":
                bank, bank_issues = load_bank(real, meta)
                reg.issues.extend(bank_issues)
                if bank is not None:
                    reg.banks.append(bank)
                continue
            pack, pack_issues = load_pack(real, meta)
            reg.issues.extend(pack_issues)
            if pack is not None:
                reg.packs.append(pack)
        return reg

    def problems(self) -> list[Problem]:
        """Every coding problem; never a behavioural question."""
        return [p for pack in self.packs for p in pack.problems.values()]

    # ------------------------------------------------------- question banks

    def question_banks(self) -> list[QuestionBank]:
        return list(self.banks)

    def questions(self, stage: Stage | None = None, competency: Competency | None = None,
                  difficulty: Difficulty | None = None, *,
                  banks: Collection[str] | None = None) -> list[Question]:
        """The questions of every bank (or of the ``banks`` named) that match."""
        return [q for bank in self._banks(banks)
                for q in bank.select(stage, competency, difficulty)]

    def _banks(self, names: Collection[str] | None) -> list[QuestionBank]:
        if names is None:
            return self.banks
        unknown = set(names) - {b.name for b in self.banks}
        if unknown:
            raise NoQuestion(f"no question bank named {', '.join(sorted(unknown))} "
                             f"(loaded: {', '.join(b.name for b in self.banks) or 'none'})")
        return [b for b in self.banks if b.name in names]

    def get_question(self, ref: str) -> Question:
        """A question by ``id`` or ``bank:id``."""
        ref = ref.strip()
        every = questions_of(self.banks)
        if ":" in ref:
            matches = [q for q in every if q.qualified_id == ref]
        else:
            matches = [q for q in every if q.id == ref]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownProblem(ref, [q.qualified_id for q in matches],
                                 reason=f"question {ref!r} is in several banks")
        ids = [q.qualified_id if ":" in ref else q.id for q in every]
        raise UnknownProblem(ref, difflib.get_close_matches(ref, ids, n=3, cutoff=0.5),
                             reason=f"unknown question {ref!r}")

    def choose_question(self, stage: Stage, competency: Competency, difficulty: Difficulty,
                        *, asked: Collection[str], rng: random.Random,
                        banks: Collection[str] | None = None) -> QuestionChoice:
        """A question not yet ``asked`` (ids or qualified ids) for ``stage``
        and ``competency`` at ``difficulty``, drawn with ``rng``; when the
        banks have none left at that difficulty, one at the nearest other
        (:data:`DIFFICULTY_FALLBACK`) with the reason. Raises
        :class:`NoQuestion` when none is left at any difficulty."""
        pool = self.questions(stage, competency, banks=banks)
        fresh = [q for q in pool if q.id not in asked and q.qualified_id not in asked]
        for level in (difficulty, *DIFFICULTY_FALLBACK[difficulty]):
            candidates = sorted((q for q in fresh if q.difficulty == level),
                                key=lambda q: q.qualified_id)
            if not candidates:
                continue
            chosen = rng.choice(candidates)
            if level == difficulty:
                return QuestionChoice(chosen, difficulty)
            at_level = sum(q.difficulty == difficulty for q in pool)
            why = (f"all {at_level} {difficulty} {competency} questions have been asked"
                   if at_level else f"the question banks have no {difficulty} {competency} "
                   "question")
            article = "an" if level == "easy" else "a"
            return QuestionChoice(chosen, difficulty,
                                  f"{why}; asking {article} {level} one instead")
        where = f"the bank(s) {', '.join(sorted(banks))}" if banks is not None else \
            "the question banks"
        if not pool:
            raise NoQuestion(f"{where} have no {competency} question for the {stage} stage")
        raise NoQuestion(f"every {competency} question in {where} has been asked "
                         f"({len(pool)} of them)")

    @property
    def pack_dirs(self) -> list[Path]:
        return [p.path for p in self.packs]

    def pack_version(self, name: str) -> str:
        """The version a session records for pack ``name``: its pack.yaml's
        ``version``, and for a pip-installed pack the distribution that
        installed it ("1.0.0 (mypack-problems 1.0.2)"); "" for no such pack."""
        for pack in self.packs:
            if pack.meta.name == name:
                dist = self.distributions.get(pack.path.resolve())
                return f"{pack.meta.version} ({dist})" if dist else pack.meta.version
        return ""

    def get(self, ref: str) -> Problem:
        ref = ref.strip()
        if ":" in ref:
            pack_name, pid = ref.split(":", 1)
            for pack in self.packs:
                if pack.meta.name == pack_name and pid in pack.problems:
                    return pack.problems[pid]
            interview = interview_problem_for(ref)  # a behavioural session's
            if interview is not None:
                return interview
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
