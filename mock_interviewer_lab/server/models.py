"""The request and response bodies of the server API, as pydantic models.

They are the contract: the handlers validate every body and query with
them (:func:`refusal` turns the first problem pydantic finds into the 400 —
or 413 — the API has always answered, naming the field), and
``openapi.py`` generates the OpenAPI document from them.

Every choice comes from where the rest of the package defines it: the
coach's and a session's mode from ``settings.py``, a session's status from
the store, action types from ``events.py``, phases from
``interview/phases.py``, report formats from ``protocol.py``.
The event bodies are a union on ``type``; each names its own type once.

Nothing here knows HTTP: no tornado, no handler.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeAlias, Union, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError
from typing_extensions import TypedDict  # pydantic's on Python 3.11

from mock_interviewer_lab.competencies import (
    MAX_FOLLOW_UPS,
    QUESTIONS_PER_SESSION,
    Difficulty,
    Level,
    Readiness,
    Stage,
)
from mock_interviewer_lab.events import ActionType, EndReason
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.limits import (
    MAX_CODE_BYTES,
    MAX_CONTEXT_BYTES,
    MAX_SAID_BYTES,
    BadText,
    TextTooLong,
    check_text,
)
from mock_interviewer_lab.protocol import ReportFormat
from mock_interviewer_lab.settings import Helpfulness, Mode, Personality
from mock_interviewer_lab.store import SessionStatus

#: The largest ``limit`` a session listing takes.
MAX_LIST_LIMIT = 10_000
#: An interview's length when the request names none, unless the server's
#: ``MockInterviewerApp.default_minutes`` says otherwise.
DEFAULT_MINUTES = 45.0
#: llm.<field> → the longest value accepted (a model name, a URL).
LLM_MODEL_CHARS = 200
LLM_API_BASE_CHARS = 2000

#: Why an interview ends: ``end_requested``'s reason (events.py
#: has no type for it yet; this is the one list of them).


class _Request(BaseModel):
    """A body or query the client sends: strict (no "3" for 3, no 1 for
    "1", no true for 1) and, for bodies, no field that is not declared."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _Answer(BaseModel):
    """A body the server sends: what it documents; a key added later by the
    engine still goes out (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow")


# ------------------------------------------------------------- field rules


def _rule(message: str, **context: Any) -> PydanticCustomError:
    """A broken rule of a field, said after the field's name."""
    return PydanticCustomError("rule", message, context)


def _event_text(kind: str, name: str) -> Any:
    """The check of a said line's or a code submission's text (``kind``, in
    field ``name``): within its size limit in UTF-8 bytes (413 when over)
    and real text (no lone surrogate), as ``limits.check_text`` words it."""

    def check(text: str) -> str:
        try:
            return check_text(kind, text, name)
        except TextTooLong as exc:
            raise PydanticCustomError("too_long", "{message}",
                                      {"message": str(exc), "limit": exc.limit}) from None
        except BadText as exc:
            raise PydanticCustomError("bad_text", "{message}", {"message": str(exc)}) from None

    return AfterValidator(check)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise _rule("must not be empty")
    return text


def _printable(longest: int) -> Any:
    """A one-line value (a model name, a URL), surrounding space dropped."""

    def check(text: str) -> str:
        text = text.strip()
        if len(text) > longest or not text.isprintable():
            raise _rule("must be printable and at most {longest} characters", longest=longest)
        return text

    return AfterValidator(check)


