"""The whole stack on loopback: a real `jupyter server` with the extension
under a non-root base_url, a kernel started by that server (so it inherits
MOCK_INTERVIEWER_URL and MOCK_INTERVIEWER_TOKEN), the magics in that kernel
talking to the server over HTTP and the WebSocket, the harness behind it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client import BlockingKernelClient

from mock_interviewer_lab.events import Action
from mock_interviewer_lab.protocol import ROOM_MIME, WIDGET_VIEW_MIME
from mock_interviewer_lab.store import SessionStore

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "e2e-test-token"
BASE = "/e2e/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api(port: int, method: str, path: str, body: Any = None) -> Any:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{BASE}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    db = tmp_path / "sessions.db"
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{db}"\n')
    runtime = tmp_path / "runtime"
    env = {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings),
           "JUPYTER_RUNTIME_DIR": str(runtime)}
    env.pop("MOCK_INTERVIEWER_URL", None)
    env.pop("MOCK_INTERVIEWER_TOKEN", None)
    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser", f"--ServerApp.port={port}",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.base_url={BASE}",
             f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}",
             "--ServerApp.port_retries=0", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                api(port, "GET", "api/status")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.2)
        yield port, runtime
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_cells(client: BlockingKernelClient, cells: list[str]) -> list[list[dict[str, Any]]]:
    outputs: list[list[dict[str, Any]]] = []
    for source in cells:
        got: list[dict[str, Any]] = []

        def hook(msg: dict[str, Any], into: list[dict[str, Any]] = got) -> None:
            if msg["msg_type"] in ("stream", "display_data", "execute_result", "error"):
                into.append({"type": msg["msg_type"], **msg["content"]})

        reply = client.execute_interactive(source, output_hook=hook, timeout=120)
        assert reply["content"]["status"] == "ok", (source, got)
        outputs.append(got)
    return outputs


def run_in_new_kernel(port: int, runtime: Path, cells: list[str]) -> list[list[dict[str, Any]]]:
    """``cells`` run in a new kernel of the server (deleted after), their outputs."""
    kernel = api(port, "POST", "api/kernels", {"name": "python3"})
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        return run_cells(client, cells)
    finally:
        client.stop_channels()
        api(port, "DELETE", f"api/kernels/{kernel['id']}")


def test_interview_through_the_server(server: tuple[int, Path], tmp_path: Path) -> None:
    port, runtime = server
    right = (ROOT / "problems" / "two_sum" / "solution.py").read_text()
    outputs = run_in_new_kernel(port, runtime, [
        "import os; print(os.environ['MOCK_INTERVIEWER_URL'])",
        "%load_ext mock_interviewer_lab",
        "%interview two_sum --minutes 30",
        "%%solution\ndef two_sum(nums, target):\n    return [0, 0]\n",
        "%%solution\n" + right,
        "%interview hint",
        "%interview end",
        "%interview say It is O(n) time and O(n) space.",
    ])
    url = "".join(o.get("text", "") for o in outputs[0]).strip()
    assert url == f"http://localhost:{port}{BASE}mock-interviewer/api/" or \
        url == f"http://127.0.0.1:{port}{BASE}mock-interviewer/api/"
    text = json.dumps(outputs)
    assert "Traceback" not in text and "embedded" not in text.lower()
    assert "application/vnd.jupyter.widget-view+json" in text  # the panel
    # %interview: one bundle (room, panel, text), then the compact line; the
    # server's address is nowhere in what the candidate reads.
    started = outputs[2]
    (room,) = [o["data"] for o in started if o["type"] == "display_data"]
    assert set(room) == {ROOM_MIME, WIDGET_VIEW_MIME, "text/plain"}
    assert room[ROOM_MIME]["problem"] == "core:two_sum" and room[ROOM_MIME]["minutes"] == 30
    assert "the room is on the right" in room["text/plain"]
    said = "".join(o.get("text", "") for o in started if o["type"] == "stream")
    assert said.startswith(f"interview {room[ROOM_MIME]['session_id']}: Two Sum (30 minutes)")
    assert "mock-interviewer/api" not in json.dumps(outputs[1:])

    # The server kept the session; read it back through the API and the store.
    sessions = api(port, "GET", "mock-interviewer/api/sessions")["sessions"]
    assert [s["problem"] for s in sessions] == ["core:two_sum"]
    sid = sessions[0]["id"]
    report = api(port, "GET", f"mock-interviewer/api/sessions/{sid}/report?format=json")
    assert report["problem_id"] == "two_sum"
    store = SessionStore(tmp_path / "sessions.db")
    records = store.records(sid)
    results = [r.data for r in records if isinstance(r, Action) and r.type == "show_results"]
    assert results[0]["passed"] < 9 and (results[-1]["passed"], results[-1]["total"]) == (9, 9)
    assert [r.data["label"] for r in records if r.type == "show_hint"] == ["hint 1 of 3"]
    assert store.get(sid).status == "ended"
