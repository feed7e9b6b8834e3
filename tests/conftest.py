"""Shared fixtures: the probe pack and a warm harness for the sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import HarnessSettings

FIXTURES = Path(__file__).parent / "fixtures"
PROBE_PACK = FIXTURES / "packs" / "probe"

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
