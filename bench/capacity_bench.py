"""Capacity of one server: N concurrent interview sessions against a real
jupyter-server with the extension (a subprocess on 127.0.0.1), as a class
on one server would use it.

Each simulated user has a session and its session WebSocket open (as the
kernel does), and submits ``two_sum`` solutions: wrong ones and correct
ones (correct code passes all the tests, so its growth is measured too).
Measured:

- submit → results: from the POST to the ``show_results`` action arriving
  on the user's WebSocket (what the panel shows), for correct and wrong
  submissions; and submit → answer (the POST's answer, which for correct
  code also waits for the growth measurement and the coach's reply);
- ``GET sessions`` latency, polled while the users submit;
- throughput (submissions answered per second), submissions refused (503);
- memory: the server's RSS and that of its descendants (the sandbox
  kernel and its runners).

Two scenarios: bursts (every user submits at once: correct, wrong, then
the same correct code again, answered from the growth cache) and paced
users (each thinks a random time between submissions, every submission a
new piece of code, alternating wrong and correct).

Run: ``.venv/bin/python bench/capacity_bench.py`` (``make bench`` runs it
with the defaults); ``--users 40 --duration 90 --think 10 30``. Writes
``bench/results/capacity.json``. Timings are never asserted: this machine
is shared; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from rich.console import Console
from rich.table import Table
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.websocket import WebSocketClientConnection, websocket_connect

ROOT = Path(__file__).resolve().parents[1]
API = "mock-interviewer/api/"
console = Console()

CORRECT = """def two_sum(nums, target):
    seen = {{}}
    for i, x in enumerate(nums):
        j = seen.get(target - x)
        if j is not None:
            return [j, i]
        seen[x] = i
    return []
# attempt {tag}
"""
WRONG = """def two_sum(nums, target):
    return [0, 1]  # attempt {tag}
