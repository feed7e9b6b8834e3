"""``mock-interviewer voice …``: transcribe a WAV file, speak a line into a
WAV file, download a Vosk model.

Exit codes: 0 fine; 1 the engine or the download is unavailable (the message
says what to do); 2 bad input (a file that is not a PCM WAV, a bad option).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from mock_interviewer_lab.cli._common import (
    Context,
    console,
    emit_json,
    err_console,
    fail,
    pass_context,
)


@click.group()
def voice() -> None:
    """Speech engines: transcribe, speak, download a model."""


@voice.command("transcribe")
@click.argument("wav_file", type=click.Path(dir_okay=False))
@click.option("--engine", type=click.Choice(["vosk", "pocketsphinx"]), default=None,
              help="override stt.engine")
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="a Vosk model folder (overrides stt.model_path; implies --engine vosk)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def voice_transcribe(obj: Context, wav_file: str, engine: str | None, model_path: str | None,
                     as_json: bool) -> None:
    """Transcribe a PCM WAV file (mono or stereo, 8–48 kHz) with the STT engine."""
    from mock_interviewer_lab.settings import SttSettings
    from mock_interviewer_lab.voice import stt as stt_module
    from mock_interviewer_lab.voice.stt import (
        SAMPLE_RATE,
        VoiceUnavailable,
        load_engine,
        transcribe_pcm,
    )
    from mock_interviewer_lab.voice.wavfile import WavError, read_wav

    try:
        audio = read_wav(Path(wav_file), name=wav_file)
    except WavError as exc:
        fail(str(exc))
    overrides: dict[str, str] = {}
    if model_path is not None:
        overrides.update(model_path=model_path, engine="vosk")
    if engine is not None:
        overrides["engine"] = engine
    settings = SttSettings.model_validate({**obj.settings.stt.model_dump(), **overrides})
    # The fallback to pocketsphinx is logged for the server; here it is a note.
    logging.getLogger(stt_module.__name__).setLevel(logging.ERROR)
    try:
        speech_engine = load_engine(settings)
    except VoiceUnavailable as exc:
        fail(str(exc), code=1)
    if settings.engine == "vosk" and speech_engine.name != "vosk":
        err_console.print("[yellow]note:[/] no Vosk model found (run `mock-interviewer voice "
                          "download`); using pocketsphinx's English model", highlight=False)
    # CPU time of the recognition alone (the model load is not counted): the
    # figure to compare with the audio's length.
    cpu0 = time.process_time()
    final, _ = transcribe_pcm(speech_engine, audio.pcm16, chunk_bytes=SAMPLE_RATE // 5)
    cpu = time.process_time() - cpu0
    result = {"text": final.text, "engine": speech_engine.name,
              "seconds_audio": round(audio.seconds, 3), "seconds_cpu": round(cpu, 3)}
    if as_json:
        emit_json(result)
        return
    console.print(escape(final.text) if final.text else "[dim](nothing recognised)[/]",
                  highlight=False)
    err_console.print(f"[dim]{speech_engine.name} ({escape(speech_engine.model)}): "
                      f"{audio.seconds:.2f} s of audio in {cpu:.2f} s CPU[/]", highlight=False)


@voice.command("say")
@click.argument("text")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="the WAV file to write")
@click.option("--voice", "voice_name", default=None, help="override tts.voice")
@click.option("--rate", "rate_wpm", type=click.IntRange(60, 400), default=None,
              help="override tts.rate_wpm (words per minute)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def voice_say(obj: Context, text: str, out: str, voice_name: str | None, rate_wpm: int | None,
              as_json: bool) -> None:
    """Speak TEXT with the TTS engine into a WAV file."""
    from mock_interviewer_lab.voice.tts import TtsFailed, TtsUnavailable, load_synthesizer

    settings = obj.settings.tts.model_copy()
    if voice_name is not None:
        settings.voice = voice_name
    if rate_wpm is not None:
        settings.rate_wpm = rate_wpm
    try:
        synthesizer = load_synthesizer(settings)
    except TtsUnavailable as exc:
        fail(str(exc), code=1)
    if synthesizer is None:
        fail("speech output is off (tts.engine = \"none\"); set tts.engine = \"pyttsx3\"",
             code=1)
    try:
        speech = synthesizer.synthesize(text)
        Path(out).write_bytes(speech.wav)
    except TtsFailed as exc:
        fail(str(exc), code=1)
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror})")
    result = {"out": out, "engine": synthesizer.name, "sample_rate": speech.sample_rate,
              "seconds": round(speech.seconds, 3)}
    if as_json:
        emit_json(result)
    else:
        console.print(f"wrote {escape(out)}: {speech.seconds:.2f} s at {speech.sample_rate} Hz",
                      highlight=False)


@voice.command("download")
@click.option("--lang", "language", default=None,
              help="model language (default: stt.language, \"en\" → en-us)")
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="folder to unpack into (default: the user cache)")
@click.option("--url", "base_url", default=None, envvar="MOCK_INTERVIEWER_VOSK_URL",
              help="where the model zips are [env MOCK_INTERVIEWER_VOSK_URL; "
                   "default https://alphacephei.com/vosk/models]")
@click.option("--sha256", "sha256", default=None, help="the zip's expected sha256")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def voice_download(obj: Context, language: str | None, dest: str | None, base_url: str | None,
                   sha256: str | None, quiet: bool, as_json: bool) -> None:
    """Fetch, verify and unpack the small Vosk model (resumable; a model that
    is already there is left alone)."""
    from tqdm import tqdm

    from mock_interviewer_lab.voice.models import (
        VOSK_MODELS,
        DownloadError,
        download_model,
        language_key,
    )

    lang = language or obj.settings.stt.language
    spec = VOSK_MODELS.get(language_key(lang))
    bar: Any = None

    def progress(done: int, total: int | None) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=spec.name if spec else "model", leave=False)
        bar.update(done - bar.n)

    try:
        result = download_model(lang, Path(dest) if dest else None, base_url=base_url,
                                sha256=sha256, progress=progress)
    except DownloadError as exc:
        fail(str(exc), code=1)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        emit_json({"path": str(result.path), "url": result.url,
                   "already_there": result.already_there, "bytes": result.bytes_fetched,
                   "sha256": result.sha256})
        return
    if result.already_there:
        console.print(f"the model is already there: {escape(str(result.path))}", highlight=False)
    else:
        console.print(f"installed {escape(str(result.path))} "
                      f"({result.bytes_fetched / 1e6:.1f} MB fetched, sha256 {result.sha256})",
                      highlight=False)
    if dest:
        console.print(f"to use it, set stt.model_path = \"{escape(str(result.path))}\" "
                      "in settings.toml (or $MOCK_INTERVIEWER_VOSK_MODEL)", highlight=False)