def _ascii_whole_number(value: Any) -> Any:
    """A query's whole number: ASCII digits only (``str.isdigit`` takes "²",
    which ``int`` refuses; ``int`` takes "٣"), nine at most."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,9}", value):
            raise ValueError("not a whole number")
        return int(value)
    return value


def _byte_limit(limit: int) -> Any:
    return Field(json_schema_extra={"maxLength": limit,
                                    "description": f"at most {limit} bytes of UTF-8 "
                                    "(413 if more)"})


# ---------------------------------------------------------------- requests


class CoachChoices(_Request):
    """How the coach behaves in this session (settings.toml's [coach] otherwise)."""

    helpfulness: Helpfulness | None = None
    personality: Personality | None = None


class LlmChoices(_Request):
    """This session's [llm] model/api_base over settings.toml's (empty = the
    server's); privacy.local_only still refuses a remote provider: the session
    then starts with the scripted coach and a coach_fallback says why."""

    model: Annotated[str, _printable(LLM_MODEL_CHARS),
                     Field(json_schema_extra={"maxLength": LLM_MODEL_CHARS},
                           description="litellm model, e.g. ollama/llama3.1")] | None = None
    api_base: Annotated[str, _printable(LLM_API_BASE_CHARS),
                        Field(json_schema_extra={"maxLength": LLM_API_BASE_CHARS},
                              description="the model server's http(s) URL")] | None = None

    def chosen(self) -> dict[str, str]:
        """The values given, without the empty ones (those mean the server's)."""
        return {key: value for key, value in self.model_dump(exclude_none=True).items() if value}


class NewSession(_Request):
    """Start an interview."""

    problem: str = Field(description="id or pack:id")
    minutes: Annotated[float, Field(ge=1, le=240, allow_inf_nan=False)] = Field(
        DEFAULT_MINUTES, description="default: the server's MockInterviewerApp.default_minutes; "
        "the class's settings may fix or cap it (the answer's notices say so)")
    mode: Mode = "normal"
    coach: CoachChoices | None = None
    llm: LlmChoices | None = None


class SaidEvent(_Request):
    """Something the candidate said or typed."""

    type: Literal["said"]
    text: Annotated[str, _event_text("said", "text"), AfterValidator(_not_blank),
                    _byte_limit(MAX_SAID_BYTES)]


class CodeEvent(_Request):
    """A submission: the answer comes once the tests ran."""

    type: Literal["code"]
    code: Annotated[str, _event_text("code", "code"), _byte_limit(MAX_CODE_BYTES)]


class HintEvent(_Request):
    type: Literal["hint"]


class TypingEvent(_Request):
    """The candidate is editing: it ends a silence."""

    type: Literal["typing"]


class SilenceEvent(_Request):
    type: Literal["silence"]
    seconds: Annotated[float, Field(ge=0, le=24 * 3600, allow_inf_nan=False)]


class TickEvent(_Request):
    """Time passes: warnings and time rules fire."""

    type: Literal["tick"]


class EndEvent(_Request):
    """The end (with code submitted and no complexity discussed yet, the
    ``complexity`` phase first: the coach asks)."""

    type: Literal["end"]
    reason: EndReason = "candidate"


AnyEvent: TypeAlias = (SaidEvent | CodeEvent | HintEvent | TypingEvent | SilenceEvent
                       | TickEvent | EndEvent)
#: ``POST sessions/{id}/events``: one of these, by ``type``.
SessionEvent = Annotated[AnyEvent, Field(discriminator="type")]
EVENT_BODIES: tuple[type[_Request], ...] = get_args(AnyEvent)
session_event: TypeAdapter[AnyEvent] = TypeAdapter(SessionEvent)


class SessionsQuery(_Request):
    """``GET sessions?status=&limit=`` (both optional; other parameters are ignored;
    a whole number is ASCII digits)."""

    model_config = ConfigDict(extra="ignore")

    status: SessionStatus | None = None
    limit: Annotated[int, Field(ge=0, le=MAX_LIST_LIMIT),
                     BeforeValidator(_ascii_whole_number)] | None = None


class ReportQuery(_Request):
    """``GET sessions/{id}/report?format=``."""

    model_config = ConfigDict(extra="ignore")

    format: ReportFormat = "json"


# ----------------------------------------------------------------- answers


class Error(_Answer):
    """Every error answer. ``field`` names the body field or query parameter
    at fault (on a 400 or 413)."""

    error: str = Field(description="what went wrong, for a person")
    field: str | None = Field(None, description="the body field or parameter at fault")
    suggestions: list[str] | None = Field(None, description="problem ids close to an unknown one")
    limit_bytes: int | None = Field(None, description="413: the size limit of the field")
    retry_after_s: int | None = Field(None, description="503: when to try again (also the "
                                      "Retry-After header)")
    queue_size: int | None = Field(None, description="503: how many submissions the queue holds")


class ProblemSummary(_Answer):
    id: str
    qualified_id: str
    title: str
    difficulty: str
    pack: str
    visible_cases: int = Field(description="how many")
    hidden_cases: int = Field(description="how many")


class ProblemList(_Answer):
    problems: list[ProblemSummary]


# A TypedDict: pydantic's mypy plugin refuses a model field named ``kwargs``.
class VisibleCase(TypedDict):
    """A test case the candidate may see (the hidden ones are only counted)."""

    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any


class PublicProblem(_Answer):
    """``Problem.public_view()``: never a hidden case, the reference
    solution, hints or never_say."""

    id: str
    qualified_id: str
    pack: str
    title: str
    difficulty: str
    statement: str
    examples: list[dict[str, Any]]
    constraints: list[str]
    function: str
    signature: str
    visible_cases: list[VisibleCase]
    hidden_case_count: int
    hint_levels: int


class SessionInfo(_Answer):
    """``store.SessionInfo.to_dict()``."""

    id: str
    problem: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    status: SessionStatus
    meta: dict[str, Any]
    last_t: float | None
    record_count: int
    kind: str = Field(description="the kind of interview (interview/kinds/): coding")
    user: str = Field("", description="who took it: the Jupyter (JupyterHub) user, or "
                      "local; empty for a session stored before users were recorded")
    pack: str = Field("", description="the problem's pack")
    pack_version: str = Field("", description="the pack's version when the session "
                              "started (and the distribution that installed it)")


class SessionList(_Answer):
    sessions: list[SessionInfo] = Field(description="newest first")


class HintState(_Answer):
    level: int
    of: int
    label: str


class State(_Answer):
    """``InterviewSession.state()``: what a panel shows of the session now."""

    phase: Phase
    ended: bool
    elapsed_s: float
    time_left_s: float
    phase_budget_left_s: float | None
    hint: HintState
    last_results: dict[str, Any] | None = Field(description="the data of the last show_results")
    mode: Mode


class Action(_Answer):
    """``interview.events.Action.to_dict()``."""

    kind: Literal["action"]
    type: ActionType
    t: float
    data: dict[str, Any]
    seq: int | None
    cause: int | None


class NewSessionAnswer(_Answer):
    session: SessionInfo
    problem: PublicProblem
    state: State
    actions: list[Action]
    notices: list[str] = Field(default_factory=list, description="what the class's settings "
                               "changed of the request (its minutes, its coach level)")


class SessionAnswer(_Answer):
    session: SessionInfo
    state: State


class EventAnswer(_Answer):
    actions: list[Action]
    state: State


# ------------------------------------------------------ behavioural interviews
# The spec's operations (seed 002) under behavioral/: its bodies, named as
# the package names things (stage, difficulty, level), and its answers with
# the spec's fields (question_text, competency_tested, should_continue…)
# plus the actions each request led to and the session's state.


class NewBehavioralSession(_Request):
    """Start a behavioural interview: five questions, one competency each."""

    stage: Stage = Field("hiring_manager", description="the interview stage: which "
                         "competencies are tested")
    difficulty: Difficulty = "medium"
    level: Level | None = Field(None, description="the target level; default: from job_text "
                                "by the spec's phrases, else L4")
    resume_text: Annotated[str, _event_text("context", "resume_text"),
                           _byte_limit(MAX_CONTEXT_BYTES)] = Field(
        "", description="the candidate's résumé, plain text or Markdown")
    job_text: Annotated[str, _event_text("context", "job_text"),
                        _byte_limit(MAX_CONTEXT_BYTES)] = Field(
        "", description="the job description, plain text or Markdown")
    adversarial: bool = Field(False, description="a hostile interviewer: interrupts long "
                              "answers, asks why again, challenges claims")
    bank: Annotated[str, _printable(LLM_MODEL_CHARS)] | None = Field(
        None, description="the question bank to ask from (default: every bank)")
    llm: LlmChoices | None = None


class BehavioralReply(_Request):
    """The candidate's answer to what was asked last."""

    text: Annotated[str, _event_text("said", "text"), AfterValidator(_not_blank),
                    _byte_limit(MAX_SAID_BYTES)]
    response_number: Annotated[int, Field(ge=1, le=MAX_FOLLOW_UPS + 1)] | None = Field(
        None, description="1 for the answer to the question, 2-4 for the follow-ups; when "
        "given it must be the next one (400 otherwise)")


class NextQuestionRequest(_Request):
    """Move on to the next question (the current one's follow-ups end)."""

    current_question_number: Annotated[int, Field(ge=1, le=QUESTIONS_PER_SESSION)] | None \
        = Field(None, description="when given, the question the client shows (400 when "
                "another one is current)")


class SkipRequest(_Request):
    """Skip the follow-up asked (or the question, before any reply): no fields."""


class EndBehavioralRequest(_Request):
    reason: EndReason = "candidate"


class BehavioralQuestion(_Answer):
    """A question as the spec's client shows it."""

    question_id: str
    question_text: str
    competency_tested: str
    question_number: int
    total_questions: int
    difficulty: str
    fell_back: Any = Field(None, description="why a question of another difficulty was "
                           "asked, when one was")


class SessionProgress(_Answer):
    questions_completed: int
    average_score: float


class NewBehavioralSessionAnswer(_Answer):
    session_id: str
    session: SessionInfo
    interview_stage: Stage
    difficulty_level: Difficulty
    target_level: Level | None
    first_question: BehavioralQuestion | None
    actions: list[Action]
    state: State


class ReplyAnswer(_Answer):
    """What the reply led to: its analysis, a follow-up or the question's
    feedback."""

    response_recorded: bool
    question_number: int
    response_number: int
    follow_up_question: str | None = Field(description="the next follow-up, if any")
    follow_up_number: int | None
    should_continue: bool = Field(description="true while the question has a follow-up "
                                  "to answer")
    brief_feedback: str
    score: int | None
    level_demonstrated: str | None
    analysis: dict[str, Any] | None = Field(description="the answer_scored action's data: "
                                            "rubric, STAR labels and evidence, gaps, strengths")
    question_feedback: dict[str, Any] | None = Field(description="the question_feedback "
                                                     "action's data, when the question ended")
    actions: list[Action]
    state: State


class QuestionFeedbackAnswer(_Answer):
    question_number: int
    question_text: str
    competency: str
    all_responses: list[str]
    score: int | None
    level_demonstrated: str | None
    what_landed: list[str]
    what_didnt_land: list[str]
    coaching: str
    revised_answer: str
    provisional: bool = Field(description="true when the question is not over yet: the "
                              "offline scorer's feedback on the replies so far")


class NextQuestionAnswer(BehavioralQuestion):
    session_progress: SessionProgress
    actions: list[Action]
    state: State


class SkipAnswer(_Answer):
    """What comes after the skipped follow-up (or question)."""

    question_number: int | None
    follow_up_question: str | None
    next_question: BehavioralQuestion | None
    actions: list[Action]
    state: State


class BehavioralFeedback(_Answer):
    """The session's feedback (the spec's SessionFeedback)."""

    overall_assessment: str
    key_strengths: list[str]
    areas_to_improve: list[str]
    coaching_priorities: list[str] = Field(description="most important first")
    readiness_score: Readiness
    next_steps: str


class QuestionSummary(_Answer):
    question_number: int
    question_text: str
    competency: str
    score: int | None
    brief_feedback: str


class EndBehavioralAnswer(_Answer):
    session_id: str
    overall_score: float
    readiness: Readiness
    questions_completed: int
    session_feedback: BehavioralFeedback
    question_summaries: list[QuestionSummary]
    actions: list[Action]
    state: State


class BehavioralHistorySession(_Answer):
    session_id: str
    interview_stage: str
    started_at: str = Field(json_schema_extra={"format": "date-time"})
    completed_at: str | None = Field(json_schema_extra={"format": "date-time"})
    overall_score: float | None
    readiness: Readiness | None
    questions_completed: int
    competencies: dict[str, float] = Field(description="competency -> its score in this "
                                           "session")


class ImprovementTrend(_Answer):
    first_session_score: float
    latest_session_score: float
    improvement: str = Field(description="signed, one decimal: +1.4")


class CompetencyTrend(_Answer):
    first: float
    latest: float
    sessions: int


class BehavioralHistory(_Answer):
    sessions: list[BehavioralHistorySession] = Field(description="newest first")
    improvement_trend: ImprovementTrend | None = Field(description="with two sessions or more")
    competencies: dict[str, CompetencyTrend] = Field(description="per competency, first "
                                                     "session that tested it to the latest")


# ---------------------------------------------------------- the refusal


@dataclass(frozen=True)
class Refusal:
    """A request the API refuses: its status, message and the extra keys of
    the error body (``field`` and, on a 413, ``limit_bytes``)."""

    status: int
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def event_type(body: type[BaseModel]) -> str:
    """The ``type`` an event body is picked by."""
    return str(get_args(body.model_fields["type"].annotation)[0])


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``Annotated[X, …]``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        args = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) in (Union, type(int | None)) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _field_at(model: type[BaseModel], loc: Sequence[str]) -> FieldInfo | None:
    info: FieldInfo | None = None
    for name in loc:
        info = model.model_fields.get(name)
        if info is None:
            return None
        inner = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
    return info


