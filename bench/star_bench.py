"""How long the offline behavioural scorer takes per answer.

    .venv/bin/python bench/star_bench.py [--number N]

Scores answers of 50 to 600 words (typed, and as a lower-case transcript
without punctuation) and prints a table of the mean time per answer with
timeit; the budget is 50 ms for a 300-word answer. The sentence cache is
cleared before every run so each answer is read from scratch.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_interviewer_lab.interview.rules.star import (  # noqa: E402
    question_feedback,
    score_answer,
)
from mock_interviewer_lab.interview.rules.star.text import sentences_of  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "behavioral" / "labelled.jsonl"
BUDGET_MS = 50.0


def _answer(words: int, transcript: bool) -> str:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    pool = " ".join(r["answer"] for r in rows).split()
    text = " ".join(pool[:words])
    return re.sub(r"[^\w\s']", "", text.lower()) if transcript else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=30, help="runs per row")
    args = parser.parse_args()
    question = "Tell me about a time you led a project without formal authority."
    print(f"{'answer':<26}{'score ms':>10}{'+ feedback ms':>15}{'budget':>9}")
    for transcript in (False, True):
        for words in (50, 150, 300, 600):
            text = _answer(words, transcript)

            def score(text: str = text) -> None:
                sentences_of.cache_clear()
                score_answer(text, question=question, competency="leadership",
                             target_level="L5A", stage="hiring_manager")

            def feedback(text: str = text) -> None:
                sentences_of.cache_clear()
                s = score_answer(text, question=question, competency="leadership",
                                 target_level="L5A", stage="hiring_manager")
                question_feedback(question, "leadership", "L5A", [text], s)

            ms = timeit.timeit(score, number=args.number) / args.number * 1000
            fb = timeit.timeit(feedback, number=args.number) / args.number * 1000
            label = f"{words} words, {'transcript' if transcript else 'typed'}"
            verdict = "ok" if words != 300 or ms < BUDGET_MS else "OVER"
            print(f"{label:<26}{ms:>10.2f}{fb:>15.2f}{verdict if words == 300 else '':>9}")


if __name__ == "__main__":
    main()
