"""The sandbox kernel: a warm Jupyter kernel, started with jupyter_client,
in which every run is supervised (see ``sandbox_runtime``)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

_BOOTSTRAP = (
    "import mock_interviewer_lab.harness.sandbox_runtime as __mil_rt\n"
    "print(__mil_rt.bootstrap(allow_network={allow_network!r}))"
)
SANDBOX_KERNEL_NAME = "mock-interviewer-sandbox"


#: What the sandbox kernel inherits from the server's environment: enough to
#: find Python and its packages, and nothing else. Tokens (the hub's API
#: token, the Jupyter server's, the kernel secret), cloud credentials and
#: whatever else a deployment sets stay out. (The runners get still less:
#: ``sandbox_runtime.RUNNER_ENV``.)
ALLOWED_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PYTHONPATH", "PYTHONHOME",
               "VIRTUAL_ENV", "LD_LIBRARY_PATH", "IPYTHONDIR")


def sandbox_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The sandbox kernel's environment: the allow-listed variables (and the
    locale's LC_*) from ``environ``, and two settings of its own."""
    env = {k: v for k, v in environ.items() if k in ALLOWED_ENV or k.startswith("LC_")}
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class KernelDied(RuntimeError):
    """The sandbox kernel process ended during a request."""


class KernelTimeout(RuntimeError):
    """The sandbox kernel did not answer in time."""


def _this_python_spec_dir() -> Path:
    """A kernelspec for the Python running the harness (the default), kept in
    a private folder so that no user-level ``python3`` spec can shadow it."""
    root = Path(tempfile.mkdtemp(prefix="mil-kernelspec-"))
    spec_dir = root / SANDBOX_KERNEL_NAME
    spec_dir.mkdir()
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            # No history database, no banner work: the kernel only runs the
            # supervisor, and nothing about its runs should be written down.
            "--HistoryManager.enabled=False",
            "--IPKernelApp.quiet=True",
        ],
        "display_name": "Mock Interviewer sandbox",
        "language": "python",
        "metadata": {"debugger": False},
    }))
    return root


class SandboxKernel:
    """One warm kernel. Not safe for concurrent requests: the harness keeps a
    pool and gives each request a kernel of its own."""

    def __init__(self, kernel_name: str = "", *, allow_network: bool = False) -> None:
        self.kernel_name = kernel_name
        self.allow_network = allow_network
        self._spec_root: Path | None = None
        self._ipc_dir: str | None = None
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None
        self.isolation: dict[str, Any] = {}
        self.starts = 0
        self.start_seconds = 0.0

    async def start(self) -> None:
        t0 = time.perf_counter()
        # Local IPC sockets in a private folder: nothing listens on the network.
        self._ipc_dir = self._ipc_dir or tempfile.mkdtemp(prefix="mil-ipc-")
        common: dict[str, Any] = {"transport": "ipc", "ip": os.path.join(self._ipc_dir, "k")}
        if self.kernel_name:
            km = AsyncKernelManager(kernel_name=self.kernel_name, **common)
        else:
            self._spec_root = self._spec_root or _this_python_spec_dir()
            km = AsyncKernelManager(
                kernel_name=SANDBOX_KERNEL_NAME,
                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(self._spec_root)]),
                **common,
            )
        await km.start_kernel(env=sandbox_environment(os.environ))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
        except RuntimeError as exc:
            await km.shutdown_kernel(now=True)
            raise KernelDied(f"the sandbox kernel did not start: {exc}") from None
        self.km, self.kc = km, kc
        out = await self.execute(_BOOTSTRAP.format(allow_network=self.allow_network), timeout=60)
        try:
            self.isolation = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise KernelDied(f"the sandbox kernel could not load the harness: {out[-2000:]}") from None
        self.starts += 1
        self.start_seconds = time.perf_counter() - t0

    async def is_alive(self) -> bool:
        return self.km is not None and bool(await self.km.is_alive())

    async def execute(
        self,
        code: str,
        *,
        timeout: float,
        stdin_reply: Callable[[str], str] | None = None,
    ) -> str:
        """Run ``code``; return what it printed. Raises KernelDied when the
        kernel process ends, KernelTimeout when it does not answer in time."""
        kc = self.kc
        assert kc is not None, "start() first"
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=True)
        poller = zmq.asyncio.Poller()
        sockets = {
            kc.iopub_channel.socket: kc.iopub_channel,
            kc.stdin_channel.socket: kc.stdin_channel,
            kc.shell_channel.socket: kc.shell_channel,
        }
        for sock in sockets:
            poller.register(sock, zmq.POLLIN)
        out: list[str] = []
        errors: list[str] = []
        replied = idle = False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelTimeout(f"no answer from the sandbox kernel in {timeout:.0f} s")
            events = dict(await poller.poll(timeout=min(left, 0.25) * 1000))
            if not events:
                if not await self.is_alive():
                    raise KernelDied("the sandbox kernel died during the run")
                continue
            for sock in events:
                channel = sockets[sock]
                msg = await channel.get_msg(timeout=0)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                content = msg["content"]
                if channel is kc.iopub_channel:
                    if kind == "stream" and content.get("name") == "stdout":
                        out.append(content["text"])
                    elif kind == "error":
                        errors.append("\n".join(content.get("traceback", [])))
                    elif kind == "status" and content.get("execution_state") == "idle":
                        idle = True
                elif channel is kc.stdin_channel and kind == "input_request":
                    prompt = content.get("prompt", "")
                    kc.input(stdin_reply(prompt) if stdin_reply else "")
                elif channel is kc.shell_channel and kind == "execute_reply":
                    replied = True
                    if content.get("status") == "error":
                        errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        if errors:
            raise RuntimeError("the sandbox kernel failed: " + "\n".join(errors)[-4000:])
        return "".join(out)

    async def restart(self) -> None:
        await self.shutdown()
        await self.start()

    async def shutdown(self) -> None:
        kc, km = self.kc, self.km
        self.kc = self.km = None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                await km.shutdown_kernel(now=True)
            except Exception:  # already gone: nothing left to stop
                pass
        # Its IPC sockets' and kernelspec's folders go with it (start() makes
        # new ones), not whenever the garbage collector gets to this object.
        self._remove_folders()

    def _remove_folders(self) -> None:
        import shutil

        for folder in (self._spec_root, self._ipc_dir):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        self._spec_root = self._ipc_dir = None

    def __del__(self) -> None:
        self._remove_folders()

