"""The terminal's voice: calibration, settings writing, the audio commands
without devices, and `start --voice` on recorded audio."""

from __future__ import annotations

import json
import math
import os
import random
import struct
import subprocess
import sys
import threading
import tomllib
import types
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mock_interviewer_lab.cli.terminal_voice import VoiceInterview, VoiceSetup
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Event
from mock_interviewer_lab.interview.clock import SystemClock
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings, SettingsError, load_settings
from mock_interviewer_lab.store import MEMORY, SessionStore
from mock_interviewer_lab.voice.audio_io import (
    AudioUnavailable,
    NullSpeaker,
    WavCollectingSpeaker,
    WavFileMicrophone,
    load_pyaudio,
    open_audio,
    record,
    tone_wav,
)
from mock_interviewer_lab.voice.noise_calibration import (
    MIN_THRESHOLD,
    NOISE_MARGIN,
    calibrate,
    noise_threshold_from,
    percentile,
    save_noise_threshold,
    window_levels,
)
from mock_interviewer_lab.voice.stt import Transcript
from mock_interviewer_lab.voice.tts import Speech
from mock_interviewer_lab.voice.vad import SegmenterConfig, UtteranceSegmenter
from mock_interviewer_lab.voice.wavfile import read_wav

EXE = str(Path(sys.executable).with_name("mock-interviewer"))
RATE = 16_000


# ------------------------------------------------------------------ audio


def noise(seconds: float, sigma: float, seed: int = 7) -> bytes:
    """Gaussian noise of standard deviation ``sigma`` (0..1 scale) as PCM16."""
    rng = random.Random(seed)
    return b"".join(struct.pack("<h", max(-32768, min(32767, round(rng.gauss(0, sigma) * 32768))))
                    for _ in range(int(seconds * RATE)))


def tone(seconds: float, level: float, freq: float = 220.0) -> bytes:
    return b"".join(struct.pack("<h", round(level * 32767 * math.sin(2 * math.pi * freq * i / RATE)))
                    for i in range(int(seconds * RATE)))


def mix(a: bytes, b: bytes) -> bytes:
    xs = np.frombuffer(a, "<i2").astype(np.int32)
    ys = np.frombuffer(b, "<i2").astype(np.int32)
    n = min(len(xs), len(ys))
    return bytes(np.clip(xs[:n] + ys[:n], -32768, 32767).astype("<i2").tobytes())


# ------------------------------------------------------------ calibration


def test_threshold_is_a_margin_above_the_noise_floor() -> None:
    pcm = noise(3, 0.01)
    result = calibrate(pcm)
    levels = window_levels(pcm)
    assert result.windows == len(levels) == 300  # 10 ms windows, as the segmenter uses
    floor = float(np.percentile(levels, 95))
    assert result.noise_floor == pytest.approx(floor, abs=1e-6)
    assert result.noise_threshold == pytest.approx(NOISE_MARGIN * floor, abs=1e-5)
    # Gaussian noise of σ 0.01: each window's RMS is close to 0.01.
    assert 0.0095 < result.noise_profile[0] < 0.0105
    assert 0.02 < result.noise_threshold < 0.025
    assert result.noise_profile == sorted(result.noise_profile)
    assert result.warning is None
    assert noise_threshold_from(pcm) == result.noise_threshold


def test_percentile_matches_numpy() -> None:
    rng = random.Random(3)
    values = [rng.random() for _ in range(97)]
    for pct in (0, 12.5, 50, 90, 95, 99, 100):
        assert percentile(values, pct) == pytest.approx(float(np.percentile(values, pct)))


def test_silence_loud_rooms_and_short_clips() -> None:
    digital = calibrate(bytes(2 * RATE))
    assert digital.noise_threshold == MIN_THRESHOLD
    assert digital.warning and "muted" in digital.warning
    loud = calibrate(noise(1, 0.2))
    assert 0.15 <= loud.noise_threshold <= 1.0 and loud.warning and "loud" in loud.warning
    assert calibrate(tone(1, 1.0)).noise_threshold == 1.0  # clamped to the settings' range
    with pytest.raises(ValueError, match="too little"):
        calibrate(bytes(2 * 1000))


