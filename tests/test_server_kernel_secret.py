"""The kernel secret (``X-Mock-Interviewer-Token``) is worth something only
on a request that a process of this machine makes straight to this server,
as the user's kernels do. Through a proxy — JupyterHub's public URL — it is
ignored and the request needs Jupyter's credentials like any other.
(tests/test_jupyterhub.py shows the same through a real hub and proxy.)"""

# The fixtures imported from test_server are named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPClientError, HTTPResponse

from mock_interviewer_lab.protocol import TOKEN_HEADER
from mock_interviewer_lab.server.app import TOKEN_ENV

from .test_server import (  # noqa: F401  (fixtures)
    Run,
    api,
    as_json,
    extension,
    jp_server_config,
    run,
    settings_file,
    start_session,
)

#: What proxies add; any one of them says the request did not come straight here.
FORWARDING = [
    {"X-Forwarded-For": "203.0.113.9"},
    {"X-Forwarded-For": "127.0.0.1"},
    {"X-Forwarded-Host": "hub.example.org"},
    {"X-Forwarded-Proto": "https"},
    {"Forwarded": "for=203.0.113.9;proto=https"},
    {"X-Real-IP": "127.0.0.1"},
    {"Via": "1.1 proxy"},
]


@pytest.fixture
def as_kernel(jp_fetch: Any, run: Run[Any]) -> Callable[..., HTTPResponse]:
    """A request with the kernel secret and no Jupyter credentials."""

    def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> HTTPResponse:
        response: HTTPResponse = run(jp_fetch(
            "mock-interviewer", "api", *path.split("/"), method=method, raise_error=False,
            headers={"Authorization": "", TOKEN_HEADER: os.environ[TOKEN_ENV], **headers},
            **({} if body is None else {"body": json.dumps(body)})))
        return response

    return call


def test_the_secret_works_straight_from_this_machine(
        as_kernel: Callable[..., HTTPResponse]) -> None:
    assert as_kernel("GET", "problems", {}).code == 200
    created = as_kernel("POST", "sessions", {}, {"problem": "add"})
    assert created.code == 201, created.body


@pytest.mark.parametrize("forwarded", FORWARDING, ids=lambda h: next(iter(h)))
def test_the_secret_through_a_proxy_is_worth_nothing(
        as_kernel: Callable[..., HTTPResponse], api: Callable[..., HTTPResponse],
        forwarded: dict[str, str]) -> None:
    sid = start_session(api)["session"]["id"]
    for method, path, body in (("GET", "problems", None), ("GET", "sessions", None),
                               ("GET", f"sessions/{sid}", None),
                               ("GET", f"sessions/{sid}/report", None),
                               ("POST", "sessions", {"problem": "add"}),
                               ("POST", f"sessions/{sid}/events", {"type": "hint"})):
        refused = as_kernel(method, path, forwarded, body)
        assert refused.code == 403, (method, path, refused.body)
        # A GET finds no user; a POST meets jupyter-server's XSRF check first.
        assert ("not authenticated" if method == "GET" else "_xsrf") \
            in as_json(refused)["error"], refused.body


def test_the_secret_is_refused_for_a_host_that_is_not_this_server(
        as_kernel: Callable[..., HTTPResponse], jp_http_port: int) -> None:
    # A proxy that adds no forwarding headers still passes on the public
    # Host it was asked for, which is not this server's own address.
    for host in ("hub.example.org", f"hub.example.org:{jp_http_port}", "127.0.0.1:8000",
                 "localhost"):
        assert as_kernel("GET", "problems", {"Host": host}).code == 403, host
    for host in (f"127.0.0.1:{jp_http_port}", f"localhost:{jp_http_port}"):
        assert as_kernel("GET", "problems", {"Host": host}).code == 200, host


def test_through_a_proxy_jupyter_credentials_still_decide(
        api: Callable[..., HTTPResponse]) -> None:
    # The Jupyter user (pytest-jupyter's token) with the header beside it:
    # the header is ignored, the user is let in as any user is.
    headers = {TOKEN_HEADER: os.environ[TOKEN_ENV], "X-Forwarded-For": "203.0.113.9"}
    assert api("GET", "problems", headers=headers).code == 200
    assert api("POST", "sessions", body={"problem": "add"}, headers=headers).code == 201


def test_the_websockets_refuse_the_secret_through_a_proxy(
        api: Callable[..., HTTPResponse], jp_ws_fetch: Any, run: Run[Any]) -> None:
    sid = start_session(api)["session"]["id"]
    kernel = {"Authorization": "", TOKEN_HEADER: os.environ[TOKEN_ENV]}
    for socket in ("ws", "voice"):
        with pytest.raises(HTTPClientError) as refused:
            run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, socket,
                            headers={**kernel, "X-Forwarded-For": "203.0.113.9"}))
        assert refused.value.code == 403, socket
    direct = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "ws", headers=kernel))
    assert json.loads(run(direct.read_message()))["type"] == "snapshot"
    direct.close()


def test_every_stop_step_runs_even_when_one_fails(
        api: Callable[..., HTTPResponse], extension: Any, run: Run[Any],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """(Here for its fixtures.) A voice service and an interview service that
    fail to stop still leave the sandbox stopped, the store closed and the
    secret out of the environment."""
    from mock_interviewer_lab.server.base import VOICE_KEY
    from mock_interviewer_lab.store import StoreError

    sid = start_session(api)["session"]["id"]
    service = extension.service

    async def voice_fails() -> None:
        raise RuntimeError("voice would not stop")

    def service_fails() -> None:
        raise RuntimeError("service would not stop")

    monkeypatch.setattr(extension.settings[VOICE_KEY], "close_sockets", voice_fails)
    monkeypatch.setattr(service, "close", service_fails)
    closed: list[str] = []
    real_harness_close = service.harness.close
    monkeypatch.setattr(service.harness, "close",
                        lambda: (closed.append("harness"), real_harness_close())[1])
    run(extension.stop_extension())
    assert closed == ["harness"]
    with pytest.raises(StoreError, match="closed"):
        service.store.get(sid)
    assert TOKEN_ENV not in os.environ
    assert "voice would not stop" in caplog.text and "service would not stop" in caplog.text
