"""The OpenAPI 3.0 document of the server API (docs/api.md), served at
``<base_url>mock-interviewer/api/openapi.json``.

Generated: every schema comes from the models the handlers validate with
(models.py), through pydantic's JSON Schema in OpenAPI 3.0's dialect; what
is written here is each route's operation (its summary and its answers).
The tests check the document with openapi-spec-validator and against the
routes the extension serves (routes.py).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from mock_interviewer_lab.server import models

API_PREFIX = "mock-interviewer/api/"

_REF = "#/components/schemas/{model}"


class OpenApi30Schema(GenerateJsonSchema):
    """pydantic's JSON Schema (2020-12) as OpenAPI 3.0 reads it: ``nullable``
    rather than a ``null`` type, ``enum`` rather than ``const``, a ``$ref``
    alone in its object; no titles on fields."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if "$ref" in inner:
            return {"allOf": [inner], "nullable": True}
        return {**inner, "nullable": True}

    def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
        result = super().literal_schema(schema)
        if "const" in result:
            result["enum"] = [result.pop("const")]
        return result

    def field_title_should_be_set(self, schema: CoreSchema | Any) -> bool:
        return False

    def generate_inner(self, schema: Any) -> JsonSchemaValue:
        result = super().generate_inner(schema)
        if "$ref" in result and len(result) > 1:  # 3.0 ignores a $ref's siblings
            rest = {key: value for key, value in result.items() if key != "$ref"}
            return {"allOf": [{"$ref": result["$ref"]}], **rest}
        return result


#: The schemas of components/schemas, by name: the bodies in and out.
_COMPONENTS: dict[str, Any] = {
    "Error": models.Error,
    "ProblemList": models.ProblemList,
    "PublicProblem": models.PublicProblem,
    "SessionList": models.SessionList,
    "NewSession": models.NewSession,
    "NewSessionAnswer": models.NewSessionAnswer,
    "SessionAnswer": models.SessionAnswer,
    "SessionEvent": models.SessionEvent,
    "EventAnswer": models.EventAnswer,
    "SessionsQuery": models.SessionsQuery,
    "ReportQuery": models.ReportQuery,
    "NewBehavioralSession": models.NewBehavioralSession,
    "NewBehavioralSessionAnswer": models.NewBehavioralSessionAnswer,
    "BehavioralReply": models.BehavioralReply,
    "ReplyAnswer": models.ReplyAnswer,
    "QuestionFeedbackAnswer": models.QuestionFeedbackAnswer,
    "NextQuestionRequest": models.NextQuestionRequest,
    "NextQuestionAnswer": models.NextQuestionAnswer,
    "SkipRequest": models.SkipRequest,
    "SkipAnswer": models.SkipAnswer,
    "EndBehavioralRequest": models.EndBehavioralRequest,
    "EndBehavioralAnswer": models.EndBehavioralAnswer,
    "BehavioralHistory": models.BehavioralHistory,
}
#: Query models: their fields are parameters, not schemas of the document.
_QUERIES = ("SessionsQuery", "ReportQuery")


@functools.cache
def _schemas() -> dict[str, Any]:
    """Every schema the document names, by name (the query models' own
    schemas included, to read their parameters from)."""
    adapters = [(name, "validation", TypeAdapter(kind)) for name, kind in _COMPONENTS.items()]
    keyed, defs = TypeAdapter.json_schemas(adapters, ref_template=_REF,  # type: ignore[arg-type]
                                           schema_generator=OpenApi30Schema)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    for (name, _mode), schema in keyed.items():
        if "$ref" not in schema:  # a union (SessionEvent): no model of its own
            schemas[str(name)] = schema
    return schemas


def _ref(model: type[BaseModel] | str) -> dict[str, str]:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": _REF.format(model=name)}


