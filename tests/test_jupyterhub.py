"""A real JupyterHub (jupyterhub from PyPI, configurable-http-proxy from npm,
both installed by ``make setup``) on loopback, running the example
configuration of docs/jupyterhub/ for two users, alice and bob.

Each user logs in with a password (DummyAuthenticator), starts a server and
interviews through the hub's public proxy URL, as a browser would. Then what
must not work through that URL: bob's credentials on alice's server, and
alice's kernel secret (read from her own notebook kernel) with no hub
credentials at all. And the sandbox shows submitted code no hub token.

The servers run as the test's own user (SimpleLocalProcessSpawner), each
with a home of its own: real Unix accounts would need root and would change
the machine, and what is tested here — the hub's auth in front of each
server, the extension's own checks behind it — is the same either way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.protocol import TOKEN_HEADER

from .jupyter_process import VENV_BIN, free_port

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "jupyterhub"
CHP = REPO / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "interview-practice"
USERS = ("alice", "bob")

pytestmark = pytest.mark.slow

#: Class settings every user's server gets (docs/jupyterhub.md, "Class settings").
CLASS_ARGS = ("--MockInterviewerApp.class_max_minutes=60", "--MockInterviewerApp.class_max_hints=2")

#: Passes two visible cases and prints the names in its environment.
ENV_PRINTING_TWO_SUM = """\
import os

def two_sum(nums, target):
    print("ENV:" + ",".join(sorted(os.environ)))
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
"""


@dataclass
class Answer:
    status: int
    body: Any


def request(url: str, method: str = "GET", body: Any = None,
            headers: dict[str, str] | None = None, timeout: float = 120) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, method=method, data=data,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return Answer(status, json.loads(raw) if raw else None)
    except ValueError:
        return Answer(status, raw.decode(errors="replace"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (to the hub's login) is an answer, not something to follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Hub:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    homes: Path

    def api(self, path: str, token: str, method: str = "GET", body: Any = None) -> Answer:
        return request(f"{self.url}hub/api/{path}", method, body,
                       {"Authorization": f"token {token}"})

    def interview_api(self, user: str) -> str:
        """Mock Interviewer's API of ``user``'s server, through the public proxy."""
        return f"{self.url}user/{user}/mock-interviewer/api/"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _hub_config(state: Path, public: int, hub_port: int, proxy_api: int) -> str:
    """The example config, with what this machine needs laid over it."""
    as_root = ["--allow-root"] if os.geteuid() == 0 else []
    return f"""\
load_subconfig({str(EXAMPLE / "jupyterhub_config.py")!r})  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:{public}/"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(USERS)!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{state}/homes/{{username}}"
c.Spawner.cmd = [{str(VENV_BIN / "jupyterhub-singleuser")!r}]
# The class's settings, as an administrator sets them (no student changes a
# spawner's arguments): at most an hour, two hints.
c.Spawner.args = {[*as_root, *CLASS_ARGS]!r}
# Where the user's server finds the administrator's jupyter_server_config.json
# (on a real machine: /etc/jupyter/).
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {str(EXAMPLE)!r}}}
"""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _processes_at_home(home: Path) -> list[int]:
    """Live processes (servers, their kernels) whose HOME is ``home`` or under it."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            homes = [item[5:] for item in environ if item.startswith(b"HOME=")]
            if homes and (homes[0] == bytes(home) or homes[0].startswith(bytes(home) + b"/")):
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    assert CHP.is_file(), f"{CHP} is missing: `make setup` installs configurable-http-proxy"
    state = tmp_path_factory.mktemp("hub")
    (state / "homes").mkdir()
    public = free_port()
    config = state / "jupyterhub_config.py"
    config.write_text(_hub_config(state, public, free_port(), free_port()), encoding="utf-8")
    log_path = state / "jupyterhub.log"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "JPY_", "MOCK_INTERVIEWER"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=str(state), env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    hub = Hub(url=f"http://127.0.0.1:{public}/", process=process, log_path=log_path,
              homes=state / "homes")
    try:
        deadline = time.monotonic() + 60
        while not _answers(hub.url):
            assert process.poll() is None, f"jupyterhub exited:\n{hub.log()}"
            assert time.monotonic() < deadline, f"jupyterhub did not start:\n{hub.log()}"
            time.sleep(0.3)
        yield hub
    finally:
        _stop(process)
        for pid in _processes_at_home(hub.homes):  # the hub stops them; make sure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _answers(url: str) -> bool:
    try:
        return request(f"{url}hub/api/", timeout=5).status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


#: alice's own settings.toml asks for more than the administrator allows.
ALICE_SETTINGS = "[harness]\nmemory_mb = 4096\nallow_network = true\n[coach]\nhelpfulness = \"gentle\"\n"


