"""The class service: a JupyterHub service (``c.JupyterHub.services``) that
keeps the instructor's source packs, runs the tests a release held back in
its own sandbox (the project's harness), and keeps the class's results.

Run by the hub as its own Unix user::

    python -m mock_interviewer_lab.classroom.service --packs DIR --data DIR

Every request carries a hub token (``Authorization: token …``): a student's
server sends its ``$JUPYTERHUB_API_TOKEN``. The hub says whose token it is
(:class:`jupyterhub.services.auth.HubAuth`); a request needs the scope
``access:services!service=<this service>``, and the instructor's routes
also :data:`INSTRUCTOR_SCOPE`. The user a result belongs to is always the
token's, never a name in the request.

Routes, under the service's prefix (``/services/<name>/``):

- ``POST api/runs`` ``{problem, pack_version, code}``: the held-back cases'
  outcomes as the harness gives a hidden case (index, kind, status; never an
  input, an expected value or an answer), their counts and the growth
  measurement; the run is recorded for the instructor.
- ``POST api/sessions`` ``{session_id, problem, pack_version, report}``: a
  session's report, kept as the student's server sent it.
- instructors only: ``GET api/table`` (JSON), ``api/table.csv``,
  ``api/table.ipynb``, ``api/sessions/<user>/<session_id>`` (a transcript
  and its report), ``api/problems/<pack:id>`` (the source problem).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import stat
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth, HubAuthenticated  # type: ignore[import-untyped]
from tornado.httpserver import HTTPServer
from tornado.web import Application, HTTPError, RequestHandler

from mock_interviewer_lab.classroom.results import ResultStore, table_csv, table_notebook
from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.harness.runner import Harness
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, UnknownProblem
from mock_interviewer_lab.settings import HarnessSettings, SettingsError, load_settings

#: The hub scope that makes a user the class's instructor (a custom scope:
#: ``c.JupyterHub.custom_scopes``, granted by a role).
INSTRUCTOR_SCOPE = "custom:mock-interviewer:instructor"
#: Largest request body accepted (code, a session's report).
MAX_BODY = 2 * 1024 * 1024


class ClassService:
    """What the handlers share: the source packs, the harness, the store."""

    def __init__(self, registry: ProblemRegistry, store: ResultStore,
                 harness_settings: HarnessSettings | None = None, *, workers: int = 1) -> None:
        self.registry = registry
        self.store = store
        # The candidate's code runs as the service's user: the source packs
        # and the results are empty folders to it.
        self.harness = Harness(harness_settings or HarnessSettings(), workers=workers,
                               hide_paths=[*registry.pack_dirs, store.path.parent])

    def problem(self, ref: str) -> Problem:
        try:
            return self.registry.get(ref)
        except UnknownProblem:
            raise HTTPError(404, f"no problem {ref!r} here") from None

    def version_of(self, problem: Problem) -> str:
        return next(p.meta.version for p in self.registry.packs if p.meta.name == problem.pack)

    async def hidden_run(self, user: str, problem: Problem, code: str) -> dict[str, Any]:
        result = await self.harness.run(problem, code, complexity=True)
        reached = None
        if result.all_passed and result.complexity is not None:
            reached = result.complexity.estimated
        self.store.add_run(user, problem.qualified_id, self.version_of(problem),
                           result.passed, result.total, reached)
        return public_hidden(result)


def public_hidden(result: RunResult) -> dict[str, Any]:
    """What a candidate may see of the held-back cases: each one's index,
    kind and status (the harness fills nothing else in for a hidden case),
    the counts and the growth measurement; never a run error's text, which
    could speak of the pack's inputs."""
    hidden = [c for c in result.cases if c.hidden]
    passed = sum(c.status == "passed" for c in hidden)
    return {"problem": result.problem, "passed": passed, "failed": len(hidden) - passed,
            "total": len(hidden),
            "cases": [{"index": c.index, "kind": c.kind, "status": c.status} for c in hidden],
            "complexity": result.complexity.model_dump(mode="json") if result.complexity
            else None,
            "error": None if result.error is None else
            "the held-back tests did not all run (see your own run's error)"}


class _Handler(HubAuthenticated, RequestHandler):  # type: ignore[misc]
    """JSON in and out; the hub's user or 403."""

    def initialize(self, service: ClassService, hub_auth: HubAuth) -> None:
        self.service = service
        self.hub_auth = hub_auth

    def user(self, *, instructor: bool = False) -> dict[str, Any]:
        model = self.current_user
        if not model or model.get("kind", "user") != "user":
            raise HTTPError(403, "a hub user's token is needed")
        if instructor and not self.hub_auth.check_scopes({INSTRUCTOR_SCOPE}, model):
            raise HTTPError(403, "for the class's instructors only")
        return dict(model)

    def body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise HTTPError(413, "too large")
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise HTTPError(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "the body must be a JSON object")
        claimed = data.get("user")
        if claimed is not None and claimed != self.user()["name"]:
            raise HTTPError(403, "a result belongs to the token's user, not to another")
        return data

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None))[1]
        reason = exc.log_message if isinstance(exc, HTTPError) and exc.log_message else \
            self._reason
        self.finish({"error": reason})

    def check_xsrf_cookie(self) -> None:
        """Token-authenticated API: no cookie, so no XSRF to check."""