def test_the_calibrated_threshold_ignores_the_room_and_hears_speech() -> None:
    room = noise(4, 0.01, seed=11)
    threshold = noise_threshold_from(room[: 2 * 3 * RATE])
    segmenter = UtteranceSegmenter(SegmenterConfig(threshold=threshold))
    assert segmenter.feed(room) == []  # the room's own noise is never speech
    # "Speech" (a tone at -20 dBFS) over the same noise starts an utterance,
    # and the room alone after it ends it.
    speech = mix(tone(1.0, 0.1), noise(1.0, 0.01, seed=12))
    kinds = [b.kind for b in segmenter.feed(speech + noise(1.0, 0.01, seed=13))]
    assert kinds == ["start", "end"]
    # The default 0.03 would have heard nothing of a quiet talker at 0.02.
    quiet = mix(tone(1.0, 0.03), noise(1.0, 0.004, seed=14))
    calibrated = UtteranceSegmenter(SegmenterConfig(
        threshold=noise_threshold_from(noise(2, 0.004, seed=15))))
    assert [b.kind for b in calibrated.feed(quiet + bytes(RATE * 2))] == ["start", "end"]
    assert UtteranceSegmenter(SegmenterConfig()).feed(quiet + bytes(RATE * 2)) == []


# --------------------------------------------------------------- settings


def test_saving_keeps_the_users_keys_and_comments(tmp_path: Path) -> None:
    target = tmp_path / "settings.toml"
    original = (
        "# my settings\n"
        "[app]\n"
        'session_db = "sqlite:///mine.db"  # where my sessions go\n'
        "\n"
        "[stt]\n"
        'engine = "pocketsphinx"  # no download\n'
        "noise_threshold = 0.03\n"
        "\n"
        "[coach.timing]\n"
        "intro_duration_s = 60\n"
    )
    target.write_text(original)
    assert save_noise_threshold(0.0123, target, noise_profile=[0.004, 0.005, 0.006, 0.007]) == target
    text = target.read_text()
    for line in ("# my settings", 'session_db = "sqlite:///mine.db"  # where my sessions go',
                 'engine = "pocketsphinx"  # no download', "intro_duration_s = 60"):
        assert line in text
    data = tomllib.loads(text)
    assert data["stt"] == {"engine": "pocketsphinx", "noise_threshold": 0.0123}
    assert data["calibration"] == {"baseline_recorded": True,
                                   "noise_profile": [0.004, 0.005, 0.006, 0.007]}
    settings = load_settings(target)
    assert settings.stt.noise_threshold == 0.0123 and settings.calibration.baseline_recorded
    assert settings.coach.timing.intro_duration_s == 60
    # Only the keys calibration owns changed.
    assert text.replace("noise_threshold = 0.0123", "noise_threshold = 0.03").startswith(original)


def test_saving_creates_the_file_and_refuses_bad_input(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCK_INTERVIEWER_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    written = save_noise_threshold(0.02)  # no file anywhere: the user config folder's
    assert written == tmp_path / "config" / "mock-interviewer" / "settings.toml"
    assert load_settings(written).stt.noise_threshold == 0.02
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(tmp_path / "env.toml"))
    assert save_noise_threshold(0.04) == tmp_path / "env.toml"  # the file in force

    inline = tmp_path / "inline.toml"
    inline.write_text('stt = { engine = "pocketsphinx" }\n')
    save_noise_threshold(0.01, inline)
    assert load_settings(inline).stt.engine == "pocketsphinx"

    for bad, message in (("[stt\n", "not valid TOML"), ("stt = 3\n", "must be a table"),
                         ("[stt]\nengine = \"whisper\"\n", "stt.engine")):
        path = tmp_path / "bad.toml"
        path.write_text(bad)
        with pytest.raises(SettingsError, match=message):
            save_noise_threshold(0.01, path)
        assert path.read_text() == bad  # never half-written
    for value in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"stt\.noise_threshold"):
            save_noise_threshold(value, tmp_path / "x.toml")


