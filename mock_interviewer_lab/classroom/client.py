"""A student's server and the class service: the held-back tests of a
released problem run on the service (:func:`with_held_back`), and a
finished session's report goes to it (:func:`post_session`).

The server finds the service in ``$MOCK_INTERVIEWER_CLASSROOM_URL`` (the
hub's ``c.Spawner.environment``; the service's URL as the server reaches
it) and speaks with its own hub token, ``$JUPYTERHUB_API_TOKEN``: the
service learns from the hub whose server it is. Without the variable, or
for a problem that is not from a released pack, nothing is sent: alone on
a laptop practice runs as it always has.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import Any

from mock_interviewer_lab.harness.outcome import CaseOutcome, ComplexityReport, RunResult
from mock_interviewer_lab.problems.loader import Problem, read_pack_meta

CLASSROOM_URL_ENV = "MOCK_INTERVIEWER_CLASSROOM_URL"
HUB_TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
TIMEOUT_S = 120.0


class ClassroomUnavailable(RuntimeError):
    """The service did not answer, or refused."""


def service_url() -> str | None:
    url = os.environ.get(CLASSROOM_URL_ENV, "").strip()
    return url.rstrip("/") + "/" if url else None


@lru_cache(maxsize=64)
def _pack_version(pack_dir: Path) -> str:
    meta, _ = read_pack_meta(pack_dir)
    return meta.version if meta else ""


def pack_version(problem: Problem) -> str:
    return _pack_version(problem.path.parent)


def fetch(path: str, body: dict[str, Any] | None = None, *, url: str | None = None,
          token: str | None = None, timeout: float = TIMEOUT_S) -> bytes:
    """The service's ``api/<path>``: GET, or POST of ``body``; the answer's bytes."""
    base = url.rstrip("/") + "/" if url else service_url()
    token = token or os.environ.get(HUB_TOKEN_ENV, "")
    if not base or not token:
        raise ClassroomUnavailable(f"no class service: set ${CLASSROOM_URL_ENV} and "
                                   f"${HUB_TOKEN_ENV} (or give the URL and a token)")
    request = urllib.request.Request(
        f"{base}api/{path}", data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", "Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise ClassroomUnavailable(f"the class service answered {exc.code}") from None
    except OSError as exc:
        raise ClassroomUnavailable(f"the class service did not answer: {exc}") from None


def call(path: str, body: dict[str, Any], *, url: str | None = None,
         token: str | None = None, timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """POST ``body`` to the service's ``api/<path>``; its JSON answer."""
    try:
        answer = json.loads(fetch(path, body, url=url, token=token, timeout=timeout) or b"{}")
    except ValueError:
        raise ClassroomUnavailable("the class service's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise ClassroomUnavailable("the class service's answer is not an object")
    return answer


def merge_held_back(local: RunResult, remote: dict[str, Any]) -> RunResult:
    """The local run (the visible cases) with the service's held-back cases
    after them, as hidden cases: index, kind and status only."""
    offset = len(local.cases)
    hidden = [CaseOutcome(index=offset + i, name=f"hidden case {offset + i + 1}", hidden=True,
                          kind=c.get("kind", "io"), status=c.get("status", "error"))
              for i, c in enumerate(remote.get("cases") or [])]
    passed = sum(c.status == "passed" for c in hidden)
    merged = local.model_copy(update={
        "cases": [*local.cases, *hidden], "passed": local.passed + passed,
        "failed": local.failed + len(hidden) - passed, "total": local.total + len(hidden),
        "error": local.error or remote.get("error")})
    if remote.get("complexity"):
        merged.complexity = ComplexityReport.model_validate(remote["complexity"])
    return merged


def with_held_back(problem: Problem, code: str, local: RunResult) -> RunResult:
    """``local`` with the held-back cases of a released problem, run by the
    class service; ``local`` itself when there is no service or the problem
    is not a released one. When the service cannot run them they count as
    errors, and the run's error says why."""
    if not problem.released or service_url() is None:
        return local
    try:
        remote = call("runs", {"problem": problem.qualified_id,
                               "pack_version": pack_version(problem), "code": code})
    except ClassroomUnavailable as exc:
        held = problem.tests.held_back
        remote = {"cases": [{"kind": "io", "status": "error"}] * held,
                  "error": f"{exc}: the held-back tests did not run"}
    return merge_held_back(local, remote)


def post_session(problem: Problem, session_id: str, report: dict[str, Any]) -> bool:
    """Send a finished session's report to the class service; False when
    there is none to send it to (or it did not take it)."""
    if not problem.released or service_url() is None:
        return False
    try:
        call("sessions", {"session_id": session_id, "problem": problem.qualified_id,
                          "pack_version": pack_version(problem), "report": report})
    except ClassroomUnavailable:
        return False
    return True
