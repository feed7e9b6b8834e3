"""What every handler of the server API shares: the auth (jupyter-server's
own, or the kernel's secret), JSON errors, reading a JSON body and checking
it against its model (models.py), and keeping secrets and paths out of logs
and answers.

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
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import ensure_async
from pydantic import BaseModel, ValidationError
from tornado import web
from tornado.httputil import split_host_and_port

from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, BadText, utf8_size
from mock_interviewer_lab.problems.registry import UnknownProblem
from mock_interviewer_lab.protocol import TOKEN_HEADER
from mock_interviewer_lab.server.models import (
    AnyEvent,
    Refusal,
    event_refusal,
    refusal,
    session_event,
)
from mock_interviewer_lab.server.services import InterviewService
from mock_interviewer_lab.store import AmbiguousSession, StoreError, UnknownSession

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

#: The voice service (speech engines, open microphones) in the server's settings.
VOICE_KEY = "mock_interviewer_voice"

log = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")
_H = TypeVar("_H", bound="AuthMixin")
_M = TypeVar("_M", bound=BaseModel)


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


class ScrubbedLogMixin:
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


class AuthMixin:
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

    def session_user(self) -> str:
        """Who a session started by this request is recorded for: the
        Jupyter user (under JupyterHub, the hub's name for them); for a
        kernel's request, or Jupyter's anonymous token user on a laptop, the
        server's owner (``JUPYTERHUB_USER``, else ``local``)."""
        user = None if self.kernel_authenticated else self.current_user
        name = str(getattr(user, "username", "") or "")
        anonymous = str(getattr(user, "name", "") or "").startswith("Anonymous ") \
            and re.fullmatch(r"[0-9a-f]{32}", name) is not None
        return name if name and not anonymous else self.service.owner

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


class BaseApiHandler(ScrubbedLogMixin, AuthMixin, ExtensionHandlerMixin, APIHandler):
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

    def write_model(self, answer: BaseModel, status: int = 200) -> None:
        """An answer, as its model (models.py) holds it."""
        self.write_json(answer.model_dump(), status)

    def query(self, model: type[_M]) -> _M:
        """The query parameters ``model`` declares (the last value of each
        given), validated by it; the others are ignored."""
        given: dict[str, str] = {}
        for name in model.model_fields:
            value = self.get_query_argument(name, None)
            if value is not None:
                given[name] = value
        return validated(model, given)

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
        check_json_values(body)
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


# ------------------------------------------------------------ validation


def refused(answer: Refusal) -> ApiError:
    return ApiError(answer.status, answer.message, **answer.extra)


def validated(model: type[_M], data: Mapping[str, Any]) -> _M:
    """``data`` as ``model``; a refusal is the API's 400 (or 413) naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refused(refusal(exc, model, data)) from None


def validated_event(data: Mapping[str, Any]) -> AnyEvent:
    """An event body as the model its ``type`` picks (models.SessionEvent)."""
    try:
        return session_event.validate_python(data)
    except ValidationError as exc:
        raise refused(event_refusal(exc, data)) from None


def check_json_values(body: dict[str, Any]) -> None:
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
