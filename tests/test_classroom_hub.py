"""A class on a real JupyterHub (loopback) with the class service running.

The instructor (teacher) writes a pack, ``class101``, whose hidden case and
reference carry markers; releases it (``mock-interviewer problems
release``); the hub runs the class service (``c.JupyterHub.services``)
holding the source pack, and alice and bob interview on the released pack
from their own servers. Then: neither can read the source from their
server, nor ask the service for it; the held-back cases run on the service
and reach each student only as statuses; each student's results reach the
instructor's table (JSON, CSV, notebook) and transcripts; a student cannot
post as the other.

The students' servers run as the Unix user ``nobody`` (``setpriv`` in the
spawner's command), the hub and the service as the test's user (root): a
test cannot create Unix accounts, and what is shown — the service's files
are not the students' to read — is the same with real accounts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

from .jupyter_process import VENV_BIN, free_port
from .test_jupyterhub import (
    CHP,
    EXAMPLE,
    PASSWORD,
    Hub,
    _answers,
    _processes_at_home,
    _stop,
    request,
)

REPO = Path(__file__).resolve().parent.parent
STUDENTS = ("alice", "bob")
NOBODY = 65534
#: In the source pack only: a hidden case's input and the reference's comment.
HIDDEN_MARKER = 7340033
REFERENCE_MARKER = "class101-reference-7f3a"

pytestmark = pytest.mark.slow

#: Reads the service's copy of the reference from the student's sandbox.
PEEKING_TWO_SUM = """\
def two_sum(nums, target):
    try:
        open({path!r}).read()
        print("PEEK:read")
    except OSError as exc:
        print("PEEK:" + type(exc).__name__)
    seen = {{}}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
"""

WRONG_TWO_SUM = "def two_sum(nums, target):\n    return [0, 1]\n"


def _source_pack(root: Path) -> Path:
    """The instructor's pack: the built-in two_sum with a marked hidden case
    and reference."""
    pack = root / "class101"
    shutil.copytree(REPO / "problems" / "two_sum", pack / "two_sum")
    meta = yaml.safe_load((REPO / "problems" / "pack.yaml").read_text(encoding="utf-8"))
    meta.update(name="class101", version="2026.1", title="Class 101")
    (pack / "pack.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    tests = pack / "two_sum" / "tests.yaml"
    data = yaml.safe_load(tests.read_text(encoding="utf-8"))
    data["cases"].append({"name": "marked", "args": [[HIDDEN_MARKER, 5, 2], 7],
                          "expected": [1, 2], "hidden": True})
    tests.write_text(yaml.safe_dump(data), encoding="utf-8")
    solution = pack / "two_sum" / "solution.py"
    solution.write_text(f"# {REFERENCE_MARKER}\n" + solution.read_text(encoding="utf-8"),
                        encoding="utf-8")
    return pack


def _as_nobody(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                           "--clear-groups", *cmd], capture_output=True, text=True, cwd="/")


def _python_for_nobody(state: Path) -> str:
    """An interpreter nobody can run with this environment's packages: this
    one, or (when it lives in a folder nobody cannot enter, as a pyenv under
    /root does) a venv of the system's same-minor Python over the same
    site-packages."""
    probe = "import subprocess, sys; subprocess.run([sys.executable, '-c', ''], check=True)"
    if _as_nobody(sys.executable, "-c", probe).returncode == 0:
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.is_file():
        pytest.skip(f"nobody cannot run {sys.executable}, and there is no {system}")
    venv = state / "venv"
    lib = venv / "lib" / system.name
    lib.mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "python").symlink_to(system)
    (lib / "site-packages").symlink_to(Path(yaml.__file__).resolve().parents[1])
    (venv / "pyvenv.cfg").write_text(f"home = {system.parent}\ninclude-system-site-packages "
                                     "= false\n", encoding="utf-8")
    subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    assert _as_nobody(python, "-c", probe).returncode == 0
    return python


def _hub_config(state: Path, ports: dict[str, int], source: Path, released: Path,
                student_python: str) -> str:
    python = str(VENV_BIN / "python")
    service_url = f"http://127.0.0.1:{ports['service']}"
    return f"""\
