"""The terminal behavioural interview (``mock-interviewer start behavioral
--stage hiring_manager``): questions, follow-ups, scores and feedback in the
terminal.

A line typed is the answer to what was asked last (end a line with ``\\``
to go on on the next one); ``/next``, ``/skip``, ``/end`` and ``/help`` are
commands. A ticker lets time pass (warnings, the end at time-up).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape

from mock_interviewer_lab.cli.terminal import command_loop
from mock_interviewer_lab.events import Action
from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.session import InterviewSession

HELP = ("Type your answer (end a line with \\ to go on on the next). Commands: /next (next "
        "question), /skip (skip this follow-up), /end, /help.")


class BehavioralTerminal:
    def __init__(self, session: InterviewSession, *, console: Console | None = None,
                 tick_s: float = 5.0, read_line: Callable[[], str] | None = None) -> None:
        self.session = session
        self.console = console or Console(highlight=False)
        self.tick_s = tick_s
        self._read_line = read_line or input
        self._print_lock = threading.Lock()
        self._stop = threading.Event()
        self._before = [r for r in session.records() if isinstance(r, Action)]
        session.listeners.append(self._show)

    def _print(self, *parts: object) -> None:
        with self._print_lock:
            self.console.print(*parts)

    # ------------------------------------------------------------- output

    def _show(self, action: Action) -> None:
        d: dict[str, Any] = dict(action.data)
        if action.type == "question_asked":
            self._print(f"\n[bold]Question {d['number']} of {d['total']}[/] "
                        f"[dim]({escape(str(d['competency']).replace('_', ' '))}, "
                        f"{d['difficulty']})[/]")
        elif action.type == "follow_up_asked":
            self._print(f"[bold]Follow-up {d['number']} of {d['of']}[/]")
        elif action.type == "coach_says" and d.get("kind") != "feedback":
            self._print(f"[bold cyan]interviewer:[/] {escape(str(d['text']))}")
        elif action.type == "answer_scored":
            self._print(f"[green]{d['score']}/10 · {d['level']}[/] — "
                        f"{escape(str(d.get('brief_feedback', '')))}")
        elif action.type == "question_feedback":
            self._feedback(d)
        elif action.type == "session_feedback":
            self._summary(d)
        elif action.type == "request_refused":
            self._print(f"[yellow]{escape(str(d.get('reason', '')))}[/]")
        elif action.type == "scorer_fallback":
            self._print(f"[yellow]{escape(str(d.get('message', '')))}[/]")
        elif action.type == "difficulty_changed":
            self._print(f"[dim]difficulty {d.get('from')} → {d.get('to')}: "
                        f"{escape(str(d.get('reason', '')))}[/]")
        elif action.type == "time_warning":
            self._print(f"[yellow]⏰ {plural(d['minutes_left'], 'minute')} left[/]")

    def _feedback(self, d: dict[str, Any]) -> None:
        self._print(f"\n[bold]Feedback on question {d['question_number']}:[/] "
                    f"{d['score']}/10, level {d['level']}")
        for title, key in (("What landed", "what_landed"), ("What didn't land",
                                                             "what_didnt_land")):
            self._print(f"[bold]{title}[/]")
            for item in d.get(key) or []:
                self._print(f"  • {escape(str(item))}")
        self._print("[bold]Coaching[/]\n" + escape(str(d.get("coaching", ""))))
        self._print("[bold]Revised answer[/] [dim](fill in the [bracketed] places)[/]\n"
                    + escape(str(d.get("revised_answer", ""))))
        self._print("[dim]/next for the next question, /end to finish.[/]")

    def _summary(self, d: dict[str, Any]) -> None:
        self._print(f"\n[bold]Session: {d['overall_score']}/10 — {d['readiness']}[/] "
                    f"({d.get('questions_completed', 0)} questions completed)")
        for title, key in (("Key strengths", "key_strengths"),
                           ("Areas to improve", "areas_to_improve")):
            self._print(f"[bold]{title}[/]")
            for item in d.get(key) or []:
                self._print(f"  • {escape(str(item))}")
        self._print("[bold]Coaching priorities[/]")
        for number, item in enumerate(d.get("coaching_priorities") or [], 1):
            self._print(f"  {number}. {escape(str(item))}")
        self._print("[bold]Next steps[/]\n" + escape(str(d.get("next_steps", ""))))

    # --------------------------------------------------------------- main

    def _tick(self) -> None:
        while not self._stop.wait(self.tick_s) and not self.session.ended:
            self.session.tick()

    def _answer(self, first: str) -> str:
        lines = [first]
        while lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1].rstrip()
            try:
                lines.append(self._read_line())
            except EOFError:
                break
        return "\n".join(lines).strip()

    def run(self) -> None:
        for action in self._before:
            self._show(action)
        self._print(f"[dim]{HELP}[/]")
        command_loop(self.session, self._read_line, self._command, stop=self._stop,
                     threads=[threading.Thread(target=self._tick, daemon=True, name="tick")])

    def _command(self, line: str) -> None:
        if line in ("/next", "/n"):
            self.session.post("next_requested", {})
        elif line in ("/skip", "/s"):
            self.session.post("skip_requested", {})
        elif line == "/help":
            self._print(HELP)
        else:
            self.session.say(self._answer(line))
