"""The LLM coach with a real local model: latency per turn, printed as a table.

The model (``--model``, one of mock_interviewer_lab/local_llm.py's: SmolLM2-135M
by default, ``--model qwen2.5-coder-1.5b`` for the 1.5B) is served by
llama-cpp-python's server on a free loopback port (local_llm's
``LlamaServer``, with its ``OMP_WAIT_POLICY=PASSIVE``), and a short scripted
interview on ``two_sum`` is played against the LLM coach: the welcome, then
``--turns`` candidate turns taken in turn from a clarifying question, an
approach, a run of (correct, quadratic) code and a complexity claim. The
session runs on a simulated clock (30 s between turns); the harness runs
the code for real. Per turn, in wall time from the candidate's event:

* **first sentence shown**: the first ``coach_partial`` (the first checked
  sentence the panel and the voice get while the model is still writing);
* **whole reply**: the ``coach_says`` (for the code, this includes the test
  run, ``tests`` below, and the growth measurement);
* **fallback**: whether the scripted coach answered the turn instead
  (``coach_fallback``: timeout, error, rejected by the reply gate ...);
  "no reply" when no ``coach_says`` came at all (the engine stays quiet
  when three tries in a row repeat one of the coach's last two replies,
  but a reply already streamed is recorded, repeat or not).

p50 / p95 are over the candidate turns the model answered itself (the
welcome, fallback and no-reply turns are rows of their own). Timings depend on the
machine's load, printed with them (``/proc/loadavg``); nothing asserts them.

Run: ``.venv/bin/python bench/llm_bench.py --json bench/results/llm.json``
(``make bench`` runs it with SmolLM2); ``--model qwen2.5-coder-1.5b``,
``--threads 1``, ``--turns 8``. Needs llama-cpp-python[server] and the model
(``make setup`` installs SmolLM2; ``python -m mock_interviewer_lab.local_llm
fetch qwen2.5-coder-1.5b`` the 1.5B).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402 - after the path and environment set-up
from rich.markup import escape  # noqa: E402
from rich.table import Table  # noqa: E402

from mock_interviewer_lab import local_llm  # noqa: E402
from mock_interviewer_lab.coach.factory import build_coach  # noqa: E402
from mock_interviewer_lab.events import Action  # noqa: E402
from mock_interviewer_lab.harness.runner import SyncHarness  # noqa: E402
from mock_interviewer_lab.interview.clock import FakeClock  # noqa: E402
from mock_interviewer_lab.interview.session import InterviewSession  # noqa: E402
from mock_interviewer_lab.problems.registry import ProblemRegistry  # noqa: E402
from mock_interviewer_lab.settings import Settings, parse_settings  # noqa: E402
from mock_interviewer_lab.store import MEMORY, SessionStore  # noqa: E402

console = Console()
PROBLEM = "two_sum"
QUADRATIC = """def two_sum(nums, target):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                return [i, j]
    return []
"""
#: The candidate's turns, taken in turn: (label, event, data).
SCRIPT: list[tuple[str, str, str]] = [
    ("clarifying question", "say", "Can the numbers be negative? Is the list sorted?"),
    ("approach", "say", "I'd check every pair of numbers with two nested loops and return "
                        "the first pair that adds up to the target."),
    ("run of code", "submit", QUADRATIC),
    ("complexity claim", "say", "That's O(n squared) time, because of the nested loops, and "
                                "O(1) extra space."),
]
TURN_GAP_S = 30.0  # simulated seconds between the candidate's turns


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # not Linux
        return "?"


@dataclass
class Turn:
    label: str
    first_sentence_s: float | None = None
    whole_s: float | None = None
    tests_s: float | None = None  # show_results, for a run of code
    fallback: str | None = None  # the coach_fallback's reason
    replies: int = 0  # coach_says in the turn
    tokens_in: int | None = None
    tokens_out: int | None = None
    rejected: list[str] = field(default_factory=list)
    reply: str = ""


class Stopwatch:
    """Stamps what a turn pushes: the sentences the coach hands the session
    (tapped where the session wires its sink, so the welcome's count too) and
    the actions the session's listeners get."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.turn = Turn("welcome")

    def begin(self, label: str) -> Turn:
        self.t0 = time.perf_counter()
        self.turn = Turn(label)
        return self.turn

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.t0, 3)

    def sentence(self, _text: str) -> None:
        if self.turn.first_sentence_s is None:
            self.turn.first_sentence_s = self.elapsed()

    def action(self, action: Action) -> None:
        turn = self.turn
        if action.type == "show_results" and turn.tests_s is None:
            turn.tests_s = self.elapsed()
        elif action.type == "coach_fallback":
            turn.fallback = str(action.data["reason"])
        elif action.type == "coach_says":
            turn.replies += 1
            if turn.whole_s is None:  # the reply to the candidate's event
                turn.whole_s = self.elapsed()
                usage = action.data.get("usage") or {}
                turn.tokens_in, turn.tokens_out = usage.get("tokens_in"), usage.get("tokens_out")
                turn.rejected = list(usage.get("rejected") or [])
                turn.reply = str(action.data["text"])
                if action.data.get("fallback") and turn.fallback is None:
                    turn.fallback = "fallback"


