"""Voice calibration: the microphone's noise floor, and the speech threshold above it.

The rule (kept in step with ``docs/voice.md``):

1. The silence recording (16 kHz mono PCM16) is cut into the 10 ms windows
   the utterance segmenter (:mod:`.vad`) judges, and each window's RMS is
   taken on the same 0..1 scale (sample / 32768) as ``stt.noise_threshold``.
2. The noise floor is the 95th percentile of those window levels: the loudest
   ordinary moment of the room, ignoring the odd click.
3. ``threshold = max(NOISE_MARGIN × p95, MIN_THRESHOLD)``, clamped to 0..1:
   twice the floor (6 dB above it; speech is usually 15–30 dB above room
   noise), and never below ``MIN_THRESHOLD`` (≈ −46 dBFS) so that digital
   silence (a muted or virtual microphone) does not make every window "speech".

:func:`save_noise_threshold` writes the result into ``settings.toml`` with
``tomlkit``, so every other key and comment the user wrote stays as it was.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from mock_interviewer_lab.settings import (
    SettingsError,
    parse_settings,
    settings_path,
    user_settings_file,
)
from mock_interviewer_lab.voice.vad import WINDOW_MS, rms_level

SAMPLE_RATE = 16_000
#: How far above the noise floor (its 95th percentile) speech must be: 2× is 6 dB.
NOISE_MARGIN = 2.0
#: The lowest threshold ever written (≈ −46 dBFS).
MIN_THRESHOLD = 0.005
#: Above this the room is loud, or someone spoke during the silence: say so.
LOUD_THRESHOLD = 0.15
#: Percentiles of the window levels kept as ``calibration.noise_profile``.
PROFILE_PERCENTILES: tuple[int, ...] = (50, 90, 95, 99)
#: The shortest silence worth calibrating on.
MIN_SECONDS = 0.25


@dataclass(frozen=True)
class Calibration:
    noise_threshold: float      # what goes into stt.noise_threshold
    noise_floor: float          # the 95th percentile of the window levels
    noise_profile: list[float]  # window levels at PROFILE_PERCENTILES
    seconds: float              # how much audio was measured
    windows: int                # how many 10 ms windows were measured
    warning: str | None = None  # one sentence when the result looks doubtful


def window_levels(pcm16: bytes, sample_rate: int = SAMPLE_RATE,
                 window_ms: int = WINDOW_MS) -> list[float]:
    """The level (RMS, 0..1) of each whole window of ``pcm16``: the windows and
    the measure the utterance segmenter compares with the threshold."""
    size = 2 * max(1, sample_rate * window_ms // 1000)
    usable = len(pcm16) - len(pcm16) % size
    return [rms_level(pcm16[start:start + size]) for start in range(0, usable, size)]


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (as numpy's default) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def calibrate(pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Calibration:
    """The threshold and noise profile of a recording of silence (see the module rule).
    Raises ValueError when there is too little audio."""
    seconds = len(pcm16) // 2 / sample_rate
    if seconds < MIN_SECONDS:
        raise ValueError(f"{seconds:.2f} s of audio is too little to calibrate on; "
                         f"record at least {MIN_SECONDS} s of silence")
    levels = window_levels(pcm16, sample_rate)
    floor = percentile(levels, 95)
    threshold = min(1.0, max(NOISE_MARGIN * floor, MIN_THRESHOLD))
    warning = None
    if threshold >= LOUD_THRESHOLD:
        warning = (f"the room is loud (noise floor {floor:.3f}): speech may be missed; "
                   "calibrate again in silence or move away from the noise")
    elif floor == 0.0:
        warning = "the microphone gave pure digital silence: is it muted?"
    return Calibration(
        noise_threshold=round(threshold, 5), noise_floor=round(floor, 6),
        noise_profile=[round(percentile(levels, p), 6) for p in PROFILE_PERCENTILES],
        seconds=round(seconds, 3), windows=len(levels), warning=warning)


def noise_threshold_from(pcm16: bytes) -> float:
    """``stt.noise_threshold`` for a recording of silence (16 kHz mono PCM16)."""
    return calibrate(pcm16).noise_threshold


# ------------------------------------------------------------------ saving

def calibration_target(path: str | os.PathLike[str] | None = None) -> Path:
    """The settings file calibration writes: ``path``, else the one in force,
    else ``settings.toml`` in the user config folder (created)."""
    return settings_path(path) or user_settings_file()


def _table(doc: tomlkit.TOMLDocument, name: str, target: Path) -> Table | InlineTable:
    if name not in doc:
        doc.add(name, tomlkit.table())
    table = doc[name]
    if not isinstance(table, (Table, InlineTable)):
        raise SettingsError(str(target), [f"{name}: must be a table to save the calibration"])
    return table


def save_noise_threshold(value: float, path: str | os.PathLike[str] | None = None, *,
                         noise_profile: Sequence[float] | None = None) -> Path:
    """Write ``stt.noise_threshold = value`` and ``calibration.baseline_recorded =
    true`` (and ``calibration.noise_profile`` when given) into the settings file;
    every other key and comment stays. Returns the file written.

    Raises ValueError for a value outside 0..1 and SettingsError (one line naming
    the file) when the file cannot be read, parsed or written."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"stt.noise_threshold = {value!r}: must be a number from 0 to 1")
    target = calibration_target(path)
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(str(target), [f"cannot be read: {getattr(exc, 'strerror', None) or exc}"]
                            ) from None
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise SettingsError(str(target), [f"not valid TOML: {exc}"]) from None
    if not text:
        doc.add(tomlkit.comment("Mock Interviewer Lab settings (see `mock-interviewer config init`)."))
    _table(doc, "stt", target)["noise_threshold"] = float(value)
    calibration = _table(doc, "calibration", target)
    calibration["baseline_recorded"] = True
    if noise_profile is not None:
        calibration["noise_profile"] = [float(v) for v in noise_profile]
    new_text = tomlkit.dumps(doc)
    # Refuse to write what the settings loader would then refuse to read.
    parse_settings(tomllib.loads(new_text), str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.calibrate.tmp")
        partial.write_text(new_text, encoding="utf-8")
        os.replace(partial, target)  # never a half-written settings file
    except OSError as exc:
        raise SettingsError(str(target), [f"cannot write: {exc.strerror or exc}"]) from None
    return target
