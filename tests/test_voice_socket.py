"""The voice WebSocket over a real jupyter-server (pytest-jupyter), with real
speech: sentences spoken on this machine by flite, read as 16 kHz PCM16,
streamed in 20–100 ms binary frames with silence around them as the browser
sends them, and recognised by pocketsphinx (``stt.engine = "pocketsphinx"``;
its engine is loaded once per test process and cached).

The sessions run on a FakeClock that the test moves on by each frame's
length as it sends it, so the speech timing on the session clock is exact
and no test waits for real time to pass.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import jiwer
import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from tornado.httpclient import HTTPClientError, HTTPResponse
from tornado.websocket import WebSocketClientConnection
from traitlets.config import Config

from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.protocol import TOKEN_HEADER
from mock_interviewer_lab.server import MockInterviewerApp
from mock_interviewer_lab.server.app import TOKEN_ENV
from mock_interviewer_lab.server.base import VOICE_KEY
from mock_interviewer_lab.server.services import VoiceService
from mock_interviewer_lab.server.sockets import (
    BUSY_CLOSE_CODE,
    VoiceSocketHandler,
    text_after_streamed,
)
from mock_interviewer_lab.voice.stt import Transcript
from mock_interviewer_lab.voice.tts import Speech
from mock_interviewer_lab.voice.wavfile import read_wav, wav_bytes

from .conftest import write_server_settings

_T = TypeVar("_T")
Run = Callable[[Awaitable[_T]], _T]

RATE = 16_000
#: What the candidate says, and the bound on pocketsphinx's word error rate
#: over them (0.15 measured here; about 0.27 over five such sentences).
SENTENCES = ("I would use a hash map to store each number",
             "the time complexity is linear in the length of the list",
             "can the input contain negative numbers")
MAX_WER = 0.5
#: Frame sizes the browser sends (ms), used in turn.
FRAME_MS = (20, 40, 60, 100, 20, 80)


# ------------------------------------------------------------------ speech


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each sentence spoken by flite, as 16 kHz mono PCM16 (resampled when
    the voice's own rate differs)."""
    flite = shutil.which("flite")
    assert flite is not None, "flite is needed to make speech (apt-get install flite)"
    folder = tmp_path_factory.mktemp("speech")
    out = {}
    for n, text in enumerate(SENTENCES):
        path = folder / f"{n}.wav"
        subprocess.run([flite, "-voice", "slt", "-t", text, "-o", str(path)], check=True)
        out[text] = read_wav(path).pcm16
    return out


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(seconds * RATE)


def in_frames(pcm: bytes) -> Iterator[bytes]:
    at, n = 0, 0
    while at < len(pcm):
        size = RATE * FRAME_MS[n % len(FRAME_MS)] // 1000 * 2
        yield pcm[at:at + size]
        at += size
        n += 1


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch, workspace=True,
                                 more="[stt]\nengine = \"pocketsphinx\"\n")


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


