"""Plays test_session.STEPS against a store file, slowly, until killed.

Run by test_session.test_resume_after_sigkill; prints the session id first.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import SessionStore
from tests.test_session import STEPS, WithoutGrowth, apply


def main() -> None:
    registry = ProblemRegistry.discover(installed=False)
    store = SessionStore(sys.argv[1])
    clock = FakeClock()
    with SyncHarness() as harness:
        session = InterviewSession.start(store, registry.get("two_sum"), Settings(),
                                         harness=WithoutGrowth(harness), clock=clock,
                                         registry=registry, coach=ScriptedCoach())
        print(session.info.id, flush=True)
        for step in STEPS:
            apply(session, clock, step)
            time.sleep(0.15)


if __name__ == "__main__":
    main()
