"""The jupyter-server extension: ``MockInterviewerApp``.

At load time it reads the settings, finds the problem packs, opens the
session store, makes a per-server secret and puts ``MOCK_INTERVIEWER_URL``
and ``MOCK_INTERVIEWER_TOKEN`` in the server's environment, so that every
kernel started afterwards inherits them. The sandbox harness is started by
the first test run, not here.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Float, Int, Unicode

from ..problems.registry import ProblemRegistry
from ..settings import load_settings
from ..store import SessionStore
from .handlers import SECRET_KEY, SERVICE_KEY, default_handlers
from .openapi import API_PREFIX
from .services import InterviewService, LazyHarness, VoiceService
from .voice import VOICE_KEY

URL_ENV = "MOCK_INTERVIEWER_URL"
TOKEN_ENV = "MOCK_INTERVIEWER_TOKEN"
_WILDCARD_IPS = frozenset(("0.0.0.0", "::"))


def kernel_api_url(connection_url: str, ip: str) -> str:
    """The API root as a kernel on this machine reaches it. A server bound
    to every address is named by its hostname in ``connection_url``, which
    need not resolve (containers); ``localhost`` always does."""
    parts = urlsplit(connection_url)
    if ip in _WILDCARD_IPS and parts.port is not None:
        parts = parts._replace(netloc=f"localhost:{parts.port}")
    return url_path_join(urlunsplit(parts), API_PREFIX)


class MockInterviewerApp(ExtensionApp):
    """Serves the interview API under ``<base_url>mock-interviewer/api/``."""

    name = "mock_interviewer_lab"

    settings_file = Unicode(
        "", config=True,
        help="settings.toml to use; empty means $MOCK_INTERVIEWER_SETTINGS, then the "
        "user's config folder, then the defaults")
    session_db = Unicode(
        "", config=True,
        help="session database (a path or sqlite:///path); empty means app.session_db "
        "of the settings")
    harness_workers = Int(
        1, config=True,
        help="sandbox kernels for test runs; interviews run one test at a time each")
    default_minutes = Float(
        45.0, config=True, help="length of an interview when the request names none")

    def initialize_settings(self) -> None:
        settings = load_settings(self.settings_file or None)
        store = SessionStore(self.session_db) if self.session_db \
            else SessionStore.from_settings(settings)
        registry = ProblemRegistry.discover(settings)
        for issue in registry.issues:
            self.log.warning("mock_interviewer_lab: problem packs: %s", issue)
        harness = LazyHarness(settings.harness, workers=max(1, self.harness_workers))
        self.service = InterviewService(settings=settings, registry=registry, store=store,
                                        harness=harness, default_minutes=self.default_minutes)
        self.secret = secrets.token_urlsafe(32)
        self.settings.update({SERVICE_KEY: self.service, SECRET_KEY: self.secret,
                              # speech engines load with the first voice socket
                              VOICE_KEY: VoiceService(settings)})
        self._publish_environment()
        self.log.info("mock_interviewer_lab: %d problems, sessions in %s, API at %s",
                      len(registry.problems()), store.path, os.environ[URL_ENV])

    def initialize_handlers(self) -> None:
        self.handlers.extend(default_handlers())

    @property
    def api_url(self) -> str:
        """The absolute URL of the API root, ending in ``/``."""
        assert self.serverapp is not None
        return kernel_api_url(self.serverapp.connection_url, self.serverapp.ip)

    def _publish_environment(self) -> None:
        os.environ[URL_ENV] = self.api_url
        os.environ[TOKEN_ENV] = self.secret

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        # The port is final only once the server listens (port_retries may
        # have moved it): publish the URL again before any kernel starts.
        self._publish_environment()

    async def stop_extension(self) -> None:
        voice = self.settings.get(VOICE_KEY)
        if isinstance(voice, VoiceService):
            # Open microphones: flush what was being said, end their tasks.
            await voice.close_sockets()
        service: InterviewService | None = getattr(self, "service", None)
        if service is not None:
            # SyncHarness.close waits for the kernels: keep the loop free.
            await asyncio.to_thread(service.close)
        # Later kernels of this process must not hold a dead server's secret.
        if os.environ.get(TOKEN_ENV) == getattr(self, "secret", None):
            os.environ.pop(TOKEN_ENV, None)
            os.environ.pop(URL_ENV, None)
