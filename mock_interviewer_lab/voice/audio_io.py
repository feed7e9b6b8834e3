"""Microphone and speaker for the terminal: a small interface over PyAudio
(the optional extra ``audio``), and file-backed stand-ins for tests and for
machines without sound devices.

Everything here speaks 16 kHz mono PCM16 little-endian on the way in (what
every speech engine is fed) and complete WAV files on the way out (what the
synthesizer makes). PyAudio is imported only when a real device is asked for;
when it is missing, or PortAudio finds no device, :class:`AudioUnavailable`
says so in one sentence. PortAudio and ALSA print pages of diagnostics on
stderr while they probe a machine without a sound card: that output is
silenced while probing and opening devices.
"""

from __future__ import annotations

import importlib
import io
import math
import os
import sys
import threading
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from mock_interviewer_lab.voice.wavfile import WavError, read_wav, wav_bytes

SAMPLE_RATE = 16_000
FRAME_MS = 30

INSTALL_HINT = ("pip install 'mock-interviewer-lab[audio]' (PyAudio; it needs PortAudio: "
                "apt install portaudio19-dev, brew install portaudio)")


class AudioUnavailable(RuntimeError):
    """No sound devices to use; ``str(exc)`` is one sentence saying why and what to do."""


#: A WAV file that cannot be used as audio input (the message names the file).
AudioFileError = WavError


# ------------------------------------------------------------- interfaces


class Microphone(Protocol):
    sample_rate: int       # always SAMPLE_RATE
    realtime: bool         # True: frames arrive at the pace of speech
    description: str

    def read(self) -> bytes | None:
        """The next frame of PCM16 (about FRAME_MS long); None when the source
        has ended. Blocks for about one frame on a real device."""
        ...

    def close(self) -> None: ...


