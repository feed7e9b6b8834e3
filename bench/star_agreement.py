"""How well the offline behavioural scorer agrees with hand-given scores, and
how edits to an answer move its score.

    .venv/bin/python bench/star_agreement.py [--json] [--write]

Reads tests/data/behavioral/labelled.jsonl (answers with the score the rubric
gives them by hand, written before the scorer was tuned), scores each one and
reports Spearman's rank correlation with the labels. Then makes six edited
copies of every answer — result removed, "I" turned into "we", numbers
removed, order changed, made hypothetical, padded with fillers — and reports
for each edit how often the score moved the right way. ``--write`` saves the
edited copies (edit, id, answer; no scores) to tests/data/behavioral/edited.jsonl
for reading; the test checks that file is what the edits make today.

tests/data/behavioral/heldout.jsonl is a held-out set (20 answers, some of them
lower-case spoken transcripts) labelled by hand with the rubric by someone who
had read neither the scorer nor the labelled set; ``heldout()`` gives its
agreement, which the tuned-on set's figure cannot show.

The edits are made here by plain text rules, not by the scorer's own labels
(the sentences are cut by the scorer's segmenter, the same for every edit).
tests/test_star_agreement.py runs ``measure()`` and asserts its figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_interviewer_lab.interview.rules.star import score_answer  # noqa: E402
from mock_interviewer_lab.interview.rules.star.text import sentences_of  # noqa: E402

DATA = ROOT / "tests" / "data" / "behavioral"
LABELLED = DATA / "labelled.jsonl"
EDITED = DATA / "edited.jsonl"
HELDOUT = DATA / "heldout.jsonl"
#: An answer scored this or more before an edit has something to lose.
STRONG = 5


def load(path: Path = LABELLED) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _sentences(text: str) -> list[str]:
    return [s.text for s in sentences_of(text)]


def _join(sentences: list[str]) -> str:
    return " ".join(s if s[-1:] in ".!?" else s + "." for s in sentences)


# ------------------------------------------------------------------- edits

_REFLECTIVE = re.compile(r"\b(?:learn|learned|learnt|hindsight|next time|looking back|should have|"
                         r"since then|i would have|thing i learned)\b", re.I)


def remove_result(text: str) -> str:
    """Without the story's last sentence that is not a reflection (where a
    STAR story keeps its result)."""
    sents = _sentences(text)
    for i in range(len(sents) - 1, -1, -1):
        if not _REFLECTIVE.search(sents[i]):
            return _join(sents[:i] + sents[i + 1:])
    return text


_WE = [(r"\bI'm\b", "we're"), (r"\bI'd\b", "we'd"), (r"\bI've\b", "we've"), (r"\bI'll\b", "we'll"),
       (r"\bI\b", "we"), (r"\bmyself\b", "ourselves"), (r"\bmy\b", "our"), (r"\bme\b", "us"),
       (r"\bmine\b", "ours")]


def i_to_we(text: str) -> str:
    """Every "I", "my", "me" turned into "we", "our", "us"."""
    for pattern, repl in _WE:
        text = re.sub(pattern, repl, text, flags=re.I)
    return text


_NUM_WORDS = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
              r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
              r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half|point)")
_NUMBERS = re.compile(
    rf"(?:[$£€]?\d[\d,.]*(?:\s*(?:%|percent|per cent|k|ms|x)\b|%)?"
    rf"|\b(?:a\s+)?{_NUM_WORDS}(?:(?:[\s-]+|\s+and\s+){_NUM_WORDS})*\b(?:\s+(?:percent|per cent))?)",
    re.I)


def remove_numbers(text: str) -> str:
    """Every number (digits or spelled out) replaced by "some"."""
    return re.sub(r"\s{2,}", " ", _NUMBERS.sub("some", text))


def reverse_order(text: str) -> str:
    """The sentences in reverse order."""
    return _join(list(reversed(_sentences(text))))


def rotate_order(text: str) -> str:
    """The last sentence first (a result-first telling)."""
    sents = _sentences(text)
    return _join(sents[-1:] + sents[:-1])


_BASE = {"wrote": "write", "built": "build", "ran": "run", "led": "lead", "met": "meet",
         "took": "take", "made": "make", "went": "go", "found": "find", "got": "get",
         "told": "tell", "sent": "send", "chose": "choose", "set": "set", "put": "put",
         "drew": "draw", "spoke": "speak", "gave": "give", "kept": "keep", "brought": "bring",
         "dug": "dig", "did": "do", "held": "hold", "cut": "cut", "split": "split",
         "showed": "show", "rewrote": "rewrite", "sat": "sit", "began": "begin", "paid": "pay"}


def _base(verb: str) -> str:
    low = verb.lower()
    if low in _BASE:
        return _BASE[low]
    if low.endswith("ied"):
        return low[:-3] + "y"
    if re.search(r"([bdgmnprt])\1ed$", low):
        return low[:-3]
    if re.search(r"(?:at|iz|is|ur|uc|ng|v|c|ag|ud|os|ul|ar|ir|pe|yp)ed$", low) and not low.endswith(("ssed", "nged")):
        return low[:-1]
    if low.endswith("ed"):
        return low[:-2]
    return low


_PAST = re.compile(r"\b(I|we)\s+(?:also\s+|then\s+|just\s+|first\s+)?([A-Za-z]+)\b", re.I)


def make_hypothetical(text: str) -> str:
    """What they did told as what they would usually do: "I wrote" becomes
    "I would usually write", "we shipped" "we would ship"."""
    def repl(m: re.Match[str]) -> str:
        verb = m.group(2)
        low = verb.lower()
        if not (low in _BASE or low.endswith("ed")) or low in ("needed", "wanted"):
            return m.group(0)
        return f"{m.group(1)} would usually {_base(verb)}"
    return _PAST.sub(repl, text)


_PADS = ("um,", "you know,", "like,", "basically,", "uh,", "I mean,")


def pad_fillers(text: str) -> str:
    """A filler before every fourth word."""
    words = text.split()
    out: list[str] = []
    for i, w in enumerate(words):
        if i and i % 4 == 0:
            out.append(_PADS[(i // 4) % len(_PADS)])
        out.append(w)
    return " ".join(out)


#: name: (edit, the way the score should move: "down" (never up, and down in
#: most cases) or "same" (within one point; padding never up)).
EDITS: dict[str, tuple[Callable[[str], str], str]] = {
    "result removed": (remove_result, "down"),
    "I turned into we": (i_to_we, "down"),
    "numbers removed": (remove_numbers, "down"),
    "made hypothetical": (make_hypothetical, "down"),
    "order reversed": (reverse_order, "same"),
    "result first": (rotate_order, "same"),
    "padded with fillers": (pad_fillers, "same"),
}


# ----------------------------------------------------------------- figures

def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties given their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks, ties averaged)."""
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def _score(row: dict[str, Any], answer: str) -> int:
    return score_answer(answer, question=row["question"], competency=row["competency"],
                        target_level=row["target_level"], stage=row["stage"]).score