# ------------------------------------------------------- audio interfaces


def test_missing_pyaudio_is_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyaudio", None)  # `import pyaudio` now fails
    with pytest.raises(AudioUnavailable, match=r"pip install 'mock-interviewer-lab\[audio\]'"):
        load_pyaudio()
    with pytest.raises(AudioUnavailable, match="PortAudio"):
        open_audio()


def test_file_microphone_and_collecting_speaker(tmp_path: Path) -> None:
    pcm = tone(0.5, 0.1)
    mic = WavFileMicrophone(pcm, realtime=False, tail_silence_s=0.3)
    frames = []
    while (frame := mic.read()) is not None:
        frames.append(frame)
    assert b"".join(frames) == pcm + bytes(2 * int(0.3 * RATE))
    assert {len(f) for f in frames[:-1]} == {960}  # 30 ms frames

    waits: list[float] = []
    now = [100.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    timed = WavFileMicrophone(pcm, realtime=True, clock=lambda: now[0], sleep=sleep)
    while timed.read() is not None:
        pass
    # Paced like speech: each frame is handed over once it has been "spoken".
    assert len(waits) == 17 and now[0] - 100.0 == pytest.approx(0.5)

    clock = [0.0]
    speaker = WavCollectingSpeaker(tmp_path / "out", clock=lambda: clock[0])
    speaker.play(tone_wav(seconds=2.0))
    assert speaker.playing and (tmp_path / "out" / "0001.wav").is_file()
    clock[0] = 1.0
    assert speaker.stop() and speaker.interrupted == 1 and not speaker.playing
    speaker.play(tone_wav(seconds=0.5))
    clock[0] = 2.0
    assert not speaker.playing and not speaker.stop() and speaker.interrupted == 1
    assert [p.name for p in speaker.files] == ["0001.wav", "0002.wav"]


# ------------------------------------------------ the voice beside the terminal


class FakeRecognizer:
    engine = "fake"

    def __init__(self, said: list[str]) -> None:
        self.said = said
        self.fed = 0

    def accept(self, pcm16: bytes) -> Transcript | None:
        self.fed += len(pcm16)
        return Transcript("what should", final=False) if self.fed > 8000 else None

    def finish(self) -> Transcript:
        self.fed = 0
        return Transcript(self.said.pop(0) if self.said else "", final=True)


class FakeEngine:
    name = "fake"
    model = "fake model"

    def __init__(self, said: list[str]) -> None:
        self.said = said

    def recognizer(self, hints: Sequence[str] = ()) -> FakeRecognizer:
        return FakeRecognizer(self.said)


class FakeSynthesizer:
    """The welcome lasts a minute (so the candidate interrupts it); the rest 0.2 s."""

    name = "fake"

    def synthesize(self, text: str) -> Speech:
        seconds = 60.0 if text.startswith("Welcome") else 0.2
        return Speech(tone_wav(seconds=seconds), RATE, seconds)


class SpeaksWhileInterviewerTalks:
    """A microphone whose candidate starts talking once the interviewer does."""

    realtime = False
    sample_rate = RATE
    description = "test microphone"

    def __init__(self, inner: WavFileMicrophone, speaker: WavCollectingSpeaker) -> None:
        self.inner = inner
        self.speaker = speaker
        self.waited = False

    def read(self) -> bytes | None:
        if not self.waited:
            self.waited = True
            for _ in range(200):
                if self.speaker.playing:
                    break
                threading.Event().wait(0.01)
        return self.inner.read()

    def close(self) -> None:
        self.inner.close()


def test_voice_interview_posts_finals_and_barges_in(builtin_registry: ProblemRegistry,
                                                    tmp_path: Path) -> None:
    settings = Settings()
    settings.privacy.record_audio = True
    settings.app.workspace_dir = str(tmp_path / "workspace")
    store = SessionStore(MEMORY)
    problem = builtin_registry.get("two_sum")
    session = InterviewSession.start(store, problem, settings, harness=None, clock=SystemClock(),
                                     minutes=10, coach=ScriptedCoach())
    speaker = WavCollectingSpeaker(tmp_path / "spoken")
    utterance = bytes(2 * RATE // 2) + tone(1.5, 0.2)
    mic = SpeaksWhileInterviewerTalks(
        WavFileMicrophone(utterance, realtime=False, tail_silence_s=1.2), speaker)
    setup = VoiceSetup(microphone=mic, speaker=speaker,
                       engine=FakeEngine(["what should I return if there is no answer"]),
                       synthesizer=FakeSynthesizer(), replay=True)
    lines: list[str] = []

    def stdin_ends() -> str:
        raise EOFError

    from rich.console import Console

    console = Console(file=open(os.devnull, "w"), width=200)  # noqa: SIM115
    console.print = lambda *parts, **kw: lines.append(" ".join(map(str, parts)))  # type: ignore[method-assign]
    VoiceInterview(session, tmp_path / "solution.py", setup, read_line=stdin_ends,
                   console=console).run()

    said = [r for r in session.records() if isinstance(r, Event) and r.type == "candidate_said"]
    assert len(said) == 1
    data = said[0].data
    assert data["text"] == "what should I return if there is no answer"
    assert data["source"] == "voice"
    assert 0 <= data["speech"]["start"] < data["speech"]["end"] <= said[0].t
    assert any("you (voice):" in line and "no answer" in line for line in lines)
    # The welcome was cut off when the candidate spoke; the reply was spoken.
    assert speaker.interrupted >= 1
    assert len(speaker.files) >= 2
    # privacy.record_audio: the utterance is kept as a WAV in the workspace.
    kept = list((tmp_path / "workspace" / "audio" / session.info.id).glob("*.wav"))
    assert len(kept) == 1 and read_wav(kept[0]).seconds > 1.0
    assert session.ended


def test_null_speaker_and_no_tts(builtin_registry: ProblemRegistry, tmp_path: Path) -> None:
    """tts off: the lines are only printed; the voice still reaches the session."""
    session = InterviewSession.start(SessionStore(MEMORY), builtin_registry.get("two_sum"),
                                     Settings(), harness=None, clock=SystemClock(), minutes=10, coach=ScriptedCoach())
    setup = VoiceSetup(microphone=WavFileMicrophone(bytes(RATE) + tone(1.0, 0.2), realtime=False,
                                                    tail_silence_s=1.0),
                       speaker=NullSpeaker(), engine=FakeEngine(["is the list sorted"]),
                       synthesizer=None, replay=True)

    def stdin_ends() -> str:
        raise EOFError

    VoiceInterview(session, tmp_path / "s.py", setup, read_line=stdin_ends).run()
    said = [r.data["text"] for r in session.records()
            if isinstance(r, Event) and r.type == "candidate_said"]
    assert said == ["is the list sorted"]
    assert isinstance(setup.speaker, NullSpeaker) and setup.speaker.played == 0


# --------------------------------------------------------------------- CLI


FAKE_PYAUDIO_NO_DEVICES = '''
paInt16 = 8
class PyAudio:
    def get_device_count(self): return 0
    def get_default_input_device_info(self): raise OSError("No Default Input Device Available")
    def get_default_output_device_info(self): raise OSError("No Default Output Device Available")
    def terminate(self): pass
'''


#: A PyAudio with a 48 kHz-only microphone (quiet noise) and a speaker, for
#: the code paths a machine with sound devices takes.
FAKE_PYAUDIO_WITH_DEVICES = '''
import random, struct, time
paInt16 = 8
DEVICES = [
    {"name": "Fake Mic", "maxInputChannels": 1, "maxOutputChannels": 0, "defaultSampleRate": 48000.0},
    {"name": "Fake Speaker", "maxInputChannels": 0, "maxOutputChannels": 2, "defaultSampleRate": 44100.0},
]
OPENED = []
class Stream:
    def __init__(self, **kw):
        self.kw = kw
        self.written = []
        self.rng = random.Random(5)
        self.closed = False
    def read(self, n, exception_on_overflow=True):
        return b"".join(struct.pack("<h", round(self.rng.gauss(0, 300))) for _ in range(n))
    def write(self, data):
        self.written.append(data)
        time.sleep(0.002)
    def stop_stream(self):
        pass
    def close(self):
        self.closed = True
class PyAudio:
    def get_device_count(self):
        return len(DEVICES)
    def get_device_info_by_index(self, i):
        return dict(DEVICES[i], index=i)
    def get_default_input_device_info(self):
        return {"index": 0}
    def get_default_output_device_info(self):
        return {"index": 1}
    def get_format_from_width(self, width):
        return 8
    def open(self, **kw):
        if kw.get("input") and kw["rate"] != 48000:
            raise ValueError("Invalid sample rate")
        stream = Stream(**kw)
        OPENED.append(stream)
        return stream
    def terminate(self):
        pass
'''


def fake_pyaudio(source: str) -> types.ModuleType:
    module = types.ModuleType("pyaudio")
    exec(compile(source, "<fake pyaudio>", "exec"), module.__dict__)
    return module


def test_devices_microphone_and_speaker_over_pyaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_pyaudio(FAKE_PYAUDIO_WITH_DEVICES)
    monkeypatch.setitem(sys.modules, "pyaudio", fake)
    with open_audio() as system:
        devices = system.devices()
        assert [(d.name, d.inputs, d.outputs, d.default_input, d.default_output)
                for d in devices] == [("Fake Mic", 1, 0, True, False),
                                      ("Fake Speaker", 0, 2, False, True)]
        mic = system.microphone()
        # 16 kHz refused: opened at the device's 48 kHz, resampled to 16 kHz.
        assert fake.OPENED[-1].kw["rate"] == 48000
        frame = mic.read()
        assert frame is not None and len(frame) == 2 * 480  # 30 ms at 16 kHz
        assert 0.005 < noise_threshold_from(record(mic, 1.0)) < 0.03
        mic.close()
        assert fake.OPENED[0].closed and mic.read() is None

        speaker = system.speaker()
        wav = tone_wav(seconds=0.3)
        speaker.play(wav)
        assert speaker.wait(timeout=10)
        stream = fake.OPENED[-1]
        assert stream.kw["rate"] == 16000 and stream.kw["output_device_index"] == 1
        assert b"".join(stream.written) == read_wav(wav).pcm16 and stream.closed
        speaker.play(tone_wav(seconds=30))  # 600 chunks of 50 ms, 2 ms each to write
        assert speaker.playing
        assert speaker.stop() and not speaker.playing  # barge-in
        assert len(fake.OPENED[-1].written) < 600
        with pytest.raises(AudioUnavailable, match="device 1 is not an input device"):
            system.microphone(1)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'# mine\n[app]\nsession_db = "sqlite:///{tmp_path / "sessions.db"}"\n'
                        '\n[stt]\nengine = "pocketsphinx"  # no model download\n')
    return {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings),
            "XDG_CONFIG_HOME": str(tmp_path), "COLUMNS": "200"}