def _json(model: type[BaseModel] | str | dict[str, Any], description: str) -> dict[str, Any]:
    schema = model if isinstance(model, dict) else _ref(model)
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(models.Error, description)


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as optional query parameters."""
    properties = _schemas()[model.__name__]["properties"]
    parameters = []
    for name, schema in properties.items():
        schema = {key: value for key, value in schema.items()
                  if key not in ("nullable", "description")
                  and not (key == "default" and value is None)}
        parameter = {"name": name, "in": "query", "schema": schema}
        if properties[name].get("description"):
            parameter["description"] = properties[name]["description"]
        parameters.append(parameter)
    return parameters


_SESSION_ID = {"name": "session_id", "in": "path", "required": True,
               "description": "a session id, or a unique prefix of one",
               "schema": {"type": "string"}}

_AUTH_ERRORS = {"403": _error("no Jupyter user and no valid X-Mock-Interviewer-Token"),
                "503": _error("the service cannot serve: the session store or the settings "
                              "could not be used (the error says which; the server log has "
                              "the details)")}

_VOICE_SOCKET = (
    "Client text messages: {\"type\": \"start\", \"sample_rate\": 16000, "
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
    "4409. See docs/api.md, Voice WebSocket.")


@functools.cache
def _paths() -> dict[str, Any]:
    return {
        "/problems": {"get": {
            "operationId": "listProblems", "summary": "The problems of every installed pack",
            "responses": {"200": _json(models.ProblemList, "the problems"), **_AUTH_ERRORS}}},
        "/problems/{ref}": {"get": {
            "operationId": "getProblem", "summary": "What the candidate may see of one problem",
            "parameters": [{"name": "ref", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "id or pack:id"}],
            "responses": {"200": _json(models.PublicProblem, "the problem"),
                          "404": _error("unknown problem, with suggestions"), **_AUTH_ERRORS}}},
        "/sessions": {
            "get": {
                "operationId": "listSessions", "summary": "Sessions, newest first",
                "parameters": _query_parameters(models.SessionsQuery),
                "responses": {"200": _json(models.SessionList, "the sessions"),
                              "400": _error("a bad query parameter"), **_AUTH_ERRORS}},
            "post": {
                "operationId": "startSession", "summary": "Start an interview",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref(models.NewSession)}}},
                "responses": {"201": _json(models.NewSessionAnswer, "the new session"),
                              "400": _error("a bad body; field names the culprit"),
                              "404": _error("unknown problem, with suggestions"),
                              "413": _error("a body over its size limit"),
                              **_AUTH_ERRORS}},
        },
        "/sessions/{session_id}": {"get": {
            "operationId": "getSession", "summary": "A session and its state now",
            "parameters": [_SESSION_ID],
            "responses": {"200": _json(models.SessionAnswer, "the session"),
                          "404": _error("unknown session"), **_AUTH_ERRORS}}},
        "/sessions/{session_id}/events": {"post": {
            "operationId": "postEvent",
            "summary": "One candidate event; a code event answers after the tests ran",
            "parameters": [_SESSION_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("SessionEvent")}}},
            "responses": {"200": _json(models.EventAnswer, "what the event led to"),
                          "400": _error("a bad body; field names the culprit"),
                          "404": _error("unknown session"),
                          "409": _error("the session has ended"),
                          "413": _error("text or code over its size limit; field names it"),
                          **_AUTH_ERRORS}}},
        "/sessions/{session_id}/report": {"get": {
            "operationId": "getReport", "summary": "The session report",
            "parameters": [_SESSION_ID, *_query_parameters(models.ReportQuery)],
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
            "\"actions\" (the hints given and the follow-up problem), \"last_seq\"}, then "
            "{\"type\": \"action\", \"action\": Action} for each action "
            "committed after the snapshot.",
            "parameters": [_SESSION_ID],
            "responses": {"101": {"description": "switching to the WebSocket protocol"},
                          "404": _error("unknown session"), **_AUTH_ERRORS}}},
        "/sessions/{session_id}/voice": {"get": {
            "operationId": "voiceSocket",
            "summary": "WebSocket: the candidate's microphone in, transcripts and the coach's "
            "voice out",
            "description": _VOICE_SOCKET,
            "parameters": [_SESSION_ID],
            "responses": {"101": {"description": "switching to the WebSocket protocol"},
                          "404": _error("unknown session"), **_AUTH_ERRORS}}},
        **_behavioral_paths(),
        "/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document",
            "responses": {"200": _json({"type": "object"}, "the OpenAPI document"),
                          **_AUTH_ERRORS}}},
    }


_QUESTION_NUMBER = {"name": "question_number", "in": "path", "required": True,
                    "description": "the question's number in the session, from 1",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"}}
_NOT_FOUND = _error("Mock interview session not found (an unknown session, or one that is "
                    "not a behavioural interview)")
_COMPLETED = _error("Session already completed. Start a new session. (or a bad body; field "
                    "names the culprit)")


def _optional_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": False, "content": {"application/json": {"schema": _ref(model)}}}


def _behavioral_paths() -> dict[str, Any]:
    """Seed 002's operations, under behavioral/."""
    root = "/behavioral/sessions/{session_id}"
    return {
        "/behavioral/sessions": {"post": {
            "operationId": "startBehavioralSession",
            "summary": "Start a behavioural interview: its first question",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref(models.NewBehavioralSession)}}},
            "responses": {"201": _json(models.NewBehavioralSessionAnswer, "the new session"),
                          "400": _error("a bad body (field names the culprit), or no question "
                                        "for it (an unknown bank)"),
                          "413": _error("a body over its size limit"), **_AUTH_ERRORS}}},
        root + "/responses": {"post": {
            "operationId": "respondBehavioral",
            "summary": "The candidate's answer to what was asked last: its analysis, then a "
            "follow-up or the question's feedback",
            "parameters": [_SESSION_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref(models.BehavioralReply)}}},
            "responses": {"200": _json(models.ReplyAnswer, "what the answer led to"),
                          "400": _error("Session already completed; a response_number that is "
                                        "not the next reply; a question that is over; a bad "
                                        "body"),
                          "404": _NOT_FOUND, "413": _error("text over its size limit"),
                          **_AUTH_ERRORS}}},
        root + "/questions/{question_number}/feedback": {"get": {
            "operationId": "getQuestionFeedback",
            "summary": "A question's feedback: what landed, what didn't, coaching, a revised "
            "answer",
            "parameters": [_SESSION_ID, _QUESTION_NUMBER],
            "responses": {"200": _json(models.QuestionFeedbackAnswer, "the feedback"),
                          "400": _error("the question has not been answered yet"),
                          "404": _error("Mock interview session not found, or Question not "
                                        "found"), **_AUTH_ERRORS}}},
        root + "/next": {"post": {
            "operationId": "nextBehavioralQuestion", "summary": "Move on to the next question",
            "parameters": [_SESSION_ID], "requestBody": _optional_body(models.NextQuestionRequest),
            "responses": {"200": _json(models.NextQuestionAnswer, "the next question"),
                          "400": _error("Maximum questions reached. End session to see "
                                        "results.; Session already completed; a bad body"),
                          "404": _NOT_FOUND, **_AUTH_ERRORS}}},
        root + "/skip": {"post": {
            "operationId": "skipBehavioral",
            "summary": "Skip the follow-up asked (or the question)",
            "parameters": [_SESSION_ID], "requestBody": _optional_body(models.SkipRequest),
            "responses": {"200": _json(models.SkipAnswer, "what comes next"),
                          "400": _COMPLETED, "404": _NOT_FOUND, **_AUTH_ERRORS}}},
        root + "/end": {"post": {
            "operationId": "endBehavioralSession",
            "summary": "End the interview: the session's feedback and readiness",
            "parameters": [_SESSION_ID],
            "requestBody": _optional_body(models.EndBehavioralRequest),
            "responses": {"200": _json(models.EndBehavioralAnswer, "the session's feedback"),
                          "400": _COMPLETED, "404": _NOT_FOUND, **_AUTH_ERRORS}}},
        "/behavioral/history": {"get": {
            "operationId": "behavioralHistory",
            "summary": "Every behavioural session, newest first, and the trend",
            "responses": {"200": _json(models.BehavioralHistory, "the history"),
                          **_AUTH_ERRORS}}},
    }


def openapi_document(server_url: str = "/" + API_PREFIX) -> dict[str, Any]:
    """The document, with ``servers`` pointing at this server's API root."""
    schemas = {name: schema for name, schema in _schemas().items() if name not in _QUERIES}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Mock Interviewer Lab server API", "version": "1",
                 "description": "The contract between the server extension and the kernel "
                 "client (docs/api.md)."},
        "servers": [{"url": server_url}],
        "security": [{"jupyterToken": []}, {"kernelToken": []}],
        "paths": copy.deepcopy(_paths()),
        "components": {
            "schemas": copy.deepcopy(schemas),
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