load_subconfig({str(EXAMPLE / "jupyterhub_config.py")!r})  # noqa: F821
load_subconfig({str(EXAMPLE / "classroom_config.py")!r})  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:{ports['public']}/"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports['hub']}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports['proxy']}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {{"alice", "bob", "teacher"}}

# The service as the hub's own user here (no Unix account to make), on a loopback port.
svc = c.JupyterHub.services[0]
svc.pop("user", None)
svc["url"] = {service_url!r}
svc["command"] = [{python!r}, "-m", "mock_interviewer_lab.classroom.service",
                  "--packs", {str(source)!r}, "--data", {str(state / "service-data")!r}]

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{state}/homes/{{username}}"
# Each student's server as nobody: the service's files are not theirs.
c.Spawner.cmd = ["setpriv", "--reuid={NOBODY}", "--regid={NOBODY}", "--clear-groups",
                 {student_python!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.environment = {{
    # the administrator's options, and the extension enabled in this environment
    "JUPYTER_CONFIG_PATH": {f"{EXAMPLE}{os.pathsep}{VENV_BIN.parent / 'etc' / 'jupyter'}"!r},
    "MOCK_INTERVIEWER_PACKS": {str(released)!r},
    "MOCK_INTERVIEWER_CLASSROOM_URL": {service_url + "/services/classroom/"!r},
}}
"""


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    assert CHP.is_file(), f"{CHP} is missing: `make setup` installs configurable-http-proxy"
    if os.geteuid() != 0:
        pytest.skip("the students' servers run as nobody: needs root (this machine's tests run as root)")
    # Not under pytest's own 0700 folder: nobody must reach the homes.
    state = Path(tempfile.mkdtemp(prefix="mil-classhub-"))
    os.chmod(state, 0o755)
    try:
        instructor = state / "instructor"
        instructor.mkdir(mode=0o700)
        source = _source_pack(instructor)
        released = state / "released" / "class101"
        made = subprocess.run([str(VENV_BIN / "mock-interviewer"), "problems", "release",
                               str(source), str(released)], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        subprocess.run(["chmod", "-R", "a+rX", str(state / "released")], check=True)
        service_packs = state / "service-packs"
        shutil.copytree(source, service_packs / "class101")
        for user in (*STUDENTS, "teacher"):
            home = state / "homes" / user
            home.mkdir(parents=True)
            os.chown(home, NOBODY, NOBODY)
        ports = {name: free_port() for name in ("public", "hub", "proxy", "service")}
        config = state / "jupyterhub_config.py"
        config.write_text(_hub_config(state, ports, service_packs, released.parent,
                                      _python_for_nobody(state)), encoding="utf-8")
        log_path = state / "jupyterhub.log"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JUPYTER", "JPY_", "MOCK_INTERVIEWER"))}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=str(state), env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        hub = Hub(url=f"http://127.0.0.1:{ports['public']}/", process=process,
                  log_path=log_path, homes=state / "homes")
        try:
            deadline = time.monotonic() + 60
            while not (_answers(hub.url) and "class service on" in hub.log()):
                assert process.poll() is None, f"jupyterhub exited:\n{hub.log()}"
                assert time.monotonic() < deadline, f"the hub or its service did not start:\n{hub.log()}"
                time.sleep(0.3)
            yield hub
        finally:
            _stop(process)
            for pid in _processes_at_home(hub.homes):  # the hub stops them; make sure
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    finally:
        if not os.environ.get("KEEP_CLASSHUB"):
            shutil.rmtree(state, ignore_errors=True)


def _token(hub: Hub, user: str) -> str:
    answer = request(f"{hub.url}hub/api/users/{user}/tokens", "POST",
                     {"auth": {"username": user, "password": PASSWORD}, "note": "class test"})
    assert answer.status in (200, 201), answer
    return str(answer.body["token"])


@pytest.fixture(scope="module")
def tokens(hub: Hub) -> dict[str, str]:
    issued = {user: _token(hub, user) for user in (*STUDENTS, "teacher")}
    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        starts = list(pool.map(lambda u: hub.api(f"users/{u}/server", issued[u], "POST"),
                               STUDENTS))
    for started in starts:
        assert started.status in (201, 202), (started, hub.log())
    deadline = time.monotonic() + 120
    for user in STUDENTS:
        while not ((hub.api(f"users/{user}", issued[user]).body.get("servers") or {})
                   .get("", {}).get("ready")):
            assert time.monotonic() < deadline, f"{user}'s server did not start:\n{hub.log()}"
            time.sleep(0.5)
    return issued


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def _service(hub: Hub, path: str) -> str:
    return f"{hub.url}services/classroom/api/{path}"


def _interview(hub: Hub, user: str, token: str, code: str) -> tuple[str, dict[str, object]]:
    api = hub.interview_api(user)
    listed = request(api + "problems", headers=_as(token))
    assert listed.status == 200, listed
    mine = next(p for p in listed.body["problems"] if p["qualified_id"] == "class101:two_sum")
    assert mine["hidden_cases"] == 7  # six of two_sum's and the marked one, held back
    created = request(api + "sessions", "POST", {"problem": "class101:two_sum"}, _as(token))
    assert created.status == 201, created
    sid = created.body["session"]["id"]
    answer = request(f"{api}sessions/{sid}/events", "POST", {"type": "code", "code": code},
                     _as(token))
    assert answer.status == 200, (answer, hub.log())
    results = next(a for a in answer.body["actions"] if a["type"] == "show_results")["data"]
    # The end (the coach may first ask about complexity: end again); the
    # server then posts the session's report to the class service itself.
    for _ in range(3):
        ended = request(f"{api}sessions/{sid}/events", "POST", {"type": "end"}, _as(token))
        if ended.status == 409 or ended.body["state"]["ended"]:
            break
    assert request(f"{api}sessions/{sid}", headers=_as(token)).body["state"]["ended"]
    return sid, results


@pytest.fixture(scope="module")
def interviews(hub: Hub, tokens: dict[str, str]) -> dict[str, tuple[str, dict[str, object]]]:
    peek = PEEKING_TWO_SUM.format(path=str(hub.homes.parent / "service-packs" / "class101"
                                           / "two_sum" / "solution.py"))
    return {"alice": _interview(hub, "alice", tokens["alice"], peek),
            "bob": _interview(hub, "bob", tokens["bob"], WRONG_TWO_SUM)}


def test_the_held_back_cases_run_on_the_service_and_come_back_as_statuses(
        interviews: dict[str, tuple[str, dict[str, object]]]) -> None:
    _, alice = interviews["alice"]
    cases = alice["cases"]
    assert isinstance(cases, list)
    assert alice["passed"] == alice["total"] == 10, alice
    hidden = [c for c in cases if c["hidden"]]
    assert len(hidden) == 7
    for case in hidden:
        assert case["args"] is None and case["expected"] is None and case["got"] is None
        assert case["stdout"] is None and case["message"] is None
    assert str(HIDDEN_MARKER) not in json.dumps(alice)
    _, bob = interviews["bob"]
    assert bob["total"] == 10 and bob["passed"] < 10


def test_a_student_cannot_read_the_source_pack(
        hub: Hub, interviews: dict[str, tuple[str, dict[str, object]]]) -> None:
    # from her own server's sandbox, as her code runs: not there to read (the
    # sandbox has a /tmp of its own) or not hers
    _, alice = interviews["alice"]
    printed = "".join(str(c.get("stdout") or "") for c in alice["cases"])  # type: ignore[union-attr]
    peeks = {line for line in printed.splitlines() if line.startswith("PEEK:")}
    assert peeks and peeks <= {"PEEK:PermissionError", "PEEK:FileNotFoundError"}, printed
    # and as her Unix user, any file of the service's
    service_files = [hub.homes.parent / "service-packs" / "class101" / "two_sum" / name
                     for name in ("solution.py", "tests.yaml")]
    service_files.append(hub.homes.parent / "service-data" / "results.db")
    for path in service_files:
        tried = _as_nobody("cat", str(path))
        assert tried.returncode != 0 and "Permission denied" in tried.stderr, (path, tried)
    # what the students have holds neither marker
    for folder in (hub.homes.parent / "released", hub.homes):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert str(HIDDEN_MARKER).encode() not in data, path
                assert REFERENCE_MARKER.encode() not in data, path


def test_the_service_gives_a_student_no_answer_and_no_one_elses_results(
        hub: Hub, tokens: dict[str, str],
        interviews: dict[str, tuple[str, dict[str, object]]]) -> None:
    alice = _as(tokens["alice"])
    for path in ("problems/class101:two_sum", "table", "table.csv", "table.ipynb",
                 f"sessions/bob/{interviews['bob'][0]}"):
        refused = request(_service(hub, path), headers=alice)
        assert refused.status == 403, (path, refused)
        assert REFERENCE_MARKER not in json.dumps(refused.body)
    assert request(_service(hub, "table")).status == 403  # no token at all
    # a result posted under another student's name is refused
    forged = request(_service(hub, "sessions"), "POST",
                     {"user": "bob", "session_id": "forged", "problem": "class101:two_sum",
                      "report": {"metrics": {"hints_given": 0}}}, alice)
    assert forged.status == 403, forged


def test_each_students_results_reach_the_instructors_table(
        hub: Hub, tokens: dict[str, str],
        interviews: dict[str, tuple[str, dict[str, object]]]) -> None:
    # each student's server posted its session's report as the session ended
    teacher = _as(tokens["teacher"])
    table = request(_service(hub, "table"), headers=teacher)
    assert table.status == 200, (table, hub.log())
    rows = {(r["user"], r["problem"]): r for r in table.body["rows"]}
    alice, bob = rows[("alice", "class101:two_sum")], rows[("bob", "class101:two_sum")]
    assert alice["tests_passed"] == alice["tests_total"] == 10 and alice["all_passed"]
    assert alice["complexity_reached"] and alice["sessions"] == 1
    assert alice["pack_version"] == "2026.1" and alice["hints"] == 0
    assert not bob["all_passed"] and bob["tests_passed"] < 10 and bob["sessions"] == 1
    assert "forged" not in json.dumps(table.body)
    csv_text = request(_service(hub, "table.csv"), headers=teacher)
    assert csv_text.status == 200
    assert str(csv_text.body).splitlines()[0].startswith("user,problem,pack_version")
    notebook = request(_service(hub, "table.ipynb"), headers=teacher)
    assert notebook.status == 200 and "image/svg+xml" in json.dumps(notebook.body)
    transcript = request(_service(hub, f"sessions/alice/{interviews['alice'][0]}"),
                         headers=teacher)
    assert transcript.status == 200 and transcript.body["report"]["transcript"]
    assert transcript.body["pack_version"] == "2026.1"
    own = request(f"{hub.interview_api('alice')}sessions/{interviews['alice'][0]}/report",
                  headers=_as(tokens["alice"]))
    assert transcript.body["report"]["session_id"] == own.body["session_id"]
    assert transcript.body["report"]["transcript"] == own.body["transcript"]
    # the same from the command line, with the instructor's token
    out = hub.homes.parent / "collected"
    collect = [str(VENV_BIN / "mock-interviewer"), "class", "collect",
               "--url", f"{hub.url}services/classroom/", "--csv", str(out / "class.csv"),
               "--notebook", str(out / "class.ipynb")]
    out.mkdir()
    done = subprocess.run([*collect, "--token", tokens["teacher"]], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "class.csv").read_text(encoding="utf-8") == csv_text.body
    assert nbformat.read(str(out / "class.ipynb"), as_version=4).metadata[
        "mock_interviewer_lab"]["class_table"] == table.body["rows"]
    refused = subprocess.run([*collect, "--token", tokens["bob"]], capture_output=True,
                             text=True)
    assert refused.returncode == 2 and "answered 403" in refused.stderr
    source = request(_service(hub, "problems/class101:two_sum"), headers=teacher)
    assert source.status == 200 and REFERENCE_MARKER in source.body["solution"]