@pytest.fixture
def run(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    return jp_asyncio_loop.run_until_complete


@pytest.fixture
def extension(jp_serverapp: Any) -> MockInterviewerApp:
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert isinstance(app, MockInterviewerApp)
    return app


@pytest.fixture
def clock(extension: MockInterviewerApp) -> FakeClock:
    """The clock of the sessions started from now on."""
    fake = FakeClock(1000.0)
    extension.service.clock = fake
    return fake


@pytest.fixture
def voice(extension: MockInterviewerApp) -> VoiceService:
    service = extension.settings[VOICE_KEY]
    assert isinstance(service, VoiceService)
    return service


@pytest.fixture
def api(jp_fetch: Any, run: Run[Any]) -> Callable[..., Any]:
    def call(method: str, *parts: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["body"] = json.dumps(body)
        response: HTTPResponse = run(jp_fetch("mock-interviewer", "api", *parts, method=method,
                                              raise_error=False, **kwargs))
        assert response.code < 300, response.body
        return json.loads(response.body)

    return call


@pytest.fixture
def sid(api: Callable[..., Any], clock: FakeClock) -> str:
    session_id: str = api("POST", "sessions", body={"problem": "add", "minutes": 30})[
        "session"]["id"]
    return session_id


class VoiceClient:
    """The browser's side of the voice socket."""

    def __init__(self, ws: WebSocketClientConnection, run: Run[Any], clock: FakeClock) -> None:
        self.ws = ws
        self.run = run
        self.clock = clock
        self.received: list[dict[str, Any]] = []   # every message, in order
        self._backlog: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any] | bytes) -> None:
        self.run(self.ws.write_message(message if isinstance(message, bytes)
                                       else json.dumps(message), binary=isinstance(message, bytes)))

    def start(self, **fields: Any) -> None:
        self.send({"type": "start", "sample_rate": RATE, "format": "pcm16", "client": "test",
                   **fields})

    def stream(self, pcm: bytes) -> None:
        """Frames as the browser sends them, the session clock moving on with them."""
        for frame in in_frames(pcm):
            self.clock.advance(len(frame) / 2 / RATE)
            self.send(frame)
            self.run(asyncio.sleep(0.001))  # the server reads it before time moves on

    def receive(self, timeout: float = 60.0) -> dict[str, Any] | None:
        """The next message; None when the server closed the socket."""
        message = self.run(asyncio.wait_for(self.ws.read_message(), timeout))
        if message is None:
            return None
        assert isinstance(message, str)
        data: dict[str, Any] = json.loads(message)
        self.received.append(data)
        return data

    def until(self, wanted: Callable[[dict[str, Any]], bool],
              timeout: float = 60.0) -> dict[str, Any]:
        """The first message not taken yet that is ``wanted`` (earlier ones
        of other kinds stay to be taken later)."""
        for message in self._backlog:
            if wanted(message):
                self._backlog.remove(message)
                return message
        while True:
            got = self.receive(timeout)
            assert got is not None, f"closed before it came; got {self.received}"
            if wanted(got):
                return got
            self._backlog.append(got)

    def next_of(self, kind: str, timeout: float = 60.0) -> dict[str, Any]:
        return self.until(lambda m: m["type"] == kind, timeout)

    def error(self, code: str) -> dict[str, Any]:
        message = self.next_of("error")
        assert message["code"] == code, message
        return message

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def connect(jp_ws_fetch: Any, run: Run[Any], clock: FakeClock, voice: VoiceService
            ) -> Iterator[Callable[..., VoiceClient]]:
    """Opens voice sockets; at the end closes them and waits until the server
    has ended their tasks, so none is left for the test's loop to close on."""
    opened: list[VoiceClient] = []

    def open_socket(session_id: str, **kwargs: Any) -> VoiceClient:
        ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", session_id, "voice",
                             **kwargs))
        client = VoiceClient(ws, run, clock)
        opened.append(client)
        return client

    yield open_socket
    for client in opened:
        client.close()
    wait_for(run, lambda: voice.pending_tasks == 0, timeout=120)


def events(api: Callable[..., Any], session_id: str, kind: str) -> list[dict[str, Any]]:
    records = api("GET", "sessions", session_id, "export")["records"]
    return [r for r in records if r["type"] == kind]


def wait_for(run: Run[Any], check: Callable[[], _T | None], timeout: float = 30.0) -> _T:
    """Poll until ``check()`` is truthy, letting the server's loop run between."""
    for _ in range(int(timeout / 0.05)):
        got = check()
        if got:
            return got
        run(asyncio.sleep(0.05))
    raise AssertionError("timed out")


def exactly(n: int, items: list[_T]) -> list[_T] | None:
    return items if len(items) == n else None


def wav_info(data: bytes) -> tuple[int, int, float]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.getframerate(), wav.getnchannels(), wav.getnframes() / wav.getframerate()


# ------------------------------------------------------------------ speech


