"""The table of the server API: each URL pattern and its handler.

Relative to the server's base_url (the extension adds it). Imports run one
way: routes → handlers, sockets → base, models.
"""

from __future__ import annotations

from typing import Any

from mock_interviewer_lab.server.behavioral import (
    BehavioralHistoryHandler,
    BehavioralResponsesHandler,
    BehavioralSessionsHandler,
    EndBehavioralHandler,
    NextQuestionHandler,
    QuestionFeedbackHandler,
    SkipHandler,
)
from mock_interviewer_lab.server.handlers import (
    EventsHandler,
    ExportHandler,
    NotFoundHandler,
    OpenApiHandler,
    ProblemHandler,
    ProblemsHandler,
    ReportHandler,
    SessionHandler,
    SessionsHandler,
)
from mock_interviewer_lab.server.openapi import API_PREFIX
from mock_interviewer_lab.server.sockets import SessionSocketHandler, VoiceSocketHandler


def default_handlers() -> list[tuple[str, type[Any]]]:
    """Routes, relative to the server's base_url (the extension adds it)."""
    root = "/" + API_PREFIX
    sid = r"(?P<session_id>[^/]+)"
    return [
        (root + "problems", ProblemsHandler),
        (root + r"problems/(?P<ref>[^/]+)", ProblemHandler),
        (root + "sessions", SessionsHandler),
        (root + f"sessions/{sid}", SessionHandler),
        (root + f"sessions/{sid}/events", EventsHandler),
        (root + f"sessions/{sid}/report", ReportHandler),
        (root + f"sessions/{sid}/export", ExportHandler),
        (root + f"sessions/{sid}/ws", SessionSocketHandler),
        (root + f"sessions/{sid}/voice", VoiceSocketHandler),
        # Behavioural interviews (seed 002's operations; server/behavioral.py).
        (root + "behavioral/sessions", BehavioralSessionsHandler),
        (root + f"behavioral/sessions/{sid}/responses", BehavioralResponsesHandler),
        (root + f"behavioral/sessions/{sid}/questions/(?P<question_number>[^/]+)/feedback",
         QuestionFeedbackHandler),
        (root + f"behavioral/sessions/{sid}/next", NextQuestionHandler),
        (root + f"behavioral/sessions/{sid}/skip", SkipHandler),
        (root + f"behavioral/sessions/{sid}/end", EndBehavioralHandler),
        (root + "behavioral/history", BehavioralHistoryHandler),
        (root + "openapi.json", OpenApiHandler),
        # Last: anything the routes above did not take.
        (root + r"(?P<path>.*)", NotFoundHandler),
    ]
