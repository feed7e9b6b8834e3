"""REST and WebSocket handlers of the server API (docs/api.md).

Thin on purpose: each one checks the request, calls the InterviewService in
a worker thread (a test run takes seconds) and writes JSON.

Auth: a browser request goes through jupyter-server's own auth and XSRF
check; a kernel request carries ``X-Mock-Interviewer-Token`` with the
per-server secret and is taken as a pseudo-user that needs no XSRF token —
only when it comes straight from this machine (``came_straight_from_this_machine``):
through a proxy, JupyterHub's public URL, the header is ignored and Jupyter's
(the hub's) credentials decide. A wrong secret sent straight here is refused
outright, whatever else the request carries.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import ensure_async, url_path_join
from tornado import web
from tornado.httputil import split_host_and_port
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..interview.events import Action, Event
from ..interview.session import InterviewSession
from ..limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, BadText, TextTooLong, check_text, utf8_size
from ..problems.loader import Problem
from ..problems.registry import UnknownProblem
from ..store import AmbiguousSession, StoreError, UnknownSession
from .openapi import API_PREFIX, openapi_document
from .run_queue import QueueFull, RunQueueClosed
from .services import REPORT_FORMATS, InterviewService, transcript

TOKEN_HEADER = "X-Mock-Interviewer-Token"
JSON_TYPE = "application/json; charset=UTF-8"
SERVICE_KEY = "mock_interviewer_service"
SECRET_KEY = "mock_interviewer_secret"
#: Set (to what a client may read) when the extension could not start its
#: service: every route then answers 503 with it instead of Jupyter's 404.
UNAVAILABLE_KEY = "mock_interviewer_unavailable"
#: What the authorizer is asked about for browser users.
AUTH_RESOURCE = "mock_interviewer"
#: The pseudo-user a kernel request runs as.
KERNEL_USER = "mock-interviewer-kernel"

#: The largest ``limit`` a session listing takes.
MAX_LIST_LIMIT = 10_000

log = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")
_H = TypeVar("_H", bound="_AuthMixin")


class ApiError(web.HTTPError):
    """An error answered as ``{"error": message, **extra}``."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(status, message.replace("%", "%%"))
        self.message = message
        self.extra = extra


class BusyError(ApiError):
    """503 with ``Retry-After``: the sandbox's queue is full, or the server stops."""

    def __init__(self, message: str, retry_after_s: int, **extra: Any) -> None:
        super().__init__(503, message, retry_after_s=retry_after_s, **extra)
        self.retry_after_s = retry_after_s


def _error_body(status: int, exc: BaseException | None) -> dict[str, Any]:
    if isinstance(exc, ApiError):
        return {"error": exc.message, **exc.extra}
    if isinstance(exc, web.HTTPError):
        return {"error": exc.log_message or exc.reason or f"HTTP {status}"}
    return {"error": "internal server error (see the server log)"}


# ------------------------------------------------------------- logging

#: Query parameters whose values never go to the log (jupyter-server's own
#: access log scrubs the same ones; tornado's error lines do not).
_SECRET_PARAMS = re.compile(r"(?i)([?&][^=&#]*(?:token|auth|key|code|state|xsrf)[^=&#]*=)[^&#]*")


def scrub_uri(uri: str) -> str:
    """``uri`` with the values of secret-looking query parameters replaced."""
    return _SECRET_PARAMS.sub(r"\1[secret]", uri)


class _ScrubbedLogMixin:
    """Tornado's error lines name the request by its URI, query and all: a
    ``?token=…`` would be written in clear. These handlers name it scrubbed,
    and log an unexpected failure as one line plus its traceback, without
    the request's repr (which repeats the URI)."""

    request: Any

    def _request_summary(self) -> str:
        return f"{self.request.method} {scrub_uri(self.request.uri or '')} " \
               f"({self.request.remote_ip})"

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: Any) -> None:
        if isinstance(value, web.HTTPError):
            message = value.get_message()
            if message:
                log.warning("%d %s: %s", value.status_code, self._request_summary(), message)
            return
        log.error("uncaught exception %s", self._request_summary(), exc_info=value)


def _redacted(text: str, paths: dict[str, str]) -> str:
    """``text`` with each of the server's filesystem paths replaced by what
    it is (longest first, so a file goes before its folder)."""
    for path in sorted((p for p in paths if p and p != ":memory:"), key=len, reverse=True):
        text = text.replace(path, paths[path])
    return text