def agreement(rows: list[dict[str, Any]], scores: list[int]) -> dict[str, Any]:
    """Spearman and the mean absolute error of ``scores`` against the rows' labels."""
    labels = [r["label"] for r in rows]
    return {
        "answers": len(rows),
        "spearman": round(spearman([float(x) for x in scores], [float(x) for x in labels]), 3),
        "mean_abs_error": round(sum(abs(s - label) for s, label in zip(scores, labels, strict=True))
                                / len(rows), 2),
        "per_answer": [{"id": r["id"], "label": r["label"], "score": s}
                       for r, s in zip(rows, scores, strict=True)],
    }


def heldout() -> dict[str, Any]:
    """The agreement on the held-out set (see the module's docstring)."""
    rows = load(HELDOUT)
    return agreement(rows, [_score(r, r["answer"]) for r in rows])


def measure(rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The agreement and the edits' figures (see the module's docstring)."""
    rows = load() if rows is None else rows
    scores = [_score(r, r["answer"]) for r in rows]
    result: dict[str, Any] = {**agreement(rows, scores), "edits": {}}
    for name, (edit, way) in EDITS.items():
        deltas: list[int] = []
        applicable = lowered = strong = strong_lowered = 0
        copies = []
        for row, before in zip(rows, scores, strict=True):
            edited = edit(row["answer"])
            if edited == row["answer"]:
                continue
            after = _score(row, edited)
            copies.append({"id": f"{row['id']}/{name}", "before": before, "after": after,
                           "answer": edited})
            deltas.append(after - before)
            if before > 1:
                applicable += 1
                lowered += after < before
            if before >= STRONG:
                strong += 1
                strong_lowered += after < before
        result["edits"][name] = {
            "way": way,
            "edited": len(deltas),
            "raised": sum(1 for d in deltas if d > 0),
            "lowered": sum(1 for d in deltas if d < 0),
            "unchanged": sum(1 for d in deltas if d == 0),
            "max_change": max((abs(d) for d in deltas), default=0),
            "lowered_rate": round(lowered / applicable, 3) if applicable else 0.0,
            "strong": strong,
            "strong_lowered_rate": round(strong_lowered / strong, 3) if strong else 0.0,
            "copies": copies,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--write", action="store_true", help=f"write the edited copies to {EDITED}")
    args = parser.parse_args()
    figures = measure()
    held = heldout()
    if args.write:
        with EDITED.open("w", encoding="utf-8") as f:
            for name, e in figures["edits"].items():
                for c in e["copies"]:
                    f.write(json.dumps({"edit": name, "id": c["id"], "answer": c["answer"]},
                                       ensure_ascii=False) + "\n")
    if args.json:
        slim = {**figures, "edits": {k: {x: y for x, y in v.items() if x != "copies"}
                                     for k, v in figures["edits"].items()}, "heldout": held}
        print(json.dumps(slim, indent=2))
        return
    print(f"{figures['answers']} labelled answers: Spearman {figures['spearman']:.3f}, "
          f"mean |score - label| {figures['mean_abs_error']:.2f}")
    print(f"{held['answers']} held-out answers: Spearman {held['spearman']:.3f}, "
          f"mean |score - label| {held['mean_abs_error']:.2f}")
    print(f"lowered %: of the edited answers scored above 1 before; of >={STRONG}: of those "
          f"scored {STRONG} or more")
    print(f"{'edit':<22}{'way':<6}{'edited':>7}{'raised':>8}{'lowered':>9}{'same':>6}"
          f"{'max |d|':>9}{'lowered %':>11}{f'of >={STRONG}':>9}")
    for name, e in figures["edits"].items():
        print(f"{name:<22}{e['way']:<6}{e['edited']:>7}{e['raised']:>8}{e['lowered']:>9}"
              f"{e['unchanged']:>6}{e['max_change']:>9}{100 * e['lowered_rate']:>10.0f}%"
              f"{100 * e['strong_lowered_rate']:>8.0f}%")
    off = [a for a in figures["per_answer"] + held["per_answer"]
           if abs(a["score"] - a["label"]) >= 3]
    if off:
        print("answers 3+ points from their label: " + ", ".join(
            f"{a['id']} ({a['label']} -> {a['score']})" for a in off))


if __name__ == "__main__":
    main()