def test_spoken_sentences_become_finals_candidate_said_and_spoken_answers(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        spoken: dict[str, bytes], voice: VoiceService) -> None:
    client = connect(sid)
    client.start()
    ready = client.next_of("ready")
    assert ready == {"type": "ready", "engine": "pocketsphinx", "model": ready["model"],
                     "tts": "pyttsx3", "sample_rate": RATE}
    assert "pocketsphinx" in ready["model"]

    client.stream(silence(0.6))
    for text in SENTENCES:
        client.stream(spoken[text] + silence(1.2))
    client.send({"type": "stop"})

    finals = [client.next_of("final", timeout=120) for _ in SENTENCES]
    assert [f["seq"] for f in finals] == [1, 2, 3]
    # Barge-in first: every final came after a speech_start.
    order = [m["type"] for m in client.received if m["type"] in ("speech_start", "final")]
    assert order == ["speech_start", "final"] * 3
    heard = [f["text"] for f in finals]
    error_rate = jiwer.wer([s.lower() for s in SENTENCES], heard)
    print(f"\npocketsphinx on flite speech over the voice socket: WER {error_rate:.3f}")
    for said, got in zip(SENTENCES, heard, strict=True):
        print(f"  said {said!r}\n  heard {got!r}")
    assert error_rate <= MAX_WER

    # Each final is in the session as a candidate_said from the voice, with
    # the speech's own timing on the session clock (audio starts at 0.6 s).
    posted = wait_for(client.run, lambda: exactly(3, events(api, sid, "candidate_said")))
    assert [e["data"]["text"] for e in posted] == heard
    assert all(e["data"]["source"] == "voice" for e in posted)
    # The stream began at session time 0 (the clock only moves with the audio).
    clip_at = 0.6
    previous_end = 0.0
    for event, text in zip(posted, SENTENCES, strict=True):
        speech = event["data"]["speech"]
        length = len(spoken[text]) / 2 / RATE
        print(f"  clip {clip_at:.2f}-{clip_at + length:.2f} s: speech {speech}")
        # flite leaves a little silence around its words; a frame read late
        # could only make the times later, never earlier.
        assert previous_end <= clip_at - 0.02 <= speech["start"] <= clip_at + 0.5
        assert clip_at + length - 0.6 <= speech["end"] <= clip_at + length + 0.5
        assert speech["end"] <= event["t"]
        previous_end = speech["end"]
        clip_at += length + 1.2
    transcript = api("GET", "sessions", sid, "report")
    assert transcript["session_id"] == sid

    # The coach answered each utterance, and each answer came spoken, in order.
    coach = [a["data"]["text"] for a in events(api, sid, "coach_says")]
    speaks = [client.next_of("speak") for _ in coach[1:]]  # not the intro: said before
    assert [s["text"] for s in speaks] == coach[1:]
    assert [s["id"] for s in speaks] == list(range(1, len(speaks) + 1))
    for message in speaks:
        assert message["mime"] == "audio/wav"
        rate, channels, seconds = wav_info(base64.b64decode(message["audio_b64"]))
        assert rate > 8000 and channels == 1 and seconds > 0.3
    # privacy.record_audio is false by default: no audio kept anywhere.
    assert not (Path(voice.settings.app.workspace_dir) / "audio").exists()


def test_record_audio_keeps_one_wav_per_utterance(
        connect: Callable[..., VoiceClient], sid: str, spoken: dict[str, bytes],
        voice: VoiceService) -> None:
    voice.settings.privacy.record_audio = True
    voice.settings.tts.engine = "none"
    client = connect(sid)
    client.start()
    assert client.next_of("ready")["tts"] is None
    first, second = SENTENCES[0], SENTENCES[2]
    client.stream(silence(0.3) + spoken[first] + silence(1.0) + spoken[second] + silence(1.0))
    client.next_of("final")
    client.next_of("final")
    folder = Path(voice.settings.app.workspace_dir) / "audio" / sid
    kept = wait_for(client.run, lambda: exactly(2, sorted(folder.glob("*.wav"))))
    for path, text in zip(kept, (first, second), strict=True):
        rate, channels, seconds = wav_info(path.read_bytes())
        assert (rate, channels) == (RATE, 1)
        spoken_s = len(spoken[text]) / 2 / RATE
        assert spoken_s - 0.3 < seconds < spoken_s + 1.5  # lead-in and the closing silence
    assert all(m["type"] != "speak" for m in client.received)  # tts off


def test_a_socket_dropped_mid_utterance_posts_what_was_heard(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        spoken: dict[str, bytes], run: Run[Any]) -> None:
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.stream(silence(0.3) + spoken[SENTENCES[1]])  # no silence after: still speaking
    client.next_of("speech_start")
    client.close()
    said = wait_for(run, lambda: events(api, sid, "candidate_said"))
    assert said[0]["data"]["source"] == "voice" and said[0]["data"]["text"]
    # The session goes on, in text.
    answer = api("POST", "sessions", sid, "events", body={"type": "said", "text": "ok, next"})
    assert answer["state"]["ended"] is False
    # And a new microphone may take over.
    again = connect(sid)
    again.start()
    assert again.next_of("ready")["engine"] == "pocketsphinx"