def _json_forms(path: str, name: str) -> dict[str, str]:
    """A path as it appears in text and inside a JSON string (escaped)."""
    return {path: name, json.dumps(path)[1:-1]: name}


def _private_paths(settings: dict[str, Any]) -> dict[str, str]:
    service: InterviewService | None = settings.get(SERVICE_KEY)
    if service is None:
        return {}
    store_path = str(service.store.path)
    paths = _json_forms(store_path, "the session store")
    if store_path != ":memory:":
        paths.update(_json_forms(str(Path(store_path).parent), "the session store's folder"))
    if service.settings.source:
        paths.update(_json_forms(service.settings.source, "the settings file"))
    return paths


def public_error_json(settings: dict[str, Any], status: int, exc: BaseException | None) -> str:
    """The JSON error body; answers never show where the server keeps its
    files (the log does)."""
    return _redacted(json.dumps(_error_body(status, exc)), _private_paths(settings))


# ------------------------------------------------------------------ auth


#: Headers a proxy adds (or may): a request that has one did not come straight here.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                      "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-Ip", "X-Scheme", "Via")
_LOOPBACK_NAMES = frozenset(("localhost", "127.0.0.1", "::1", "[::1]"))


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def came_straight_from_this_machine(request: Any) -> bool:
    """True for a request a process of this machine sent straight to this
    server, as a kernel does (``MOCK_INTERVIEWER_URL``): the socket's peer is
    a loopback address or this server's own (the socket's, never what
    X-Forwarded-For claims: jupyterhub-singleuser trusts that header), no
    proxy's forwarding header is present, and Host names a loopback or this
    server's own address with the port the request came in on (a proxy that
    adds no header still passes on its public Host)."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    sock: Any = getattr(getattr(request.connection, "stream", None), "socket", None)
    if sock is None:
        return False
    try:
        local, peer = sock.getsockname(), sock.getpeername()
    except OSError:
        return False
    if not (isinstance(local, tuple) and isinstance(peer, tuple)):
        return False  # a Unix socket: not the way kernels are told to come
    local_ip, local_port, peer_ip = str(local[0]), int(local[1]), str(peer[0])
    if not (_is_loopback(peer_ip) or peer_ip == local_ip):
        return False
    try:
        host, port = split_host_and_port(str(request.host or "").lower())
    except ValueError:
        return False
    return port == local_port and (host in _LOOPBACK_NAMES or host == local_ip.lower()
                                   or _is_loopback(host.strip("[]")))


class _AuthMixin:
    """The kernel-token half of the auth; jupyter-server does the rest."""

    request: Any
    settings: dict[str, Any]
    current_user: Any
    _jupyter_current_user: Any
    kernel_authenticated = False

    def _accept_kernel_token(self) -> bool:
        """True for a request with the right secret; 403 for a wrong one;
        False when the header is absent, or the request did not come straight
        from this machine (jupyter-server's auth applies)."""
        offered = self.request.headers.get(TOKEN_HEADER)
        if offered is None:
            return False
        if not came_straight_from_this_machine(self.request):
            # Through JupyterHub's proxy (public, allow_remote_access) the
            # secret is worth nothing: hub credentials decide, as for anyone.
            log.debug("%s ignored: the request came through a proxy", TOKEN_HEADER)
            return False
        secret: str = self.settings[SECRET_KEY]
        if not secrets.compare_digest(offered.encode(), secret.encode()):
            raise ApiError(403, f"wrong {TOKEN_HEADER}")
        self.kernel_authenticated = True
        self.current_user = self._jupyter_current_user = KERNEL_USER
        return True

    @property
    def service(self) -> InterviewService:
        service: InterviewService | None = self.settings.get(SERVICE_KEY)
        if service is None:  # the extension could not start it (the log says why)
            raise ApiError(503, self.settings.get(UNAVAILABLE_KEY)
                           or "the interview service is not running; see the server log")
        return service


def user_or_kernel(
    method: Callable[Concatenate[_H, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[_H, _P], Coroutine[Any, Any, _R]]:
    """``@authorized`` for browser users; a kernel with the secret passes.
    A kernel skips the authorizer: it holds the server's own secret."""

    @functools.wraps(method)
    async def wrapper(self: _H, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not self.kernel_authenticated:
            user = self.current_user
            if not user:
                raise ApiError(403, "not authenticated: log in to Jupyter, or send "
                               f"{TOKEN_HEADER} from a kernel")
            handler: Any = self
            action = HTTP_METHOD_TO_AUTH_ACTION.get(self.request.method or "GET", "read")
            allowed = await ensure_async(
                handler.authorizer.is_authorized(handler, user, action, AUTH_RESOURCE))
            if not allowed:
                raise ApiError(403, f"not authorized to {action} {AUTH_RESOURCE}")
        return await method(self, *args, **kwargs)

    return wrapper


class BaseApiHandler(_ScrubbedLogMixin, _AuthMixin, ExtensionHandlerMixin, APIHandler):
    auth_resource = AUTH_RESOURCE

    async def prepare(self) -> None:  # type: ignore[override]
        if self._accept_kernel_token():
            # Kernels reach the server on a loopback address like any local
            # client; the host check still applies to them.
            if not self.check_host():
                raise web.HTTPError(403)
            return
        await super().prepare()

    def check_xsrf_cookie(self) -> None:
        # A kernel cannot hold the browser's XSRF cookie; its secret header
        # is not something another site can make a browser send.
        if self.kernel_authenticated:
            return
        super().check_xsrf_cookie()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        if isinstance(exc, BusyError):
            self.set_header("Retry-After", str(exc.retry_after_s))
        self.finish(public_error_json(self.settings, status_code, exc),
                    set_content_type=JSON_TYPE)

    # ---------------------------------------------------------- helpers

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data), set_content_type=JSON_TYPE)

    def json_body(self) -> dict[str, Any]:
        raw: bytes = self.request.body or b"null"
        if len(raw) > MAX_BODY_BYTES:
            raise ApiError(413, f"the body is {len(raw):,} bytes; the limit is "
                           f"{MAX_BODY_BYTES // 1024} KB")
        try:
            body = json.loads(raw)
        except RecursionError:
            raise ApiError(400, f"the body is nested too deeply (more than "
                           f"{MAX_JSON_DEPTH} levels)") from None
        except ValueError as exc:
            raise ApiError(400, f"the body is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        _check_json_values(body)
        return body

    async def live_session(self, session_id: str) -> InterviewSession:
        """The session, resumed from the store if this server has not seen it."""
        try:
            return await asyncio.to_thread(self.service.session, session_id)
        except (UnknownSession, AmbiguousSession) as exc:
            raise ApiError(404, str(exc)) from None
        except UnknownProblem as exc:
            raise ApiError(404, f"session {session_id}: its problem is not installed: {exc}",
                           suggestions=exc.suggestions) from None
        except StoreError as exc:
            raise self._store_failure(exc) from None

    async def in_thread(self, call: Callable[[], _R]) -> _R:
        """A store or engine call off the loop; store failures become JSON."""
        try:
            return await asyncio.to_thread(call)
        except (UnknownSession, AmbiguousSession) as exc:
            raise ApiError(404, str(exc)) from None
        except StoreError as exc:
            raise self._store_failure(exc) from None

    def _store_failure(self, exc: StoreError) -> ApiError:
        """503: the store cannot be used now. The log has the details and the
        path; the answer says what failed (write_error hides the path)."""
        log.error("mock_interviewer_lab: %s %s: session store: %s", self.request.method,
                  scrub_uri(self.request.uri or ""), exc)
        return ApiError(503, f"the session store cannot be used: {exc}")


# ------------------------------------------------------------- problems


class ProblemsHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        problems = [{
            "id": p.id, "qualified_id": p.qualified_id, "title": p.spec.title,
            "difficulty": p.spec.difficulty, "pack": p.pack,
            "visible_cases": p.visible_case_count,
            "hidden_cases": p.total_case_count - p.visible_case_count,
        } for p in self.service.registry.problems()]
        self.write_json({"problems": problems})


class ProblemHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, ref: str) -> None:
        self.write_json(self._problem(ref).public_view())

    def _problem(self, ref: str) -> Problem:
        try:
            return self.service.registry.get(ref)
        except UnknownProblem as exc:
            raise ApiError(404, str(exc), suggestions=exc.suggestions) from None


# ------------------------------------------------------------- sessions


_MODES = ("normal", "tdd")
_COACH_CHOICES = {"helpfulness": ("gentle", "balanced", "insistent"),
                  "personality": ("supportive", "neutral", "challenging")}
_NEW_SESSION_FIELDS = ("problem", "minutes", "mode", "coach", "llm")
#: llm.<field> -> longest value accepted (a model name, a URL).
_LLM_FIELD_LENGTHS = {"model": 200, "api_base": 2000}


def _check_json_values(body: dict[str, Any]) -> None:
    """Refuse, naming the field, what JSON allows but nothing here can hold:
    nesting deeper than any body of the API, and lone surrogates
    (``"\\ud800"``), which cannot be stored or sent as UTF-8."""
    pending: list[tuple[str, Any, int]] = [(str(key), value, 1) for key, value in body.items()]
    for key in body:
        _check_string(str(key), "a field name", str(key))
    while pending:  # a loop, not recursion: the depth is what is being checked
        where, value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(400, f"{where} is nested too deeply (more than {MAX_JSON_DEPTH} "
                           "levels)", field=where.split(".")[0].split("[")[0])
        if isinstance(value, str):
            _check_string(value, where, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, f"a field name in {where}", where)
                pending.append((f"{where}.{key}", item, depth + 1))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item, depth + 1)
                           for index, item in enumerate(value))


