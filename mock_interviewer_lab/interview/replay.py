"""Replay a stored session with another coach setting (the seed's
``replay --coach-level``): the candidate's side of the session — what they
said and submitted, when, and what their tests returned — is played again
against a coach with other settings, into a new session."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from mock_interviewer_lab.events import Action, Event
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.interview.coaching import Coach
from mock_interviewer_lab.interview.headless import ClockDriver, Moment
from mock_interviewer_lab.interview.kinds.behavioral_recorded import RecordedScorer
from mock_interviewer_lab.interview.rules.star import OfflineScorer
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import LOCAL_USER, SessionInfo, SessionStore

#: Events that come from the candidate or the world, not from the coach.
CANDIDATE_SIDE = ("candidate_said", "code_submitted", "tests_finished", "growth_measured",
                  "hint_requested", "typing", "silence", "tick", "end_requested",
                  "next_requested", "skip_requested")


@dataclass(frozen=True)
class ReplayResult:
    original: SessionInfo
    session: SessionInfo
    coach_before: list[str]
    coach_after: list[str]


class ReplayRefused(Exception):
    """The session was taken under class settings that allow no replay."""


def replay_session(store: SessionStore, session_id: str, registry: ProblemRegistry,
                   settings: Settings, *, replay_coach: Coach, helpfulness: str | None = None,
                   personality: str | None = None) -> ReplayResult:
    """``replay_coach`` answers the replayed candidate (the scripted coach:
    the point is to compare coach settings, not to call a model). The
    replay is recorded for the original's user. ReplayRefused when the
    session's class settings (its meta's ``class``) allow no replay."""
    original = store.get(session_id)
    taken_under = original.meta.get("class")
    if isinstance(taken_under, dict) and taken_under.get("replay") is False:
        raise ReplayRefused(f"session {original.id} was taken under the class's "
                            f"{taken_under.get('profile', 'practice')} settings, which allow "
                            "no replay")
    records = store.records(original.id)
    started = next(r for r in records if isinstance(r, Event) and r.type == "session_started")
    coach = dict(started.data.get("coach") or {})
    if helpfulness:
        coach["helpfulness"] = helpfulness
    if personality:
        coach["personality"] = personality
    clock = FakeClock()
    session = InterviewSession.start(
        store, registry.get(original.problem), settings, harness=None, clock=clock,
        minutes=float(started.data.get("minutes", 45)), mode=str(started.data.get("mode", "normal")),
        coach_settings=coach, registry=registry, meta={"replay_of": original.id},
        coach=replay_coach, kind_name=original.kind, user=original.user or LOCAL_USER,
        kind_options=started.data.get(original.kind),
        # A behavioural session's questions, scores and feedback are the stored
        # ones (a model's among them): never asked again.
        scorer=RecordedScorer(records, then=OfflineScorer()))
    seq_map: dict[int, int] = {}

    def post_again(r: Event) -> None:
        data = dict(r.data)
        if r.type in ("tests_finished", "growth_measured") and data.get("code_seq") in seq_map:
            data["code_seq"] = seq_map[data["code_seq"]]
        actions = session.post(r.type, data)
        if r.type == "code_submitted" and r.seq is not None:
            run = next((a for a in actions if a.type == "run_tests"), None)
            if run is not None:
                seq_map[r.seq] = run.data["code_seq"]

    # The recorded ticks are among the candidate's side: the clock jumps from
    # one event's time to the next and ticks only when they do.
    ClockDriver(session, clock, tick_s=None).run(
        Moment(r.t, functools.partial(post_again, r)) for r in records
        if isinstance(r, Event) and r.type in CANDIDATE_SIDE)
    if not session.ended:
        session.end("candidate")

    def coach_of(items: list[Any]) -> list[str]:
        return [a.data["text"] for a in items if isinstance(a, Action) and a.type == "coach_says"]

    return ReplayResult(original=original, session=store.get(session.info.id),
                        coach_before=coach_of(records), coach_after=coach_of(session.records()))