@pytest.fixture(scope="module")
def tokens(hub: Hub) -> dict[str, str]:
    """Each user logs in with the password and has a server started."""
    own = hub.homes / "alice" / ".config" / "mock-interviewer" / "settings.toml"
    own.parent.mkdir(parents=True)
    own.write_text(ALICE_SETTINGS, encoding="utf-8")
    issued = {}
    for user in USERS:
        answer = request(f"{hub.url}hub/api/users/{user}/tokens", "POST",
                         {"auth": {"username": user, "password": PASSWORD},
                          "note": "interview test"})
        assert answer.status in (200, 201), answer
        issued[user] = answer.body["token"]
        assert request(f"{hub.url}hub/api/users/{user}/tokens", "POST",
                       {"auth": {"username": user, "password": "wrong"}}).status == 403
    # Both at once: the hub answers a start only when the server is up (or
    # after 10 s), and the two start in about that time each.
    with ThreadPoolExecutor(len(issued)) as pool:
        starts = list(pool.map(lambda item: hub.api(f"users/{item[0]}/server", item[1], "POST"),
                               issued.items()))
    for started in starts:
        assert started.status in (201, 202), (started, hub.log())
    deadline = time.monotonic() + 90
    for user, token in issued.items():
        while True:
            model = hub.api(f"users/{user}", token).body
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                break
            assert time.monotonic() < deadline, f"{user}'s server did not start:\n{hub.log()}"
            time.sleep(0.5)
    return issued


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def test_each_user_interviews_through_the_proxy(hub: Hub, tokens: dict[str, str]) -> None:
    for user in USERS:
        api, auth = hub.interview_api(user), _as(tokens[user])
        problems = request(api + "problems", headers=auth)
        assert problems.status == 200, problems
        assert "two_sum" in {p["id"] for p in problems.body["problems"]}
        created = request(api + "sessions", "POST", {"problem": "two_sum"}, auth)
        assert created.status == 201, created
        sid = created.body["session"]["id"]
        answer = request(f"{api}sessions/{sid}/events", "POST",
                         {"type": "code", "code": ENV_PRINTING_TWO_SUM}, auth)
        assert answer.status == 200, (answer, hub.log())
        results = next(a for a in answer.body["actions"] if a["type"] == "show_results")
        assert results["data"]["passed"] == results["data"]["total"] > 0, results
        report = request(f"{api}sessions/{sid}/report", headers=auth)
        assert report.status == 200 and report.body["session_id"] == sid
        # each user has a store of their own, in their own home
        assert (hub.homes / user / "interview_practice" / "sessions.db").is_file()


def test_the_administrators_limits_hold_over_a_users_own_settings(
        hub: Hub, tokens: dict[str, str]) -> None:
    api, auth = hub.interview_api("alice"), _as(tokens["alice"])
    sid = request(api + "sessions", "POST", {"problem": "two_sum"}, auth).body["session"]["id"]
    hog = "def two_sum(nums, target):\n    block = bytearray(600 * 1024 * 1024)\n    return [0, 1]\n"
    answer = request(f"{api}sessions/{sid}/events", "POST", {"type": "code", "code": hog}, auth)
    results = next(a for a in answer.body["actions"] if a["type"] == "show_results")["data"]
    assert results["passed"] == 0 and "MemoryError" in json.dumps(results), results
    assert "not used, the server's configuration decides: harness" in hub.log()


def test_the_class_settings_hold_and_sessions_record_the_hub_user(
        hub: Hub, tokens: dict[str, str]) -> None:
    for user in USERS:
        api, auth = hub.interview_api(user), _as(tokens[user])
        created = request(api + "sessions", "POST", {"problem": "two_sum", "minutes": 120}, auth)
        assert created.status == 201, created
        session = created.body["session"]
        assert (session["user"], session["meta"]["minutes"]) == (user, 60), session
        assert session["pack"] == "core" and session["pack_version"].startswith("1.0.0")
        assert created.body["notices"] == [
            "the class allows 60 minutes at most; 120 minutes asked for"]
    # alice asks for three hints: the class gives two
    api, auth = hub.interview_api("alice"), _as(tokens["alice"])
    sid = request(api + "sessions", "POST", {"problem": "two_sum"}, auth).body["session"]["id"]
    answers = [request(f"{api}sessions/{sid}/events", "POST", {"type": "hint"}, auth).body
               for _ in range(3)]
    assert [sum(a["type"] == "show_hint" for a in answer["actions"]) for answer in answers] \
        == [1, 1, 0]
    assert [a["data"]["kind"] for a in answers[2]["actions"] if a["type"] == "coach_says"] \
        == ["hint_refused"]
    # her kernel's requests are hers too (the server's JUPYTERHUB_USER)
    secret, direct_url = _kernel_secret(hub, "alice", tokens["alice"])
    by_kernel = request(direct_url + "sessions", "POST", {"problem": "two_sum"},
                        {TOKEN_HEADER: secret})
    assert by_kernel.status == 201 and by_kernel.body["session"]["user"] == "alice", by_kernel


