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
import signal
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from pydantic import BaseModel
from traitlets import Bool, Dict, Float, Int, List, TraitError, Unicode, validate

from mock_interviewer_lab.class_policy import ClassPolicy
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.protocol import CLASS_ENV, TOKEN_ENV, URL_ENV
from mock_interviewer_lab.server.base import SECRET_KEY, SERVICE_KEY, UNAVAILABLE_KEY, VOICE_KEY
from mock_interviewer_lab.server.models import DEFAULT_MINUTES
from mock_interviewer_lab.server.openapi import API_PREFIX
from mock_interviewer_lab.server.routes import default_handlers
from mock_interviewer_lab.server.services import InterviewService, LazyHarness, VoiceService
from mock_interviewer_lab.settings import (
    SECTIONS,
    AdminSettings,
    SettingsError,
    check_section,
    load_settings,
    section_model,
)
from mock_interviewer_lab.store import LOCAL_USER, SessionStore, StoreError, resolve_db_path

_WILDCARD_IPS = frozenset(("0.0.0.0", "::"))


def public_store_error(exc: StoreError, db: str) -> str:
    """A store's error without the path of the store or its folder (its
    messages start with the path)."""
    try:
        path = resolve_db_path(db)
    except StoreError:
        path = db
    text = str(exc).replace(f"{path}: ", "").replace(path, "the session store")
    return text.replace(str(Path(path).parent), "the session store's folder")


def kernel_api_url(connection_url: str, ip: str) -> str:
    """The API root as a kernel on this machine reaches it. A server bound
    to every address is named by its hostname in ``connection_url``, which
    need not resolve (containers); ``localhost`` always does."""
    parts = urlsplit(connection_url)
    if ip in _WILDCARD_IPS and parts.port is not None:
        parts = parts._replace(netloc=f"localhost:{parts.port}")
    return url_path_join(urlunsplit(parts), API_PREFIX)


class ServerConfigError(SettingsError):
    """An option of this extension in the server's configuration was refused."""


