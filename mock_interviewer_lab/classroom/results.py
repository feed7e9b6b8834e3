"""The class service's own record: every hidden run it made (its own
evidence: it ran the code itself) and every session report a student's
server posted, in an SQLite file only the service's Unix user can read or
write; and the instructor's table made from them (:func:`class_table`), as
CSV (:func:`table_csv`) and as a notebook with charts
(:func:`table_notebook`)."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import sqlite3
import threading
import time
from html import escape
from pathlib import Path
from typing import Any

#: The instructor's table, one row per student and problem, in this order.
COLUMNS = ("user", "problem", "pack_version", "runs", "tests_passed", "tests_total",
           "all_passed", "complexity_reached", "sessions", "time_to_working_code_s",
           "hints", "behavioral_score", "last_session")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, user TEXT NOT NULL, problem TEXT NOT NULL,
    pack_version TEXT NOT NULL, at REAL NOT NULL, passed INTEGER NOT NULL,
    total INTEGER NOT NULL, complexity TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    user TEXT NOT NULL, session_id TEXT NOT NULL, problem TEXT NOT NULL,
    pack_version TEXT NOT NULL, received_at REAL NOT NULL, report TEXT NOT NULL,
    PRIMARY KEY (user, session_id));
"""


class ResultStore:
    """The service's SQLite file (made 0600 in a 0700 folder)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        os.chmod(path, 0o600)
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def add_run(self, user: str, problem: str, pack_version: str, passed: int, total: int,
                complexity: str | None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO runs (user, problem, pack_version, at, passed, total, complexity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user, problem, pack_version, time.time(), passed, total, complexity))
            self._db.commit()

    def put_session(self, user: str, session_id: str, problem: str, pack_version: str,
                    report: dict[str, Any]) -> None:
        """A session's report (the last one posted for it wins)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                (user, session_id, problem, pack_version, time.time(), json.dumps(report)))
            self._db.commit()

    def session(self, user: str, session_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT problem, pack_version, received_at, report FROM sessions "
                "WHERE user = ? AND session_id = ?", (user, session_id)).fetchone()
        if row is None:
            return None
        return {"user": user, "session_id": session_id, "problem": row[0],
                "pack_version": row[1], "received_at": row[2], "report": json.loads(row[3])}

    def _all(self, sql: str) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql).fetchall())

    def table(self) -> list[dict[str, Any]]:
        return class_table(
            self._all("SELECT user, problem, pack_version, at, passed, total, complexity "
                      "FROM runs ORDER BY at, id"),
            self._all("SELECT user, session_id, problem, pack_version, received_at, report "
                      "FROM sessions ORDER BY received_at"))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _metrics(report: dict[str, Any]) -> dict[str, Any]:
    metrics = report.get("metrics")
    return metrics if isinstance(metrics, dict) else {}


