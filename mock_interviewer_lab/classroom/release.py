"""``mock-interviewer problems release SRC DEST``: the student's copy of an
instructor's pack.

What a student gets: ``pack.yaml`` (``released: true``), and per problem its
statement (``problem.yaml``), stub (``signature.py``), hints
(``hints.yaml``), helper classes (``prelude.py``) and a ``tests.yaml`` of the
visible cases alone, which counts the cases it held back (``held_back``).
Never the reference (``solution.py``), a hidden case, a generated case, the
growth measurement or the generators (``generators.py``): the class service
(:mod:`.service`) keeps the source pack and runs them. ``checker.py`` goes
along only when a visible case is judged by it (the student's server judges
the visible cases), and the report says so.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mock_interviewer_lab.problems.loader import Pack, PackIssue, Problem, load_pack

#: Files copied as they are, when the problem has them.
COPIED = ("problem.yaml", "signature.py", "hints.yaml", "prelude.py")


class ReleaseError(Exception):
    """The source cannot be released; the message says why."""


@dataclass
class ReleasedProblem:
    id: str
    visible: int
    held_back: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "visible": self.visible, "held_back": self.held_back,
                "notes": self.notes}


@dataclass
class ReleaseReport:
    pack: str
    version: str
    dest: Path
    problems: list[ReleasedProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"pack": self.pack, "version": self.version, "dest": str(self.dest),
                "problems": [p.as_dict() for p in self.problems]}


def _load_source(src: Path) -> Pack:
    pack, issues = load_pack(src)
    if pack is None or issues:
        raise ReleaseError("the source pack does not load; fix it first "
                           "(`mock-interviewer problems validate`):\n"
                           + "\n".join(str(i) for i in issues))
    if pack.meta.released:
        raise ReleaseError(f"{src} is a released pack already: release from the source")
    return pack


def _released_tests(problem: Problem) -> tuple[dict[str, Any], bool, int]:
    """The visible cases' tests.yaml, whether a visible case needs the
    checker, and how many cases were held back."""
    tests = problem.tests
    data = tests.model_dump(mode="json", exclude_defaults=True,
                            exclude={"cases", "generated", "asserts", "performance",
                                     "held_back"})
    cases = [c for c in tests.cases if not c.hidden]
    asserts = [a for a in tests.asserts if not a.hidden]
    held = (len(tests.cases) - len(cases)) + len(tests.generated) + (
        len(tests.asserts) - len(asserts))
    if cases:
        data["cases"] = [c.model_dump(mode="json", exclude_defaults=True) for c in cases]
    if asserts:
        data["asserts"] = [a.model_dump(mode="json", exclude_defaults=True) for a in asserts]
    if held:
        data["held_back"] = held
    uses_checker = any((c.compare or tests.compare) == "checker" for c in cases)
    if not uses_checker:
        data.pop("checker", None)
    return data, uses_checker, held


def release_pack(src: Path, dest: Path) -> ReleaseReport:
    """Write the student's copy of the pack at ``src`` to ``dest`` (which
    must not exist), and check that it loads as a released pack. Raises
    :class:`ReleaseError`."""
    src, dest = Path(src), Path(dest)
    pack = _load_source(src)
    if dest.exists():
        raise ReleaseError(f"{dest} exists: release into a new folder")
    report = ReleaseReport(pack=pack.meta.name, version=pack.meta.version, dest=dest)
    meta = yaml.safe_load((src / "pack.yaml").read_text(encoding="utf-8"))
    meta["released"] = True
    dest.mkdir(parents=True)
    try:
        (dest / "pack.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
                                        encoding="utf-8")
        for problem in pack.problems.values():
            report.problems.append(_release_problem(problem, dest / problem.path.name))
        _check_released(dest, report)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return report


def _release_problem(problem: Problem, out: Path) -> ReleasedProblem:
    out.mkdir()
    for name in COPIED:
        if (problem.path / name).is_file():
            shutil.copyfile(problem.path / name, out / name)
    tests, uses_checker, held = _released_tests(problem)
    (out / "tests.yaml").write_text(
        "# Released: the visible cases only; the class service runs the others.\n"
        + yaml.safe_dump(tests, sort_keys=False, allow_unicode=True, default_flow_style=None), encoding="utf-8")
    done = ReleasedProblem(id=problem.id, visible=problem.visible_case_count, held_back=held)
    if uses_checker:
        shutil.copyfile(problem.path / "checker.py", out / "checker.py")
        done.notes.append("checker.py goes along: a visible case is judged by it")
    if not problem.visible_case_count:
        done.notes.append("no visible case: every test runs on the class service")
    return done


def _check_released(dest: Path, report: ReleaseReport) -> None:
    released, issues = load_pack(dest)
    if released is None or issues:
        raise ReleaseError("the released pack does not load:\n"
                           + "\n".join(str(i) for i in _issues(issues)))
    missing = {p.id for p in report.problems} - set(released.problems)
    if missing:
        raise ReleaseError(f"the released pack lost {', '.join(sorted(missing))}")


def _issues(issues: list[PackIssue]) -> list[PackIssue]:
    return issues or [PackIssue("pack.yaml", "no pack")]
