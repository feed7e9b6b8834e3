"""Utterance detection: where speech starts and where an utterance ends in a
stream of 16 kHz mono PCM16 audio. Pure: bytes in, boundaries out; no clock,
no I/O, no engine.

The rule (kept in step with ``docs/api.md``, "Voice WebSocket"):

- The audio is cut into 10 ms windows (whatever size the frames come in, so
  the result does not depend on how the client chunks its audio). A window's
  level is its RMS on the 0..1 scale (sample / 32768), the scale of
  ``stt.noise_threshold`` and of :mod:`.calibration`.
- Speech starts after ``start_ms`` (60 ms) of consecutive windows at or above
  the threshold: a click or a single knock is not speech.
- Once speaking, a window counts as speech down to ``release`` × threshold
  (hysteresis: the quiet ends of words do not end the utterance), and the
  utterance ends after ``end_ms`` (700 ms) of consecutive windows below that.
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass
from typing import Literal

SAMPLE_RATE = 16_000
WINDOW_MS = 10
#: Defaults of :class:`SegmenterConfig`, documented in docs/api.md.
DEFAULT_START_MS = 60
DEFAULT_END_MS = 700
DEFAULT_RELEASE = 0.6


def samples_of(pcm16: bytes) -> array[int]:
    """The signed 16-bit samples of little-endian PCM16 (an odd last byte is dropped)."""
    samples = array("h")
    samples.frombytes(pcm16[: len(pcm16) - len(pcm16) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def rms_level(pcm16: bytes) -> float:
    """RMS of the audio on the 0..1 scale; 0.0 for no audio."""
    samples = samples_of(pcm16)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768.0


@dataclass(frozen=True)
class SegmenterConfig:
    threshold: float = 0.03
    start_ms: int = DEFAULT_START_MS
    end_ms: int = DEFAULT_END_MS
    release: float = DEFAULT_RELEASE
    sample_rate: int = SAMPLE_RATE

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"stt.noise_threshold = {self.threshold!r}: must be from 0 to 1")
        if self.start_ms < WINDOW_MS or self.end_ms < WINDOW_MS:
            raise ValueError(f"start_ms and end_ms must be at least {WINDOW_MS} ms, not "
                             f"{self.start_ms} and {self.end_ms}")
        if not 0.0 < self.release <= 1.0:
            raise ValueError(f"release = {self.release!r}: must be above 0 and at most 1")
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate = {self.sample_rate!r}: must be positive")

    @property
    def window_samples(self) -> int:
        return max(1, self.sample_rate * WINDOW_MS // 1000)


@dataclass(frozen=True)
class Boundary:
    """Speech started or an utterance ended.

    ``at`` is the stream position (in samples since the segmenter started)
    where it was decided; ``edge`` is where the speech itself begins (the
    first loud window, ``start``) or stops (just after the last loud
    window, ``end``). ``edge <= at`` always.
    """

    kind: Literal["start", "end"]
    at: int
    edge: int


class UtteranceSegmenter:
    """Feed frames of any size; get the speech boundaries they complete."""

    def __init__(self, config: SegmenterConfig | None = None) -> None:
        self.config = config or SegmenterConfig()
        self._window_bytes = self.config.window_samples * 2
        self._pending = b""
        self.position = 0          # samples fed (whole windows and the pending part)
        self._windows_end = 0      # samples consumed as whole windows
        self.in_speech = False
        self._loud_run = 0         # consecutive loud windows while idle
        self._loud_from = 0        # where that run began
        self._quiet_run = 0        # consecutive quiet windows while speaking
        self._last_loud_end = 0    # just after the last loud window while speaking

    @property
    def threshold(self) -> float:
        return self.config.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        """A new threshold (after calibration); the state is kept."""
        self.config = SegmenterConfig(threshold=value, start_ms=self.config.start_ms,
                                      end_ms=self.config.end_ms, release=self.config.release,
                                      sample_rate=self.config.sample_rate)

    def _windows_for(self, ms: int) -> int:
        return max(1, math.ceil(ms / WINDOW_MS))

    def feed(self, pcm16: bytes) -> list[Boundary]:
        """Take more audio (an odd last byte is ignored); return the boundaries
        it completed, in order."""
        if len(pcm16) % 2:
            pcm16 = pcm16[:-1]
        self.position += len(pcm16) // 2
        data = self._pending + pcm16
        whole = len(data) - len(data) % self._window_bytes
        self._pending = data[whole:]
        out: list[Boundary] = []
        for offset in range(0, whole, self._window_bytes):
            boundary = self._window(rms_level(data[offset:offset + self._window_bytes]))
            if boundary is not None:
                out.append(boundary)
        return out

    def _window(self, level: float) -> Boundary | None:
        cfg = self.config
        start = self._windows_end
        self._windows_end += cfg.window_samples
        if not self.in_speech:
            if level >= cfg.threshold and level > 0.0:
                if self._loud_run == 0:
                    self._loud_from = start
                self._loud_run += 1
                if self._loud_run >= self._windows_for(cfg.start_ms):
                    self.in_speech = True
                    self._quiet_run = 0
                    self._last_loud_end = self._windows_end
                    return Boundary("start", at=self._windows_end, edge=self._loud_from)
            else:
                self._loud_run = 0
            return None
        if level >= cfg.threshold * cfg.release and level > 0.0:
            self._quiet_run = 0
            self._last_loud_end = self._windows_end
            return None
        self._quiet_run += 1
        if self._quiet_run >= self._windows_for(cfg.end_ms):
            self._idle()
            return Boundary("end", at=self._windows_end, edge=self._last_loud_end)
        return None

    def _idle(self) -> None:
        self.in_speech = False
        self._loud_run = 0
        self._quiet_run = 0

    def force_end(self) -> Boundary | None:
        """End the utterance now (the stream stopped); None when not speaking."""
        if not self.in_speech:
            return None
        self._idle()
        return Boundary("end", at=self.position, edge=self._last_loud_end)

    def restart(self) -> None:
        """Forget everything but the stream position (a new ``start``)."""
        self._pending = b""
        self._windows_end = self.position
        self._idle()