def _check_string(text: str, what: str, field: str) -> None:
    try:
        utf8_size(text)
    except BadText as exc:
        raise ApiError(400, f"{what} {exc}", field=field) from None


def _checked_text(kind: str, text: str, field: str) -> str:
    """``text`` of a said or code event within its size limit (413 if not)."""
    try:
        return check_text(kind, text, field)
    except TextTooLong as exc:
        raise ApiError(413, str(exc), field=field, limit_bytes=exc.limit) from None
    except BadText as exc:
        raise ApiError(400, str(exc), field=field) from None


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ApiError(400, f"{name} must be one of {', '.join(choices)}, not {value!r}",
                       field=name)
    return str(value)


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not low <= value <= high:
        raise ApiError(400, f"{name} must be a number from {low:g} to {high:g}, not "
                       f"{value!r}", field=name)
    return float(value)


def _text(body: dict[str, Any], name: str, label: str | None = None) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        label = label or name
        raise ApiError(400, f"{label} must be a string", field=label)
    return value


def _only(body: dict[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    for key in body:
        if key not in allowed:
            raise ApiError(400, f"unknown field {where}{key!r}; allowed: {', '.join(allowed)}",
                           field=f"{where}{key}")


def _coach_choices(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "coach must be an object", field="coach")
    _only(value, tuple(_COACH_CHOICES), "coach.")
    return {key: _choice(value[key], f"coach.{key}", choices)
            for key, choices in _COACH_CHOICES.items() if value.get(key) is not None}


def _llm_choices(value: Any) -> dict[str, str]:
    """The session's own [llm] model/api_base; empty strings mean the server's.
    Whether they may be used (privacy.local_only) is the coach factory's call."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "llm must be an object", field="llm")
    _only(value, tuple(_LLM_FIELD_LENGTHS), "llm.")
    chosen: dict[str, str] = {}
    for key, longest in _LLM_FIELD_LENGTHS.items():
        if value.get(key) is None:
            continue
        text = _text(value, key, f"llm.{key}").strip()
        if len(text) > longest or not text.isprintable():
            raise ApiError(400, f"llm.{key} must be printable and at most {longest} "
                           "characters", field=f"llm.{key}")
        if text:
            chosen[key] = text
    return chosen


class SessionsHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        limit_arg = self.get_query_argument("limit", None)
        status = self.get_query_argument("status", None)
        if status is not None:
            _choice(status, "status", ("open", "ended", "aborted"))
        limit: int | None = None
        if limit_arg is not None:
            # ASCII digits only: str.isdigit() takes "²", which int() refuses.
            if not re.fullmatch(r"[0-9]{1,9}", limit_arg) \
                    or int(limit_arg) > MAX_LIST_LIMIT:
                raise ApiError(400, f"limit must be a whole number from 0 to {MAX_LIST_LIMIT}, "
                               f"not {limit_arg!r}", field="limit")
            limit = int(limit_arg)
        infos = await self.in_thread(
            lambda: self.service.store.sessions(limit=limit, status=status))
        self.write_json({"sessions": [i.to_dict() for i in infos]})

    @user_or_kernel
    async def post(self) -> None:
        body = self.json_body()
        _only(body, _NEW_SESSION_FIELDS)
        ref = _text(body, "problem")
        minutes = _number(body.get("minutes", self.service.default_minutes), "minutes", 1, 240)
        mode = _choice(body.get("mode", "normal"), "mode", _MODES)
        coach = _coach_choices(body.get("coach"))
        llm = _llm_choices(body.get("llm"))
        try:
            problem = self.service.registry.get(ref)
        except UnknownProblem as exc:
            raise ApiError(404, str(exc), suggestions=exc.suggestions, field="problem") from None
        session = await self.in_thread(
            lambda: self.service.start(problem, minutes=minutes, mode=mode, coach=coach,
                                       llm=llm))
        records = await self.in_thread(session.records)
        self.write_json({
            "session": (await self.in_thread(lambda: self.service.store.get(session.info.id)))
            .to_dict(),
            "problem": problem.public_view(),
            "state": session.state(),
            "actions": [r.to_dict() for r in records if isinstance(r, Action)],
        }, status=201)


class SessionHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        session = await self.live_session(session_id)
        info = await self.in_thread(lambda: self.service.store.get(session.info.id))
        self.write_json({"session": info.to_dict(), "state": session.state()})


def _event_call(session: InterviewSession, body: dict[str, Any]) -> Callable[[], list[Action]]:
    """The engine call for one event body (checked here, run later)."""
    kind = body.get("type")
    if not isinstance(kind, str):
        raise ApiError(400, "type must be a string: one of said, code, hint, typing, silence, "
                       f"tick, end, not {kind!r}", field="type")
    if kind == "said":
        _only(body, ("type", "text"))
        text = _checked_text("said", _text(body, "text"), "text")
        if not text.strip():
            raise ApiError(400, "text must not be empty", field="text")
        return lambda: session.say(text)
    if kind == "code":
        _only(body, ("type", "code"))
        code = _checked_text("code", _text(body, "code"), "code")
        return lambda: session.submit(code)
    if kind == "silence":
        _only(body, ("type", "seconds"))
        seconds = _number(body.get("seconds"), "seconds", 0, 24 * 3600)
        return lambda: session.post("silence", {"seconds": seconds})
    if kind == "end":
        _only(body, ("type", "reason"))
        reason = _choice(body.get("reason", "candidate"), "reason", ("candidate", "time", "abort"))
        return lambda: session.end(reason)
    simple: dict[str, Callable[[], list[Action]]] = {
        "hint": session.hint, "tick": session.tick, "typing": lambda: session.post("typing")}
    if kind in simple:
        _only(body, ("type",))
        return simple[str(kind)]
    raise ApiError(400, f"type must be one of said, code, hint, typing, silence, tick, end, "
                   f"not {kind!r}", field="type")


class EventsHandler(BaseApiHandler):
    @user_or_kernel
    async def post(self, session_id: str) -> None:
        body = self.json_body()
        session = await self.live_session(session_id)
        call = _event_call(session, body)
        async with self.service.event_lock(session.info.id):
            if session.ended:
                raise ApiError(409, f"session {session.info.id} has ended; start a new one")
            if body.get("type") == "code":
                actions = await self._run_submission(call)
            else:
                actions = await self.in_thread(call)
        self.write_json({"actions": [a.to_dict() for a in actions], "state": session.state()})


    async def _run_submission(self, call: Callable[[], list[Action]]) -> list[Action]:
        """A submission waits for the sandbox on the run queue's own threads:
        the threads every other request needs stay free."""
        runs = self.service.runs
        try:
            return await runs.submit(call)
        except QueueFull as exc:
            raise BusyError(str(exc), exc.retry_after_s, queue_size=exc.size) from None
        except RunQueueClosed as exc:
            raise BusyError(str(exc), 30) from None
        except (UnknownSession, AmbiguousSession) as exc:
            raise ApiError(404, str(exc)) from None
        except StoreError as exc:
            raise ApiError(500, str(exc)) from None


class ReportHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        fmt = _choice(self.get_query_argument("format", "json"), "format",
                      tuple(REPORT_FORMATS))
        rendered = await self.in_thread(lambda: self.service.rendered_report(session_id, fmt))
        # APIHandler.finish sets the content type itself: tell it which.
        self.finish(rendered.body, set_content_type=rendered.content_type)


class ExportHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self, session_id: str) -> None:
        exported = await self.in_thread(lambda: self.service.store.export(session_id))
        self.write_json(exported)


class NotFoundHandler(BaseApiHandler):
    """Any other URL under the API: a JSON 404 (after the auth, so that the
    API's shape is no one else's business) instead of Jupyter's HTML page."""

    @user_or_kernel
    async def get(self, path: str) -> None:
        raise ApiError(404, f"no such API route: {path!r}; see openapi.json")

    post = put = patch = delete = get


class OpenApiHandler(BaseApiHandler):
    @user_or_kernel
    async def get(self) -> None:
        self.write_json(openapi_document(url_path_join(self.base_url, API_PREFIX)))


# ------------------------------------------------------------- websocket


class BaseSessionSocket(_ScrubbedLogMixin, _AuthMixin, WebSocketMixin, WebSocketHandler,
                        ExtensionHandlerMixin, JupyterHandler):
    """A WebSocket of one session: the Jupyter user or the kernel token, and
    404 for a session that does not exist. ``self.session`` is set in ``open``."""

    auth_resource = AUTH_RESOURCE
    session: InterviewSession | None = None

    def set_default_headers(self) -> None:
        """JupyterHandler's headers (CSP and friends) mean nothing to a WebSocket."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refused upgrade answers JSON, as the rest of the API does."""
        exc_info = kwargs.get("exc_info")
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(public_error_json(self.settings, status_code,
                                      exc_info[1] if exc_info else None))

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        if self._accept_kernel_token():
            if not self.check_host():
                raise web.HTTPError(403)
            return
        result = super().prepare(*args, **kwargs)
        if isinstance(result, Awaitable):
            await result

    @user_or_kernel
    async def get(self, session_id: str) -> None:
        try:
            self.session = await asyncio.to_thread(self.service.session, session_id)
        except (UnknownSession, AmbiguousSession, UnknownProblem) as exc:
            raise ApiError(404, str(exc)) from None
        except StoreError as exc:
            log.error("mock_interviewer_lab: WebSocket %s: session store: %s",
                      scrub_uri(self.request.uri or ""), exc)
            raise ApiError(503, f"the session store cannot be used: {exc}") from None
        await super().get(session_id)


class SessionSocketHandler(BaseSessionSocket):
    """A snapshot of the session, then every action as it is committed, and
    every candidate_said as it is stored (a spoken line reaches the panel)."""

    _listener: Callable[[Action], None] | None = None
    _event_listener: Callable[[Event], None] | None = None
    _counted = False

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        session = self.session
        assert session is not None
        loop = asyncio.get_running_loop()
        # Listen first, then read the records: an action committed between
        # the two is in the snapshot AND pushed; last_seq lets us drop it.
        sent_up_to: list[int] = [-1]

        def push(action: Action) -> None:
            # Called on the thread that posted the event: hop onto the loop.
            loop.call_soon_threadsafe(self._push, action, sent_up_to)

        def push_event(event: Event) -> None:
            if event.type == "candidate_said":
                loop.call_soon_threadsafe(self._push_event, event, sent_up_to)

        self._listener = push
        session.listeners.append(push)
        self._event_listener = push_event
        session.event_listeners.append(push_event)
        # A frontend is here: the interview's clock runs (it stops with the last one).
        self.service.frontend_opened(session)
        self._counted = True
        records = session.records()
        sent_up_to[0] = max((r.seq for r in records if r.seq is not None), default=-1)
        self._send({"type": "snapshot", "session": session.info.id, "state": session.state(),
                    "transcript": transcript(records), "last_seq": sent_up_to[0]})

    def _push(self, action: Action, sent_up_to: list[int]) -> None:
        if action.seq is not None and action.seq <= sent_up_to[0]:
            return
        self._send({"type": "action", "action": action.to_dict()})

    def _push_event(self, event: Event, sent_up_to: list[int]) -> None:
        if event.seq is not None and event.seq <= sent_up_to[0]:
            return
        self._send({"type": "event", "event": event.to_dict()})

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self.write_message(json.dumps(message))
        except WebSocketClosedError:
            self._stop_listening()

    def on_message(self, message: str | bytes) -> None:
        """The socket only pushes; events go through POST …/events."""

    def on_close(self) -> None:
        if self.ping_callback is not None:
            self.ping_callback.stop()
        self._stop_listening()
        if self._counted and self.session is not None:
            self._counted = False
            self.service.frontend_closed(self.session)

    def _stop_listening(self) -> None:
        if self.session is not None and self._listener is not None:
            try:
                self.session.listeners.remove(self._listener)
            except ValueError:
                pass
            self._listener = None
        if self.session is not None and self._event_listener is not None:
            try:
                self.session.event_listeners.remove(self._event_listener)
            except ValueError:
                pass
            self._event_listener = None


def default_handlers() -> list[tuple[str, type[Any]]]:
    """Routes, relative to the server's base_url (the extension adds it)."""
    from .voice import VoiceSocketHandler  # it builds on this module

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
        (root + "openapi.json", OpenApiHandler),
        # Last: anything the routes above did not take.
        (root + r"(?P<path>.*)", NotFoundHandler),
    ]
