"""The OpenAPI 3.0 document of the server API (docs/api.md), served at
``<base_url>mock-interviewer/api/openapi.json``. Written by hand: it is the
contract, and the tests check it against the routes the extension serves."""

from __future__ import annotations

import copy
from typing import Any

from ..limits import MAX_CODE_BYTES, MAX_SAID_BYTES

API_PREFIX = "mock-interviewer/api/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_SESSION_ID = {"name": "session_id", "in": "path", "required": True,
               "description": "a session id, or a unique prefix of one",
               "schema": {"type": "string"}}

_AUTH_ERRORS = {"403": _error("no Jupyter user and no valid X-Mock-Interviewer-Token"),
                "503": _error("the service cannot serve: the session store or the settings "
                              "could not be used (the error says which; the server log has "
                              "the details)")}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "what went wrong, for a person"},
            "field": {"type": "string", "description": "the body field or parameter at fault"},
            "suggestions": {"type": "array", "items": {"type": "string"},
                            "description": "problem ids close to an unknown one"},
        },
    },
    "ProblemSummary": {
        "type": "object",
        "required": ["id", "qualified_id", "title", "difficulty", "pack", "visible_cases",
                     "hidden_cases"],
        "properties": {
            "id": {"type": "string"}, "qualified_id": {"type": "string"},
            "title": {"type": "string"}, "difficulty": {"type": "string"},
            "pack": {"type": "string"},
            "visible_cases": {"type": "integer", "description": "how many"},
            "hidden_cases": {"type": "integer", "description": "how many"},
        },
    },
    "PublicProblem": {
        "type": "object", "description": "Problem.public_view(): never a hidden case, the "
        "reference solution, hints or never_say",
        "required": ["id", "qualified_id", "pack", "title", "difficulty", "statement",
                     "function", "signature", "visible_cases", "hidden_case_count"],
        "properties": {
            "id": {"type": "string"}, "qualified_id": {"type": "string"},
            "pack": {"type": "string"}, "title": {"type": "string"},
            "difficulty": {"type": "string"}, "statement": {"type": "string"},
            "examples": {"type": "array", "items": {"type": "object"}},
            "constraints": {"type": "array", "items": {"type": "string"}},
            "function": {"type": "string"}, "signature": {"type": "string"},
            "visible_cases": {"type": "array", "items": {
                "type": "object", "properties": {
                    "name": {"type": "string"}, "args": {"type": "array", "items": {}},
                    "kwargs": {"type": "object"}, "expected": {}}}},
            "hidden_case_count": {"type": "integer"},
            "hint_levels": {"type": "integer"},
        },
    },
    "SessionInfo": {
        "type": "object",
        "required": ["id", "problem", "created_at", "status", "meta", "record_count"],
        "properties": {
            "id": {"type": "string"}, "problem": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["open", "ended", "aborted"]},
            "meta": {"type": "object"},
            "last_t": {"type": "number", "nullable": True},
            "record_count": {"type": "integer"},
        },
    },
    "State": {
        "type": "object",
        "required": ["phase", "ended", "elapsed_s", "time_left_s", "phase_budget_left_s",
                     "hint", "last_results", "mode"],
        "properties": {
            "phase": {"type": "string"}, "ended": {"type": "boolean"},
            "elapsed_s": {"type": "number"}, "time_left_s": {"type": "number"},
            "phase_budget_left_s": {"type": "number", "nullable": True},
            "hint": {"type": "object", "properties": {
                "level": {"type": "integer"}, "of": {"type": "integer"},
                "label": {"type": "string"}}},
            "last_results": {"type": "object", "nullable": True,
                             "description": "the data of the last show_results"},
            "mode": {"type": "string", "enum": ["normal", "tdd"]},
        },
    },
    "Action": {
        "type": "object", "required": ["kind", "type", "t", "data"],
        "properties": {
            "kind": {"type": "string", "enum": ["action"]},
            "type": {"type": "string", "enum": [
                "coach_says", "coach_partial", "coach_fallback", "show_hint", "phase_changed",
                "time_warning", "run_tests",
                "show_results", "leak_blocked", "fishing_redirected", "complexity_checked",
                "coach_adjusted", "report_ready"]},
            "t": {"type": "number"}, "data": {"type": "object"},
            "seq": {"type": "integer", "nullable": True},
            "cause": {"type": "integer", "nullable": True},
        },
    },
    "NewSession": {
        "type": "object", "required": ["problem"], "additionalProperties": False,
        "properties": {
            "problem": {"type": "string", "description": "id or pack:id"},
            "minutes": {"type": "number", "minimum": 1, "maximum": 240},
            "mode": {"type": "string", "enum": ["normal", "tdd"]},
            "coach": {"type": "object", "additionalProperties": False, "properties": {
                "helpfulness": {"type": "string", "enum": ["gentle", "balanced", "insistent"]},
                "personality": {"type": "string",
                                "enum": ["supportive", "neutral", "challenging"]}}},
            "llm": {
                "type": "object", "additionalProperties": False,
                "description": "this session's [llm] model/api_base over settings.toml's "
                "(empty = the server's); privacy.local_only still refuses a remote provider: "
                "the session then starts with the scripted coach and a coach_fallback says why",
                "properties": {
                    "model": {"type": "string", "maxLength": 200,
                              "description": "litellm model, e.g. ollama/llama3.1"},
                    "api_base": {"type": "string", "maxLength": 2000,
                                 "description": "the model server's http(s) URL"}}},
        },
    },
    "SessionEvent": {
        "type": "object", "required": ["type"],
        "description": "said needs text; code needs code; silence needs seconds; end may "
        "have a reason",
        "properties": {
            "type": {"type": "string", "enum": ["said", "code", "hint", "typing", "silence",
                                                 "tick", "end"]},
            "text": {"type": "string", "maxLength": MAX_SAID_BYTES,
                     "description": f"at most {MAX_SAID_BYTES} bytes of UTF-8 (413 if more)"},
            "code": {"type": "string", "maxLength": MAX_CODE_BYTES,
                     "description": f"at most {MAX_CODE_BYTES} bytes of UTF-8 (413 if more)"},
            "seconds": {"type": "number", "minimum": 0},
            "reason": {"type": "string", "enum": ["candidate", "time", "abort"]},
        },
    },
}

