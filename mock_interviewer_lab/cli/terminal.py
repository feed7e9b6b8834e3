"""The terminal interview (``mock-interviewer start PROBLEM --file solution.py``):
chat in the terminal while the solution file is watched and tested on save.

Lines typed are what the candidate says; ``/hint``, ``/status``, ``/end``
and ``/help`` are commands. Three threads share one session (whose own lock
serialises the events): the chat loop, the file watcher and a ticker that
lets time pass (warnings, automatic hints, nudges after silence).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from mock_interviewer_lab.events import Action
from mock_interviewer_lab.formatting import mmss, plural
from mock_interviewer_lab.harness.outcome import CaseOutcome
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.loader import Problem

HELP = "Type to talk to the interviewer. Commands: /hint, /status, /end, /help."


class TerminalInterview:
    def __init__(self, session: InterviewSession, solution: Path, *, console: Console | None = None,
                 poll_s: float = 0.3, tick_s: float = 5.0,
                 read_line: Callable[[], str] | None = None) -> None:
        self.session = session
        self.solution = solution
        self.console = console or Console(highlight=False)
        self.poll_s = poll_s
        self.tick_s = tick_s
        self._read_line = read_line or input
        self._print_lock = threading.Lock()
        self._stop = threading.Event()
        self._last_text: str | None = None
        self._last_activity = time.monotonic()
        # What was said before this listener could hear it (the welcome).
        self._said_before = [r for r in session.records()
                             if isinstance(r, Action) and r.type == "coach_says"]
        session.listeners.append(self._show)

    # ------------------------------------------------------------- output

    def _print(self, *parts: object) -> None:
        with self._print_lock:
            self.console.print(*parts)

    # For the voice add-on (voice/terminal_voice.py), which runs beside this loop.
    def show(self, *parts: object) -> None:
        """Print a line without mixing it into another thread's line."""
        self._print(*parts)

    def note_activity(self) -> None:
        """The candidate did something (spoke, for one): the silence clock restarts."""
        self._last_activity = time.monotonic()

    def _show(self, action: Action) -> None:
        d = action.data
        if action.type == "coach_says" and d.get("kind") != "hint":
            self._print(f"[bold cyan]interviewer:[/] {escape(d['text'])}")
        elif action.type == "show_hint":
            self._print(f"[yellow]{d['label']}:[/] {escape(d['text'])}")
        elif action.type == "phase_changed":
            self._print(f"[dim]— {d['to']} —[/]")
        elif action.type == "show_results":
            self._results(d)
        elif action.type == "time_warning":
            self._print(f"[yellow]⏰ {plural(d['minutes_left'], 'minute')} left[/]")
        elif action.type == "problem_added":
            self._follow_up(d)

    def _follow_up(self, d: dict[str, Any]) -> None:
        """A harder variant as a second problem: its own file, watched from now on."""
        problem = self.session.orchestrator.problem_for(d.get("qualified_id"))
        path = solution_file(self.solution.with_name(f"{problem.id}.py"), problem)
        self._print(f"[bold]Follow-up: {escape(problem.spec.title)}[/] ({problem.qualified_id})")
        self._print(Markdown(problem.spec.statement))
        self._print(f"[dim]Write it in {path}; every save runs its tests.[/]")
        self._last_text = None  # what the file holds now is the stub, not a submission
        self.solution = path

    def _results(self, d: dict[str, Any]) -> None:
        passed, total = d.get("passed"), d.get("total")
        colour = "green" if passed == total else "red"
        self._print(f"[{colour}]tests: {passed}/{total} passed[/]")
        if d.get("error"):
            self._print(f"[red]{escape(str(d['error']))}[/]")
        for raw in d.get("cases") or []:
            case = CaseOutcome.model_validate(raw)
            if case.status == "passed" or case.hidden:
                continue
            line = f"  ✗ {case.name}: {case.status}"
            if case.got_repr is not None:
                line += f" — args {case.args}, expected {case.expected!r}, got {case.got_repr}"
            elif case.message:
                line += f" — {case.message}"
            self._print(escape(line))
            if case.stdout:
                self._print(f"    printed: {escape(case.stdout.strip()[:200])}")
        hidden_bad = sum(1 for raw in d.get("cases") or []
                         if raw.get("hidden") and raw.get("status") != "passed")
        if hidden_bad:
            self._print(f"  ✗ {hidden_bad} hidden test(s)")

    # ------------------------------------------------------------ threads

    def _watch(self) -> None:
        while not self._stop.is_set() and not self.session.ended:
            try:
                text = self.solution.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
            if text is not None and text != self._last_text:
                first = self._last_text is None
                self._last_text = text
                if not first:
                    self._last_activity = time.monotonic()
                    self._print(f"[dim]{self.solution.name} saved: running the tests…[/]")
                    self.session.submit(text)
            self._stop.wait(self.poll_s)

    def _tick(self) -> None:
        threshold = self.session.settings.coach.intervention.silence_before_nudge_ms / 1000
        while not self._stop.wait(self.tick_s) and not self.session.ended:
            quiet = time.monotonic() - self._last_activity
            if quiet >= threshold:
                self.session.post("silence", {"seconds": round(quiet, 1)})
            else:
                self.session.tick()

    # --------------------------------------------------------------- main

    def run(self) -> None:
        # What the session's kind of interview lets the candidate see of it.
        view = self.session.public_view()
        self._print(f"[bold]{view['title']}[/] ({view['qualified_id']}, {view['difficulty']})")
        self._print(Markdown(view["statement"]))
        for record in self._said_before:
            self._show(record)
        self._print(f"[dim]Your solution file: {self.solution}. Every save runs the tests. {HELP}[/]")
        command_loop(self.session, self._read_line, self._command, stop=self._stop,
                     threads=[threading.Thread(target=self._watch, daemon=True, name="watch"),
                              threading.Thread(target=self._tick, daemon=True, name="tick")])

    def _command(self, line: str) -> None:
        self._last_activity = time.monotonic()
        if line in ("/hint", "/h"):
            self.session.hint()
        elif line == "/status":
            s = self.session
            left = s.orchestrator.timer.time_left_s
            self._print(f"phase {s.phase.value}, {mmss(left, truncate=True)} left, "
                        f"{s.orchestrator.ladder.label()}")
        elif line == "/help":
            self._print(HELP)
        else:
            self.session.say(line)


#: The lines that end an interview in the terminal.
END_COMMANDS = ("/end", "/quit", "/q")


def command_loop(session: InterviewSession, read_line: Callable[[], str],
                 handle: Callable[[str], None], *, stop: threading.Event,
                 threads: Sequence[threading.Thread]) -> None:
    """The terminal's input loop, for every kind of interview: ``threads``
    start, then each line typed (stripped, not empty) goes to ``handle``
    until the interview ends; the end of input or an end command ends it,
    Ctrl-C aborts it; then ``stop`` is set and ``threads`` joined."""
    for t in threads:
        t.start()
    try:
        while not session.ended:
            try:
                line = read_line().strip()
            except EOFError:
                session.end("candidate")
                break
            if not line:
                continue
            if line in END_COMMANDS:
                session.end("candidate")
            else:
                handle(line)
    except KeyboardInterrupt:
        session.end("abort")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=2)


def solution_file(path: Path, problem: Problem) -> Path:
    """The candidate's file, created from the signature stub if missing."""
    if not path.exists():
        path.write_text(problem.signature, encoding="utf-8")
    return path
