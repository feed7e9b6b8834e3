"""A real ``jupyter server`` in a subprocess, for what only a whole process
shows: its signals, its command line options and the files it leaves.

Everything it writes goes under one folder of the test: HOME, the Jupyter
config, data and runtime folders, and TMPDIR (so the sandbox's ``mil-*``
temporary folders can be counted without seeing another test's).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VENV_BIN = Path(sys.executable).parent
JUPYTER = str(VENV_BIN / "jupyter")
TOKEN = "jupyter-test-token"

#: Only this extension: the others (JupyterLab, LSP…) only slow the start.
_ONLY_THIS_EXTENSION = {
    "ServerApp": {"jpserver_extensions": {
        "mock_interviewer_lab.server": True, "jupyterlab": False, "jupyter_lsp": False,
        "notebook_shim": False, "jupyter_server_terminals": False}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def private_environment(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a Jupyter process whose every file is under ``root``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "MOCK_INTERVIEWER", "JPY_"))}
    folders = {"HOME": root / "home", "JUPYTER_CONFIG_DIR": root / "config",
               "JUPYTER_DATA_DIR": root / "data", "JUPYTER_RUNTIME_DIR": root / "runtime",
               "TMPDIR": root / "tmp"}
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class JupyterServer:
    root: Path
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/mock-interviewer/api/"

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, timeout: float = 120,
             expect: int | None = None) -> Any:
        """A request as the Jupyter user (its token); the JSON answer. An
        HTTP error raises, unless its status is ``expect``."""
        request = urllib.request.Request(
            self.api + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json",
                     **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code != expect:
                raise
            return json.loads(exc.read())

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def interrupt(self, timeout: float = 60) -> int:
        """SIGINT, as JupyterHub's stop button sends it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(root: Path, *, server_config: dict[str, Any] | None = None,
                 env: dict[str, str] | None = None, args: tuple[str, ...] = (),
                 timeout: float = 60, ready_code: int = 200) -> JupyterServer:
    """A ``jupyter server`` on a free loopback port, answering (the API's
    problem list with ``ready_code``) when returned.

    ``server_config`` is written to the user config folder as
    jupyter_server_config.json (merged over "only this extension")."""
    full_env = env or private_environment(root)
    config = json.loads(json.dumps(_ONLY_THIS_EXTENSION))
    for section, values in (server_config or {}).items():
        config.setdefault(section, {}).update(values)
    config_dir = Path(full_env["JUPYTER_CONFIG_DIR"])
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    port = free_port()
    log_path = root / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [JUPYTER, "server", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", *args],
        env=full_env, cwd=str(root), stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT,
        # Not the test's process group: a Ctrl-C in the terminal running
        # pytest must not reach it behind the test's back.
        start_new_session=True)
    log.close()
    server = JupyterServer(root=root, process=process, port=port, log_path=log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"jupyter server exited ({process.returncode}):\n{server.log()}")
        try:
            server.call("GET", "problems", timeout=5,
                        expect=None if ready_code == 200 else ready_code)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"jupyter server did not answer:\n{server.log()}") from None
            time.sleep(0.2)


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text``."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found