"""


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, Any]:
    """p50/p95/max in milliseconds."""
    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    return {"n": len(values), "p50_ms": ms(pct(values, 0.5)), "p95_ms": ms(pct(values, 0.95)),
            "max_ms": ms(max(values) if values else None)}


# ------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """jupyter-server with the extension, in a folder of its own."""

    def __init__(self, folder: Path, *, measure_growth: bool, queue_size: int,
                 kernels: int) -> None:
        self.folder = folder
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}/"
        settings = folder / "settings.toml"
        settings.write_text(
            f'[app]\nsession_db = "sqlite:///{folder / "sessions.db"}"\n'
            f"[harness]\nmeasure_growth = {'true' if measure_growth else 'false'}\n"
            f"run_queue_size = {queue_size}\n", encoding="utf-8")
        config = folder / "jupyter_server_config.json"
        config.write_text(json.dumps({"ServerApp": {
            "jpserver_extensions": {"mock_interviewer_lab.server": True}}}))
        env = {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings),
               "JUPYTER_CONFIG_DIR": str(folder / "config"),
               "JUPYTER_DATA_DIR": str(folder / "data"),
               "JUPYTER_RUNTIME_DIR": str(folder / "runtime")}
        self.log = (folder / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", f"--config={config}",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
             "--ServerApp.allow_root=True", f"--MockInterviewerApp.harness_workers={kernels}",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={folder}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=folder)
        self.ps = psutil.Process(self.process.pid)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}", "Content-Type": "application/json"}

    def memory(self) -> dict[str, float]:
        """RSS in MB: the server process, and its descendants (sandbox)."""
        try:
            own = self.ps.memory_info().rss
            children = 0
            for child in self.ps.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    children += child.memory_info().rss
        except psutil.Error:
            return {"server_mb": 0.0, "sandbox_mb": 0.0}
        return {"server_mb": own / 2**20, "sandbox_mb": children / 2**20}

    def cpu_seconds(self) -> float:
        """CPU seconds of the server and its descendants so far."""
        total = 0.0
        for proc in [self.ps, *self.ps.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                # Runners are short-lived: their time is in their parent's
                # children_* once reaped.
                total += times.user + times.system + times.children_user \
                    + times.children_system
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


# ------------------------------------------------------------------ client


@dataclass
class Figures:
    results_correct: list[float] = field(default_factory=list)
    results_wrong: list[float] = field(default_factory=list)
    answer_correct: list[float] = field(default_factory=list)
    answer_wrong: list[float] = field(default_factory=list)
    get_sessions: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    submitted: int = 0
    started: float = 0.0
    ended: float = 0.0


class User:
    """One candidate: a session, its WebSocket, submissions one at a time."""

    def __init__(self, server: Server, client: AsyncHTTPClient, index: int) -> None:
        self.server = server
        self.client = client
        self.index = index
        self.session_id = ""
        self.socket: WebSocketClientConnection | None = None
        self.results: asyncio.Queue[float] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self.attempt = 0
        self.last_correct_tag = ""

    async def request(self, method: str, path: str, body: Any = None) -> HTTPResponse:
        request = HTTPRequest(self.server.base + API + path, method=method,
                              headers=self.server.headers, request_timeout=600,
                              body=None if body is None else json.dumps(body))
        return await self.client.fetch(request, raise_error=False)

    async def open(self) -> None:
        answer = await self.request("POST", "sessions", {"problem": "two_sum", "minutes": 240})
        if answer.code != 201:
            raise RuntimeError(f"POST sessions: {answer.code} {answer.body[:200]!r}")
        self.session_id = json.loads(answer.body)["session"]["id"]
        url = f"ws://127.0.0.1:{self.server.port}/{API}sessions/{self.session_id}/ws"
        self.socket = await websocket_connect(HTTPRequest(url, headers=self.server.headers))
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        while True:
            message = await self.socket.read_message()
            if message is None:
                return
            payload = json.loads(message)
            action = payload.get("action") or {}
            if payload.get("type") == "action" and action.get("type") == "show_results":
                self.results.put_nowait(time.perf_counter())

    async def submit(self, correct: bool, figures: Figures, *, same_code: bool = False) -> None:
        if same_code and correct and self.last_correct_tag:
            tag = self.last_correct_tag  # the very code this user sent before
        else:
            self.attempt += 1
            tag = f"u{self.index}-{self.attempt}"
        if correct:
            self.last_correct_tag = tag
        code = (CORRECT if correct else WRONG).format(tag=tag)
        while not self.results.empty():
            self.results.get_nowait()
        while True:
            t0 = time.perf_counter()
            answer = await self.request("POST", f"sessions/{self.session_id}/events",
                                        {"type": "code", "code": code})
            if answer.code == 503:
                figures.refused += 1
                await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                continue
            break
        answered = time.perf_counter()
        if answer.code != 200:
            figures.errors.append(f"{answer.code}: {answer.body[:200]!r}")
            return
        figures.submitted += 1
        try:
            shown = await asyncio.wait_for(self.results.get(), timeout=60)
        except TimeoutError:
            figures.errors.append("no show_results on the WebSocket")
            return
        (figures.results_correct if correct else figures.results_wrong).append(shown - t0)
        (figures.answer_correct if correct else figures.answer_wrong).append(answered - t0)

    async def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)


async def poll_sessions(server: Server, client: AsyncHTTPClient, figures: Figures,
                        stop: asyncio.Event, every_s: float) -> None:
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            await client.fetch(HTTPRequest(server.base + API + "sessions", headers=server.headers,
                                           request_timeout=120))
            figures.get_sessions.append(time.perf_counter() - t0)
        except HTTPClientError as exc:
            figures.errors.append(f"GET sessions: {exc}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def sample_memory(server: Server, peaks: dict[str, float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for key, value in server.memory().items():
            peaks[key] = max(peaks.get(key, 0.0), value)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


# --------------------------------------------------------------- scenarios


async def burst(users: list[User], server: Server, client: AsyncHTTPClient, *, correct: bool,
                same_code: bool = False) -> dict[str, Any]:
    figures = Figures()
    stop = asyncio.Event()
    poller = asyncio.ensure_future(poll_sessions(server, client, figures, stop, 0.25))
    cpu0 = server.cpu_seconds()
    figures.started = time.perf_counter()
    await asyncio.gather(*(u.submit(correct, figures, same_code=same_code) for u in users))
    figures.ended = time.perf_counter()
    stop.set()
    await poller
    return report(figures, server.cpu_seconds() - cpu0)


async def paced(users: list[User], server: Server, client: AsyncHTTPClient, *,
                duration_s: float, think: tuple[float, float], seed: int) -> dict[str, Any]:
    figures = Figures()
    stop = asyncio.Event()
    peaks: dict[str, float] = {}
    poller = asyncio.ensure_future(poll_sessions(server, client, figures, stop, 0.5))
    sampler = asyncio.ensure_future(sample_memory(server, peaks, stop))
    rng = random.Random(seed)
    cpu0 = server.cpu_seconds()
    figures.started = time.perf_counter()
    deadline = figures.started + duration_s

    async def one(user: User) -> None:
        correct = rng.random() < 0.5
        # Users start spread over one think time, not all at once.
        await asyncio.sleep(rng.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            await user.submit(correct, figures)
            correct = not correct
            await asyncio.sleep(rng.uniform(*think))

    await asyncio.gather(*(one(u) for u in users))
    figures.ended = time.perf_counter()
    stop.set()
    await asyncio.gather(poller, sampler)
    out = report(figures, server.cpu_seconds() - cpu0)
    out["peak_memory_mb"] = {k: round(v, 1) for k, v in peaks.items()}
    return out


def report(figures: Figures, cpu_s: float) -> dict[str, Any]:
    wall = figures.ended - figures.started
    return {
        "wall_s": round(wall, 2),
        "submissions": figures.submitted,
        "throughput_per_s": round(figures.submitted / wall, 2) if wall > 0 else None,
        "server_cpu_s": round(cpu_s, 2),
        "results_correct": summary(figures.results_correct),
        "results_wrong": summary(figures.results_wrong),
        "answer_correct": summary(figures.answer_correct),
        "answer_wrong": summary(figures.answer_wrong),
        "get_sessions": summary(figures.get_sessions),
        "refused_503": figures.refused,
        "errors": figures.errors[:10],
    }


# -------------------------------------------------------------------- main


async def wait_ready(server: Server, client: AsyncHTTPClient) -> None:
    for _ in range(600):
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited; see {server.folder / 'server.log'}")
        try:
            await client.fetch(HTTPRequest(server.base + API + "problems",
                                           headers=server.headers, request_timeout=5))
            return
        except (HTTPClientError, OSError):
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not answer in 60 s")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="mil-capacity-"))
    server = Server(folder, measure_growth=not args.no_growth, queue_size=args.queue_size,
                    kernels=args.kernels)
    client = AsyncHTTPClient(force_instance=True, max_clients=args.users * 2 + 8)
    load_before = os.getloadavg()
    result: dict[str, Any] = {
        "users": args.users, "duration_s": args.duration, "think_s": list(args.think),
        "measure_growth": not args.no_growth, "queue_size": args.queue_size,
        "sandbox_kernels": args.kernels,
        "cores": os.cpu_count(), "load_before": [round(x, 2) for x in load_before]}
    ok = False
    try:
        await wait_ready(server, client)
        result["memory_idle_mb"] = {k: round(v, 1) for k, v in server.memory().items()}
        warm = User(server, client, 0)
        await warm.open()
        t0 = time.perf_counter()
        await warm.submit(True, Figures())  # starts the sandbox kernel
        result["first_run_s"] = round(time.perf_counter() - t0, 2)
        await warm.close()
        users = [User(server, client, i + 1) for i in range(args.users)]
        await asyncio.gather(*(u.open() for u in users))
        result["memory_with_sessions_mb"] = {k: round(v, 1) for k, v in server.memory().items()}
        result["burst_correct"] = await burst(users, server, client, correct=True)
        result["burst_wrong"] = await burst(users, server, client, correct=False)
        result["burst_same_correct"] = await burst(users, server, client, correct=True,
                                                   same_code=True)
        result["paced"] = await paced(users, server, client, duration_s=args.duration,
                                      think=tuple(args.think), seed=args.seed)
        result["memory_end_mb"] = {k: round(v, 1) for k, v in server.memory().items()}
        await asyncio.gather(*(u.close() for u in users))
        ok = True
    finally:
        client.close()
        server.stop()
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            console.print(f"the server's folder and log are kept in {folder}")
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def print_tables(result: dict[str, Any]) -> None:
    def ms(block: dict[str, Any]) -> str:
        if not block["n"]:
            return "—"
        return f"{block['p50_ms']:.0f} / {block['p95_ms']:.0f} ms (n={block['n']})"

    table = Table(title=f"Capacity: {result['users']} users on one server, "
                  f"{result['sandbox_kernels']} sandbox kernel(s), think "
                  f"{result['think_s'][0]:g}–{result['think_s'][1]:g} s "
                  f"({result['cores']} cores, load {result['load_before'][0]:.1f} before, "
                  f"{result['load_after'][0]:.1f} after)")
    table.add_column("scenario")
    table.add_column("subs/s")
    table.add_column("correct → results p50/p95")
    table.add_column("wrong → results p50/p95")
    table.add_column("correct → answer p50/p95")
    table.add_column("GET sessions p50/p95")
    table.add_column("503s")
    table.add_column("CPU-s")
    for name in ("burst_correct", "burst_wrong", "burst_same_correct", "paced"):
        block = result[name]
        table.add_row(name.replace("_", " "), str(block["throughput_per_s"]),
                      ms(block["results_correct"]), ms(block["results_wrong"]),
                      ms(block["answer_correct"]), ms(block["get_sessions"]),
                      str(block["refused_503"]), str(block["server_cpu_s"]))
    console.print(table)
    memory = Table(title="Memory (RSS, MB)")
    memory.add_column("when")
    memory.add_column("server")
    memory.add_column("sandbox (descendants)")
    rows = [("idle, before any run", result["memory_idle_mb"]),
            (f"{result['users']} sessions open, sandbox warm", result["memory_with_sessions_mb"]),
            ("peak while paced", result["paced"].get("peak_memory_mb", {})),
            ("end", result["memory_end_mb"])]
    for label, figures in rows:
        memory.add_row(label, f"{figures.get('server_mb', 0):.0f}",
                       f"{figures.get('sandbox_mb', 0):.0f}")
    console.print(memory)
    errors = [e for name in ("burst_correct", "burst_wrong", "burst_same_correct", "paced")
              for e in result[name]["errors"]]
    if errors:
        console.print(f"[red]errors:[/red] {errors[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--duration", type=float, default=90.0,
                        help="seconds of paced submissions")
    parser.add_argument("--think", type=float, nargs=2, default=(10.0, 30.0),
                        metavar=("MIN", "MAX"), help="seconds between a user's submissions")
    parser.add_argument("--queue-size", type=int, default=64,
                        help="harness.run_queue_size of the server")
    parser.add_argument("--kernels", type=int, default=2,
                        help="sandbox kernels of the server (MockInterviewerApp.harness_workers)")
    parser.add_argument("--no-growth", action="store_true",
                        help="harness.measure_growth = false")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "capacity.json")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print_tables(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"written to {args.json}")


if __name__ == "__main__":
    main()