def _model_at(model: type[BaseModel], loc: Sequence[str]) -> type[BaseModel]:
    for name in loc:
        info = model.model_fields.get(name)
        inner = _unwrap(info.annotation) if info is not None else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            break
        model = inner
    return model


def _bounds(info: FieldInfo) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for item in [*info.metadata, *_annotated_metadata(info.annotation)]:
        if isinstance(item, Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, Le):
            high = float(item.le)  # type: ignore[arg-type]
    return low, high


def _annotated_metadata(annotation: Any) -> list[Any]:
    """The metadata of an ``Annotated`` inside ``X | None``."""
    found: list[Any] = []
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Annotated:
            for item in get_args(arg)[1:]:
                found.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return found


def _what_it_must_be(info: FieldInfo) -> tuple[str, bool]:
    """What a field must be, for a person, and whether the message goes on
    with the value that was sent."""
    kind = _unwrap(info.annotation)
    if get_origin(kind) is Literal:
        return f"must be one of {', '.join(map(str, get_args(kind)))}", True
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "must be an object", False
    if kind in (int, float):
        low, high = _bounds(info)
        number = "a whole number" if kind is int else "a number"
        return f"must be {number} from {low:g} to {high:g}", True
    return "must be a string", False


def _first(errors: list[ErrorDetails]) -> ErrorDetails:
    """The problem the API names, as the checks it replaced found them: in
    each object, an unknown field before the fields' own values."""

    # The first problem inside each object (a body of many unknown fields
    # stays one pass).
    first_inside: dict[tuple[Any, ...], int] = {}
    for index, error in enumerate(errors):
        loc = tuple(error["loc"])
        for depth in range(len(loc)):
            first_inside.setdefault(loc[:depth], index)

    def order(index: int) -> tuple[int, int, int]:
        error = errors[index]
        if error["type"] != "extra_forbidden":
            return index, 1, index
        return first_inside[tuple(error["loc"][:-1])], 0, index

    return errors[min(range(len(errors)), key=order)]


