"""Vosk models: where one is found, and ``mock-interviewer voice download``.

Resolution (first match wins; see :func:`resolve_vosk_model`):

1. ``stt.model_path`` in settings.toml;
2. ``$MOCK_INTERVIEWER_VOSK_MODEL``;
3. the model for ``stt.language`` in the user cache, where ``voice download``
   puts it: ``$XDG_CACHE_HOME/mock-interviewer-lab/vosk/<model name>``
   (``~/.cache/…`` by default, ``~/Library/Caches/…`` on macOS).

A path given by 1 or 2 that holds no model is reported with the setting's
name and the path, never skipped silently. A model folder is one with
``am/final.mdl`` and ``conf/model.conf`` (every Vosk model has them).

The download (:func:`download_model`) is resumable (an HTTP Range request
continues a ``.part`` file), verified (the byte count the server announced,
a sha256 where one is known or given, every zip member's CRC, the expected
files) and installed atomically (unpacked into a temporary folder beside the
destination, then renamed into place), so an interrupted or corrupt download
never leaves a half model where the resolver would find it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mock_interviewer_lab.protocol import VOSK_MODEL_ENV, VOSK_URL_ENV

if TYPE_CHECKING:
    from mock_interviewer_lab.settings import SttSettings

MODEL_ENV = VOSK_MODEL_ENV
URL_ENV = VOSK_URL_ENV
DEFAULT_BASE_URL = "https://alphacephei.com/vosk/models"
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")


@dataclass(frozen=True)
class ModelSpec:
    name: str  # folder inside the zip and in the cache; the zip is <name>.zip
    approx_mb: int  # for the messages only (the exact size comes from the server)
    sha256: str | None = None  # alphacephei publishes none; fill in where known


# The small models (the ones meant for a laptop) of alphacephei.com/vosk/models.
VOSK_MODELS: dict[str, ModelSpec] = {
    "en-us": ModelSpec("vosk-model-small-en-us-0.15", 40),
    "en-in": ModelSpec("vosk-model-small-en-in-0.4", 36),
    "de": ModelSpec("vosk-model-small-de-0.15", 45),
    "fr": ModelSpec("vosk-model-small-fr-0.22", 41),
    "es": ModelSpec("vosk-model-small-es-0.42", 39),
    "it": ModelSpec("vosk-model-small-it-0.22", 48),
    "pt": ModelSpec("vosk-model-small-pt-0.3", 31),
    "ru": ModelSpec("vosk-model-small-ru-0.22", 45),
    "ko": ModelSpec("vosk-model-small-ko-0.22", 82),
}


class DownloadError(RuntimeError):
    """A download that failed; str(exc) says what and what to do."""


# ------------------------------------------------------------------ locations


def user_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/mock-interviewer-lab`` (``~/.cache`` when unset;
    ``~/Library/Caches`` on macOS), as platformdirs would say."""
    base = environ.get("XDG_CACHE_HOME")
    if not base:
        home = Path(environ.get("HOME") or Path.home())
        base = str(home / "Library" / "Caches" if sys.platform == "darwin" else home / ".cache")
    return Path(base).expanduser() / "mock-interviewer-lab"


def vosk_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    return user_cache_dir(environ) / "vosk"


def language_key(language: str) -> str:
    """``stt.language`` to a key of :data:`VOSK_MODELS`: "en" and "en_US" → "en-us"."""
    lang = language.strip().lower().replace("_", "-")
    if lang in VOSK_MODELS:
        return lang
    for key in VOSK_MODELS:
        if key.split("-")[0] == lang.split("-")[0]:
            return key
    return lang


def missing_model_files(path: Path) -> list[str]:
    """What keeps ``path`` from being a Vosk model folder ([] when it is one)."""
    if not path.is_dir():
        return ["the folder"]
    return [f for f in REQUIRED_FILES if not (path / f).is_file()]


@dataclass(frozen=True)
class VoskModelChoice:
    path: Path
    source: str  # "stt.model_path" | "$MOCK_INTERVIEWER_VOSK_MODEL" | the cache folder
    problem: str | None = None  # a clear sentence when the path holds no model


