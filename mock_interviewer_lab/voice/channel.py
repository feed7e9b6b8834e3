"""One microphone's stream, from raw audio frames to what the interview needs:
"the candidate started speaking" (barge-in), partial hypotheses, and final
utterances with their start and end on the session clock.

``VoiceChannel`` is the pure-ish core shared by the server's voice WebSocket
(``server/sockets.py``) and the terminal's ``start --voice``: frames and the
session time in, :class:`VoiceEvent` out. Its only collaborator is a
:class:`~mock_interviewer_lab.voice.stt.Recognizer`, injected, which it feeds
the audio of each utterance (plus a little audio before the detected onset,
so that the first phoneme is not cut). It does no I/O and keeps no audio
beyond that short lead-in, unless asked to (``keep_audio``: the utterance's
audio rides on the final event, for ``privacy.record_audio``).

Silence, as the coach sees it (:class:`SilenceWatch`): the orchestrator
nudges after a ``silence`` event of at least
``coach.intervention.silence_before_nudge_ms``; a typed line, typing and code
end a silence, an utterance made only of thinking sounds ("um", "hmm", the
``coach.behavioral.thinking_sounds``) does not (``interview/intent.py``,
``is_only_thinking_sounds``). The channel applies the same rule to speech:
a final with words ends the silence at the moment the speech ended; a
thinking-sounds-only final is transcribed and posted like any other, but the
silence goes on from where it was; while someone is speaking it is not
silent. ``silence_due`` says when a ``silence`` event should be posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from mock_interviewer_lab.interview.intent import is_only_thinking_sounds
from mock_interviewer_lab.settings import BehavioralSettings, Settings
from mock_interviewer_lab.voice.vad import Boundary, SegmenterConfig, UtteranceSegmenter

if TYPE_CHECKING:
    from mock_interviewer_lab.voice.stt import Recognizer

#: The largest binary frame accepted: 1 s of 16 kHz PCM16.
MAX_FRAME_BYTES = 32_000

VoiceEventKind = Literal["speech_start", "partial", "final", "error"]


def frame_problem(pcm16: bytes) -> str | None:
    """Why a binary frame cannot be used, in one sentence; None when it can."""
    if not pcm16:
        return "an empty audio frame"
    if len(pcm16) % 2:
        return (f"an audio frame of {len(pcm16)} bytes: PCM16 frames have an even number "
                "of bytes")
    if len(pcm16) > MAX_FRAME_BYTES:
        return (f"an audio frame of {len(pcm16)} bytes: at most {MAX_FRAME_BYTES} bytes "
                "(1 s of 16 kHz PCM16) per frame")
    return None


@dataclass(frozen=True)
class VoiceEvent:
    """What a stream of audio led to.

    - ``speech_start``: the candidate started speaking (``start``: when, in
      session seconds). The client stops playing the coach at once.
    - ``partial``: the recognizer's hypothesis so far (``text``).
    - ``final``: one utterance: ``text``, ``start``/``end`` (session seconds,
      the speech itself, without the silence that ended it), ``words`` (how
      many), ``thinking_only`` (thinking sounds and nothing else), ``audio``
      (its PCM16, only with ``keep_audio``).
    - ``error``: ``code`` ("bad_frame", "engine_failed") and ``message``.
    """

    kind: VoiceEventKind
    text: str = ""
    start: float | None = None
    end: float | None = None
    words: int = 0
    thinking_only: bool = False
    code: str | None = None
    message: str = ""
    audio: bytes | None = field(default=None, repr=False)

    def candidate_said(self) -> dict[str, Any]:
        """The ``candidate_said`` event data of a final (see the voice contracts)."""
        if self.kind != "final":
            raise ValueError(f"a {self.kind} event is not something the candidate said")
        return {"text": self.text, "source": "voice",
                "speech": {"start": self.start, "end": self.end}}


@dataclass(frozen=True)
class ChannelConfig:
    segmenter: SegmenterConfig = field(default_factory=SegmenterConfig)
    #: Audio kept from before the detected onset and fed with the utterance.
    preroll_ms: int = 300
    #: A longer utterance is cut into finals of this length (the coach hears
    #: a monologue in pieces, and memory stays bounded).
    max_utterance_s: float = 30.0
    thinking_sounds: tuple[str, ...] = tuple(BehavioralSettings().thinking_sounds)
    #: Put each utterance's PCM16 on its final (privacy.record_audio).
    keep_audio: bool = False
    silence_before_nudge_s: float = 8.0
    #: While the silence lasts, how often another ``silence`` event is due.
    silence_repeat_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ChannelConfig:
        """The channel the settings describe: ``stt.noise_threshold``,
        ``coach.behavioral.thinking_sounds``,
        ``coach.intervention.silence_before_nudge_ms``, ``privacy.record_audio``."""
        config = cls(
            segmenter=SegmenterConfig(threshold=settings.stt.noise_threshold),
            thinking_sounds=tuple(settings.coach.behavioral.thinking_sounds),
            keep_audio=settings.privacy.record_audio,
            silence_before_nudge_s=settings.coach.intervention.silence_before_nudge_ms / 1000,
        )
        return replace(config, **overrides)


class SilenceWatch:
    """When the candidate has been silent long enough for a ``silence`` event.

    Pure: the caller says what happened and when (session seconds). ``poll``
    answers the silence in seconds when an event is due: once the silence
    reaches the threshold, then every ``repeat_s`` while it lasts (the
    orchestrator decides whether to nudge; the metrics merge the events
    of one silence into one period).
    """

    def __init__(self, threshold_s: float, repeat_s: float, since: float = 0.0) -> None:
        self.threshold_s = threshold_s
        self.repeat_s = repeat_s
        self.last_activity = since
        self._last_posted: float | None = None

    def activity(self, t: float) -> None:
        """Something that ends a silence happened at ``t`` (may lie ahead:
        the coach speaking until then)."""
        if t > self.last_activity:
            self.last_activity = t
            self._last_posted = None

    def poll(self, now: float, *, speaking: bool = False) -> float | None:
        if speaking:
            return None
        quiet = now - self.last_activity
        if quiet < self.threshold_s or quiet <= 0:
            return None
        if self._last_posted is not None and now - self._last_posted < self.repeat_s:
            return None
        self._last_posted = now
        return round(quiet, 1)


class _StreamClock:
    """Sample positions to session seconds.

    The audio is anchored where it would have started had it come in real
    time: ``now - samples/rate`` at each frame, keeping the earliest such
    anchor (network delays only ever make frames late). A gap in the stream
    (the client stopped sending without a stop) moves the anchor forward.
    The browser and the terminal send frames without pause while the
    microphone is on, so a frame late by less than ``GAP_S`` is a busy
    server or network, not a gap: re-anchoring there would push the
    utterance times later by the delay.
    """

    GAP_S = 2.0

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.anchor: float | None = None

    def observe(self, position: int, now: float) -> None:
        estimate = now - position / self.rate
        if self.anchor is None or estimate < self.anchor or estimate - self.anchor > self.GAP_S:
            self.anchor = estimate

    def time_of(self, position: int) -> float:
        return round(max(0.0, (self.anchor or 0.0) + position / self.rate), 3)


class VoiceChannel:
    """Frames in, :class:`VoiceEvent` out (see the module docstring).

    Not thread-safe (nor is the recognizer): one caller at a time.
    """

    def __init__(self, recognizer: Recognizer, config: ChannelConfig | None = None, *,
                 started_at: float = 0.0) -> None:
        self.recognizer = recognizer
        self.config = config or ChannelConfig()
        self.segmenter = UtteranceSegmenter(self.config.segmenter)
        self.silence = SilenceWatch(self.config.silence_before_nudge_s,
                                    self.config.silence_repeat_s, since=started_at)
        self._rate = self.config.segmenter.sample_rate
        self._clock = _StreamClock(self._rate)
        self._preroll_samples = self._rate * (self.config.preroll_ms
                                              + self.config.segmenter.start_ms) // 1000
        self._max_samples = int(self.config.max_utterance_s * self._rate)
        self._ring = bytearray()       # audio just before the stream position, while idle
        self._in_utterance = False
        self._utterance_from = 0       # sample where the current final's speech began
        self._utterance_samples = 0
        self._audio = bytearray()      # the utterance's audio, only with keep_audio
        self._last_end = 0.0           # session seconds: finals never overlap
        self._now = 0.0                # the latest session time seen
        self.failed = False
        self.failure: str | None = None

    # ------------------------------------------------------------ state

    @property
    def speaking(self) -> bool:
        """True from speech_start until that utterance's final."""
        return self._in_utterance

    @property
    def threshold(self) -> float:
        return self.segmenter.threshold

    def set_threshold(self, value: float) -> None:
        """Apply a calibrated ``stt.noise_threshold`` from now on."""
        self.segmenter.threshold = value

    def note_activity(self, t: float) -> None:
        """Typing, code, the coach speaking until ``t``: ends a silence."""
        self.silence.activity(t)

    def silence_due(self, now: float) -> float | None:
        """Seconds of silence to post as a ``silence`` event now, or None."""
        return self.silence.poll(now, speaking=self._in_utterance)

    # ------------------------------------------------------------ audio

    def feed(self, pcm16: bytes, now: float) -> list[VoiceEvent]:
        """One binary frame, received at session time ``now``."""
        problem = frame_problem(pcm16)
        if problem is not None:
            return [VoiceEvent("error", code="bad_frame", message=f"{problem}; frame dropped")]
        if self.failed:
            return []
        self._now = max(self._now, now)
        frame_start = self.segmenter.position
        boundaries = self.segmenter.feed(pcm16)
        self._clock.observe(self.segmenter.position, now)
        out: list[VoiceEvent] = []
        cursor = frame_start
        for boundary in boundaries:
            out += self._route(pcm16[(cursor - frame_start) * 2:(boundary.at - frame_start) * 2])
            cursor = boundary.at
            out += self._begin(boundary) if boundary.kind == "start" else self._end(boundary)
            if self.failed:
                return out
        out += self._route(pcm16[(cursor - frame_start) * 2:])
        return out

    def stop(self, now: float) -> list[VoiceEvent]:
        """The stream stopped (mic off, socket gone): the utterance under way,
        if any, becomes a final with what was heard. The channel can be fed
        again afterwards."""
        if self.failed:
            return []
        self._now = max(self._now, now)
        if self.segmenter.position:
            self._clock.observe(self.segmenter.position, now)
        boundary = self.segmenter.force_end()
        out = self._end(boundary) if boundary is not None and self._in_utterance else []
        self.segmenter.restart()
        self._ring.clear()
        return out

    # ---------------------------------------------------------- helpers

    def _route(self, piece: bytes) -> list[VoiceEvent]:
        if not piece:
            return []
        if not self._in_utterance:
            self._ring += piece
            del self._ring[:max(0, len(self._ring) - self._preroll_samples * 2)]
            return []
        out = self._accept(piece)
        self._utterance_samples += len(piece) // 2
        if not self.failed and self._utterance_samples >= self._max_samples:
            # A long monologue: what was said so far is a final; go on listening.
            here = self.segmenter.position
            out += self._final(self._utterance_from, here)
            self._utterance_from = here
            self._utterance_samples = 0
        return out

    def _accept(self, piece: bytes) -> list[VoiceEvent]:
        if self.config.keep_audio:
            self._audio += piece
        try:
            got = self.recognizer.accept(piece)
        except Exception as exc:  # an engine's failure must not end the session
            return self._fail(exc)
        if got is not None and got.text:
            return [VoiceEvent("partial", text=got.text)]
        return []

    def _begin(self, boundary: Boundary) -> list[VoiceEvent]:
        self._in_utterance = True
        self._utterance_from = boundary.edge
        self._utterance_samples = 0
        lead_in = bytes(self._ring)
        self._ring.clear()
        start = max(self._clock.time_of(boundary.edge), self._last_end)
        out = [VoiceEvent("speech_start", start=start)]
        if lead_in:
            out += self._accept(lead_in)
        return out

    def _end(self, boundary: Boundary) -> list[VoiceEvent]:
        if not self._in_utterance:
            return []
        out = self._final(self._utterance_from, max(boundary.edge, self._utterance_from))
        self._in_utterance = False
        return out

    def _speech_times(self, start_at: int, end_at: int) -> tuple[float, float]:
        """Session seconds of the speech between two stream positions: in
        order after the previous final, never after the latest ``now``, and
        as long as the audio was whenever that allows (a burst of frames
        can only be placed once it has all come)."""
        start = max(self._clock.time_of(start_at), self._last_end)
        end = min(self._now, start + (end_at - start_at) / self._rate)
        return start, round(max(start, end), 3)

    def _final(self, start_at: int, end_at: int) -> list[VoiceEvent]:
        audio = bytes(self._audio) if self.config.keep_audio else None
        self._audio.clear()
        try:
            text = self.recognizer.finish().text.strip()
        except Exception as exc:
            return self._fail(exc)
        start, end = self._speech_times(start_at, end_at)
        self._last_end = end
        if not text:  # a cough, a door: speech that held no words
            return []
        thinking = is_only_thinking_sounds(text, self.config.thinking_sounds)
        if not thinking:
            self.silence.activity(end)
        return [VoiceEvent("final", text=text, start=start, end=end, words=len(text.split()),
                           thinking_only=thinking, audio=audio)]

    def close(self) -> None:
        """Free the recognizer's native decoder now (when it has a ``close``):
        the channel is not used after this."""
        close = getattr(self.recognizer, "close", None)
        if close is not None:
            close()

    def _fail(self, exc: Exception) -> list[VoiceEvent]:
        self.failed = True
        self._in_utterance = False
        self._audio.clear()
        self.failure = f"the speech engine failed: {type(exc).__name__}: {exc}"
        return [VoiceEvent("error", code="engine_failed",
                           message=f"{self.failure}; the interview goes on in text")]

