"""The server's request models and the layout of server/, without a server.

The messages below are the ones the hand-written checks gave before the
models replaced them (tests/test_server.py and tests/test_bad_input.py
check the same over HTTP); the OpenAPI document's choices must come from
where the package defines them; and the modules of server/ import one way.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from mock_interviewer_lab.events import ActionType
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.limits import MAX_CODE_BYTES, MAX_SAID_BYTES
from mock_interviewer_lab.protocol import REPORT_FORMATS
from mock_interviewer_lab.server import models
from mock_interviewer_lab.server.models import Refusal
from mock_interviewer_lab.server.openapi import openapi_document
from mock_interviewer_lab.settings import Helpfulness, Mode, Personality
from mock_interviewer_lab.store import SessionStatus

SERVER = Path(models.__file__).parent
TYPES = "said, code, hint, typing, silence, tick, end"


def refusal_of_session(body: dict[str, Any]) -> Refusal:
    with pytest.raises(ValidationError) as refused:
        models.NewSession.model_validate(body)
    return models.refusal(refused.value, models.NewSession, body)


def refusal_of_event(body: dict[str, Any]) -> Refusal:
    with pytest.raises(ValidationError) as refused:
        models.session_event.validate_python(body)
    return models.event_refusal(refused.value, body)


@pytest.mark.parametrize(("body", "message", "field"), [
    ({}, "problem must be a string", "problem"),
    ({"problem": 3}, "problem must be a string", "problem"),
    ({"problem": "add", "minutes": "ten"}, "minutes must be a number from 1 to 240, not 'ten'",
     "minutes"),
    ({"problem": "add", "minutes": None}, "minutes must be a number from 1 to 240, not None",
     "minutes"),
    ({"problem": "add", "minutes": True}, "minutes must be a number from 1 to 240, not True",
     "minutes"),
    ({"problem": "add", "minutes": 241}, "minutes must be a number from 1 to 240, not 241",
     "minutes"),
    ({"problem": "add", "minutes": float("nan")},
     "minutes must be a number from 1 to 240, not nan", "minutes"),
    ({"problem": "add", "mode": "fast"}, "mode must be one of normal, tdd, not 'fast'", "mode"),
    ({"problem": "add", "coach": {"helpfulness": "pushy"}},
     "coach.helpfulness must be one of gentle, balanced, insistent, not 'pushy'",
     "coach.helpfulness"),
    ({"problem": "add", "coach": {"colour": 1}},
     "unknown field coach.'colour'; allowed: helpfulness, personality", "coach.colour"),
    ({"problem": "add", "coach": [1]}, "coach must be an object", "coach"),
    ({"problem": "add", "colour": "red"},
     "unknown field 'colour'; allowed: problem, minutes, mode, coach, llm", "colour"),
    # An unknown field comes first in its object, as the old checks found it.
    ({"problem": 3, "colour": "red"},
     "unknown field 'colour'; allowed: problem, minutes, mode, coach, llm", "colour"),
    ({"problem": "add", "coach": {"helpfulness": "bad", "x": 1}},
     "unknown field coach.'x'; allowed: helpfulness, personality", "coach.x"),
    ({"problem": "add", "mode": "bad", "coach": {"x": 1}},
     "mode must be one of normal, tdd, not 'bad'", "mode"),
    ({"problem": "add", "llm": "openai/x"}, "llm must be an object", "llm"),
    ({"problem": "add", "llm": {"model": 3}}, "llm.model must be a string", "llm.model"),
    ({"problem": "add", "llm": {"model": "x" * 201}},
     "llm.model must be printable and at most 200 characters", "llm.model"),
    ({"problem": "add", "llm": {"model": "a\nb"}},
     "llm.model must be printable and at most 200 characters", "llm.model"),
    ({"problem": "add", "llm": {"temperature": 2}},
     "unknown field llm.'temperature'; allowed: model, api_base", "llm.temperature"),
])
def test_a_bad_session_body_is_refused_as_before(body: dict[str, Any], message: str,
                                                 field: str) -> None:
    assert refusal_of_session(body) == Refusal(400, message, {"field": field})


def test_a_good_session_body() -> None:
    body = models.NewSession.model_validate({
        "problem": "add", "minutes": 30, "mode": "tdd",
        "coach": {"helpfulness": "gentle", "personality": None},
        "llm": {"model": " ollama/x ", "api_base": ""}})
    assert (body.problem, body.minutes, body.mode) == ("add", 30.0, "tdd")
    assert body.coach is not None and body.coach.model_dump(exclude_none=True) == {
        "helpfulness": "gentle"}
    assert body.llm is not None and body.llm.chosen() == {"model": "ollama/x"}
    # Not given: the handler takes the server's default instead.
    assert "minutes" not in models.NewSession.model_validate({"problem": "add"}).model_fields_set


@pytest.mark.parametrize(("body", "message", "field"), [
    ({}, f"type must be a string: one of {TYPES}, not None", "type"),
    ({"type": []}, f"type must be a string: one of {TYPES}, not []", "type"),
    ({"type": 3}, f"type must be a string: one of {TYPES}, not 3", "type"),
    ({"type": "dance"}, f"type must be one of {TYPES}, not 'dance'", "type"),
    ({"type": "said"}, "text must be a string", "text"),
    ({"type": "said", "text": "  "}, "text must not be empty", "text"),
    ({"type": "said", "text": "hi", "x": 1}, "unknown field 'x'; allowed: type, text", "x"),
    ({"type": "silence", "seconds": -1}, "seconds must be a number from 0 to 86400, not -1",
     "seconds"),
    ({"type": "silence"}, "seconds must be a number from 0 to 86400, not None", "seconds"),
    ({"type": "end", "reason": "bored"},
     "reason must be one of candidate, time, abort, not 'bored'", "reason"),
    ({"type": "hint", "level": 2}, "unknown field 'level'; allowed: type", "level"),
])
def test_a_bad_event_body_is_refused_as_before(body: dict[str, Any], message: str,
                                               field: str) -> None:
    assert refusal_of_event(body) == Refusal(400, message, {"field": field})


def test_text_over_its_limit_is_413_and_a_lone_surrogate_400() -> None:
    said = refusal_of_event({"type": "said", "text": "a" * (MAX_SAID_BYTES + 1)})
    assert (said.status, said.extra) == (413, {"field": "text", "limit_bytes": MAX_SAID_BYTES})
    assert said.message == f"text is {MAX_SAID_BYTES + 1:,} bytes; the limit is 8 KB " \
                           f"({MAX_SAID_BYTES:,} bytes)"
    code = refusal_of_event({"type": "code", "code": "#" * (MAX_CODE_BYTES + 1)})
    assert (code.status, code.extra) == (413, {"field": "code", "limit_bytes": MAX_CODE_BYTES})
    surrogate = refusal_of_event({"type": "said", "text": "I would \ud800 sort"})
    assert surrogate.status == 400 and "surrogate" in surrogate.message
    assert models.session_event.validate_python(
        {"type": "said", "text": "a" * MAX_SAID_BYTES}) == models.SaidEvent(
        type="said", text="a" * MAX_SAID_BYTES)


@pytest.mark.parametrize("limit", ["99999999999999999999", "²", "-1", "1e3", "3x", "٣", "10001",
                                   " 3", ""])
def test_a_bad_limit_is_refused_as_before(limit: str) -> None:
    with pytest.raises(ValidationError) as refused:
        models.SessionsQuery.model_validate({"limit": limit})
    assert models.refusal(refused.value, models.SessionsQuery, {"limit": limit}) == Refusal(
        400, f"limit must be a whole number from 0 to 10000, not {limit!r}", {"field": "limit"})
    assert models.SessionsQuery.model_validate({"limit": "10000"}).limit == 10_000


# ------------------------------------------------------------- one source


def _enum(schema: dict[str, Any]) -> list[Any]:
    values: list[Any] = schema["enum"]
    return values


def test_the_document_takes_every_choice_from_its_source() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    coach = schemas["CoachChoices"]["properties"]
    assert _enum(coach["helpfulness"]) == list(get_args(Helpfulness))
    assert _enum(coach["personality"]) == list(get_args(Personality))
    assert _enum(schemas["NewSession"]["properties"]["mode"]) == list(get_args(Mode))
    assert _enum(schemas["State"]["properties"]["mode"]) == list(get_args(Mode))
    assert _enum(schemas["Action"]["properties"]["type"]) == list(get_args(ActionType))
    assert _enum(schemas["SessionInfo"]["properties"]["status"]) == list(get_args(SessionStatus))
    assert "kind" in schemas["SessionInfo"]["required"]  # the kind of interview it stores
    assert _enum(schemas["Phase"]) == [phase.value for phase in Phase]
    parameters = {p["name"]: p for p in document["paths"]["/sessions/{session_id}/report"]
                  ["get"]["parameters"]}
    assert _enum(parameters["format"]["schema"]) == list(REPORT_FORMATS)
    (status,) = [p for p in document["paths"]["/sessions"]["get"]["parameters"]
                 if p["name"] == "status"]
    assert _enum(status["schema"]) == list(get_args(SessionStatus))
    assert set(schemas["SessionEvent"]["discriminator"]["mapping"]) == set(TYPES.split(", "))


def _string_constants(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_the_server_does_not_write_out_the_settings_choices() -> None:
    """The coach's choices, the modes and the store's statuses are named
    by their sources only."""
    for path in sorted(SERVER.glob("*.py")):
        constants = _string_constants(path)
        for value in ("gentle", "insistent", "supportive", "challenging", "tdd", "aborted"):
            assert value not in constants, (path.name, value)


# ----------------------------------------------------------------- layout

#: A module of server/ imports only modules of a later rank (routes →
#: handlers, sockets → base, models → services).
RANKS = {"__init__": 0, "options_doc": 0, "app": 1, "routes": 2, "handlers": 4, "sockets": 4, "behavioral": 4,
         "openapi": 5, "base": 5, "models": 6, "services": 7, "run_queue": 8, "metrics": 9}


def _server_imports(path: Path) -> set[str]:
    """The modules of server/ that ``path`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.module.startswith("mock_interviewer_lab.server."):
            found.add(node.module.split(".")[2])
    return found


def test_the_server_modules_import_one_way() -> None:
    modules = {path.stem for path in SERVER.glob("*.py")}
    assert modules == set(RANKS), "a new module of server/ needs its rank here"
    for path in SERVER.glob("*.py"):
        for imported in _server_imports(path):
            assert RANKS[imported] > RANKS[path.stem], f"{path.stem} imports {imported}"