def _check(path: Path, source: str, described: str) -> VoskModelChoice:
    missing = missing_model_files(path)
    if not missing:
        return VoskModelChoice(path, source)
    what = ("it does not exist" if missing == ["the folder"] and not path.exists()
            else "it is not a folder" if missing == ["the folder"]
            else f"{' and '.join(missing)} missing")
    return VoskModelChoice(path, source, (
        f"{described} = {str(path)!r} is not a Vosk model folder ({what}); point it at an "
        "unpacked model (run `mock-interviewer voice download`) or leave it empty"))


def resolve_vosk_model(settings: SttSettings, *,
                       environ: Mapping[str, str] = os.environ) -> VoskModelChoice | None:
    """The Vosk model the settings point at, or None when there is none
    anywhere (the caller falls back). A configured path without a model comes
    back with ``problem`` set."""
    if settings.model_path.strip():
        return _check(Path(settings.model_path.strip()).expanduser(), "stt.model_path",
                      "stt.model_path")
    env_path = environ.get(MODEL_ENV, "").strip()
    if env_path:
        return _check(Path(env_path).expanduser(), f"${MODEL_ENV}", f"${MODEL_ENV}")
    spec = VOSK_MODELS.get(language_key(settings.language))
    if spec is not None:
        cached = vosk_cache_dir(environ) / spec.name
        if not missing_model_files(cached):
            return VoskModelChoice(cached, f"the model cache {vosk_cache_dir(environ)}")
    return None


# ------------------------------------------------------------------- download


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    url: str
    already_there: bool
    bytes_fetched: int
    sha256: str | None  # of the zip, when one was downloaded


# (bytes done, total or None) — the CLI draws a tqdm bar with it.
Progress = Callable[[int, int | None], None]