def _text(data: dict[str, Any], key: str, limit: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise HTTPError(400, f"{key!r} must be a non-empty string")
    return value


class RunHandler(_Handler):
    async def post(self) -> None:
        user = self.user()
        data = self.body()
        problem = self.service.problem(_text(data, "problem"))
        code = data.get("code")
        if not isinstance(code, str):
            raise HTTPError(400, "'code' must be a string")
        self.finish(await self.service.hidden_run(user["name"], problem, code))


class SessionHandler(_Handler):
    def post(self) -> None:
        user = self.user()
        data = self.body()
        report = data.get("report")
        if not isinstance(report, dict):
            raise HTTPError(400, "'report' must be an object")
        problem = self.service.problem(_text(data, "problem"))
        self.service.store.put_session(user["name"], _text(data, "session_id"),
                                       problem.qualified_id,
                                       str(data.get("pack_version") or ""), report)
        self.set_status(201)
        self.finish({"stored": True})


class TableHandler(_Handler):
    def get(self, fmt: str | None = None) -> None:
        self.user(instructor=True)
        rows = self.service.store.table()
        if fmt == ".csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.finish(table_csv(rows))
        elif fmt == ".ipynb":
            self.set_header("Content-Type", "application/x-ipynb+json")
            self.finish(table_notebook(rows))
        else:
            self.finish({"rows": rows})


class TranscriptHandler(_Handler):
    def get(self, user: str, session_id: str) -> None:
        self.user(instructor=True)
        found = self.service.store.session(user, session_id)
        if found is None:
            raise HTTPError(404, "no such session")
        self.finish(found)


class ProblemHandler(_Handler):
    def get(self, ref: str) -> None:
        self.user(instructor=True)
        problem = self.service.problem(ref)
        self.finish({"id": problem.qualified_id, "version": self.service.version_of(problem),
                     "tests": problem.tests.model_dump(mode="json"),
                     "solution": problem.solution})


def make_app(service: ClassService, prefix: str, hub_auth: HubAuth) -> Application:
    args = {"service": service, "hub_auth": hub_auth}
    api = prefix.rstrip("/") + "/api/"
    return Application([
        (api + "runs", RunHandler, args),
        (api + "sessions", SessionHandler, args),
        (api + r"table(\.csv|\.ipynb)?", TableHandler, args),
        (api + r"sessions/([^/]+)/([^/]+)", TranscriptHandler, args),
        (api + r"problems/([^/]+)", ProblemHandler, args),
    ])


def keep_private(folder: Path) -> None:
    """The service's folders are its own: 0700, or it does not start."""
    folder.mkdir(parents=True, exist_ok=True)
    if folder.stat().st_uid == os.geteuid():
        os.chmod(folder, 0o700)
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        raise SystemExit(f"{folder} is readable by others: make it the service user's, 0700")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mock_interviewer_lab.classroom.service",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", required=True, action="append",
                        help="the instructor's source packs (a pack, or a folder of packs)")
    parser.add_argument("--data", required=True, help="the service's own folder (results)")
    parser.add_argument("--settings", default=None,
                        help="a settings.toml whose [harness] limits the hidden runs "
                        "(default: the built-in limits)")
    parser.add_argument("--workers", type=int, default=1,
                        help="sandbox kernels running hidden tests at once (default 1)")
    args = parser.parse_args(argv)
    try:
        limits = load_settings(args.settings).harness if args.settings else HarnessSettings()
    except SettingsError as exc:
        sys.exit(str(exc))
    packs = [Path(p).resolve() for p in args.packs]
    for folder in packs:
        keep_private(folder)
    data = Path(args.data).resolve()
    keep_private(data)
    registry = ProblemRegistry.from_dirs([d for p in packs for d in _pack_dirs(p)])
    if registry.issues:
        sys.exit("the source packs do not load:\n" + "\n".join(map(str, registry.issues)))
    if not registry.problems():
        sys.exit(f"no problem in {', '.join(map(str, packs))}: the source packs do not load")
    service = ClassService(registry, ResultStore(data / "results.db"), limits,
                           workers=max(1, args.workers))
    try:
        asyncio.run(_serve(service))
    finally:
        service.store.close()


async def _serve(service: ClassService) -> None:
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    server = HTTPServer(make_app(service, prefix, HubAuth(cache_max_age=60)), xheaders=True)
    server.listen(url.port or 80, url.hostname or "127.0.0.1")
    print(f"class service on {url.geturl()}: {len(service.registry.problems())} problems",
          flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # the hub stops a service with SIGTERM
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        server.stop()
        await service.harness.stop()


def _pack_dirs(folder: Path) -> list[Path]:
    from mock_interviewer_lab.problems.registry import expand_pack_dirs

    return expand_pack_dirs(folder)


if __name__ == "__main__":
    main()
