"""The benches of two commits side by side, in one run, for a change that
should not move them (a refactor): each bench runs from a checkout of the
"before" commit, then from the working tree, one after the other, so both
see the same machine, and the table gives each figure's after/before ratio.

Run: ``.venv/bin/python bench/before_after.py BEFORE_COMMIT [--quick]``.
The "before" checkout is a git worktree in a temporary folder; each bench's
JSON figures are flattened to ``name.path`` keys and compared where both
have a number. Timings on a shared machine move by 10–30 % from run to run:
read a ratio as "unchanged" unless it is well outside that.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
#: bench script -> (full arguments, --quick arguments)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "engine": ([], ["--rounds", "5", "--runs", "3"]),
    "harness": ([], ["--runs", "15"]),
    "coach": ([], ["--turns", "15"]),
    "voice": ([], ["--runs", "1"]),
    "capacity": ([], ["--users", "16", "--duration", "40"]),
}


def flatten(data: Any, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out[prefix] = float(data)
    return out


def run_bench(tree: Path, name: str, args: list[str], out: Path) -> dict[str, float]:
    # The checkout has no ../shared beside it: the datasets are the working tree's.
    humaneval = ROOT.parent / "shared" / "datasets" / "humaneval" / "HumanEval.jsonl.gz"
    env = {"MOCK_INTERVIEWER_HUMANEVAL": str(humaneval), **os.environ, "PYTHONPATH": str(tree)}
    script = tree / "bench" / f"{name}_bench.py"
    done = subprocess.run([PYTHON, str(script), *args, "--json", str(out)], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0 or not out.exists():
        print(f"{name} in {tree}: exit {done.returncode}\n{done.stderr[-2000:]}", file=sys.stderr)
        return {}
    return flatten(json.loads(out.read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="the commit to compare the working tree with")
    parser.add_argument("--quick", action="store_true", help="fewer rounds per bench")
    parser.add_argument("--bench", action="append", choices=sorted(BENCHES),
                        help="only these benches (repeat); default all")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    console = Console()
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        before_tree = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before_tree), args.before],
                       cwd=ROOT, check=True)
        try:
            for name in args.bench or list(BENCHES):
                bench_args = BENCHES[name][1 if args.quick else 0]
                console.print(f"[dim]{name}: before…[/]")
                before = run_bench(before_tree, name, bench_args, Path(tmp) / f"{name}-before.json")
                console.print(f"[dim]{name}: after…[/]")
                after = run_bench(ROOT, name, bench_args, Path(tmp) / f"{name}-after.json")
                results[name] = {"before": before, "after": after}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=ROOT,
                           check=False)
    table = Table(title=f"benches: {args.before} (before) and the working tree (after)")
    for column in ("figure", "before", "after", "after/before"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for name, pair in results.items():
        for key in sorted(set(pair["before"]) & set(pair["after"])):
            b, a = pair["before"][key], pair["after"][key]
            ratio = f"{a / b:.2f}" if b else ("=" if a == b else "–")
            table.add_row(f"{name}.{key}", f"{b:g}", f"{a:g}", ratio)
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps({"before": args.before, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