def _laid_over(values: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``values`` with ``over`` laid over it, dicts merged key by key."""
    merged = dict(values)
    for key, value in over.items():
        own = merged.get(key)
        merged[key] = _laid_over(own, value) if isinstance(own, dict) and isinstance(
            value, dict) else value
    return merged


def _section_option(section: str) -> Dict[str, Any]:
    """The administrator's ``[section]``: a dict of that section's keys."""
    keys = []
    for name, info in section_model(section).model_fields.items():
        default = info.get_default(call_default_factory=True)
        shown = "{...}" if isinstance(default, BaseModel) else repr(default)
        keys.append(f"{name} ({info.description}; default {shown})" if info.description
                    else f"{name} (default {shown})")
    return Dict(
        {}, config=True,
        help=f"[{section}] of settings.toml for every user of this server: these values "
        "win over the user's own settings.toml (or $MOCK_INTERVIEWER_SETTINGS), key by key. "
        f"Keys: {'; '.join(keys)}.")


class MockInterviewerApp(ExtensionApp):
    """Serves the interview API under ``<base_url>mock-interviewer/api/``.

    An administrator configures it like any Jupyter server extension (in
    jupyter_server_config, z2jh's ``singleuser.extraFiles``): one dict option
    per section of settings.toml, whose values win over the user's own file,
    plus the named options below. ``jupyter mock-interviewer --help-all``
    lists them all.
    """

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
        2, config=True,
        help="sandbox kernels at most; each starts only while that many runs are under "
        "way (one candidate needs one), and with two or more one is kept for test runs "
        "(growth measurements never hold them all)")
    default_minutes = Float(
        DEFAULT_MINUTES, config=True, help="length of an interview when the request names none")
    tick_interval_s = Float(
        5.0, config=True,
        help="seconds between two ticks of the interview clock: every session with a "
        "frontend connected gets its time warnings, silence nudges and end at time-up "
        "when they are due, whether or not the candidate types (0: no ticks; the "
        "clock's rules then run only when an event comes, and the end at time-up "
        "comes from the sweep)")
    user_settings_sections = List(
        Unicode(), list(SECTIONS), config=True,
        help="the sections of settings.toml a user's own file may set; the others come "
        "from this configuration and the defaults alone. E.g. [\"coach\", \"stt\", "
        "\"tts\", \"calibration\"] keeps the sandbox limits, the model, the store and "
        f"privacy the administrator's. Sections: {', '.join(SECTIONS)}")

    # Class settings (class_policy.py): what no request, magic flag or user
    # settings file changes. None / empty: not decided.
    class_profile = Unicode(
        "practice", config=True,
        help="practice, or exam: no hints, a fixed length (class_minutes, else "
        "default_minutes), one attempt per problem, no replay — each unless set below")
    class_minutes = Float(
        None, allow_none=True, config=True,
        help="every interview lasts this many minutes (1-240), whatever is asked")
    class_max_minutes = Float(
        None, allow_none=True, config=True,
        help="an interview lasts at most this many minutes (1-240); a longer request "
        "is shortened, and the answer says so")
    class_max_hints = Int(
        None, allow_none=True, config=True,
        help="hints a session gives at most, asked for or not (0: hints off); sets "
        "coach.intervention.max_hints for every user")
    class_packs = List(
        Unicode(), [], config=True,
        help="only these packs' problems are listed and can be started (empty: every pack)")
    class_problems = List(
        Unicode(), [], config=True,
        help="only these problems (id or pack:id) are listed and can be started "
        "(empty: every problem of the allowed packs)")
    class_hide_builtin = Bool(
        False, config=True,
        help="hide the packs shipped with Mock Interviewer Lab: not listed, not startable")
    class_coach_level = Unicode(
        None, allow_none=True, config=True,
        help="the coach's helpfulness for every interview (gentle, balanced, insistent); "
        "the request's coach.helpfulness and the magic's --coach are not used")
    class_attempts = Int(
        None, allow_none=True, config=True,
        help="interviews a user may start on each problem (counted from the session store)")
    class_replay = Bool(
        None, allow_none=True, config=True,
        help="whether a session may be replayed with another coach (mock-interviewer "
        "sessions replay); default: yes, no under the exam profile")

    # One option per section of settings.toml (settings.SECTIONS).
    app = _section_option("app")
    coach = _section_option("coach")
    stt = _section_option("stt")
    tts = _section_option("tts")
    llm = _section_option("llm")
    harness = _section_option("harness")
    problems = _section_option("problems")
    calibration = _section_option("calibration")
    privacy = _section_option("privacy")

    # What the configuration got wrong. A refused option keeps its default,
    # and jupyter-server loads the extension all the same: initialize_settings
    # then serves a 503 saying what is wrong, rather than looser defaults.
    _bad_options: tuple[str, ...] = ()

    def _refuse(self, message: str) -> TraitError:
        if message not in self._bad_options:
            self._bad_options = (*self._bad_options, message)
        return TraitError(message)

    @validate(*SECTIONS)
    def _check_section(self, proposal: Any) -> dict[str, Any]:
        name = proposal["trait"].name
        try:
            check_section(name, proposal["value"], f"{type(self).__name__}.{name}")
        except SettingsError as exc:
            raise self._refuse(str(exc)) from None
        return dict(proposal["value"])

    @validate("user_settings_sections")
    def _check_user_sections(self, proposal: Any) -> list[str]:
        unknown = [name for name in proposal["value"] if name not in SECTIONS]
        if unknown:
            raise self._refuse(f"{type(self).__name__}.user_settings_sections: no section "
                               f"{', '.join(map(repr, unknown))}; the sections are "
                               f"{', '.join(SECTIONS)}")
        return list(proposal["value"])

    def class_policy(self) -> ClassPolicy:
        """The class settings; raises ServerConfigError when one is refused."""
        try:
            return ClassPolicy(
                profile=self.class_profile,  # type: ignore[arg-type]  # checked in the class
                minutes=self.class_minutes, max_minutes=self.class_max_minutes,
                max_hints=self.class_max_hints, packs=frozenset(self.class_packs),
                problems=frozenset(self.class_problems), hide_builtin=self.class_hide_builtin,
                coach_level=self.class_coach_level, attempts=self.class_attempts,
                replay=self.class_replay)
        except ValueError as exc:
            raise ServerConfigError("the server's configuration", [
                f"{type(self).__name__}.class_{line.strip()}" for line in str(exc).split(";")
            ]) from None

    def admin_settings(self) -> AdminSettings:
        """What this server's configuration decides for its user, the class
        settings included; raises ServerConfigError when an option was refused."""
        if self._bad_options:
            raise ServerConfigError("the server's configuration",
                                    [line for text in self._bad_options
                                     for line in text.splitlines()])
        values = {name: dict(getattr(self, name)) for name in SECTIONS if getattr(self, name)}
        if self.session_db:
            values["app"] = {**values.get("app", {}), "session_db": self.session_db}
        values = _laid_over(values, self.class_policy().admin_values())
        return AdminSettings(values=values,
                             user_sections=frozenset(self.user_settings_sections))

    #: Why the API cannot serve, as clients read it; empty when it can.
    unavailable = ""

    def initialize_settings(self) -> None:
        try:
            policy = self.class_policy()
            settings = load_settings(self.settings_file or None, admin=self.admin_settings())
            store = SessionStore(self.session_db) if self.session_db \
                else SessionStore.from_settings(settings)
        except SettingsError as exc:
            self._serve_unavailable(exc, "")
            return
        except StoreError as exc:
            self._serve_unavailable(exc, self.session_db or settings.app.session_db)
            return
        if settings.not_applied:
            self.log.warning("mock_interviewer_lab: %s: not used, the server's configuration "
                             "decides: %s", settings.source, ", ".join(settings.not_applied))
        registry = ProblemRegistry.discover(settings)
        for issue in registry.issues:
            self.log.warning("mock_interviewer_lab: problem packs: %s", issue)
        harness = LazyHarness(settings.harness, workers=max(1, self.harness_workers))
        self.service = InterviewService(settings=settings, registry=registry, store=store,
                                        harness=harness, default_minutes=self.default_minutes,
                                        tick_interval_s=self.tick_interval_s, policy=policy,
                                        owner=os.environ.get("JUPYTERHUB_USER") or LOCAL_USER)
        self.class_settings = policy.active
        self.secret = secrets.token_urlsafe(32)
        self.settings.update({SERVICE_KEY: self.service, SECRET_KEY: self.secret,
                              # speech engines load with the first voice socket
                              VOICE_KEY: VoiceService(settings)})
        self._publish_environment()
        self.log.info("mock_interviewer_lab: %d problems, sessions in %s, API at %s",
                      len(registry.problems()), store.path, os.environ[URL_ENV])

    def _serve_unavailable(self, exc: SettingsError | StoreError, db: str) -> None:
        """The handlers still load and answer a JSON 503 saying what is wrong
        (Jupyter's HTML 404 said nothing); the log has the details and paths."""
        if isinstance(exc, ServerConfigError):
            what = "the server's configuration is not valid: " + "; ".join(exc.problems)
            where = "its administrator must fix it"
        elif isinstance(exc, SettingsError):
            what = "the settings file cannot be used: " + "; ".join(exc.problems)
            where = "fix it (mock-interviewer config validate lists every problem)"
        else:
            what = "the session store cannot be opened: " + public_store_error(exc, db)
            where = ("check app.session_db in settings.toml (or MockInterviewerApp.session_db "
                     "in the server's configuration)")
        self.unavailable = f"{what}; {where}; the server log has the details"
        # Kernels must not run the interview themselves meanwhile.
        self.class_settings = any(
            self.trait_values()[name] not in (None, [], False, "practice")
            for name in self.class_own_traits(config=True) if name.startswith("class_"))
        self.log.error("mock_interviewer_lab: the interview API is unavailable: %s", exc)
        self.secret = secrets.token_urlsafe(32)
        self.settings.update({SECRET_KEY: self.secret, UNAVAILABLE_KEY: self.unavailable})
        self._publish_environment()

    def initialize_handlers(self) -> None:
        self.handlers.extend(default_handlers())

    @property
    def api_url(self) -> str:
        """The absolute URL of the API root, ending in ``/``."""
        assert self.serverapp is not None
        return kernel_api_url(self.serverapp.connection_url, self.serverapp.ip)

    #: True when the administrator set class settings: kernels are told to
    #: run interviews through this server only (CLASS_ENV).
    class_settings = False

    def _publish_environment(self) -> None:
        os.environ[URL_ENV] = self.api_url
        os.environ[TOKEN_ENV] = self.secret
        if self.class_settings:
            os.environ[CLASS_ENV] = "1"

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        # The port is final only once the server listens (port_retries may
        # have moved it): publish the URL again before any kernel starts.
        self._publish_environment()
        self._stop_on_sigint(serverapp)
        service: InterviewService | None = getattr(self, "service", None)
        if service is not None:
            service.start_ticker()  # the interview clocks keep time from now on

    _sigint_handler: Callable[[int, Any], None] | None = None

    def _stop_on_sigint(self, serverapp: Any) -> None:
        """SIGINT stops the server as SIGTERM does. jupyter-server handles
        SIGINT only at a terminal (to ask "shut down?"); without one — under
        JupyterHub, whose stop button sends SIGINT, systemd, a container —
        Python's KeyboardInterrupt ends the loop and the process with no
        clean-up at all: sandbox kernels, their folders and connection files
        left behind, the store's WAL never checkpointed."""
        if threading.current_thread() is not threading.main_thread() \
                or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return

        def stop(signum: int, frame: Any) -> None:
            serverapp.log.critical("received signal %s, stopping", signum)
            serverapp.stop(from_signal=True)

        signal.signal(signal.SIGINT, stop)
        self._sigint_handler = stop

    async def stop_extension(self) -> None:
        """Every step runs, whatever an earlier one raised (each failure is logged)."""
        steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
        voice = self.settings.get(VOICE_KEY)
        if isinstance(voice, VoiceService):
            # Open microphones: flush what was being said, end their tasks.
            steps.append(("closing the voice sockets", voice.close_sockets))
        service: InterviewService | None = getattr(self, "service", None)
        if service is not None:
            # On the loop: a tick under way finishes before the store closes.
            steps.append(("stopping the clock's ticker", service.stop_ticker))
            # In threads: SyncHarness.close waits for the kernels. The harness
            # and the store again on their own (both idempotent), should
            # service.close have stopped half-way.
            steps += [("stopping the interview service", lambda: asyncio.to_thread(service.close)),
                      ("stopping the sandbox", lambda: asyncio.to_thread(service.harness.close)),
                      ("closing the session store", lambda: asyncio.to_thread(service.store.close))]
        for what, step in steps:
            try:
                await step()
            except Exception:
                self.log.exception("mock_interviewer_lab: %s failed", what)
        # Later kernels of this process must not hold a dead server's secret.
        if os.environ.get(TOKEN_ENV) == getattr(self, "secret", None):
            os.environ.pop(TOKEN_ENV, None)
            os.environ.pop(URL_ENV, None)
            os.environ.pop(CLASS_ENV, None)
        if self._sigint_handler is not None \
                and threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is self._sigint_handler:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self._sigint_handler = None


#: ``jupyter mock-interviewer``: a Jupyter server with this extension; with
#: ``--help-all``, every option an administrator can set.
main = MockInterviewerApp.launch_instance