# ------------------------------------------------------------------ errors


def test_bad_frames_and_messages_are_errors_and_the_socket_stays(
        connect: Callable[..., VoiceClient], sid: str, spoken: dict[str, bytes]) -> None:
    client = connect(sid)
    client.send(silence(0.02))                       # before start
    assert "start" in client.error("bad_frame")["message"]
    client.send(silence(0.02))                       # said once, not per frame
    client.start(sample_rate=48000)
    assert "16000" in client.error("bad_rate")["message"]
    client.start(format="float32")
    assert "pcm16" in client.error("bad_rate")["message"]
    client.send(b"\x01" * 641)                       # still not started: dropped quietly
    client.ws.write_message("{not json")
    assert "not JSON" in client.error("bad_frame")["message"]
    client.send({"type": "dance"})
    assert "dance" in client.error("bad_frame")["message"]
    client.send({"type": "calibrate", "seconds": 99})
    assert "calibrate.seconds" in client.error("bad_frame")["message"]
    client.start()
    client.next_of("ready")
    client.send(b"\x01" * 641)
    assert "even number" in client.error("bad_frame")["message"]
    client.send(b"\x00\x01" * 16001)
    assert "at most 32000" in client.error("bad_frame")["message"]
    # Still listening.
    client.stream(spoken[SENTENCES[2]] + silence(1.0))
    assert client.next_of("final")["text"]
    errors = [m for m in client.received if m["type"] == "error"]
    assert [e["code"] for e in errors] == ["bad_frame", "bad_rate", "bad_rate", "bad_frame",
                                          "bad_frame", "bad_frame", "bad_frame", "bad_frame"]


def test_a_second_microphone_is_busy_and_the_first_keeps_working(
        connect: Callable[..., VoiceClient], sid: str, spoken: dict[str, bytes],
        run: Run[Any]) -> None:
    first = connect(sid)
    first.start()
    first.next_of("ready")
    second = connect(sid)
    assert "another microphone" in second.error("busy")["message"]
    assert second.receive() is None
    assert second.ws.close_code == BUSY_CLOSE_CODE
    first.stream(spoken[SENTENCES[0]] + silence(1.0))
    assert first.next_of("final")["text"]


def test_no_engine_keeps_the_session_in_text_and_still_speaks(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        voice: VoiceService) -> None:
    voice.settings.stt.engine = "none"
    client = connect(sid)
    client.start()
    message = client.error("no_engine")["message"]
    assert "stt.engine" in message and "goes on in text" in message
    client.stream(silence(0.5))                       # dropped quietly
    typed = api("POST", "sessions", sid, "events",
                body={"type": "said", "text": "Can the numbers be negative?"})
    text = next(a["data"]["text"] for a in typed["actions"] if a["type"] == "coach_says")
    speak = client.next_of("speak")
    assert speak["text"] == text
    assert [m["type"] for m in client.received] == ["error", "speak"]


class _FailingEngine:
    name = "fake"
    model = "a decoder that fails after half a second of speech"

    def recognizer(self, hints: Sequence[str] = ()) -> Any:
        class Failing:
            engine = "fake"
            fed = 0

            def accept(self, pcm16: bytes) -> Transcript | None:
                self.fed += len(pcm16)
                if self.fed > RATE:
                    raise RuntimeError("decoder lost its lattice")
                return None

            def finish(self) -> Transcript:
                return Transcript("", final=True)

        return Failing()


def test_an_engine_failing_to_load_or_mid_stream_is_one_error(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        spoken: dict[str, bytes], voice: VoiceService) -> None:
    def cannot_load(settings: Any) -> Any:
        raise OSError("model file truncated")

    voice.engine_loader = cannot_load
    client = connect(sid)
    client.start()
    assert "model file truncated" in client.error("engine_failed")["message"]
    client.close()

    voice.engine_loader = lambda settings: _FailingEngine()
    client = connect(sid)
    client.start()
    assert client.next_of("ready")["engine"] == "fake"
    client.stream(spoken[SENTENCES[0]] + silence(1.0))
    message = client.error("engine_failed")["message"]
    assert "decoder lost its lattice" in message and "goes on in text" in message
    client.stream(spoken[SENTENCES[0]] + silence(1.0))   # dropped quietly now
    said = api("POST", "sessions", sid, "events", body={"type": "said", "text": "typing now"})
    assert said["state"]["ended"] is False
    client.next_of("speak")
    assert [m["code"] for m in client.received if m["type"] == "error"] == ["engine_failed"]


