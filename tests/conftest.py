"""Shared fixtures: the probe pack and a warm harness for the sandbox tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings

FIXTURES = Path(__file__).parent / "fixtures"
PROBE_PACK = FIXTURES / "packs" / "probe"

def write_server_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *,
                          more: str = "", workspace: bool = False) -> Path:
    """A settings.toml for a test's jupyter-server with the extension: its own
    session store and the probe pack, plus ``more`` (TOML sections), put in
    force through MOCK_INTERVIEWER_SETTINGS for the server and its kernels."""
    path = tmp_path / "settings.toml"
    app = f"session_db = {json.dumps(str(tmp_path / 'sessions.db'))}\n"
    if workspace:
        app += f"workspace_dir = {json.dumps(str(tmp_path / 'workspace'))}\n"
    path.write_text(f"[app]\n{app}[problems]\nextra_dirs = [{json.dumps(str(PROBE_PACK))}]\n"
                    + more, encoding="utf-8")
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(path))
    return path


#: Short limits so that the adversarial tests stay quick.
FAST_LIMITS = HarnessSettings(timeout_ms=700, run_timeout_ms=15000, cpu_seconds=6, memory_mb=256)


@pytest.fixture(scope="session")
def probe_registry() -> ProblemRegistry:
    reg = ProblemRegistry.from_dirs([PROBE_PACK])
    assert reg.issues == []
    return reg


@pytest.fixture(scope="session")
def add_problem(probe_registry: ProblemRegistry) -> Problem:
    return probe_registry.get("add")


@pytest.fixture(scope="session")
def builtin_registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


@pytest.fixture(scope="module")
def harness() -> Iterator[SyncHarness]:
    with SyncHarness(FAST_LIMITS) as h:
        yield h
