"""Read packs and problems from disk into validated objects.

Every problem is read in full before anything is reported, so one bad pack
gives one list of :class:`PackIssue` (file, field, line, message) rather than
a traceback at the first mistake.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mock_interviewer_lab.problems.model import (
    ANALYZER_RULES,
    HINT_LEVELS,
    HintSpec,
    PackMeta,
    ProblemSpec,
    TestSpec,
)

_M = TypeVar("_M", bound=BaseModel)

PROBLEM_FILES = ("problem.yaml", "signature.py", "tests.yaml", "hints.yaml", "solution.py")
#: What a released problem (``pack.yaml`` ``released: true``) must not hold:
#: the class service keeps them.
SECRET_FILES = ("solution.py", "generators.py")


@dataclass(frozen=True)
class PackIssue:
    """One thing wrong with a pack: where, and what."""

    file: str
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: " + (f"{self.field}: " if self.field else "") + self.message


class PackError(Exception):
    def __init__(self, issues: Sequence[PackIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class Problem:
    """A loaded problem. The reference solution and hidden tests are here for
    the harness and the safeguards; never hand this object to the candidate
    (see :meth:`public_view`)."""

    pack: str
    path: Path
    spec: ProblemSpec
    tests: TestSpec
    hints: HintSpec
    signature: str
    solution: str
    generators: str = ""
    checker: str = ""
    prelude: str = ""
    #: From a released pack: no reference, no hidden case (see ``tests.held_back``).
    released: bool = False

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def qualified_id(self) -> str:
        return f"{self.pack}:{self.spec.id}"

    @cached_property
    def visible_case_count(self) -> int:
        t = self.tests
        return sum(not c.hidden for c in [*t.cases, *t.generated, *t.asserts])

    @cached_property
    def total_case_count(self) -> int:
        """The cases here (a released problem's held-back ones are not)."""
        t = self.tests
        return len(t.cases) + len(t.generated) + len(t.asserts)

    @property
    def hidden_case_count(self) -> int:
        """Hidden cases, those a release held back included."""
        return self.total_case_count - self.visible_case_count + self.tests.held_back

    def summary(self) -> dict[str, Any]:
        """The problem in a list (the command line, the kernel, the REST API):
        no statement, only how many cases of each kind."""
        return {"id": self.id, "qualified_id": self.qualified_id, "title": self.spec.title,
                "difficulty": self.spec.difficulty, "pack": self.pack,
                "visible_cases": self.visible_case_count,
                "hidden_cases": self.hidden_case_count}

    def public_view(self) -> dict[str, Any]:
        """What the candidate may see: statement, examples, the stub and the
        visible cases. No hidden case, no reference, no hints, no never_say."""
        s = self.spec
        return {
            "id": s.id,
            "qualified_id": self.qualified_id,
            "pack": self.pack,
            "title": s.title,
            "difficulty": s.difficulty,
            # No tags: they name the pattern ("two pointers", "hashing"),
            # which is what the candidate is meant to find.
            "statement": s.statement,
            "examples": [e.model_dump() for e in s.examples],
            "constraints": list(s.constraints),
            "function": self.tests.function,
            "signature": self.signature,
            "visible_cases": [
                {"name": c.name or f"case {i + 1}", "args": c.args, "kwargs": c.kwargs,
                 "expected": c.expected}
                for i, c in enumerate(self.tests.cases)
                if not c.hidden
            ],
            "hidden_case_count": self.hidden_case_count,
            "hint_levels": HINT_LEVELS,
        }


@dataclass
class Pack:
    meta: PackMeta
    path: Path
    problems: dict[str, Problem] = field(default_factory=dict)


# --------------------------------------------------------------------- YAML


class _LineLoader(yaml.SafeLoader):
    """A safe loader that keeps the composed node tree for line look-ups."""


def _read_text(path: Path, rel: str, issues: list[PackIssue]) -> str | None:
    """The file's text, or None with an issue naming the file."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        issues.append(PackIssue(rel, f"cannot be read: {exc.strerror or exc}"))
    except UnicodeDecodeError as exc:
        issues.append(PackIssue(rel, f"not UTF-8 text (byte {exc.start}); save it as UTF-8"))
    return None


def _read_yaml(path: Path, rel: str, issues: list[PackIssue]) -> tuple[Any, yaml.Node | None]:
    text = _read_text(path, rel, issues)
    if text is None:
        return None, None
    try:
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        issues.append(PackIssue(rel, f"not valid YAML: {exc.problem or exc}", line=line))
        return None, None
    except yaml.YAMLError as exc:
        issues.append(PackIssue(rel, f"not valid YAML: {exc}"))
        return None, None
    return data, node


def _line_of(node: yaml.Node | None, loc: Iterable[int | str]) -> int | None:
    """The line of the deepest node that ``loc`` reaches."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    node = value
                    line = key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def field_path(loc: Iterable[int | str]) -> str:
    """A field as issues name it: keys and 1-based positions joined by dots
    (``cases.2.args`` is the second case's args). Every message about a pack
    (schema, facts, hints, a reference's failing test) counts from 1."""
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc)