def _behavioral_score(report: dict[str, Any]) -> float | None:
    for key in ("overall_score", "overall"):
        value = report.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def class_table(runs: list[tuple[Any, ...]], sessions: list[tuple[Any, ...]]
                ) -> list[dict[str, Any]]:
    """One row per student and problem. Tests passed, whether every test
    passed and the complexity reached come from the service's own runs; the
    time to working code, hints and behavioural score from the session
    reports the student's server posted (the fastest session, the fewest
    hints among those that reached working code)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(user: str, problem: str) -> dict[str, Any]:
        return rows.setdefault((user, problem), {
            "user": user, "problem": problem, "pack_version": "", "runs": 0,
            "tests_passed": 0, "tests_total": 0, "all_passed": False,
            "complexity_reached": None, "sessions": 0, "time_to_working_code_s": None,
            "hints": None, "behavioral_score": None, "last_session": None})

    for user, problem, version, _at, passed, total, complexity in runs:
        r = row(user, problem)
        r["pack_version"] = version
        r["runs"] += 1
        if (passed, -total) > (r["tests_passed"], -r["tests_total"]) or not r["tests_total"]:
            r["tests_passed"], r["tests_total"] = passed, total
        if total and passed == total:
            r["all_passed"] = True
            if complexity:
                r["complexity_reached"] = complexity
    for user, session_id, problem, version, _at, text in sessions:
        report = json.loads(text)
        r = row(user, problem)
        r["pack_version"] = r["pack_version"] or version
        r["sessions"] += 1
        r["last_session"] = session_id
        m = _metrics(report)
        working = m.get("time_to_working_code")
        if isinstance(working, (int, float)):
            best = r["time_to_working_code_s"]
            r["time_to_working_code_s"] = round(working, 1) if best is None else min(
                best, round(working, 1))
        hints = m.get("hints_given")
        if isinstance(hints, int):
            r["hints"] = hints if r["hints"] is None else min(r["hints"], hints)
        score = _behavioral_score(report)
        if score is not None:
            r["behavioral_score"] = score
    return [rows[key] for key in sorted(rows)]


def table_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r.get(k) is None else r[k] for k in COLUMNS})
    return out.getvalue()


def bar_svg(title: str, bars: list[tuple[str, float, float]]) -> str:
    """A horizontal bar chart: (label, value, out of) per bar."""
    width, left, height = 560, 200, 28
    total_h = 40 + height * max(1, len(bars))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="8" y="20" font-family="sans-serif" font-size="14">{escape(title)}</text>']
    for i, (label, value, whole) in enumerate(bars):
        y = 32 + i * height
        w = 0 if not whole else round((width - left - 60) * value / whole)
        parts += [f'<text x="8" y="{y + 17}" font-family="sans-serif" font-size="12">'
                  f'{escape(label)}</text>',
                  f'<rect x="{left}" y="{y + 4}" width="{w}" height="{height - 10}" '
                  'fill="#3b6fb6"/>',
                  f'<text x="{left + w + 6}" y="{y + 17}" font-family="sans-serif" '
                  f'font-size="12">{value:g}/{whole:g}</text>']
    parts.append("</svg>")
    return "".join(parts)


def table_notebook(rows: list[dict[str, Any]]) -> str:
    """The table as an ``.ipynb`` file's text: the table in Markdown, a
    chart of the students with working code per problem and one of the tests
    each student passed, and the rows in the metadata."""
    nbformat: Any = importlib.import_module("nbformat")
    v4: Any = nbformat.v4
    header = "| " + " | ".join(COLUMNS) + " |\n|" + " --- |" * len(COLUMNS) + "\n"
    lines = "".join("| " + " | ".join("" if r.get(k) is None else str(r[k]) for k in COLUMNS)
                    + " |\n" for r in rows)
    problems = sorted({r["problem"] for r in rows})
    by_problem = [(p, float(sum(r["all_passed"] for r in rows if r["problem"] == p)),
                   float(sum(r["problem"] == p for r in rows))) for p in problems]
    by_student = [(f"{r['user']} · {r['problem']}", float(r["tests_passed"]),
                   float(r["tests_total"])) for r in rows]

    def chart(source: str, title: str, bars: list[tuple[str, float, float]]) -> Any:
        return v4.new_code_cell(source=source, outputs=[v4.new_output(
            "display_data", data={"image/svg+xml": bar_svg(title, bars), "text/plain": title})])

    cells = [v4.new_markdown_cell(f"# Class results\n\n{len(rows)} student-problem rows.\n\n"
                                  + header + lines),
             chart("# Students whose code passed every test, per problem",
                   "Working code, per problem", by_problem),
             chart("# Tests passed (the service's own runs), per student and problem",
                   "Tests passed", by_student)]
    notebook = v4.new_notebook(cells=cells)
    notebook["metadata"]["mock_interviewer_lab"] = {"class_table": rows}
    nbformat.validate(notebook)
    return str(nbformat.writes(notebook))
