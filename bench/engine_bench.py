"""Interview engine speed, printed as tables.

1. The coach's reply time: one ``candidate_said`` event through the
   orchestrator (intent, fishing check, transitions, the scripted coach and
   the leak filter), p50 and p95 over a varied set of utterances.
2. A full 45-minute interview simulated (ticks every 30 s, real test runs
   in the sandbox), p50 of a few, with and without the store on disk, and
   the same with the growth measurement off; the target is under 2 s.

Run: ``make bench`` (or ``.venv/bin/python bench/engine_bench.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.events import Event
from mock_interviewer_lab.harness.runner import SyncHarness
from mock_interviewer_lab.interview.orchestrator import Orchestrator
from mock_interviewer_lab.interview.simulate import load_script, simulate
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import MEMORY, SessionStore

ROOT = Path(__file__).resolve().parents[1]
UTTERANCES = [
    "Can the list be empty?", "I'll use a nested loop to check every pair.", "Let me code it.",
    "Hmm, I'm stuck, I don't know how to make it faster.", "Is it a hashmap?",
    "What if I remember the numbers I've already seen?", "I think it's O(n) time and O(n) space.",
    "umm... let me think", "Just tell me the answer.", "Are the numbers sorted?",
    "I'm done, I think that's it.", "So for each number I need its complement.",
]
console = Console()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_reply(rounds: int) -> dict[str, float]:
    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    samples = []
    for _ in range(rounds):
        orch = Orchestrator(problem, Settings(), coach=ScriptedCoach())
        orch.handle(Event(type="session_started", t=0, seq=0))
        for i, text in enumerate(UTTERANCES, 1):
            t0 = time.perf_counter()
            orch.handle(Event(type="candidate_said", t=10.0 * i, data={"text": text}, seq=i))
            samples.append(time.perf_counter() - t0)
    return {"replies": len(samples), "p50_ms": pct(samples, 0.5) * 1000,
            "p95_ms": pct(samples, 0.95) * 1000}


def bench_simulation(runs: int) -> dict[str, Any]:
    registry = ProblemRegistry.discover(installed=False)
    script = load_script(ROOT / "examples" / "simulations" / "strong_two_sum.yaml")
    long_script = script.model_copy(update={"steps": [s for s in script.steps if not s.end]})
    out: dict[str, Any] = {}
    with SyncHarness() as harness:
        simulate(long_script, settings=Settings(), registry=registry, harness=harness,
                 coach=ScriptedCoach())  # warm up
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            result = simulate(long_script, settings=Settings(), registry=registry, harness=None,
                              coach=ScriptedCoach())
            times.append(time.perf_counter() - t0)
        out["engine only (no test runs)"] = {"p50_s": pct(times, 0.5), "max_s": max(times),
                                             "simulated_minutes": result["events"][-1]["t"] / 60,
                                             "records": len(result["events"])}
        for label, db in (("store in memory", MEMORY), ("store on disk (WAL)", "disk")):
            times = []
            for _ in range(runs):
                path = MEMORY if db == MEMORY else str(Path(tempfile.mkdtemp()) / "s.db")
                store = SessionStore(path)
                t0 = time.perf_counter()
                result = simulate(long_script, settings=Settings(), registry=registry,
                                  harness=harness, store=store, coach=ScriptedCoach())
                times.append(time.perf_counter() - t0)
                store.close()
            out[label] = {"p50_s": pct(times, 0.5), "max_s": max(times),
                          "simulated_minutes": result["events"][-1]["t"] / 60,
                          "records": len(result["events"])}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = {"coach_reply": bench_reply(args.rounds), "simulation": bench_simulation(args.runs)}

    t = Table(title="Interview engine")
    for col in ("measure", "n", "p50", "p95 / max", "target"):
        t.add_column(col)
    r = figures["coach_reply"]
    t.add_row("coach reply (scripted, through safeguards)", str(r["replies"]),
              f"{r['p50_ms']:.2f} ms", f"{r['p95_ms']:.2f} ms", "")
    for label, row in figures["simulation"].items():
        t.add_row(f"full {row['simulated_minutes']:.0f}-minute interview, {label}",
                  str(args.runs), f"{row['p50_s']:.2f} s", f"{row['max_s']:.2f} s", "< 2 s")
    console.print(t)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
