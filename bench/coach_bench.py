"""What the LLM coach adds to the model's own time, printed as a table.

The model is tests/fake_llm_server.py: a real OpenAI-compatible HTTP server
on loopback that streams a scripted reply word by word. Per turn:

* **added per turn**: the coach's ``reply`` wall time minus the server's own
  time for that turn's requests (request received to last byte written), and
  minus the tools' own work for a tool turn. That is everything the coach
  puts around the model: the scripted pre-check, the prompt, litellm and
  HTTP on loopback, the sentence gate and leak filter, the tool plumbing.
  Target: p50/p95 under 20 ms.
* **first token to first shown sentence**: from the first streamed token to
  the sink (the panel, the voice) getting the first checked sentence, and
  the part of it that is the coach's (minus the time the model itself takes
  to stream the rest of that sentence).

Run: ``make bench`` (or ``.venv/bin/python bench/coach_bench.py --json out.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402 - after the path and environment set-up
from rich.table import Table  # noqa: E402

from mock_interviewer_lab.coach.base import CoachContext  # noqa: E402
from mock_interviewer_lab.coach.llm import LlmCoach  # noqa: E402
from mock_interviewer_lab.interview.intent import IntentClassifier  # noqa: E402
from mock_interviewer_lab.interview.phases import Phase  # noqa: E402
from mock_interviewer_lab.problems.loader import Problem  # noqa: E402
from mock_interviewer_lab.problems.registry import ProblemRegistry  # noqa: E402
from mock_interviewer_lab.settings import parse_settings  # noqa: E402
from tests.fake_llm_server import FakeLlmServer, Reply, Text, ToolCalls  # noqa: E402

console = Console()
REPLY = ("That's a reasonable place to start. What would your approach cost for a list of a "
         "hundred thousand numbers? Walk me through the first example with it.")
FIRST_SENTENCE_WORDS = 6  # "That's a reasonable place to start."
UTTERANCES = ["I'll check every pair of numbers first.", "Can the list be empty?",
              "I think it's quadratic time.", "Let me code it now."]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def context(problem: Problem, turn: int, code: str | None) -> CoachContext:
    text = UTTERANCES[turn % len(UTTERANCES)]
    transcript = tuple(("candidate" if i % 2 else "coach", UTTERANCES[i % len(UTTERANCES)])
                       for i in range(12))
    return CoachContext(trigger="said", problem=problem, phase=Phase.APPROACH,
                        helpfulness="balanced", personality="supportive", elapsed_s=300.0 + turn,
                        time_left_s=2400.0, utterance=IntentClassifier().classify(text),
                        transcript=transcript, code=code, turn=turn)


def run_turns(coach: LlmCoach, server: FakeLlmServer, problem: Problem, replies: list[Reply],
              turns: int, code: str | None) -> dict[str, list[float]]:
    added, client, own, first_sentence, first_sentence_own, latency = [], [], [], [], [], []
    delay = next((r.delay_s for r in replies if isinstance(r, Text)), 0.0)
    for turn in range(turns):
        server.reset()
        server.push(*replies)
        t0 = time.perf_counter()
        reply = coach.reply(context(problem, turn, code))
        wall = (time.perf_counter() - t0) * 1000
        assert reply is not None and reply.fallback is None and reply.usage, reply
        usage = reply.usage
        server_ms = sum((t.done - t.received) * 1000 for t in server.timings)
        latency.append(wall)
        added.append(wall - server_ms - usage["tool_ms"])
        # litellm and HTTP: the model calls' time but the server's and the gate's.
        client.append(usage["model_ms"] - server_ms - usage["gate_ms"])
        own.append(added[-1] - client[-1])
        if usage["first_sentence_after_token_ms"] is not None:
            first_sentence.append(usage["first_sentence_after_token_ms"])
            # The model streams the rest of the first sentence itself.
            first_sentence_own.append(usage["first_sentence_after_token_ms"]
                                      - (FIRST_SENTENCE_WORDS - 1) * delay * 1000)
    return {"added": added, "client": client, "own": own, "first_sentence": first_sentence,
            "first_sentence_own": first_sentence_own, "latency": latency}


def summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"turns": len(samples["added"])}
    for key, values in samples.items():
        if values:
            out[f"{key}_p50_ms"] = round(pct(values, 0.5), 2)
            out[f"{key}_p95_ms"] = round(pct(values, 0.95), 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    problem = ProblemRegistry.discover(installed=False).get("two_sum")
    code = "def two_sum(nums, target):\n    return [0, 1]\n"
    configs: dict[str, tuple[list[Reply], str | None]] = {
        "text reply, streamed at full speed": ([Text(REPLY)], None),
        "text reply, 15 ms per word (a local model)": ([Text(REPLY, delay_s=0.015)], None),
        "one tool round (analyze_code, assess_solution), then text": (
            [ToolCalls([("analyze_code", "{}"), ("assess_solution", "{}")]), Text(REPLY)], code),
    }
    figures: dict[str, Any] = {}
    with FakeLlmServer() as server:
        settings = parse_settings({"llm": {"model": "openai/test-model", "api_base": server.url,
                                           "timeout_s": 10}}, "bench")
        coach = LlmCoach(settings, problem=problem)
        for replies, with_code in configs.values():  # warm up: imports, first calls
            run_turns(coach, server, problem, replies, 3, with_code)
        for label, (replies, with_code) in configs.items():
            figures[label] = summary(run_turns(coach, server, problem, replies, args.turns,
                                               with_code))

    def pair(row: dict[str, Any], key: str) -> str:
        if f"{key}_p50_ms" not in row:
            return "—"
        return f"{row[f'{key}_p50_ms']:.1f} / {row[f'{key}_p95_ms']:.1f} ms"

    t = Table(title="LLM coach: what it adds to the model's own time (fake model on loopback), "
                    "p50 / p95")
    for col in ("turn", "n", "added per turn (target < 20 ms)", "of it litellm + HTTP",
                "of it the coach's own", "1st token → 1st shown sentence",
                "of it the coach's"):
        t.add_column(col)
    for label, row in figures.items():
        t.add_row(label, str(row["turns"]), pair(row, "added"), pair(row, "client"),
                  pair(row, "own"), pair(row, "first_sentence"), pair(row, "first_sentence_own"))
    console.print(t)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
