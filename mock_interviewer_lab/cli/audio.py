"""``mock-interviewer audio test`` and ``mock-interviewer calibrate``.

Exit codes: 0 fine; 1 no PyAudio or no sound device (the message says what
to do); 2 bad input (an unreadable WAV file, a broken settings file).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from mock_interviewer_lab.cli._common import (
    Context,
    console,
    emit_json,
    err_console,
    fail,
    pass_context,
)
from mock_interviewer_lab.settings import SettingsError
from mock_interviewer_lab.voice.audio_io import (
    AudioFileError,
    AudioSystem,
    AudioUnavailable,
    open_audio,
    read_wav_pcm16,
    record,
    tone_wav,
)
from mock_interviewer_lab.voice.noise_calibration import (
    Calibration,
    calibrate,
    save_noise_threshold,
    window_levels,
)
from mock_interviewer_lab.voice.vad import rms_level

TEST_LINE = "Hello, I will be your interviewer today."


def _dbfs(level: float) -> str:
    return "-inf dBFS" if level <= 0 else f"{20 * math.log10(level):.0f} dBFS"


def _open_or_fail() -> AudioSystem:
    try:
        return open_audio()
    except AudioUnavailable as exc:
        fail(str(exc), code=1)


# ------------------------------------------------------------------ audio test


@click.group()
def audio() -> None:
    """Check the microphone and speaker the terminal interview uses."""


@audio.command("test")
@click.option("--seconds", type=click.FloatRange(0.5, 30), default=2.0, show_default=True,
              help="how long to record")
@click.option("--device-in", type=int, default=None, help="input device index (default: the system's)")
@click.option("--device-out", type=int, default=None, help="output device index")
@click.option("--tone", is_flag=True, help="play a tone instead of a spoken line")
@pass_context
def audio_test(obj: Context, seconds: float, device_in: int | None, device_out: int | None,
               tone: bool) -> None:
    """List the sound devices, record SECONDS and report the level, play a line.
    Exit 1 when there is no PyAudio, no microphone or no speaker."""
    problems: list[str] = []
    with _open_or_fail() as system:
        devices = system.devices()
        table = Table(title=f"{len(devices)} audio device(s)")
        for col in ("#", "name", "in", "out", "rate", "default"):
            table.add_column(col)
        for d in devices:
            default = " ".join(k for k, v in (("input", d.default_input),
                                              ("output", d.default_output)) if v)
            table.add_row(str(d.index), escape(d.name), str(d.inputs), str(d.outputs),
                          f"{d.default_rate:.0f}", default)
        if devices:
            console.print(table)
        else:
            fail("PortAudio sees no audio device on this machine: run `mock-interviewer audio "
                 "test` where a microphone and speaker are attached; the interview works "
                 "in text without them", code=1)

        try:
            mic = system.microphone(device_in)
        except AudioUnavailable as exc:
            problems.append(str(exc))
        else:
            console.print(f"recording {seconds:g} s from {escape(mic.description)}: say something…")
            try:
                pcm = record(mic, seconds)
            finally:
                mic.close()
            levels = window_levels(pcm) or [0.0]
            threshold = obj.settings.stt.noise_threshold
            loudest = max(levels)
            console.print(f"  level {rms_level(pcm):.4f} ({_dbfs(rms_level(pcm))}), loudest 10 ms "
                          f"{loudest:.4f} ({_dbfs(loudest)}); speech threshold "
                          f"stt.noise_threshold = {threshold:g}: "
                          + ("[green]speech would be heard[/]" if loudest > threshold else
                             "[yellow]nothing above the threshold (too quiet, or muted?)[/]"),
                          highlight=False)

        try:
            speaker = system.speaker(device_out)
        except AudioUnavailable as exc:
            problems.append(str(exc))
        else:
            wav, what = _test_sound(obj, tone)
            console.print(f"playing {what} on {escape(speaker.description)}")
            speaker.play(wav)
            speaker.wait(timeout=15)
            speaker.close()
            if speaker.error:
                problems.append(speaker.error)
    for problem in problems:
        err_console.print(f"[bold red]error:[/] {escape(problem)}", highlight=False)
    sys.exit(1 if problems else 0)


def _test_sound(obj: Context, tone: bool) -> tuple[bytes, str]:
    """The coach's voice saying a line, or a tone when TTS is off or fails."""
    if not tone:
        try:
            from mock_interviewer_lab.voice.tts import load_synthesizer

            synth = load_synthesizer(obj.settings.tts)
            if synth is not None:
                return synth.synthesize(TEST_LINE).wav, f"the coach's voice ({synth.name})"
        except Exception as exc:  # TTS is optional here: say why, play a tone
            err_console.print(f"[yellow]warning:[/] no spoken line ({escape(str(exc))}); "
                              "playing a tone", highlight=False)
    return tone_wav(), "a 440 Hz tone"


# ------------------------------------------------------------------ calibrate


@click.command()
@click.option("--seconds", type=click.FloatRange(0.5, 30), default=3.0, show_default=True,
              help="how long to record silence")
@click.option("--from-wav", "from_wav", type=click.Path(dir_okay=False), default=None,
              help="measure a WAV recording of the room instead of the microphone")
@click.option("--device-in", type=int, default=None, help="input device index")
@click.option("--no-save", is_flag=True, help="print the threshold, do not write settings.toml")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def calibrate_command(obj: Context, seconds: float, from_wav: str | None, device_in: int | None,
                      no_save: bool, as_json: bool) -> None:
    """Measure the room's noise and save the speech threshold (stt.noise_threshold)
    into settings.toml, keeping everything else in the file."""
    if from_wav:
        try:
            pcm = read_wav_pcm16(from_wav)
        except AudioFileError as exc:
            fail(str(exc))
        source = from_wav
    else:
        with _open_or_fail() as system:
            try:
                mic = system.microphone(device_in)
            except AudioUnavailable as exc:
                fail(str(exc), code=1)
            if not as_json:
                console.print(f"recording {seconds:g} s of silence from {escape(mic.description)}: "
                              "please stay quiet…")
            try:
                pcm = record(mic, seconds)
            finally:
                mic.close()
        source = mic.description
    try:
        result: Calibration = calibrate(pcm)
    except ValueError as exc:
        fail(f"{source}: {exc}")
    saved = None
    if not no_save:
        try:
            saved = save_noise_threshold(result.noise_threshold, obj.settings_path,
                                         noise_profile=result.noise_profile)
        except SettingsError as exc:
            fail(str(exc))
    if as_json:
        out: dict[str, Any] = {"noise_threshold": result.noise_threshold,
                               "noise_profile": result.noise_profile, "seconds": result.seconds,
                               "source": source, "saved_to": str(saved) if saved else None,
                               "warning": result.warning}
        emit_json(out)
        return
    floor = result.noise_floor
    console.print(f"noise floor {floor:.4f} ({_dbfs(floor)}) over {result.seconds:g} s → "
                  f"[bold]stt.noise_threshold = {result.noise_threshold:g}[/]", highlight=False)
    if result.warning:
        err_console.print(f"[yellow]warning:[/] {escape(result.warning)}", highlight=False)
    console.print(f"saved to {saved}" if saved else "not saved (--no-save)", highlight=False)