class Speaker(Protocol):
    description: str

    def play(self, wav: bytes) -> None:
        """Start playing a complete WAV file; returns at once. A sound still
        playing is stopped first."""
        ...

    def stop(self) -> bool:
        """Stop at once (barge-in). True when something was playing."""
        ...

    @property
    def playing(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback ends (or ``timeout``); True when it has ended."""
        ...

    def close(self) -> None: ...


# ------------------------------------------------------------- PCM helpers


def _to_samples(pcm16: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(pcm16[: len(pcm16) - len(pcm16) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _to_bytes(samples: array[int]) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def resample(samples: array[int], rate_in: int, rate_out: int) -> array[int]:
    """Linear-interpolation resampling of one live frame (a device that will not
    open at 16 kHz); whole files go through :func:`.wavfile.resample`."""
    if rate_in == rate_out or not samples:
        return array("h", samples)
    n_out = max(1, round(len(samples) * rate_out / rate_in))
    positions = np.arange(n_out) * (rate_in / rate_out)
    # np.interp holds the last sample past the end, as a live frame must.
    out = np.interp(positions, np.arange(len(samples)), np.asarray(samples, dtype=np.float64))
    return array("h", np.round(out).astype(np.int16).tolist())


def tone_wav(frequency: float = 440.0, seconds: float = 0.6, level: float = 0.3,
             sample_rate: int = SAMPLE_RATE) -> bytes:
    """A sine tone with 20 ms fades (no clicks), as a WAV file."""
    count = int(seconds * sample_rate)
    fade = max(1, int(0.02 * sample_rate))
    samples = array("h", bytes(2 * count))
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        samples[i] = int(32767 * level * envelope * math.sin(2 * math.pi * frequency * i / sample_rate))
    return wav_bytes(_to_bytes(samples), sample_rate)


def read_wav_pcm16(path: str | os.PathLike[str]) -> bytes:
    """A WAV file's audio as 16 kHz mono PCM16 (:func:`.wavfile.read_wav`);
    :class:`AudioFileError` names the file."""
    return read_wav(Path(path)).pcm16


def wav_seconds(wav: bytes) -> float:
    try:
        with wave.open(io.BytesIO(wav), "rb") as w:
            return w.getnframes() / float(w.getframerate() or 1)
    except (wave.Error, EOFError):
        return 0.0


def record(mic: Microphone, seconds: float) -> bytes:
    """``seconds`` of audio from ``mic`` (less if the source ends first)."""
    wanted = int(seconds * SAMPLE_RATE) * 2
    chunks: list[bytes] = []
    have = 0
    while have < wanted:
        frame = mic.read()
        if frame is None:
            break
        chunks.append(frame)
        have += len(frame)
    return b"".join(chunks)[:wanted]


# ---------------------------------------------------------- file-backed


class WavFileMicrophone:
    """Replays audio as if spoken into a microphone: in real time (frames
    arrive at the pace of speech) or as fast as they are read. ``tail_silence_s``
    of silence follows the audio, so the last utterance can end naturally."""

    sample_rate = SAMPLE_RATE

    def __init__(self, pcm16: bytes, *, realtime: bool = True, frame_ms: int = FRAME_MS,
                 lead_silence_s: float = 0.0, tail_silence_s: float = 0.0,
                 description: str = "audio file",
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        lead = bytes(2 * int(lead_silence_s * SAMPLE_RATE))
        tail = bytes(2 * int(tail_silence_s * SAMPLE_RATE))
        self._audio = lead + pcm16[: len(pcm16) - len(pcm16) % 2] + tail
        self._frame_bytes = 2 * SAMPLE_RATE * frame_ms // 1000
        self._offset = 0
        self._started: float | None = None
        self.realtime = realtime
        self.description = description
        self._clock = clock
        self._sleep = sleep
        self.closed = False

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> WavFileMicrophone:
        kwargs.setdefault("description", str(path))
        return cls(read_wav_pcm16(path), **kwargs)

    @property
    def seconds(self) -> float:
        return len(self._audio) / 2 / SAMPLE_RATE

    def read(self) -> bytes | None:
        if self.closed or self._offset >= len(self._audio):
            return None
        frame = self._audio[self._offset:self._offset + self._frame_bytes]
        self._offset += len(frame)
        if self.realtime:
            now = self._clock()
            if self._started is None:
                self._started = now
            # A frame is "heard" once it has been spoken: wait for its end.
            due = self._started + self._offset / 2 / SAMPLE_RATE
            if due > now:
                self._sleep(due - now)
        return frame

    def close(self) -> None:
        self.closed = True


class NullSpeaker:
    """A speaker that plays nothing (no sound device, or tts off)."""

    description = "no speaker"

    def __init__(self) -> None:
        self.played = 0
        self.stopped = 0

    def play(self, wav: bytes) -> None:
        self.played += 1

    def stop(self) -> bool:
        return False

    @property
    def playing(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        pass


class WavCollectingSpeaker:
    """Writes each sound it is given to ``folder`` as 0001.wav, 0002.wav, … and
    "plays" it for the sound's duration on ``clock``, so barge-in can be seen
    (``interrupted`` counts sounds stopped before their end). With
    ``realtime=False`` a sound is over as soon as it is written."""

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 clock: Callable[[], float] = time.monotonic, realtime: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self.description = f"WAV files in {self.folder}" if self.folder else "memory"
        self.sounds: list[bytes] = []
        self.files: list[Path] = []
        self.interrupted = 0
        self._clock = clock
        self.realtime = realtime
        self._ends_at = 0.0
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()

    def play(self, wav: bytes) -> None:
        with self._lock:
            self.sounds.append(wav)
            if self.folder is not None:
                path = self.folder / f"{len(self.sounds):04d}.wav"
                path.write_bytes(wav)
                self.files.append(path)
            if self.realtime:
                self._ends_at = self._clock() + wav_seconds(wav)
                self._done.clear()

    def stop(self) -> bool:
        with self._lock:
            was_playing = self._clock() < self._ends_at and not self._done.is_set()
            if was_playing:
                self.interrupted += 1
            self._ends_at = 0.0
            self._done.set()
            return was_playing

    @property
    def playing(self) -> bool:
        with self._lock:
            return not self._done.is_set() and self._clock() < self._ends_at

    def wait(self, timeout: float | None = None) -> bool:
        # The timeout is real time; the sound's end is on ``clock`` (which a
        # test may hold still).
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.playing:
            step = 0.05
            if deadline is not None:
                step = min(step, deadline - time.monotonic())
                if step <= 0:
                    return False
            self._done.wait(step)
        return True

    def close(self) -> None:
        self.stop()


# ---------------------------------------------------------------- PyAudio


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (where ALSA, JACK and PortAudio write their
    probing noise) for the duration; Python's own stderr is flushed first."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_pyaudio() -> ModuleType:
    """The pyaudio module, or AudioUnavailable saying how to install it."""
    try:
        return importlib.import_module("pyaudio")  # by name: it has no type stubs
    except ImportError:
        raise AudioUnavailable(f"PyAudio is not installed: {INSTALL_HINT}") from None


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    default_input: bool = False
    default_output: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


NO_DEVICE_HINT = ("run it where a microphone and speaker are attached, or use "
                  "--audio-in FILE.wav / --from-wav FILE for recorded audio")


class AudioSystem:
    """PortAudio through PyAudio: the devices, and microphones and speakers on them."""

    def __init__(self) -> None:
        self._pyaudio = load_pyaudio()
        try:
            with quiet_stderr():
                self._pa: Any = self._pyaudio.PyAudio()
        except Exception as exc:  # PortAudio failing to start is not the user's bug
            raise AudioUnavailable(f"PortAudio could not start ({exc}); {NO_DEVICE_HINT}"
                                   ) from None
        self._lock = threading.Lock()

    def __enter__(self) -> AudioSystem:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with quiet_stderr():
            self._pa.terminate()

    def devices(self) -> list[AudioDevice]:
        with quiet_stderr():
            try:
                default_in = self._pa.get_default_input_device_info()["index"]
            except OSError:
                default_in = None
            try:
                default_out = self._pa.get_default_output_device_info()["index"]
            except OSError:
                default_out = None
            out = []
            for i in range(self._pa.get_device_count()):
                info = self._pa.get_device_info_by_index(i)
                out.append(AudioDevice(
                    index=i, name=str(info.get("name", f"device {i}")),
                    inputs=int(info.get("maxInputChannels", 0)),
                    outputs=int(info.get("maxOutputChannels", 0)),
                    default_rate=float(info.get("defaultSampleRate", 0)),
                    default_input=i == default_in, default_output=i == default_out))
        return out

    def _pick(self, device: int | None, kind: str) -> AudioDevice:
        devices = self.devices()
        usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
        if not usable:
            noun = "microphone (input device)" if kind == "input" else "speaker (output device)"
            raise AudioUnavailable(f"no {noun} found: PortAudio sees {len(devices)} device(s); "
                                   f"{NO_DEVICE_HINT}")
        if device is not None:
            for d in usable:
                if d.index == device:
                    return d
            raise AudioUnavailable(f"device {device} is not an {kind} device; "
                                   "`mock-interviewer audio test` lists them")
        default = [d for d in usable if (d.default_input if kind == "input" else d.default_output)]
        return (default or usable)[0]

    def microphone(self, device: int | None = None, frame_ms: int = FRAME_MS) -> PyAudioMicrophone:
        return PyAudioMicrophone(self, self._pick(device, "input"), frame_ms)

    def speaker(self, device: int | None = None) -> PyAudioSpeaker:
        return PyAudioSpeaker(self, self._pick(device, "output"))

    def open_stream(self, **kwargs: Any) -> Any:
        with self._lock, quiet_stderr():
            return self._pa.open(**kwargs)

    @property
    def pcm16_format(self) -> int:
        return int(self._pyaudio.paInt16)


def open_audio() -> AudioSystem:
    """PortAudio, or AudioUnavailable (PyAudio missing, PortAudio failing)."""
    return AudioSystem()


class PyAudioMicrophone:
    """The default (or a chosen) input device at 16 kHz mono PCM16. Devices
    that refuse 16 kHz are opened at their own rate and resampled."""

    sample_rate = SAMPLE_RATE
    realtime = True

    def __init__(self, system: AudioSystem, device: AudioDevice, frame_ms: int = FRAME_MS) -> None:
        self.device = device
        self.description = f"microphone {device.index}: {device.name}"
        self._rate = SAMPLE_RATE
        self._stream: Any = None
        errors = []
        for rate in dict.fromkeys([SAMPLE_RATE, int(device.default_rate or 0)]):
            if rate <= 0:
                continue
            self._chunk = max(1, rate * frame_ms // 1000)
            try:
                self._stream = system.open_stream(
                    format=system.pcm16_format, channels=1, rate=rate, input=True,
                    input_device_index=device.index, frames_per_buffer=self._chunk)
                self._rate = rate
                break
            except Exception as exc:  # PortAudio's OSError, or ValueError for a bad rate
                errors.append(f"{rate} Hz: {exc}")
        if self._stream is None:
            raise AudioUnavailable(f"{self.description} cannot be opened ({'; '.join(errors)}); "
                                   f"{NO_DEVICE_HINT}")

    def read(self) -> bytes | None:
        if self._stream is None:
            return None
        try:
            data: bytes = self._stream.read(self._chunk, exception_on_overflow=False)
        except OSError:
            return None  # the device went away: the source has ended
        if self._rate != SAMPLE_RATE:
            data = _to_bytes(resample(_to_samples(data), self._rate, SAMPLE_RATE))
        return data

    def close(self) -> None:
        if self._stream is not None:
            with quiet_stderr():
                try:
                    self._stream.stop_stream()
                    self._stream.close()
                except OSError:
                    pass
            self._stream = None


class PyAudioSpeaker:
    """Plays WAV files on an output device from a background thread, in 50 ms
    chunks, so that :meth:`stop` cuts the sound within one chunk."""

    CHUNK_S = 0.05

    def __init__(self, system: AudioSystem, device: AudioDevice) -> None:
        self._system = system
        self.device = device
        self.description = f"speaker {device.index}: {device.name}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def play(self, wav: bytes) -> None:
        self.stop()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, args=(wav, self._stop),
                                        daemon=True, name="speaker")
        self._thread.start()

    def _play(self, wav: bytes, stop: threading.Event) -> None:
        try:
            with wave.open(io.BytesIO(wav), "rb") as w:
                channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
                frames = w.readframes(w.getnframes())
            stream = self._system.open_stream(
                format=self._system._pa.get_format_from_width(width), channels=channels,
                rate=rate, output=True, output_device_index=self.device.index)
        except Exception as exc:  # a bad WAV or a device that refuses the format
            self.error = f"{self.description}: cannot play: {exc}"
            return
        step = max(1, int(rate * self.CHUNK_S)) * channels * width
        try:
            for start in range(0, len(frames), step):
                if stop.is_set():
                    break
                stream.write(frames[start:start + step])
        except OSError as exc:
            self.error = f"{self.description}: playback failed: {exc}"
        finally:
            with quiet_stderr():
                try:
                    stream.stop_stream()
                    stream.close()
                except OSError:
                    pass

    def stop(self) -> bool:
        was = self.playing
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        return was

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def close(self) -> None:
        self.stop()
