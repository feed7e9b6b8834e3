"""Speech to text: one streaming interface over Vosk and pocketsphinx.

Every engine is fed 16 kHz mono PCM16 little-endian audio in chunks of any
size. A :class:`Recognizer` gives partial hypotheses while audio comes in and
a final transcript when the caller says the utterance is over (the caller
owns end-of-utterance detection: see ``voice/vad.py``).

Which engine (``load_engine``):

- ``stt.engine = "vosk"`` (the default): the Vosk model at ``stt.model_path``,
  else ``$MOCK_INTERVIEWER_VOSK_MODEL``, else the one ``mock-interviewer voice
  download`` put in the user cache. With no model anywhere it falls back to
  pocketsphinx, whose English model ships inside its wheel (logged once).
  A path that is set but holds no model is an error naming the setting.
- ``stt.engine = "pocketsphinx"``: the wheel's English model.
- ``stt.engine = "none"``: :class:`VoiceUnavailable`.

Word hints (``problem_hints``): neither engine can bias free speech towards a
few words cheaply. Vosk only takes a grammar (a closed word list) and only
with some models, which would stop everything else from being recognised;
pocketsphinx's keyword search replaces its language model the same way. So
hints never restrict recognition. They are checked against the engine's
vocabulary, and the words the engine cannot recognise at all are logged once
(and kept on the recognizer as ``unknown_hints``), so that a problem whose
key words are out of vocabulary is visible instead of silently misheard.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mock_interviewer_lab.voice.models import VoskModelChoice, resolve_vosk_model

if TYPE_CHECKING:
    from mock_interviewer_lab.problems.loader import Problem
    from mock_interviewer_lab.settings import SttSettings

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # every engine is fed 16 kHz mono PCM16 little-endian
BYTES_PER_SECOND = SAMPLE_RATE * 2

# pocketsphinx: ask for a new hypothesis at most every 100 ms of audio. Its
# hyp() is a backtrace through the lattice; every 20 ms frame would be waste.
_PARTIAL_EVERY_BYTES = BYTES_PER_SECOND // 10


@dataclass(frozen=True)
class Transcript:
    text: str  # "" when nothing was recognised
    final: bool  # False = partial hypothesis


class Recognizer(Protocol):
    """One per utterance stream; not thread-safe."""

    engine: str  # "vosk" | "pocketsphinx"

    def accept(self, pcm16: bytes) -> Transcript | None:
        """Feed audio; a partial Transcript when the hypothesis changed, else None.
        Never final: utterance ends are decided by the caller."""
        ...

    def finish(self) -> Transcript:
        """End of utterance: the final Transcript of all audio since the last
        finish(); the recognizer is then ready for the next utterance."""
        ...

    # Vosk's and pocketsphinx's recognizers also have close(): the native
    # decoder is freed at once (VoiceChannel.close calls it when present).


class SpeechEngine(Protocol):
    """A loaded model; shareable, thread-safe to create recognizers."""

    name: str  # "vosk" | "pocketsphinx"
    model: str  # model path or description, for messages

    def recognizer(self, hints: Sequence[str] = ()) -> Recognizer: ...


class VoiceUnavailable(RuntimeError):
    """No speech recognition; str(exc) is one sentence saying how to fix it."""


NO_MODEL_ADVICE = (
    "run `mock-interviewer voice download` to fetch a Vosk model, "
    "or set stt.engine = \"pocketsphinx\" in settings.toml"
)


# ------------------------------------------------------------------- helpers


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w]


def _join(*parts: str) -> str:
    return " ".join(p for p in (s.strip() for s in parts) if p)


def _check_pcm(pcm16: bytes) -> None:
    if len(pcm16) % 2:
        raise ValueError(f"PCM16 audio must have an even number of bytes, got {len(pcm16)}")


# ---------------------------------------------------------------------- Vosk


class VoskRecognizer:
    engine = "vosk"

    def __init__(self, model: Any, unknown_hints: Sequence[str] = ()) -> None:
        import vosk

        self._rec: Any = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        self._rec.SetWords(True)
        self.unknown_hints = list(unknown_hints)
        # Vosk ends a segment by itself on a long pause (AcceptWaveform returns
        # True); the caller's utterance may span several such segments, so the
        # finished segments are kept until finish().
        self._segments: list[str] = []
        self._last_partial = ""

    def accept(self, pcm16: bytes) -> Transcript | None:
        _check_pcm(pcm16)
        if not pcm16:
            return None
        if self._rec is None:
            raise RuntimeError("this Vosk recognizer is closed")
        if self._rec.AcceptWaveform(pcm16):
            segment = json.loads(self._rec.Result()).get("text", "")
            if segment:
                self._segments.append(segment)
            current = _join(*self._segments)
        else:
            partial = json.loads(self._rec.PartialResult()).get("partial", "")
            current = _join(*self._segments, partial)
        if current == self._last_partial:
            return None
        self._last_partial = current
        return Transcript(current, final=False)

    def finish(self) -> Transcript:
        if self._rec is None:
            raise RuntimeError("this Vosk recognizer is closed")
        # FinalResult flushes the decoder and resets it for the next utterance.
        last = json.loads(self._rec.FinalResult()).get("text", "")
        text = _join(*self._segments, last)
        self._segments = []
        self._last_partial = ""
        return Transcript(text, final=True)

    def close(self) -> None:
        # The last reference: vosk's KaldiRecognizer frees the native one now.
        self._rec = None


class VoskEngine:
    name = "vosk"

    def __init__(self, path: Path, source: str = "stt.model_path") -> None:
        try:
            import vosk
        except ImportError:  # pragma: no cover - vosk is a core dependency
            raise VoiceUnavailable(
                "the vosk package is not installed: pip install vosk, "
                "or set stt.engine = \"pocketsphinx\" in settings.toml"
            ) from None
        vosk.SetLogLevel(-1)  # Kaldi logs every load step to stderr otherwise
        self.model = str(path)
        try:
            self._model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise VoiceUnavailable(
                f"the Vosk model at {path} (from {source}) could not be loaded ({exc}); "
                f"point {source} at another model or run `mock-interviewer voice download`"
            ) from None
        self._hint_cache: dict[tuple[str, ...], list[str]] = {}
        self._lock = threading.Lock()

    def unknown_words(self, hints: Sequence[str]) -> list[str]:
        words = sorted({w.lower() for h in hints for w in _words(h)})
        return [w for w in words if self._model.vosk_model_find_word(w) < 0]

    def recognizer(self, hints: Sequence[str] = ()) -> VoskRecognizer:
        return VoskRecognizer(self._model, self._check_hints(hints))

    def _check_hints(self, hints: Sequence[str]) -> list[str]:
        key = tuple(hints)
        with self._lock:
            if key not in self._hint_cache:
                unknown = self.unknown_words(hints) if hints else []
                if unknown:
                    log.info("Vosk model %s cannot recognise these hint words: %s",
                             self.model, ", ".join(unknown))
                self._hint_cache[key] = unknown
            return self._hint_cache[key]


# -------------------------------------------------------------- pocketsphinx


class PocketsphinxRecognizer:
    engine = "pocketsphinx"

    def __init__(self, decoder: Any, unknown_hints: Sequence[str] = ()) -> None:
        self._decoder: Any = decoder
        self.unknown_hints = list(unknown_hints)
        self._in_utterance = False
        self._since_hyp = 0
        self._last_partial = ""

    def _hyp(self) -> str:
        hyp = self._decoder.hyp()
        return hyp.hypstr.strip() if hyp is not None else ""

    def accept(self, pcm16: bytes) -> Transcript | None:
        _check_pcm(pcm16)
        if not pcm16:
            return None
        if self._decoder is None:
            raise RuntimeError("this pocketsphinx recognizer is closed")
        if not self._in_utterance:
            self._decoder.start_utt()
            self._in_utterance = True
        self._decoder.process_raw(pcm16, no_search=False, full_utt=False)
        self._since_hyp += len(pcm16)
        if self._since_hyp < _PARTIAL_EVERY_BYTES:
            return None
        self._since_hyp = 0
        current = self._hyp()
        if current == self._last_partial:
            return None
        self._last_partial = current
        return Transcript(current, final=False)

    def finish(self) -> Transcript:
        if not self._in_utterance:
            return Transcript("", final=True)
        self._decoder.end_utt()
        text = self._hyp()
        self._in_utterance = False
        self._since_hyp = 0
        self._last_partial = ""
        return Transcript(text, final=True)

    def close(self) -> None:
        # The decoder is this recognizer's own: the last reference goes.
        self._decoder = None
        self._in_utterance = False


class PocketsphinxEngine:
    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            import pocketsphinx
        except ImportError:  # pragma: no cover - pocketsphinx is a core dependency
            raise VoiceUnavailable(
                "the pocketsphinx package is not installed: pip install pocketsphinx"
            ) from None
        self._pocketsphinx = pocketsphinx
        self.model = f"pocketsphinx English model ({pocketsphinx.get_model_path()})"
        # A Decoder holds the acoustic model and the search state: one per
        # recognizer (a stream), built from one Config read once.
        # fwdflat off: that second pass runs in end_utt() over the whole
        # utterance, so the wait for a final grew with its length (≈ 1 s after
        # 20 s of speech here, ≈ 15 ms without it), for no clear gain in
        # accuracy on our sentences (WER 0.27–0.37 with it, 0.32 without).
        self._config = pocketsphinx.Config(samprate=SAMPLE_RATE, loglevel="FATAL",
                                           fwdflat=False)
        self._probe: Any = None
        self._lock = threading.Lock()

    def _decoder(self) -> Any:
        with self._lock:
            return self._pocketsphinx.Decoder(self._config)

    def unknown_words(self, hints: Sequence[str]) -> list[str]:
        words = sorted({w.lower() for h in hints for w in _words(h)})
        if not words:
            return []
        with self._lock:
            if self._probe is None:
                self._probe = self._pocketsphinx.Decoder(self._config)
            return [w for w in words if self._probe.lookup_word(w) is None]

    def recognizer(self, hints: Sequence[str] = ()) -> PocketsphinxRecognizer:
        unknown = self.unknown_words(hints) if hints else []
        if unknown:
            log.info("pocketsphinx cannot recognise these hint words: %s", ", ".join(unknown))
        return PocketsphinxRecognizer(self._decoder(), unknown)


# ------------------------------------------------------------------- loading

_engines: dict[tuple[str, str], SpeechEngine] = {}
_engines_lock = threading.Lock()
_fallback_logged = False


def _cached(key: tuple[str, str], build: Any) -> SpeechEngine:
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = build()
            _engines[key] = engine
        return engine


def load_engine(settings: SttSettings, *, environ: Mapping[str, str] = os.environ) -> SpeechEngine:
    """The engine the settings ask for, loaded once per (engine, model path).

    Raises :class:`VoiceUnavailable` for ``stt.engine = "none"`` and for a
    model path that is set but holds no usable model.
    """
    global _fallback_logged
    if settings.engine == "none":
        raise VoiceUnavailable(
            "speech recognition is off (stt.engine = \"none\"); set stt.engine = \"vosk\" "
            "and run `mock-interviewer voice download`, or set stt.engine = \"pocketsphinx\""
        )
    if settings.engine == "vosk":
        choice: VoskModelChoice | None = resolve_vosk_model(settings, environ=environ)
        if choice is not None:
            if choice.problem:
                raise VoiceUnavailable(choice.problem)
            path, source = choice.path, choice.source
            return _cached(("vosk", str(path)), lambda: VoskEngine(path, source))
        if not _fallback_logged:
            _fallback_logged = True
            log.warning("no Vosk model found (stt.model_path, $MOCK_INTERVIEWER_VOSK_MODEL, "
                        "the `mock-interviewer voice download` cache): using pocketsphinx's "
                        "English model instead")
    return _cached(("pocketsphinx", ""), PocketsphinxEngine)


def clear_engine_cache() -> None:
    """Forget loaded engines (tests; a new model downloaded; exit)."""
    with _engines_lock:
        _engines.clear()


# The models are freed at exit while vosk and pocketsphinx are still whole,
# not whenever module teardown reaches this dictionary.
atexit.register(clear_engine_cache)


def transcribe_pcm(engine: SpeechEngine, pcm16: bytes, chunk_bytes: int = 640,
                   hints: Sequence[str] = ()) -> tuple[Transcript, list[Transcript]]:
    """Stream a whole clip through a fresh recognizer in ``chunk_bytes`` pieces
    (640 = 20 ms): the final transcript and the partials seen on the way."""
    rec = engine.recognizer(hints)
    partials: list[Transcript] = []
    for start in range(0, len(pcm16), chunk_bytes):
        got = rec.accept(pcm16[start:start + chunk_bytes])
        if got is not None:
            partials.append(got)
    return rec.finish(), partials


_SPLIT_IDENTIFIER = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def problem_hints(problem: Problem) -> list[str]:
    """Words a candidate is likely to say about this problem: the function
    name split into words (``two_sum`` → "two sum", ``maxProfit`` → "max
    profit"), the title, the key terms and the tags; lower case, no repeats,
    in that order."""
    phrases: list[str] = []
    function = problem.tests.function
    phrases.append(" ".join(m.group(0).lower() for m in _SPLIT_IDENTIFIER.finditer(function)))
    phrases.append(problem.spec.title)
    phrases.extend(problem.spec.key_terms)
    phrases.extend(problem.spec.tags)
    seen: set[str] = set()
    hints: list[str] = []
    for phrase in phrases:
        cleaned = " ".join(re.findall(r"[a-z0-9']+", phrase.lower().replace("-", " ")))
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            hints.append(cleaned)
    return hints