def _validate(
    model: type[_M], data: Any, node: yaml.Node | None, rel: str, issues: list[PackIssue]
) -> _M | None:
    if not isinstance(data, dict):
        issues.append(PackIssue(rel, "must be a mapping of keys to values", line=1))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
            # pydantic puts the union member's name in the path; drop it.
            loc = [p for p in loc if p not in ("IOCase", "GeneratedCase", "AssertCase")]
            # A mapping's bad key: the key itself is the field (its line too).
            loc = [p for p in loc if p != "[key]"]
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] == "missing":
                msg = "is required"
            issues.append(PackIssue(rel, msg, field=field_path(loc), line=_line_of(node, loc)))
        return None


# ------------------------------------------------------------------- Python


def _python_source(path: Path, rel: str, issues: list[PackIssue]) -> str | None:
    source = _read_text(path, rel, issues)
    if source is None:
        return None
    try:
        ast.parse(source, filename=rel)
    except SyntaxError as exc:
        issues.append(PackIssue(rel, f"syntax error: {exc.msg}", line=exc.lineno))
        return None
    except ValueError as exc:  # a NUL byte
        issues.append(PackIssue(rel, f"not Python source: {exc}"))
        return None
    return source


def defined_functions(source: str) -> set[str]:
    """Top-level function names defined in a module's source."""
    tree = ast.parse(source)
    return {
        n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    } | {
        # Also accept `class Solution:` style methods? No: a top-level function
        # is the contract. Assignments like `f = g` count too.
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


# ----------------------------------------------------------------- problems


def load_problem(folder: Path, pack_name: str, pack_root: Path | None = None, *,
                 released: bool = False) -> Problem:
    """Load one problem folder, or raise :class:`PackError` with every issue.
    ``released``: a student's copy, which has no reference, no hidden case
    and no generator, and must not have them."""
    reading = _ProblemReading(folder, pack_root or folder.parent, released)
    reading.require_files()
    p_data, p_node = reading.read_yaml("problem.yaml")
    spec = reading.model(ProblemSpec, "problem.yaml", p_data, p_node)
    t_data, t_node = reading.read_yaml("tests.yaml")
    tests = reading.model(TestSpec, "tests.yaml", t_data, t_node)
    hints = _read_hints(reading)
    sources = _Sources(
        signature=reading.source("signature.py"),
        solution=None if released else reading.source("solution.py"),
        generators=reading.optional_source("generators.py"),
        checker=reading.optional_source("checker.py"),
        prelude=reading.optional_source("prelude.py"),
    )
    if spec is not None:
        _check_spec(reading, spec, p_node)
    if tests is not None:
        _check_tests(reading, tests, t_node, sources)
        if released:
            _check_released(reading, tests, t_node)

    if reading.issues or spec is None or tests is None or hints is None:
        raise PackError(reading.issues)
    return Problem(
        pack=pack_name, path=folder, spec=spec, tests=tests, hints=hints,
        signature=sources.signature or "", solution=sources.solution or "",
        generators=sources.generators, checker=sources.checker, prelude=sources.prelude,
        released=released,
    )


@dataclass
class _ProblemReading:
    """One problem folder being read: its files, named relative to the pack's
    parent in every issue, and the issues found so far."""

    folder: Path
    root: Path
    released: bool = False
    issues: list[PackIssue] = field(default_factory=list)

    def rel(self, name: str) -> str:
        try:
            return str((self.folder / name).relative_to(self.root.parent))
        except ValueError:
            return str(self.folder / name)

    def add(self, name: str, message: str, *, field: str = "", line: int | None = None) -> None:
        self.issues.append(PackIssue(self.rel(name), message, field=field, line=line))

    def require_files(self) -> None:
        """Raises :class:`PackError` naming every required file that is missing."""
        for name in PROBLEM_FILES:
            if self.released and name in SECRET_FILES:
                if (self.folder / name).exists():
                    self.add(name, "must not be in a released pack: the class service keeps it")
            elif not (self.folder / name).is_file():
                self.add(name, "is missing")
        if self.released:
            for name in SECRET_FILES:
                if name not in PROBLEM_FILES and (self.folder / name).exists():
                    self.add(name, "must not be in a released pack: the class service keeps it")
        if self.issues:
            raise PackError(self.issues)

    def read_yaml(self, name: str) -> tuple[Any, yaml.Node | None]:
        return _read_yaml(self.folder / name, self.rel(name), self.issues)

    def model(self, model: type[_M], name: str, data: Any, node: yaml.Node | None) -> _M | None:
        return _validate(model, data, node, self.rel(name), self.issues) if node else None

    def source(self, name: str) -> str | None:
        return _python_source(self.folder / name, self.rel(name), self.issues)

    def optional_source(self, name: str) -> str:
        """An optional file's source; "" when it is absent or unreadable."""
        if not (self.folder / name).is_file():
            return ""
        return self.source(name) or ""


@dataclass(frozen=True)
class _Sources:
    """A problem's Python files; None for a required one that could not be read."""

    signature: str | None
    solution: str | None
    generators: str
    checker: str
    prelude: str


def _read_hints(reading: _ProblemReading) -> HintSpec | None:
    data, node = reading.read_yaml("hints.yaml")
    if isinstance(data, dict) and set(data) == {"hints"}:
        # The seed spec nests the levels under `hints:`; accept both shapes.
        data = data["hints"]
        node = next(v for k, v in node.value if k.value == "hints")  # type: ignore[union-attr]
    return reading.model(HintSpec, "hints.yaml", data, node)


def _check_spec(reading: _ProblemReading, spec: ProblemSpec, node: yaml.Node | None) -> None:
    """analyzer_ignore names analyzer rules; the id is the folder's name."""
    known_rules = set(ANALYZER_RULES)
    for rule in spec.analyzer_ignore:
        if rule not in known_rules:
            reading.add("problem.yaml",
                        f"{rule!r} is not an analyzer rule ({', '.join(sorted(known_rules))})",
                        field="analyzer_ignore", line=_line_of(node, ["analyzer_ignore"]))
    folder = reading.folder.name
    if spec.id != folder:
        reading.add("problem.yaml", f"must match the folder name {folder!r}",
                    field="id", line=_line_of(node, ["id"]))


def _check_tests(reading: _ProblemReading, tests: TestSpec, node: yaml.Node | None,
                 sources: _Sources) -> None:
    """Every function tests.yaml names is defined in the file it belongs to."""
    fn = tests.function
    for src, name in ((sources.signature, "signature.py"), (sources.solution, "solution.py")):
        if src is not None and fn not in defined_functions(src):
            reading.add(name, f"does not define the function {fn!r}", field="function")
    gen_names = defined_functions(sources.generators) if sources.generators else set()
    wanted = [(f"generated.{i}.generator", g.generator) for i, g in enumerate(tests.generated)]
    if tests.performance:
        wanted.append(("performance.generator", tests.performance.generator))
    for loc, gen in wanted:
        if gen not in gen_names:
            reading.add("tests.yaml", f"generator {gen!r} is not defined in generators.py",
                        field=loc, line=_line_of(node, _loc(loc)))
    prelude_names = defined_functions(sources.prelude) if sources.prelude else set()
    for key in ("adapt_args", "adapt_result"):
        name = getattr(tests, key)
        if name and name not in prelude_names:
            reading.add("tests.yaml", f"{name!r} is not defined in prelude.py",
                        field=key, line=_line_of(node, [key]))
    uses_checker = tests.compare == "checker" or any(
        c.compare == "checker" for c in [*tests.cases, *tests.generated]
    )
    if uses_checker and tests.checker not in (
            defined_functions(sources.checker) if sources.checker else set()):
        reading.add("checker.py",
                    f"compare is 'checker' but checker.py does not define {tests.checker!r}",
                    field="checker")


def _check_released(reading: _ProblemReading, tests: TestSpec, node: yaml.Node | None) -> None:
    """A released problem's tests are the visible ones alone."""
    for key, cases in (("cases", tests.cases), ("asserts", tests.asserts)):
        for i, case in enumerate(cases):
            if case.hidden:
                reading.add("tests.yaml", "a released pack holds no hidden case",
                            field=f"{key}.{i + 1}.hidden", line=_line_of(node, [key, i, "hidden"]))
    for key in ("generated", "performance"):
        if getattr(tests, key):
            reading.add("tests.yaml", "a released pack holds no generated case or "
                        "measurement: the class service runs them", field=key,
                        line=_line_of(node, [key]))


def _loc(dotted: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in dotted.split(".")]


def read_pack_meta(path: Path) -> tuple[PackMeta | None, list[PackIssue]]:
    """A pack folder's ``pack.yaml``, or None with the issues that stop it."""
    issues: list[PackIssue] = []
    rel_meta = f"{path.name}/pack.yaml"
    if not (path / "pack.yaml").is_file():
        return None, [PackIssue(rel_meta, "is missing: a pack folder needs a pack.yaml")]
    data, node = _read_yaml(path / "pack.yaml", rel_meta, issues)
    meta = _validate(PackMeta, data, node, rel_meta, issues) if node else None
    return meta, issues


def load_pack(path: Path, meta: PackMeta | None = None) -> tuple[Pack | None, list[PackIssue]]:
    """Load a coding pack folder. Returns the pack (with every problem that
    loaded) and the issues of those that did not. ``meta``: its ``pack.yaml``
    when the caller has already read it."""
    issues: list[PackIssue] = []
    rel_meta = f"{path.name}/pack.yaml"
    if meta is None:
        meta, issues = read_pack_meta(path)
    if meta is None:
        return None, issues
    if meta.kind != "coding":
        return None, [PackIssue(rel_meta, f"is a {meta.kind} pack (a question bank), "
                                "not a pack of coding problems", field="kind")]
    pack = Pack(meta=meta, path=path)
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        try:
            problem = load_problem(folder, meta.name, path, released=meta.released)
        except PackError as exc:
            issues.extend(exc.issues)
            continue
        pack.problems[problem.id] = problem
    if not pack.problems and not issues:
        issues.append(PackIssue(rel_meta, "the pack has no problem folders"))
    return pack, issues
