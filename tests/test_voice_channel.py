"""The utterance segmenter and the voice channel on synthetic audio, with a
fake recognizer: segmentation, session-clock timestamps, thinking sounds and
the silence clock, bad frames, engine failures. Pure and fast."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest

from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.voice.channel import (
    MAX_FRAME_BYTES,
    ChannelConfig,
    SilenceWatch,
    VoiceChannel,
    VoiceEvent,
    frame_problem,
)
from mock_interviewer_lab.voice.stt import Transcript
from mock_interviewer_lab.voice.vad import (
    Boundary,
    SegmenterConfig,
    UtteranceSegmenter,
    rms_level,
)

RATE = 16_000


# ------------------------------------------------------------ synthetic audio


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(seconds * RATE)


def tone(seconds: float, amplitude: float = 0.3, hz: float = 220.0) -> bytes:
    """A sine; its RMS is amplitude / sqrt(2)."""
    n = int(seconds * RATE)
    return b"".join(int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / RATE))
                    .to_bytes(2, "little", signed=True) for i in range(n))


def noise(seconds: float, rms: float, seed: int = 7) -> bytes:
    """Gaussian noise of about the given RMS level."""
    rnd = random.Random(seed)
    n = int(seconds * RATE)
    return b"".join(max(-32768, min(32767, int(rnd.gauss(0.0, rms * 32768))))
                    .to_bytes(2, "little", signed=True) for _ in range(n))


def frames(pcm: bytes, ms: int) -> Iterator[bytes]:
    size = RATE * ms // 1000 * 2
    for i in range(0, len(pcm), size):
        yield pcm[i:i + size]


def samples(seconds: float) -> int:
    return int(seconds * RATE)


# ------------------------------------------------------------ fake engine


class FakeRecognizer:
    """Says the next text of ``finals`` at each finish(); a partial every 0.2 s."""

    engine = "fake"

    def __init__(self, *finals: str, fail_after_bytes: int | None = None) -> None:
        self.finals = list(finals)
        self.fed = bytearray()
        self.utterances: list[bytes] = []
        self._current = bytearray()
        self.fail_after_bytes = fail_after_bytes

    def accept(self, pcm16: bytes) -> Transcript | None:
        if self.fail_after_bytes is not None and len(self.fed) + len(pcm16) > self.fail_after_bytes:
            raise RuntimeError("decoder exploded")
        before = len(self._current) // 6400
        self.fed += pcm16
        self._current += pcm16
        if len(self._current) // 6400 > before:
            return Transcript(f"partial {len(self._current) // 6400}", final=False)
        return None

    def finish(self) -> Transcript:
        self.utterances.append(bytes(self._current))
        self._current.clear()
        return Transcript(self.finals.pop(0) if self.finals else "", final=True)


def stream(channel: VoiceChannel, pcm: bytes, ms: int = 20, t0: float = 0.0,
           realtime: bool = True) -> list[VoiceEvent]:
    """Feed ``pcm`` in ``ms`` frames, each received when it would have ended
    (``realtime``) or all at ``t0`` (a burst)."""
    out: list[VoiceEvent] = []
    fed = 0
    for frame in frames(pcm, ms):
        fed += len(frame) // 2
        out += channel.feed(frame, t0 + fed / RATE if realtime else t0)
    return out


def kinds(events: list[VoiceEvent]) -> list[str]:
    return [e.kind for e in events]


# ------------------------------------------------------------------ levels


def test_rms_levels_are_on_the_0_to_1_scale() -> None:
    assert rms_level(b"") == 0.0
    assert rms_level(silence(0.1)) == 0.0
    assert rms_level(tone(0.1, 0.5)) == pytest.approx(0.5 / math.sqrt(2), rel=0.01)
    full = (-32768).to_bytes(2, "little", signed=True) * 100
    assert rms_level(full) == pytest.approx(1.0)
    assert rms_level(noise(0.5, 0.01)) == pytest.approx(0.01, rel=0.1)


def test_the_config_refuses_values_it_cannot_use() -> None:
    with pytest.raises(ValueError, match=r"stt\.noise_threshold"):
        SegmenterConfig(threshold=1.5)
    with pytest.raises(ValueError, match="release"):
        SegmenterConfig(release=0.0)
    with pytest.raises(ValueError, match="at least 10 ms"):
        SegmenterConfig(end_ms=5)


# --------------------------------------------------------------- segmenter


def segment(pcm: bytes, ms: int, **config: float) -> list[Boundary]:
    seg = UtteranceSegmenter(SegmenterConfig(**config))  # type: ignore[arg-type]
    out: list[Boundary] = []
    for frame in frames(pcm, ms):
        out += seg.feed(frame)
    return out


def test_one_utterance_in_silence_has_one_start_and_one_end() -> None:
    audio = silence(1.0) + tone(1.0) + silence(1.5)
    start, end = segment(audio, 20)
    assert start == Boundary("start", at=samples(1.06), edge=samples(1.0))
    assert end == Boundary("end", at=samples(2.7), edge=samples(2.0))


@pytest.mark.parametrize("ms", [10, 20, 30, 64, 100, 1000])
def test_boundaries_do_not_depend_on_the_frame_size(ms: int) -> None:
    audio = silence(0.5) + tone(0.8) + silence(1.0) + tone(0.4) + silence(1.0)
    assert segment(audio, ms) == segment(audio, 20)
    assert [b.kind for b in segment(audio, ms)] == ["start", "end", "start", "end"]


def test_clicks_and_room_noise_are_not_speech() -> None:
    audio = (silence(0.5) + tone(0.03, 0.9) + silence(0.5)   # a 30 ms click
             + noise(2.0, 0.01))                             # a quiet room
    assert segment(audio, 20, threshold=0.03) == []
    # The same room is speech to a threshold below its level.
    assert [b.kind for b in segment(noise(1.0, 0.05), 20, threshold=0.03)] == ["start"]


def test_hysteresis_keeps_quiet_word_ends_and_short_pauses_in_the_utterance() -> None:
    threshold = 0.1
    loud = tone(0.3, 0.3)                     # RMS 0.21
    soft = tone(0.5, threshold * 0.8 * math.sqrt(2))  # RMS 0.08: below start, above release
    pause = silence(0.4)                      # shorter than end_ms
    audio = silence(0.2) + loud + soft + pause + loud + silence(1.0)
    assert [b.kind for b in segment(audio, 20, threshold=threshold)] == ["start", "end"]
    # A soft sound alone never starts speech.
    assert segment(silence(0.2) + soft + silence(1.0), 20, threshold=threshold) == []
    # A pause longer than end_ms splits the speech in two utterances.
    split = silence(0.2) + loud + silence(0.8) + loud + silence(1.0)
    assert [b.kind for b in segment(split, 20, threshold=threshold)] == [
        "start", "end", "start", "end"]


def test_start_and_end_times_are_configurable() -> None:
    audio = silence(0.2) + tone(0.1) + silence(0.5) + tone(0.5) + silence(0.4)
    # The 100 ms burst is too short for a 150 ms start; 300 ms ends quickly.
    got = segment(audio, 20, start_ms=150, end_ms=300)
    assert got == [Boundary("start", at=samples(0.95), edge=samples(0.8)),
                   Boundary("end", at=samples(1.6), edge=samples(1.3))]


def test_a_threshold_set_mid_stream_applies_from_then_on() -> None:
    seg = UtteranceSegmenter(SegmenterConfig(threshold=0.5))
    assert seg.feed(tone(0.5, 0.3)) == []
    seg.threshold = 0.05
    assert [b.kind for b in seg.feed(tone(0.2, 0.3))] == ["start"]
    assert seg.config.end_ms == 700


# ----------------------------------------------------------------- frames


def test_frames_the_browser_must_not_send_are_named() -> None:
    assert frame_problem(silence(0.02)) is None
    assert frame_problem(b"\x00" * MAX_FRAME_BYTES) is None
    assert "even number" in (frame_problem(b"\x00" * 641) or "")
    assert "at most 32000 bytes" in (frame_problem(b"\x00" * (MAX_FRAME_BYTES + 2)) or "")
    assert "empty" in (frame_problem(b"") or "")


def test_a_bad_frame_is_an_error_and_is_dropped() -> None:
    rec = FakeRecognizer("hello")
    channel = VoiceChannel(rec)
    for bad in (b"\x01" * 641, b"\x01\x02" * 16001, b""):
        (error,) = channel.feed(bad, 1.0)
        assert error.kind == "error" and error.code == "bad_frame"
        assert "frame dropped" in error.message
    assert channel.segmenter.position == 0 and not rec.fed
    # The stream goes on as if they never came.
    events = stream(channel, silence(0.3) + tone(0.5) + silence(1.0))
    assert kinds(events)[0] == "speech_start" and kinds(events)[-1] == "final"


# ---------------------------------------------------------------- channel


def test_an_utterance_becomes_speech_start_partials_and_a_final_on_the_session_clock() -> None:
    rec = FakeRecognizer("i would use a hash map")
    channel = VoiceChannel(rec)
    events = stream(channel, silence(1.0) + tone(1.0) + silence(1.0), ms=20, t0=30.0)
    assert kinds(events)[0] == "speech_start"
    assert events[0].start == pytest.approx(31.0, abs=0.011)
    assert "partial" in kinds(events)
    (final,) = [e for e in events if e.kind == "final"]
    assert kinds(events)[-1] == "final"
    assert final.text == "i would use a hash map" and final.words == 6
    assert final.start == pytest.approx(31.0, abs=0.011)
    assert final.end == pytest.approx(32.0, abs=0.011)
    assert not final.thinking_only and final.audio is None
    assert final.candidate_said() == {"text": "i would use a hash map", "source": "voice",
                                      "speech": {"start": final.start, "end": final.end}}
    # The recognizer heard the lead-in before the onset and the silence
    # that ended the utterance, and nothing of the silence before.
    (heard,) = rec.utterances
    assert samples(1.3) <= len(heard) // 2 <= samples(1.0 + 0.36 + 0.7)
    assert not channel.speaking


def test_timestamps_stay_in_order_when_frames_come_in_a_burst() -> None:
    rec = FakeRecognizer("one", "two")
    channel = VoiceChannel(rec)
    # 4 s of audio arriving all at session time 10: the last sample is "now".
    audio = silence(0.5) + tone(0.5) + silence(1.0) + tone(1.0) + silence(1.0)
    finals = [e for e in stream(channel, audio, ms=100, t0=10.0, realtime=False)
              if e.kind == "final"]
    assert [f.text for f in finals] == ["one", "two"]
    first, second = finals
    assert first.end is not None and first.start is not None
    assert second.end is not None and second.start is not None
    assert first.end - first.start == pytest.approx(0.5, abs=0.02)
    assert 0.5 < second.end - second.start <= 1.0
    # Placed in order, as long as they were, and never after "now" (where
    # exactly a burst was spoken cannot be known until it has all come).
    assert first.end <= second.start < second.end <= 10.0


def test_a_gap_in_the_stream_moves_the_clock_on() -> None:
    channel = VoiceChannel(FakeRecognizer("before", "after"))
    one = stream(channel, tone(0.5) + silence(1.0), t0=0.0)
    # The microphone was muted for a minute without a stop.
    two = stream(channel, silence(0.2) + tone(0.5) + silence(1.0), t0=61.5)
    (first,) = [e for e in one if e.kind == "final"]
    (second,) = [e for e in two if e.kind == "final"]
    assert first.start == pytest.approx(0.0, abs=0.02)
    assert second.start == pytest.approx(61.7, abs=0.02)


def test_stop_flushes_the_utterance_under_way() -> None:
    rec = FakeRecognizer("so the idea is")
    channel = VoiceChannel(rec)
    events = stream(channel, silence(0.2) + tone(0.6), t0=5.0)
    assert kinds(events)[0] == "speech_start" and channel.speaking
    (final,) = channel.stop(5.8)
    assert final.kind == "final" and final.text == "so the idea is"
    assert final.start == pytest.approx(5.2, abs=0.02)
    assert final.end == pytest.approx(5.8, abs=0.02)
    assert not channel.speaking
    assert channel.stop(6.0) == []  # nothing under way
    # And it listens again afterwards.
    rec.finals.append("again")
    later = stream(channel, tone(0.3) + silence(1.0), t0=10.0)
    assert [e.text for e in later if e.kind == "final"] == ["again"]


def test_speech_without_words_gives_no_final() -> None:
    channel = VoiceChannel(FakeRecognizer(""))
    events = stream(channel, silence(0.2) + tone(0.3) + silence(1.0))
    assert kinds(events)[0] == "speech_start"
    assert "final" not in kinds(events)


def test_a_long_monologue_is_cut_into_finals() -> None:
    rec = FakeRecognizer("first part", "second part")
    channel = VoiceChannel(rec, ChannelConfig(max_utterance_s=2.0))
    events = stream(channel, tone(3.0) + silence(1.0), ms=100)
    finals = [e for e in events if e.kind == "final"]
    assert [f.text for f in finals] == ["first part", "second part"]
    assert kinds(events).count("speech_start") == 1
    assert finals[0].end == finals[1].start


def test_keep_audio_puts_each_utterance_on_its_final() -> None:
    rec = FakeRecognizer("one", "two")
    channel = VoiceChannel(rec, ChannelConfig(keep_audio=True))
    events = stream(channel, silence(0.5) + tone(0.5) + silence(1.0) + tone(0.3) + silence(1.0))
    finals = [e for e in events if e.kind == "final"]
    assert [f.audio for f in finals] == rec.utterances
    assert all(f.audio for f in finals)


def test_an_engine_failure_is_one_error_and_the_channel_goes_quiet() -> None:
    rec = FakeRecognizer("never", fail_after_bytes=RATE)  # fails after 0.5 s of speech
    channel = VoiceChannel(rec)
    events = stream(channel, silence(0.2) + tone(2.0) + silence(1.0))
    assert kinds(events)[0] == "speech_start" and kinds(events)[-1] == "error"
    assert kinds(events).count("error") == 1 and "final" not in kinds(events)
    assert events[-1].code == "engine_failed" and "decoder exploded" in events[-1].message
    assert "goes on in text" in events[-1].message
    assert channel.failed and not channel.speaking
    assert stream(channel, tone(1.0) + silence(1.0)) == []
    assert channel.stop(9.0) == []
    assert channel.feed(b"\x00", 9.0)[0].code == "bad_frame"


# ---------------------------------------------------- thinking and silence


def test_thinking_sounds_are_transcribed_but_do_not_end_a_silence() -> None:
    rec = FakeRecognizer("I think we sort first", "um uh", "hmm")
    config = ChannelConfig(silence_before_nudge_s=8.0, silence_repeat_s=5.0)
    channel = VoiceChannel(rec, config, started_at=0.0)
    said = stream(channel, silence(1.0) + tone(1.0) + silence(1.0), t0=0.0)
    (words,) = [e for e in said if e.kind == "final"]
    assert not words.thinking_only
    assert channel.silence.last_activity == pytest.approx(2.0, abs=0.02)
    assert channel.silence_due(9.0) is None  # 7 s: not yet

    # Two thinking-sounds-only utterances later: still the same silence.
    sounds = stream(channel, silence(5.0) + tone(0.5) + silence(1.0) + tone(0.4)
                    + silence(1.0), t0=3.0)
    finals = [e for e in sounds if e.kind == "final"]
    assert [(f.text, f.thinking_only) for f in finals] == [("um uh", True), ("hmm", True)]
    assert channel.silence.last_activity == pytest.approx(2.0, abs=0.02)
    assert channel.silence_due(11.9) == pytest.approx(9.9, abs=0.05)
    assert channel.silence_due(12.5) is None          # posted 0.6 s ago
    assert channel.silence_due(17.0) == pytest.approx(15.0, abs=0.05)  # repeats every 5 s


def test_no_silence_is_due_while_the_candidate_speaks() -> None:
    channel = VoiceChannel(FakeRecognizer("a long thought"),
                           ChannelConfig(silence_before_nudge_s=2.0), started_at=0.0)
    stream(channel, silence(2.0) + tone(3.0), t0=0.0)
    assert channel.speaking
    assert channel.silence_due(5.0) is None
    stream(channel, silence(1.0), t0=5.0)
    assert not channel.speaking
    assert channel.silence_due(6.1) is None           # 1.1 s since the speech ended at 5.0
    assert channel.silence_due(7.1) == pytest.approx(2.1, abs=0.05)


def test_other_activity_and_the_coach_speaking_end_a_silence() -> None:
    watch = SilenceWatch(threshold_s=8.0, repeat_s=5.0, since=0.0)
    assert watch.poll(8.0) == 8.0
    watch.activity(9.0)                   # typing
    assert watch.poll(16.0) is None
    watch.activity(20.0)                  # the coach speaks until t = 20
    assert watch.poll(19.0) is None
    assert watch.poll(28.0) == 8.0
    watch.activity(3.0)                   # older news changes nothing
    assert watch.poll(33.0) == 13.0


def test_the_channel_config_comes_from_the_settings() -> None:
    settings = Settings()
    settings.stt.noise_threshold = 0.07
    settings.coach.behavioral.thinking_sounds = ["erm"]
    settings.coach.intervention.silence_before_nudge_ms = 5000
    settings.privacy.record_audio = True
    config = ChannelConfig.from_settings(settings, preroll_ms=100)
    assert config.segmenter.threshold == 0.07
    assert config.thinking_sounds == ("erm",)
    assert config.silence_before_nudge_s == 5.0
    assert config.keep_audio is True and config.preroll_ms == 100
    channel = VoiceChannel(FakeRecognizer("erm", "um"), config)
    finals = [e for e in stream(channel, tone(0.3) + silence(1.0) + tone(0.3) + silence(1.0))
              if e.kind == "final"]
    # "um" is not a thinking sound for these settings.
    assert [f.thinking_only for f in finals] == [True, False]
    channel.set_threshold(0.5)
    assert channel.threshold == 0.5
    with pytest.raises(ValueError, match="not something the candidate said"):
        VoiceEvent("partial", text="x").candidate_said()
