"""Text to speech for ``tts.engine = "pyttsx3"``, rendered to WAV bytes.

Two ways of running pyttsx3 behind one :class:`Synthesizer`:

- **Linux: pyttsx3 in a fresh process per line**
  (:mod:`.tts_worker`). On Linux pyttsx3 drives espeak-ng through its
  ``espeak`` driver, which starts espeak-ng once per process in its
  asynchronous mode. Reused in one process (as a server must), that
  combination misbehaved here (pyttsx3 2.99, Debian espeak-ng 1.51):
  ``setProperty("rate", …)`` took effect on some calls and not on others, and
  a long sentence after a short one came back as an empty WAV. The same
  pyttsx3 run once per process has neither problem, costs about 60 ms a line,
  and needs no lock. The voices are listed with ``espeak-ng --voices`` (the
  ids pyttsx3's driver takes), so the server never loads the driver itself.
- **Elsewhere (macOS, Windows): pyttsx3 in process** (``save_to_file`` +
  ``runAndWait`` into a temporary file read back). pyttsx3 is neither
  thread-safe nor re-entrant: one engine per process, every use under one
  process-wide lock, voice and rate set before each line. Not exercised on
  these Linux machines.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mock_interviewer_lab.settings import TtsSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speech:
    wav: bytes  # a complete RIFF WAV file (mono PCM16)
    sample_rate: int
    seconds: float


class Synthesizer(Protocol):
    name: str

    def synthesize(self, text: str) -> Speech:
        """Thread-safe (serialised inside)."""
        ...


class TtsUnavailable(RuntimeError):
    """No speech output; str(exc) says why and how to fix it."""


class TtsFailed(RuntimeError):
    """One synthesis failed (the engine itself loaded)."""


class EmptySpeech(TtsFailed):
    """A synthesis came back without usable audio: no WAV, an unreadable or
    an empty one (worth one more try: see :func:`speak_line`)."""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


def _normalise(tag: str) -> str:
    return tag.strip().lower().replace("_", "-")


def _speech_from_pcm(pcm16: bytes, rate: int) -> Speech:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm16)
    return Speech(buffer.getvalue(), rate, len(pcm16) / (2 * rate))


# ------------------------------------------------------------- voice choice


def match_voice(wanted: str, voices: Sequence[VoiceInfo]) -> VoiceInfo | None:
    """The voice ``tts.voice`` names: an id ("gmw/en-US"), a name ("English
    (America)"), a language ("en-US"), the id's last part, a bare language
    ("en": the voice with the shortest code of that language, as espeak-ng
    itself picks), or a piece of a name; first match wins in that order."""
    key = _normalise(wanted)
    if not key:
        return None
    tests: list[Callable[[VoiceInfo], bool]] = [
        lambda v: _normalise(v.id) == key,
        lambda v: _normalise(v.name) == key,
        lambda v: key in v.languages[:1],
        lambda v: _normalise(v.id).rsplit("/", 1)[-1] == key,
    ]
    for test in tests:
        for voice in voices:
            if test(voice):
                return voice
    same_language = [v for v in voices if v.languages and v.languages[0].split("-")[0] == key]
    if same_language:
        return min(same_language, key=lambda v: len(v.languages[0]))
    return next((v for v in voices if key in _normalise(v.name)), None)


def _suggestions(wanted: str, voices: Sequence[VoiceInfo], limit: int = 6) -> str:
    first = _normalise(wanted).split("-")[0][:2]
    near = [v for v in voices if any(lang.startswith(first) for lang in v.languages)] if first else []
    shown = (near or list(voices))[:limit]
    return ", ".join(f"{v.languages[0] if v.languages else v.id} ({v.name})" for v in shown)


def _choose(settings: TtsSettings, voices: Sequence[VoiceInfo], how_to_get: str) -> VoiceInfo:
    voice = match_voice(settings.voice, voices)
    if voice is None:
        raise TtsUnavailable(
            f"tts.voice = {settings.voice!r} matches no installed voice; "
            + (f"some available: {_suggestions(settings.voice, voices)}" if voices
               else f"none is installed ({how_to_get})"))
    return voice


# --------------------------------------------------------- espeak-ng process

_ESPEAK_TIMEOUT_S = 60.0
_voices_cache: dict[str, list[VoiceInfo]] = {}
_voices_lock = threading.Lock()


def espeak_ng_voices(executable: str) -> list[VoiceInfo]:
    """``espeak-ng --voices``, parsed (read once per executable)."""
    with _voices_lock:
        if executable not in _voices_cache:
            try:
                listing = subprocess.run([executable, "--voices"], capture_output=True,
                                         text=True, timeout=_ESPEAK_TIMEOUT_S, check=True).stdout
            except (OSError, subprocess.SubprocessError) as exc:
                raise TtsUnavailable(f"{executable} --voices failed ({exc}); reinstall espeak-ng "
                                     "or set tts.engine = \"none\"") from None
            _voices_cache[executable] = parse_espeak_voices(listing)
        return list(_voices_cache[executable])


def parse_espeak_voices(listing: str) -> list[VoiceInfo]:
    # " 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)"
    voices = []
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        _, language, _, name, file_id = fields[:5]
        voices.append(VoiceInfo(file_id, name.replace("_", " "), (_normalise(language),)))
    return voices


def _speech_from_wav(data: bytes, who: str) -> Speech:
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            rate, channels = wav.getframerate(), wav.getnchannels()
            width, frames = wav.getsampwidth(), wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise EmptySpeech(f"{who} wrote an unreadable WAV file ({exc or 'empty'})") from None
    if channels != 1 or width != 2:
        raise TtsFailed(f"{who} wrote {channels} channels of {8 * width}-bit audio, "
                        "expected mono PCM16")
    if not frames:
        raise EmptySpeech(f"{who} wrote no audio")
    return _speech_from_pcm(frames, rate)


def speak_line(synthesizer: Synthesizer, text: str) -> Speech:
    """``text`` spoken by ``synthesizer``, its WAV checked: one that comes back
    missing, unreadable or empty is spoken once more; a second such answer is
    :class:`TtsFailed` saying so (the caller shows the line in text)."""
    try:
        return _checked(synthesizer.synthesize(text), synthesizer.name)
    except EmptySpeech as first:
        log.warning("%s gave no usable audio for a line (%s); speaking it again",
                    synthesizer.name, first)
    try:
        return _checked(synthesizer.synthesize(text), synthesizer.name)
    except EmptySpeech as second:
        raise TtsFailed(f"{synthesizer.name} gave no usable audio for this line twice "
                        f"({second})") from None


def _checked(speech: Speech, who: str) -> Speech:
    _speech_from_wav(speech.wav, who)  # raises EmptySpeech or TtsFailed
    return speech


class Pyttsx3ProcessSynthesizer:
    """pyttsx3, one process per line (see the module docstring)."""

    name = "pyttsx3"
    backend = "a process per line, espeak-ng driver"

    def __init__(self, voice: VoiceInfo, rate_wpm: int) -> None:
        self.voice = voice
        self.rate_wpm = rate_wpm

    def synthesize(self, text: str) -> Speech:
        workdir = tempfile.mkdtemp(prefix="mil-tts-")
        out = Path(workdir) / "speech.wav"
        # Text on stdin, never in argv: a line starting with "-" stays text.
        command = [sys.executable, "-m", "mock_interviewer_lab.voice.tts_worker", str(out),
                   self.voice.id, str(self.rate_wpm)]
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                  timeout=_ESPEAK_TIMEOUT_S, check=False)
            if done.returncode != 0:
                reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
                raise TtsFailed("pyttsx3 failed to speak: "
                                + (reason[-1] if reason else f"exit {done.returncode}"))
            if not out.is_file():
                raise EmptySpeech("pyttsx3 exited without writing its WAV file")
            return _speech_from_wav(out.read_bytes(), "pyttsx3")
        except (OSError, subprocess.SubprocessError) as exc:
            raise TtsFailed(f"pyttsx3 failed to speak ({exc})") from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------- pyttsx3 in process

# One pyttsx3 engine for the process, and the lock every use of it holds.
_engine_lock = threading.RLock()
_engine: Any = None


def _pyttsx3_engine() -> Any:
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                import pyttsx3
            except ImportError:  # pragma: no cover - pyttsx3 is a core dependency
                raise TtsUnavailable("the pyttsx3 package is not installed: pip install pyttsx3, "
                                     "or set tts.engine = \"none\" in settings.toml") from None
            try:
                _engine = pyttsx3.init()
            except Exception as exc:  # pyttsx3 raises whatever its driver raises
                raise TtsUnavailable(f"pyttsx3 could not start its speech driver ({exc}); "
                                     "set tts.engine = \"none\" to go on without speech") from None
        return _engine


def pyttsx3_voices() -> list[VoiceInfo]:
    with _engine_lock:
        voices = _pyttsx3_engine().getProperty("voices")
    infos = []
    for v in voices:
        languages = []
        for raw in v.languages or ():
            # Some drivers give raw bytes: a priority byte, then the code.
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            languages.append(_normalise("".join(ch for ch in text if ch.isprintable())))
        infos.append(VoiceInfo(str(v.id), str(v.name or v.id), tuple(languages)))
    return infos


class Pyttsx3Synthesizer:
    name = "pyttsx3"
    backend = "in process"

    def __init__(self, voice: VoiceInfo, rate_wpm: int) -> None:
        self.voice = voice
        self.rate_wpm = rate_wpm

    def synthesize(self, text: str) -> Speech:  # pragma: no cover - not on Linux
        workdir = tempfile.mkdtemp(prefix="mil-tts-")
        out = Path(workdir) / "speech.wav"
        try:
            with _engine_lock:
                engine = _pyttsx3_engine()
                engine.setProperty("voice", self.voice.id)
                engine.setProperty("rate", self.rate_wpm)
                engine.save_to_file(text, str(out))
                try:
                    engine.runAndWait()
                except RuntimeError as exc:
                    raise TtsFailed(f"pyttsx3 failed to speak: {exc}") from None
            if not out.is_file():
                raise EmptySpeech("pyttsx3 produced no audio file")
            data = out.read_bytes()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return _speech_from_wav(data, "pyttsx3")


# ------------------------------------------------------------------- loading


def load_synthesizer(settings: TtsSettings) -> Synthesizer | None:
    """The synthesizer the settings ask for; None when ``tts.engine = "none"``.
    Raises :class:`TtsUnavailable` when there is no speech engine or
    ``tts.voice`` names no installed voice."""
    if settings.engine == "none":
        return None
    if sys.platform.startswith("linux"):
        executable = shutil.which("espeak-ng")
        if executable is None:
            raise TtsUnavailable("espeak-ng is not installed (apt-get install espeak-ng), "
                                 "or set tts.engine = \"none\" to go on without speech")
        voice = _choose(settings, espeak_ng_voices(executable), "apt-get install espeak-ng")
        return Pyttsx3ProcessSynthesizer(voice, settings.rate_wpm)
    voice = _choose(settings, pyttsx3_voices(), "install a system voice")
    return Pyttsx3Synthesizer(voice, settings.rate_wpm)