def tap_sentences(coach: Any, watch: Stopwatch) -> None:
    """Have ``watch`` see each sentence the coach streams, before the
    session turns it into a ``coach_partial``."""
    wire = coach.set_sentence_sink

    def tapped(sink: Callable[[str], None] | None) -> None:
        def both(text: str) -> None:
            watch.sentence(text)
            if sink is not None:
                sink(text)

        wire(both)

    coach.set_sentence_sink = tapped


def llm_settings(model: local_llm.LocalModel, port: int, timeout_s: float,
                 max_tokens: int | None) -> Settings:
    section = tomllib.loads(local_llm.settings_snippet(model, port, timeout_s=timeout_s))["llm"]
    section["temperature"] = 0
    if max_tokens:
        section["max_tokens"] = max_tokens
    return parse_settings({"llm": section}, "llm_bench")


def interview(settings: Settings, turns: int) -> list[Turn]:
    problem = ProblemRegistry.discover(installed=False).get(PROBLEM)
    watch = Stopwatch()
    played: list[Turn] = []
    with SyncHarness(settings.harness) as harness:
        coach = build_coach("llm", settings, runner=harness, problem=problem)
        tap_sentences(coach, watch)
        clock = FakeClock()
        welcome = watch.begin("welcome")
        session = InterviewSession.start(SessionStore(MEMORY), problem, settings,
                                         harness=harness, clock=clock, coach=coach)
        # The welcome's actions went by before a listener could be added: its
        # whole reply is stamped as start() returns.
        for record in session.records():
            if isinstance(record, Action) and record.type in ("coach_fallback", "coach_says"):
                watch.action(record)
        played.append(welcome)
        session.listeners.append(watch.action)
        for n in range(turns):
            label, kind, text = SCRIPT[n % len(SCRIPT)]
            clock.advance(TURN_GAP_S)
            played.append(watch.begin(label))
            if kind == "submit":
                session.submit(text)
            else:
                session.say(text)
            console.print(f"turn {n + 1}/{turns} ({label}): {watch.elapsed():.1f} s",
                          highlight=False)
    return played


def summary(turns: list[Turn]) -> dict[str, Any]:
    candidate = turns[1:]
    answered = [t for t in candidate if t.fallback is None and t.replies]
    out: dict[str, Any] = {"candidate_turns": len(candidate), "model_answered": len(answered),
                           "fallbacks": sum(1 for t in candidate if t.fallback),
                           "no_reply": sum(1 for t in candidate if not t.replies)}
    for key in ("first_sentence_s", "whole_s"):
        values = [v for t in answered if (v := getattr(t, key)) is not None]
        out[key] = {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "n": len(values)}
    return out


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m", choices=sorted(local_llm.MODELS))
    parser.add_argument("--threads", type=int, default=None,
                        help="llama.cpp threads (default: the cores this process may use)")
    parser.add_argument("--turns", type=int, default=len(SCRIPT),
                        help=f"candidate turns (default {len(SCRIPT)}: the script once)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="[llm] timeout_s per model call (default 120)")
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="[llm] max_tokens (default: the settings' default)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    model = local_llm.model_of(args.model)
    load_before = loadavg()
    try:
        path = local_llm.fetch(model.key, install=False)
        with local_llm.LlamaServer(model, path, threads=args.threads) as server:
            console.print(f"{model.title} on {server.api_base}, {server.threads} thread(s); "
                          f"load {load_before}", highlight=False)
            settings = llm_settings(model, server.port, args.timeout, args.max_tokens)
            started = time.perf_counter()
            turns = interview(settings, args.turns)
            took = time.perf_counter() - started
            threads = server.threads
    except local_llm.LocalModelError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        return 1
    load_after = loadavg()
    figures = summary(turns)

    t = Table(title=f"LLM coach with {model.key} ({threads} thread(s), load {load_before} → "
                    f"{load_after}): wall time per turn")
    for col in ("turn", "first sentence shown", "whole reply", "tests", "fallback",
                "tokens in / out"):
        t.add_column(col)
    for turn in turns:
        tokens = "—" if turn.tokens_in is None else f"{turn.tokens_in} / {turn.tokens_out}"
        t.add_row(turn.label, seconds(turn.first_sentence_s), seconds(turn.whole_s),
                  seconds(turn.tests_s), turn.fallback or ("no" if turn.replies else "no reply"),
                  tokens)
    for q in ("p50", "p95"):
        t.add_row(f"[bold]{q}[/] ({figures['model_answered']} answered)",
                  seconds(figures["first_sentence_s"][q]), seconds(figures["whole_s"][q]),
                  "", f"{figures['fallbacks']} of {figures['candidate_turns']}", "")
    console.print(t)
    for turn in turns:
        console.print(f"[bold]{turn.label}:[/] {escape(turn.reply)}")
    console.print(f"whole interview {took:.0f} s", highlight=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "model": model.key, "threads": threads, "machine": platform.machine(),
            "cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
            "interview_s": round(took, 1), **figures, "turns": [asdict(t) for t in turns],
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
