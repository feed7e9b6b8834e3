"""The package's imports run one way, and in no circle.

Every import (at module level or inside a function) of one
``mock_interviewer_lab`` module by another is read from the source with
``ast``. Each module belongs to a layer (:data:`LAYERS`, top to bottom); a
module may import its own layer and the layers below it, never one above.
Within the package no module may reach itself again through its imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mock_interviewer_lab"
ROOT = "mock_interviewer_lab"

#: Top to bottom. A module's layer is its longest listed prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shell", ("mock_interviewer_lab", "mock_interviewer_lab.cli", "mock_interviewer_lab.server",
               "mock_interviewer_lab.kernel")),
    ("evaluation", ("mock_interviewer_lab.evaluation",)),
    ("services", ("mock_interviewer_lab.coach", "mock_interviewer_lab.voice",
                  "mock_interviewer_lab.problems.validate",
                  "mock_interviewer_lab.problems.importers", "mock_interviewer_lab.classroom")),
    ("engine", ("mock_interviewer_lab.interview", "mock_interviewer_lab.reporting")),
    ("rules", ("mock_interviewer_lab.interview.rules",)),
    # The session log's vocabulary sits with the store that keeps it.
    ("packs", ("mock_interviewer_lab.problems", "mock_interviewer_lab.harness",
               "mock_interviewer_lab.store", "mock_interviewer_lab.events",
               "mock_interviewer_lab.payloads")),
    ("base", ("mock_interviewer_lab.settings", "mock_interviewer_lab.protocol",
              "mock_interviewer_lab.limits", "mock_interviewer_lab.formatting",
              "mock_interviewer_lab.competencies")),
)
_RANK = {prefix: rank for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "labextension" not in p.parts}


def layer_of(module: str) -> int:
    best = max((p for p in _RANK if module == p or module.startswith(p + ".")), key=len)
    return _RANK[best]


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for each import of a package module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # "from pkg import module" imports the module; "from module import name" the module.
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith(ROOT):
                yield target, node.lineno


def graph() -> dict[str, dict[str, int]]:
    mods = modules()
    known = set(mods)
    return {name: dict(imports_of(name, path, known)) for name, path in mods.items()}


def test_every_module_has_a_layer() -> None:
    for name in modules():
        assert layer_of(name) is not None


def test_imports_run_down_the_layers() -> None:
    wrong = []
    for name, targets in graph().items():
        for target, line in targets.items():
            if target == ROOT:
                continue  # the package's __init__: the extension entry points only
            if layer_of(target) < layer_of(name):
                wrong.append(f"{name}:{line} imports {target} "
                             f"({LAYERS[layer_of(name)][0]} -> {LAYERS[layer_of(target)][0]})")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def _cycles(g: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles() -> None:
    g = {name: {t: line for t, line in targets.items() if t != ROOT}
         for name, targets in graph().items()}
    assert not _cycles(g), _cycles(g)


def test_the_checker_sees_a_circle_and_a_wrong_way_import() -> None:
    """The checks can fail: a made-up circle and an upward import are found."""
    assert _cycles({"a": {"b": 1}, "b": {"a": 1}}) == [["a", "b"]]
    assert layer_of("mock_interviewer_lab.settings") > layer_of("mock_interviewer_lab.interview")
    assert layer_of("mock_interviewer_lab.interview.rules.hints") \
        > layer_of("mock_interviewer_lab.interview.orchestrator")


@pytest.mark.parametrize("module", ["mock_interviewer_lab.interview.orchestrator",
                                    "mock_interviewer_lab.interview.session"])
def test_the_engine_reads_without_the_coach(module: str) -> None:
    """The engine can be read without opening coach/: it takes a coach."""
    assert not [t for t in graph()[module] if t.startswith(f"{ROOT}.coach")]