# ------------------------------------------------------------------- auth


def test_the_voice_socket_needs_credentials(
        connect: Callable[..., VoiceClient], sid: str) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "", TOKEN_HEADER: "nope"}):
        with pytest.raises(HTTPClientError) as refused:
            connect(sid, headers=headers)
        assert refused.value.code == 403
    with pytest.raises(HTTPClientError) as missing:
        connect("no-such-session")
    assert missing.value.code == 404
    kernel = connect(sid, headers={"Authorization": "", TOKEN_HEADER: os.environ[TOKEN_ENV]})
    kernel.start()
    assert kernel.next_of("ready")["sample_rate"] == RATE


# ------------------------------------------------- calibration and silence


def test_calibration_sets_and_saves_the_noise_threshold(
        connect: Callable[..., VoiceClient], sid: str, settings_file: Path,
        voice: VoiceService) -> None:
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.send({"type": "calibrate", "seconds": 0.5})
    hum = b"".join(((-1) ** (i // 8) * 600).to_bytes(2, "little", signed=True)
                   for i in range(RATE))   # a steady hum at RMS 600/32768 ≈ 0.018
    client.stream(hum)
    calibrated = client.next_of("calibrated")
    assert calibrated["noise_threshold"] == pytest.approx(2 * 600 / 32768, rel=0.05)
    assert calibrated["saved"] == str(settings_file)
    saved = settings_file.read_text(encoding="utf-8")
    assert "noise_threshold" in saved and "baseline_recorded = true" in saved
    assert "pocketsphinx" in saved  # the rest of the file kept
    assert voice.settings.stt.noise_threshold == calibrated["noise_threshold"]
    # The hum after calibration is not speech for this socket any more.
    client.stream(hum)
    client.send({"type": "stop"})
    client.send({"type": "dance"})
    client.next_of("error")
    assert all(m["type"] != "speech_start" for m in client.received)


def test_a_long_silence_is_posted_and_the_coach_nudges(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        clock: FakeClock, run: Run[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VoiceSocketHandler, "silence_check_s", 0.05)
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.stream(silence(0.5))                       # the microphone is on, nobody speaks
    clock.advance(5.0)
    run(asyncio.sleep(0.3))
    assert events(api, sid, "silence") == []          # 5.5 s: not yet (8 s by default)
    clock.advance(3.0)
    posted = wait_for(run, lambda: events(api, sid, "silence"))
    assert posted[0]["data"]["seconds"] >= 8.0
    nudge = client.next_of("speak")
    assert nudge["text"] in [a["data"]["text"] for a in events(api, sid, "coach_says")]
    # Microphone off: its silence is nobody's business any more.
    client.send({"type": "stop"})
    run(asyncio.sleep(0.2))
    before = len(events(api, sid, "silence"))
    clock.advance(60.0)
    run(asyncio.sleep(0.3))
    assert len(events(api, sid, "silence")) == before


def test_typing_ends_a_silence_and_is_recorded(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        clock: FakeClock, run: Run[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Coding in silence with the mic on is not being stuck.
    monkeypatch.setattr(VoiceSocketHandler, "silence_check_s", 0.05)
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.stream(silence(0.5))
    for _ in range(4):                                  # 4 × 5 s of typing, no words
        clock.advance(5.0)
        client.send({"type": "typing"})
        run(asyncio.sleep(0.2))
    assert events(api, sid, "silence") == []
    typed = events(api, sid, "typing")
    assert 1 <= len(typed) <= 2                         # recorded at most every 10 s
    clock.advance(9.0)                                  # then quiet for longer than 8 s
    assert wait_for(run, lambda: events(api, sid, "silence"))


def test_a_streamed_reply_is_not_spoken_twice() -> None:
    # coach_partial sentences are spoken as they come; the coach_says that
    # closes the reply adds only what they did not hold.
    text = "Good start. What about duplicates? Think it through."
    assert text_after_streamed(text, ["Good start.", "What about duplicates?"]) \
        == "Think it through."
    assert text_after_streamed(text, ["Good start.", "Think it through."]) == ""
    assert text_after_streamed(text, ["Something else."]) == text


# ------------------------------------------------------ empty speech, stopping


class _EmptyFirst:
    """A synthesizer whose first ``empty`` answers are an empty WAV file."""

    name = "fake"

    def __init__(self, empty: int) -> None:
        self.empty = empty
        self.calls = 0

    def synthesize(self, text: str) -> Speech:
        self.calls += 1
        if self.calls <= self.empty:
            return Speech(b"", 22_050, 0.0)
        return Speech(wav_bytes(b"\x00\x10" * 22_050, 22_050), 22_050, 1.0)


def test_a_line_that_comes_back_as_an_empty_wav_is_spoken_again_once(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        voice: VoiceService) -> None:
    fake = _EmptyFirst(empty=1)
    voice.synthesizer_loader = lambda settings: fake
    client = connect(sid)
    typed = api("POST", "sessions", sid, "events", body={"type": "said", "text": "Hello?"})
    text = next(a["data"]["text"] for a in typed["actions"] if a["type"] == "coach_says")
    speak = client.next_of("speak")
    assert speak["text"] == text and base64.b64decode(speak["audio_b64"]).startswith(b"RIFF")
    assert fake.calls == 2
    assert all(m["type"] != "error" for m in client.received)


def test_a_line_that_stays_empty_is_reported_and_the_session_goes_on_in_text(
        api: Callable[..., Any], connect: Callable[..., VoiceClient], sid: str,
        voice: VoiceService) -> None:
    fake = _EmptyFirst(empty=1_000)
    voice.synthesizer_loader = lambda settings: fake
    client = connect(sid)
    api("POST", "sessions", sid, "events", body={"type": "said", "text": "Hello?"})
    message = client.error("tts_failed")["message"]
    assert "no usable audio for this line twice" in message and "transcript" in message
    assert fake.calls == 2
    typed = api("POST", "sessions", sid, "events", body={"type": "said", "text": "Negatives?"})
    assert typed["state"]["ended"] is False
    assert any(a["type"] == "coach_says" for a in typed["actions"])
    assert all(m["type"] != "speak" for m in client.received)


class _SlowToFinish:
    """A recognizer that takes a while to finish an utterance, and says when
    its native side is freed."""

    name = "slow"
    model = "slow"

    def __init__(self, finish_s: float) -> None:
        self.finish_s = finish_s
        self.closed = threading.Event()

    def recognizer(self, hints: Sequence[str] = ()) -> Any:
        engine = self

        class Slow:
            engine = "slow"

            def accept(self, pcm16: bytes) -> Transcript | None:
                return None

            def finish(self) -> Transcript:
                time.sleep(engine.finish_s)
                return Transcript("a hash map", final=True)

            def close(self) -> None:
                engine.closed.set()

        return Slow()


def _loud(seconds: float) -> bytes:
    return b"\x00\x40\x00\xc0" * int(seconds * RATE / 2)


def test_stopping_the_server_ends_the_tasks_of_closed_sockets_too(
        connect: Callable[..., VoiceClient], sid: str, voice: VoiceService,
        run: Run[Any]) -> None:
    # A page closed while the recognizer still works on its last utterance:
    # that socket is no longer streaming, but its tasks are not done.
    slow = _SlowToFinish(finish_s=30.0)
    voice.engine_loader = lambda settings: slow
    voice.settings.tts.engine = "none"
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.stream(_loud(0.6))
    client.send({"type": "stop"})
    client.close()
    wait_for(run, lambda: voice._microphones == {})
    assert voice.pending_tasks > 0
    run(voice.close_sockets(timeout_s=0.2))
    assert voice.pending_tasks == 0       # cancelled and awaited, not left to the collector
    # No new socket once the server is stopping.
    late = connect(sid)
    assert late.receive() is None and late.ws.close_code == 1001


def test_a_socket_frees_its_recognizer_when_it_ends(
        connect: Callable[..., VoiceClient], sid: str, voice: VoiceService,
        run: Run[Any]) -> None:
    slow = _SlowToFinish(finish_s=0.0)
    voice.engine_loader = lambda settings: slow
    client = connect(sid)
    client.start()
    client.next_of("ready")
    client.stream(_loud(0.4))
    client.close()
    assert wait_for(run, slow.closed.is_set)