_PATHS: dict[str, Any] = {
    "/problems": {"get": {
        "operationId": "listProblems", "summary": "The problems of every installed pack",
        "responses": {"200": _json({"type": "object", "required": ["problems"], "properties": {
            "problems": {"type": "array", "items": _ref("ProblemSummary")}}}, "the problems"),
            **_AUTH_ERRORS}}},
    "/problems/{ref}": {"get": {
        "operationId": "getProblem", "summary": "What the candidate may see of one problem",
        "parameters": [{"name": "ref", "in": "path", "required": True,
                        "schema": {"type": "string"}, "description": "id or pack:id"}],
        "responses": {"200": _json(_ref("PublicProblem"), "the problem"),
                      "404": _error("unknown problem, with suggestions"), **_AUTH_ERRORS}}},
    "/sessions": {
        "get": {
            "operationId": "listSessions", "summary": "Sessions, newest first",
            "parameters": [
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 0, "maximum": 10_000}},
                {"name": "status", "in": "query",
                 "schema": {"type": "string", "enum": ["open", "ended", "aborted"]}}],
            "responses": {"200": _json({"type": "object", "required": ["sessions"],
                                        "properties": {"sessions": {
                                            "type": "array", "items": _ref("SessionInfo")}}},
                                       "the sessions"),
                          "400": _error("a bad query parameter"), **_AUTH_ERRORS}},
        "post": {
            "operationId": "startSession", "summary": "Start an interview",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("NewSession")}}},
            "responses": {"201": _json({"type": "object",
                                        "required": ["session", "problem", "state", "actions"],
                                        "properties": {
                                            "session": _ref("SessionInfo"),
                                            "problem": _ref("PublicProblem"),
                                            "state": _ref("State"),
                                            "actions": {"type": "array",
                                                        "items": _ref("Action")}}},
                                       "the new session"),
                          "400": _error("a bad body; field names the culprit"),
                          "404": _error("unknown problem, with suggestions"), **_AUTH_ERRORS}},
    },
    "/sessions/{session_id}": {"get": {
        "operationId": "getSession", "summary": "A session and its state now",
        "parameters": [_SESSION_ID],
        "responses": {"200": _json({"type": "object", "required": ["session", "state"],
                                    "properties": {"session": _ref("SessionInfo"),
                                                   "state": _ref("State")}}, "the session"),
                      "404": _error("unknown session"), **_AUTH_ERRORS}}},
    "/sessions/{session_id}/events": {"post": {
        "operationId": "postEvent",
        "summary": "One candidate event; a code event answers after the tests ran",
        "parameters": [_SESSION_ID],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("SessionEvent")}}},
        "responses": {"200": _json({"type": "object", "required": ["actions", "state"],
                                    "properties": {"actions": {"type": "array",
                                                               "items": _ref("Action")},
                                                   "state": _ref("State")}},
                                   "what the event led to"),
                      "400": _error("a bad body; field names the culprit"),
                      "404": _error("unknown session"),
                      "409": _error("the session has ended"),
                      "413": _error("text or code over its size limit; field names it"),
                      **_AUTH_ERRORS}}},
    "/sessions/{session_id}/report": {"get": {
        "operationId": "getReport", "summary": "The session report",
        "parameters": [_SESSION_ID, {
            "name": "format", "in": "query",
            "schema": {"type": "string", "enum": ["json", "md", "html", "ipynb"],
                       "default": "json"}}],
        "responses": {"200": {"description": "the report", "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/markdown": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "application/x-ipynb+json": {"schema": {"type": "object"}}}},
            "400": _error("unknown format"), "404": _error("unknown session"),
            **_AUTH_ERRORS}}},
    "/sessions/{session_id}/export": {"get": {
        "operationId": "exportSession", "summary": "SessionStore.export(): every record",
        "parameters": [_SESSION_ID],
        "responses": {"200": _json({"type": "object", "required": ["format", "version",
                                                                   "session", "records"]},
                                   "the exported session"),
                      "404": _error("unknown session"), **_AUTH_ERRORS}}},
    "/sessions/{session_id}/ws": {"get": {
        "operationId": "sessionSocket",
        "summary": "WebSocket: a snapshot, then every action as it happens",
        "description": "First message {\"type\": \"snapshot\", \"state\", \"transcript\", "
        "\"last_seq\"}, then {\"type\": \"action\", \"action\": Action} for each action "
        "committed after the snapshot.",
        "parameters": [_SESSION_ID],
        "responses": {"101": {"description": "switching to the WebSocket protocol"},
                      "404": _error("unknown session"), **_AUTH_ERRORS}}},
    "/sessions/{session_id}/voice": {"get": {
        "operationId": "voiceSocket",
        "summary": "WebSocket: the candidate's microphone in, transcripts and the coach's "
        "voice out",
        "description": "Client text messages: {\"type\": \"start\", \"sample_rate\": 16000, "
        "\"format\": \"pcm16\", \"client\"} first, {\"type\": \"stop\"}, "
        "{\"type\": \"calibrate\", \"seconds\"}, {\"type\": \"playback\", \"state\": "
        "\"started\"|\"ended\", \"id\"}; binary messages: raw PCM16 LE mono 16 kHz, "
        "an even number of bytes, at most 32000 (1 s) each. Server messages (JSON): "
        "{\"type\": \"ready\", \"engine\", \"model\", \"tts\", \"sample_rate\"}, "
        "{\"type\": \"speech_start\"}, {\"type\": \"partial\", \"text\"}, "
        "{\"type\": \"final\", \"text\", \"seq\"} (also posted as candidate_said with "
        "source voice and speech {start, end}), {\"type\": \"speak\", \"id\", \"text\", "
        "\"mime\": \"audio/wav\", \"audio_b64\"} for each coach message, "
        "{\"type\": \"calibrated\", \"noise_threshold\", \"saved\"}, {\"type\": "
        "\"error\", \"code\": bad_frame|bad_rate|busy|engine_failed|no_engine|too_long|"
        "tts_failed, "
        "\"message\"}. A second microphone on a session gets busy and is closed with code "
        "4409. See docs/api.md, Voice WebSocket.",
        "parameters": [_SESSION_ID],
        "responses": {"101": {"description": "switching to the WebSocket protocol"},
                      "404": _error("unknown session"), **_AUTH_ERRORS}}},
    "/openapi.json": {"get": {
        "operationId": "getOpenApi", "summary": "This document",
        "responses": {"200": _json({"type": "object"}, "the OpenAPI document"),
                      **_AUTH_ERRORS}}},
}


def openapi_document(server_url: str = "/" + API_PREFIX) -> dict[str, Any]:
    """The document, with ``servers`` pointing at this server's API root."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Mock Interviewer Lab server API", "version": "1",
                 "description": "The contract between the server extension and the kernel "
                 "client (docs/api.md)."},
        "servers": [{"url": server_url}],
        "security": [{"jupyterToken": []}, {"kernelToken": []}],
        "paths": copy.deepcopy(_PATHS),
        "components": {
            "schemas": copy.deepcopy(_SCHEMAS),
            "securitySchemes": {
                "jupyterToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                                 "description": "jupyter-server's own auth: "
                                 "'token <server token>' or the login cookie"},
                "kernelToken": {"type": "apiKey", "in": "header",
                                "name": "X-Mock-Interviewer-Token",
                                "description": "the per-server secret in the kernel's "
                                "$MOCK_INTERVIEWER_TOKEN"},
            },
        },
    }