def model_url(spec: ModelSpec, base_url: str | None = None,
              environ: Mapping[str, str] = os.environ) -> str:
    base = (base_url or environ.get(URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/{spec.name}.zip"


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One download per model at a time (two terminals, a notebook and a CLI)."""
    with open(lock_path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, still atomic
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fetch(url: str, part: Path, progress: Progress | None, timeout: float) -> tuple[int, int]:
    """Fetch ``url`` into ``part``, continuing what is there already.
    Returns (bytes fetched now, expected total size)."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "mock-interviewer-lab"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to fetch: the .part is whole
            total = _range_total(exc.headers.get("Content-Range")) or have
            return 0, total
        raise DownloadError(f"could not fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"could not fetch {url}: {reason}; check the network, or set ${URL_ENV} "
            "to a mirror, or unpack a model by hand and set stt.model_path") from None
    with response:
        length = response.headers.get("Content-Length")
        if response.status == 206:
            total = _range_total(response.headers.get("Content-Range"))
            mode = "ab"
        else:  # 200: the server ignored the Range header, start again
            have, total, mode = 0, int(length) if length else 0, "wb"
        if not total and length:
            total = have + int(length)
        fetched = 0
        with open(part, mode) as out:
            if progress:
                progress(have, total or None)
            try:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    fetched += len(chunk)
                    if progress:
                        progress(have + fetched, total or None)
            except (OSError, http.client.HTTPException) as exc:
                raise DownloadError(
                    f"the download of {url} broke off after {have + fetched} bytes ({exc}); "
                    "run the same command again to continue it") from None
    if total and have + fetched < total:
        # The connection closed early without an error (urllib returns a
        # short read): keep the .part for the next run to continue.
        raise DownloadError(
            f"the download of {url} broke off after {have + fetched} of {total} bytes; "
            "run the same command again to continue it")
    return fetched, total or have + fetched


def _range_total(content_range: str | None) -> int:
    # "bytes 100-199/200" or "bytes */200"
    if content_range and "/" in content_range:
        tail = content_range.rsplit("/", 1)[1].strip()
        if tail.isdigit():
            return int(tail)
    return 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _model_root_in_zip(archive: zipfile.ZipFile) -> str:
    """The folder inside the zip that holds am/final.mdl and conf/model.conf."""
    names = set(archive.namelist())
    for name in names:
        if name.endswith(REQUIRED_FILES[0]):
            root = name[: -len(REQUIRED_FILES[0])]
            if all(root + f in names for f in REQUIRED_FILES):
                return root
    raise DownloadError(f"the zip holds no Vosk model ({' and '.join(REQUIRED_FILES)} missing)")


def verify_zip(path: Path, *, expected_size: int | None = None,
               expected_sha256: str | None = None) -> str:
    """Check a downloaded model zip; returns its sha256. Raises DownloadError."""
    size = path.stat().st_size
    if expected_size and size != expected_size:
        raise DownloadError(f"the download is {size} bytes, the server announced {expected_size}")
    sha = _sha256(path)
    if expected_sha256 and sha.lower() != expected_sha256.lower():
        raise DownloadError(f"the download's sha256 is {sha}, expected {expected_sha256}")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise DownloadError(f"the zip is damaged (bad CRC in {bad})")
            _model_root_in_zip(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DownloadError(f"the download is not a readable zip ({exc})") from None
    return sha


def _unpack(zip_path: Path, dest_dir: Path, name: str) -> Path:
    """Unpack into a temporary folder inside ``dest_dir``, then rename the
    model folder to ``dest_dir/name`` in one step."""
    target = dest_dir / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=dest_dir))
    try:
        with zipfile.ZipFile(zip_path) as archive:
            root = _model_root_in_zip(archive)
            for member in archive.infolist():
                rel = PurePosixPath(member.filename)
                if rel.is_absolute() or ".." in rel.parts:
                    raise DownloadError(f"the zip has an unsafe member name {member.filename!r}")
                if not member.filename.startswith(root):
                    continue
                archive.extract(member, staging)
        unpacked = staging / root if root else staging
        if target.exists():
            # A folder that is there but is no model (an older hand-made try):
            # moved aside first so the rename below still lands in one step.
            aside = Path(tempfile.mkdtemp(prefix=f".{name}.old.", dir=dest_dir))
            os.replace(target, aside / name)
        os.replace(unpacked, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for leftover in dest_dir.glob(f".{name}.old.*"):
            shutil.rmtree(leftover, ignore_errors=True)
    return target


def download_model(language: str = "en-us", dest: Path | None = None, *,
                   base_url: str | None = None, sha256: str | None = None,
                   progress: Progress | None = None, timeout: float = 60.0,
                   environ: Mapping[str, str] = os.environ) -> DownloadResult:
    """Fetch, verify and unpack the small Vosk model for ``language`` into
    ``dest`` (the user cache by default). A model already there is left alone."""
    key = language_key(language)
    spec = VOSK_MODELS.get(key)
    if spec is None:
        raise DownloadError(f"no Vosk model known for language {language!r}; "
                            f"known: {', '.join(sorted(VOSK_MODELS))}")
    dest_dir = (dest or vosk_cache_dir(environ)).expanduser()
    url = model_url(spec, base_url, environ)
    target = dest_dir / spec.name
    if not missing_model_files(target):
        return DownloadResult(target, url, True, 0, None)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {dest_dir}: {exc.strerror}") from None
    part = dest_dir / f".{spec.name}.zip.part"
    with _exclusive(dest_dir / f".{spec.name}.lock"):
        if not missing_model_files(target):  # another process finished it meanwhile
            return DownloadResult(target, url, True, 0, None)
        fetched, total = _fetch(url, part, progress, timeout)
        try:
            digest = verify_zip(part, expected_size=total,
                                expected_sha256=sha256 or spec.sha256)
        except DownloadError as exc:
            part.unlink(missing_ok=True)  # the next try starts from scratch
            raise DownloadError(f"{url}: {exc}; nothing was installed, run the command "
                                "again to download it anew") from None
        _unpack(part, dest_dir, spec.name)
        part.unlink(missing_ok=True)
    return DownloadResult(target, url, False, fetched, digest)