def shadow_pyaudio(env: dict[str, str], folder: Path, source: str) -> dict[str, str]:
    """An environment whose `import pyaudio` finds ``source`` first."""
    folder.mkdir(exist_ok=True)
    (folder / "pyaudio.py").write_text(source)
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder),
                                                                env.get("PYTHONPATH")]))}


def cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, input=stdin,
                          timeout=300)


def test_audio_commands_without_pyaudio_or_devices(env: dict[str, str], tmp_path: Path) -> None:
    absent = shadow_pyaudio(env, tmp_path / "absent", "raise ImportError('simulated: no pyaudio')\n")
    for args in (("audio", "test"), ("calibrate",)):
        out = cli(absent, *args)
        assert out.returncode == 1, out.stderr
        assert "PyAudio is not installed" in out.stderr and "[audio]" in out.stderr
        assert "Traceback" not in out.stderr + out.stdout

    none = shadow_pyaudio(env, tmp_path / "none", FAKE_PYAUDIO_NO_DEVICES)
    out = cli(none, "audio", "test")
    assert out.returncode == 1 and "no audio device" in out.stderr, out.stderr
    out = cli(none, "calibrate", "--seconds", "1")
    assert out.returncode == 1 and "no microphone" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_audio_test_and_calibrate_with_devices(env: dict[str, str], tmp_path: Path) -> None:
    fake = shadow_pyaudio(env, tmp_path / "fake", FAKE_PYAUDIO_WITH_DEVICES)
    out = cli(fake, "audio", "test", "--seconds", "0.5")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Fake Mic" in out.stdout and "Fake Speaker" in out.stdout
    assert "stt.noise_threshold = 0.03" in out.stdout and "nothing above the threshold" in out.stdout
    assert "playing the coach's voice (pyttsx3)" in out.stdout

    out = cli(fake, "calibrate", "--seconds", "1", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert 0.005 < result["noise_threshold"] < 0.03 and result["source"].endswith("Fake Mic")
    assert load_settings(Path(env["MOCK_INTERVIEWER_SETTINGS"])).stt.noise_threshold == \
        result["noise_threshold"]


def test_calibrate_from_a_wav_file(env: dict[str, str], tmp_path: Path) -> None:
    from mock_interviewer_lab.voice.wavfile import wav_bytes

    room = tmp_path / "room.wav"
    room.write_bytes(wav_bytes(noise(2, 0.01)))
    out = cli(env, "calibrate", "--from-wav", str(room), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert 0.02 < result["noise_threshold"] < 0.025
    settings_file = Path(env["MOCK_INTERVIEWER_SETTINGS"])
    assert result["saved_to"] == str(settings_file)
    text = settings_file.read_text()
    assert text.startswith("# mine\n") and 'engine = "pocketsphinx"  # no model download' in text
    saved = load_settings(settings_file)
    assert saved.stt.noise_threshold == result["noise_threshold"]
    assert saved.calibration.baseline_recorded and saved.calibration.noise_profile

    out = cli(env, "calibrate", "--from-wav", str(tmp_path / "missing.wav"))
    assert out.returncode == 2 and "missing.wav" in out.stderr and "Traceback" not in out.stderr


def test_start_voice_without_pyaudio_goes_on_in_text(env: dict[str, str], tmp_path: Path) -> None:
    absent = shadow_pyaudio(env, tmp_path / "absent", "raise ImportError('simulated: no pyaudio')\n")
    out = cli(absent, "start", "two_sum", "--file", str(tmp_path / "s.py"), "--minutes", "5",
              "--voice", stdin="Can the input be empty?\n")
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "voice off: PyAudio is not installed" in text and "goes on in text" in text
    assert "Traceback" not in text
    assert "interviewer:" in text  # the text interview ran


def test_start_voice_with_a_recording(env: dict[str, str], tmp_path: Path) -> None:
    sentence = "what should I return if there is no answer"
    speech = tmp_path / "speech.wav"
    subprocess.run(["flite", "-t", sentence, "-o", str(speech)], check=True, timeout=60)
    spoken = tmp_path / "spoken"
    out = cli(env, "start", "two_sum", "--file", str(tmp_path / "s.py"), "--minutes", "5",
              "--voice", "--audio-in", str(speech), "--audio-out", str(spoken))
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "you (voice):" in text and "Traceback" not in text

    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.db'}")
    sessions = store.sessions()
    assert len(sessions) == 1
    said = [r for r in store.records(sessions[0].id)
            if isinstance(r, Event) and r.type == "candidate_said"]
    assert len(said) == 1, text
    data = said[0].data
    assert data["source"] == "voice" and data["speech"]["start"] < data["speech"]["end"]
    heard = set(data["text"].lower().split())
    assert len(heard & set(sentence.lower().split())) >= 4, data["text"]  # pocketsphinx on flite
    # The interviewer's lines were spoken into WAV files.
    files = sorted(spoken.glob("*.wav"))
    assert files and read_wav(files[0]).seconds > 0.5

    shown = json.loads(cli(env, "sessions", "show", sessions[0].id, "--json").stdout)
    assert data["text"] in [line["text"] for line in shown["transcript"]]
