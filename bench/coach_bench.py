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

Side by side, in the same run with turns interleaved (the machine's load
changes from minute to minute): the same coach reading each stream to its
end before going on (``stop_reading_at_finish = False``, how litellm's
examples read a stream), the coach as shipped (done with an answer at its
finish reason), and the shipped coach with the model named
``hosted_vllm/test-model`` instead of ``openai/test-model``: the same
server through litellm's own HTTP handler instead of the OpenAI SDK.
Turns are ``--gap`` seconds apart (the candidate speaking), so what one
turn leaves to run after it does not land in the next turn's measurement.

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

from mock_interviewer_lab.coach.llm import LlmCoach  # noqa: E402
from mock_interviewer_lab.interview.coaching import CoachContext  # noqa: E402
from mock_interviewer_lab.interview.intent import IntentClassifier  # noqa: E402
from mock_interviewer_lab.interview.kinds.coding import CodingView  # noqa: E402
from mock_interviewer_lab.interview.phases import Phase  # noqa: E402
from mock_interviewer_lab.problems.loader import Problem  # noqa: E402
from mock_interviewer_lab.problems.registry import ProblemRegistry  # noqa: E402
from mock_interviewer_lab.settings import Settings, parse_settings  # noqa: E402
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
                        transcript=transcript, work=CodingView(code=code), turn=turn)


def run_turns(coaches: dict[str, LlmCoach], server: FakeLlmServer, problem: Problem,
              replies: list[Reply], turns: int, code: str | None,
              gap_s: float = 0.0) -> dict[str, dict[str, list[float]]]:
    """``turns`` turns of each coach, interleaved (A B, B A, …), as samples per coach."""
    keys = ("added", "client", "own", "first_sentence", "first_sentence_own", "latency")
    samples: dict[str, dict[str, list[float]]] = {
        name: {key: [] for key in keys} for name in coaches}
    delay = next((r.delay_s for r in replies if isinstance(r, Text)), 0.0)
    for turn in range(turns):
        order = list(coaches) if turn % 2 == 0 else list(reversed(coaches))
        for name in order:
            out = samples[name]
            server.reset()
            server.push(*replies)
            t0 = time.perf_counter()
            reply = coaches[name].reply(context(problem, turn, code))
            wall = (time.perf_counter() - t0) * 1000
            assert reply is not None and reply.fallback is None and reply.usage, reply
            assert reply.usage["tokens_in"] and reply.usage["tokens_out"], reply.usage
            usage = reply.usage
            server_ms = sum((t.done - t.received) * 1000 for t in server.timings)
            out["latency"].append(wall)
            out["added"].append(wall - server_ms - usage["tool_ms"])
            # litellm and HTTP: the model calls' time but the server's and the gate's.
            out["client"].append(usage["model_ms"] - server_ms - usage["gate_ms"])
            out["own"].append(out["added"][-1] - out["client"][-1])
            if usage["first_sentence_after_token_ms"] is not None:
                out["first_sentence"].append(usage["first_sentence_after_token_ms"])
                # The model streams the rest of the first sentence itself.
                out["first_sentence_own"].append(usage["first_sentence_after_token_ms"]
                                                 - (FIRST_SENTENCE_WORDS - 1) * delay * 1000)
            time.sleep(gap_s)
    return samples


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
    parser.add_argument("--gap", type=float, default=0.1,
                        help="seconds between turns (default 0.1)")
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
    compared: dict[str, Any] = {}
    other_route: dict[str, Any] = {}
    with FakeLlmServer() as server:
        def settings(model: str) -> Settings:
            return parse_settings({"llm": {"model": model, "api_base": server.url,
                                           "timeout_s": 10}}, "bench")

        read_to_end = LlmCoach(settings("openai/test-model"), problem=problem)
        read_to_end.stop_reading_at_finish = False
        coaches = {"read_to_end": read_to_end,
                   "shipped": LlmCoach(settings("openai/test-model"), problem=problem),
                   "hosted_vllm": LlmCoach(settings("hosted_vllm/test-model"), problem=problem)}
        for replies, with_code in configs.values():  # warm up: imports, first calls
            run_turns(coaches, server, problem, replies, 3, with_code, args.gap)
        for label, (replies, with_code) in configs.items():
            samples = run_turns(coaches, server, problem, replies, args.turns, with_code,
                                args.gap)
            figures[label] = summary(samples["shipped"])
            compared[label] = summary(samples["read_to_end"])
            other_route[label] = summary(samples["hosted_vllm"])

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

    c = Table(title="Added per turn, same run, turns interleaved, p50 / p95: each stream read "
                    "to its end, done at the finish reason (the coach), and the coach through "
                    "hosted_vllm/")
    for col in ("turn", "read to its end", "done at the finish reason", "saved at p50",
                "the coach, hosted_vllm/ route"):
        c.add_column(col)
    for label, row in figures.items():
        before = compared[label]
        c.add_row(label, pair(before, "added"), pair(row, "added"),
                  f"{before['added_p50_ms'] - row['added_p50_ms']:.1f} ms",
                  pair(other_route[label], "added"))
    console.print(c)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**figures, "read_to_end": compared,
                                         "hosted_vllm_route": other_route}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