def test_the_sandbox_shows_the_code_no_hub_token(hub: Hub, tokens: dict[str, str]) -> None:
    api, auth = hub.interview_api("alice"), _as(tokens["alice"])
    sid = request(api + "sessions", "POST", {"problem": "two_sum"}, auth).body["session"]["id"]
    answer = request(f"{api}sessions/{sid}/events", "POST",
                     {"type": "code", "code": ENV_PRINTING_TWO_SUM}, auth)
    results = next(a for a in answer.body["actions"] if a["type"] == "show_results")["data"]
    printed = "".join(case.get("stdout") or "" for case in results["cases"])
    assert "ENV:" in printed, results
    names = set(printed.split("ENV:", 1)[1].split("\n", 1)[0].split(","))
    assert not {"JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "MOCK_INTERVIEWER_TOKEN"} & names
    assert not [name for name in names if name.startswith("JUPYTERHUB_")], names
    assert tokens["alice"] not in json.dumps(answer.body)


def test_bobs_credentials_do_not_open_alices_server(hub: Hub, tokens: dict[str, str]) -> None:
    api = hub.interview_api("alice")
    for method, path, body in (("GET", "problems", None), ("GET", "sessions", None),
                               ("POST", "sessions", {"problem": "two_sum"})):
        refused = request(api + path, method, body, _as(tokens["bob"]))
        assert refused.status == 403, (method, path, refused)


def _kernel_secret(hub: Hub, user: str, token: str) -> tuple[str, str]:
    """The secret and URL a notebook kernel of ``user`` holds: start one
    through the proxy, as JupyterLab does, and read its environment."""
    started = request(f"{hub.url}user/{user}/api/kernels", "POST", {"name": "python3"},
                      _as(token))
    assert started.status == 201, started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for pid in _processes_at_home(hub.homes / user):
            try:
                environ = dict(item.split(b"=", 1) for item in
                               Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in item)
            except OSError:
                continue
            if b"MOCK_INTERVIEWER_TOKEN" in environ:
                return (environ[b"MOCK_INTERVIEWER_TOKEN"].decode(),
                        environ[b"MOCK_INTERVIEWER_URL"].decode())
        time.sleep(0.3)
    raise AssertionError(f"no kernel of {user} with the secret:\n{hub.log()}")


def test_the_kernel_secret_is_refused_through_the_proxy(
        hub: Hub, tokens: dict[str, str]) -> None:
    secret, direct_url = _kernel_secret(hub, "alice", tokens["alice"])
    kernel = {TOKEN_HEADER: secret}
    # Straight from this machine, as her kernel calls it: accepted.
    assert request(direct_url + "problems", headers=kernel).status == 200
    # The same secret through the public URL, with no hub credentials: refused.
    api = hub.interview_api("alice")
    sid = request(api + "sessions", "POST", {"problem": "two_sum"},
                  _as(tokens["alice"])).body["session"]["id"]
    for method, path, body in (("GET", "problems", None), ("GET", "sessions", None),
                               ("GET", f"sessions/{sid}", None),
                               ("GET", f"sessions/{sid}/report", None),
                               ("POST", "sessions", {"problem": "two_sum"}),
                               ("POST", f"sessions/{sid}/events", {"type": "hint"})):
        refused = request(api + path, method, body, kernel)
        assert refused.status in (302, 403), (method, path, refused)
        assert not (isinstance(refused.body, dict) and {"session", "sessions", "problems"}
                    & set(refused.body)), refused
    # and beside bob's token, it does not make bob alice
    beside_bob = request(api + "sessions", headers={**kernel, **_as(tokens["bob"])})
    assert beside_bob.status == 403, beside_bob
    # the WebSocket's upgrade request alike
    ws = request(f"{api}sessions/{sid}/ws",
                 headers={**kernel, "Connection": "Upgrade", "Upgrade": "websocket",
                          "Sec-WebSocket-Version": "13",
                          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert ws.status in (302, 403), ws


def test_stopping_a_server_from_the_hub_leaves_nothing_running(
        hub: Hub, tokens: dict[str, str]) -> None:
    # Last in this module: bob's server goes. SIGINT, as the hub's stop sends.
    assert _processes_at_home(hub.homes / "bob")
    stopped = hub.api("users/bob/server", tokens["bob"], "DELETE")
    assert stopped.status in (202, 204), stopped
    deadline = time.monotonic() + 60
    while _processes_at_home(hub.homes / "bob"):
        assert time.monotonic() < deadline, "bob's server or its kernels outlived the stop"
        time.sleep(0.3)
    leftovers = list((hub.homes / "bob" / "interview_practice").glob("sessions.db-wal"))
    assert all(p.stat().st_size == 0 for p in leftovers)

