"""Build the coach a session asks for: ``scripted`` (offline, always there)
or ``llm`` (litellm, configured in ``settings.toml`` ``[llm]``).

An LLM coach that cannot be used is refused up front with
:class:`CoachUnavailable`, whose one-line message names the setting to change
and the settings file it was read from, e.g.
``[llm] model is empty in ~/.config/mock-interviewer/settings.toml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from mock_interviewer_lab.coach.llm import LlmCoach
from mock_interviewer_lab.coach.llm_settings import (
    CoachUnavailable,
    check_llm_settings,
    effective_api_base,
    is_local_host,
    provider_of,
    settings_file,
)
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.coaching import Coach, CoachContext, CoachReply
from mock_interviewer_lab.settings import Settings

if TYPE_CHECKING:
    from mock_interviewer_lab.interview.session import CodeRunner
    from mock_interviewer_lab.problems.loader import Problem

CoachKind = Literal["scripted", "llm"]
COACH_KINDS: tuple[CoachKind, ...] = ("scripted", "llm")

def build_coach(kind: CoachKind, settings: Settings, *, runner: CodeRunner | None = None,
                problem: Problem | None = None,
                on_sentence: Callable[[str], None] | None = None) -> Coach:
    """The coach of ``kind``; raises :class:`CoachUnavailable` (one line,
    naming the setting) when an LLM coach cannot be used.

    ``runner`` lets the model's ``run_tests`` tool run the latest code (the
    session's harness); ``on_sentence`` receives each safe sentence of a
    streamed reply as soon as it is checked (the session wires it to the
    panel and the voice)."""
    if kind == "scripted":
        return ScriptedCoach()
    if kind != "llm":
        raise CoachUnavailable(f"unknown coach {kind!r}; use one of {', '.join(COACH_KINDS)}")
    check_llm_settings(settings)
    return LlmCoach(settings, runner=runner, problem=problem, on_sentence=on_sentence)


class ScriptedInsteadOfModel:
    """The scripted coach standing in for a model that cannot be used: its
    first reply carries the reason, which the panel shows (``coach_fallback``)."""

    def __init__(self, model: str, reason: str) -> None:
        self.name = model
        self.reason = reason
        self._scripted = ScriptedCoach()
        self._told = False

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        reply = self._scripted.reply(ctx)
        if reply is None:
            return None
        if self._told:
            return replace(reply, by=self._scripted.name)
        self._told = True
        return replace(reply, by=self._scripted.name, fallback="unavailable",
                       fallback_detail=self.reason)


def session_coach(settings: Settings, *, runner: CodeRunner | None = None,
                  problem: Problem | None = None) -> Coach:
    """The coach a session gets from the settings alone (the server, the
    embedded backend): the LLM coach when ``[llm] model`` is set, else the
    scripted coach. A model that cannot be used (``privacy.local_only``, a bad
    api_base) leaves the scripted coach in charge, and the panel says why."""
    if not settings.llm.model.strip():
        return ScriptedCoach()
    try:
        return build_coach("llm", settings, runner=runner, problem=problem)
    except CoachUnavailable as exc:
        return ScriptedInsteadOfModel(settings.llm.model, str(exc))


__all__ = ["COACH_KINDS", "CoachKind", "CoachUnavailable", "ScriptedInsteadOfModel", "build_coach",
           "check_llm_settings", "effective_api_base", "is_local_host", "provider_of",
           "session_coach", "settings_file"]