def refusal(exc: ValidationError, model: type[BaseModel], sent: Mapping[str, Any]) -> Refusal:
    """The API's answer to a body or query (``sent``) that ``model`` refused."""
    error = _first(exc.errors(include_url=False, include_input=False))
    return _refusal(error, model, [str(part) for part in error["loc"]], sent)


def event_refusal(exc: ValidationError, sent: Mapping[str, Any]) -> Refusal:
    """The API's answer to an event body (``sent``) that none of
    :data:`EVENT_BODIES` took: a bad ``type``, or the problem of the body
    its type picked."""
    error = _first(exc.errors(include_url=False, include_input=False))
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        kind = sent.get("type")
        types = ", ".join(map(event_type, EVENT_BODIES))
        if not isinstance(kind, str):
            return Refusal(400, f"type must be a string: one of {types}, not {kind!r}",
                           {"field": "type"})
        return Refusal(400, f"type must be one of {types}, not {kind!r}", {"field": "type"})
    tag, *loc = [str(part) for part in error["loc"]]
    body = next(m for m in EVENT_BODIES if event_type(m) == tag)
    return _refusal(error, body, loc, sent)


def _sent_at(sent: Mapping[str, Any], loc: Sequence[str]) -> Any:
    """What the client sent at ``loc`` (None when nothing): a message shows
    it rather than what a validator may have made of it ("10001", not 10001)."""
    value: Any = sent
    for name in loc:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _refusal(error: ErrorDetails, model: type[BaseModel], loc: list[str],
             sent: Mapping[str, Any]) -> Refusal:
    label = ".".join(loc)
    kind = error["type"]
    context = error.get("ctx", {})
    if kind == "extra_forbidden":
        inside = ".".join(loc[:-1])
        where = f"{inside}." if inside else ""
        allowed = ", ".join(_model_at(model, loc[:-1]).model_fields)
        return Refusal(400, f"unknown field {where}{loc[-1]!r}; allowed: {allowed}",
                       {"field": label})
    if kind == "too_long":
        return Refusal(413, context["message"], {"field": label, "limit_bytes": context["limit"]})
    if kind == "bad_text":
        return Refusal(400, context["message"], {"field": label})
    if kind == "rule":
        return Refusal(400, f"{label} {error['msg']}", {"field": label})
    info = _field_at(model, loc)
    if info is None:  # not one of our fields: pydantic's own words
        return Refusal(400, f"{label or 'the body'}: {error['msg']}",
                       {"field": label} if label else {})
    must, with_value = _what_it_must_be(info)
    message = f"{label} {must}, not {_sent_at(sent, loc)!r}" if with_value \
        else f"{label} {must}"
    return Refusal(400, message, {"field": label})
