"""``%interview`` and ``%%solution``: the interview from a notebook.

Every mistake of the user's (an unknown problem, a second interview, a
solution without an interview, a server that went away) is one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.kernel.backend import BEHAVIORAL, Backend, BackendError, choose_backend
from mock_interviewer_lab.kernel.behavioral_panel import BehavioralPanel
from mock_interviewer_lab.kernel.panel import Panel, mmss, report_body
from mock_interviewer_lab.kernel.room import room_bundle, room_info, same_problem
from mock_interviewer_lab.kernel.voice_widget import voice_part
from mock_interviewer_lab.limits import BadText, TextTooLong, check_text
from mock_interviewer_lab.settings import HELPFULNESS, MODES

SUBCOMMANDS = ("say", "hint", "status", "end", "report", "resume", "list", "stub",
               "behavioral", "next", "skip", "help")
#: Also ask for the help.
HELP_WORDS = ("help", "-h", "--help")

#: What ``%interview help`` says: every sub-command (the options of starting
#: an interview and of a behavioural one are read from their parsers).
COMMANDS_HELP: tuple[tuple[str, str], ...] = (
    ("%interview", "list the problems"),
    ("%interview PROBLEM [options]", "start a coding interview on PROBLEM (options below)"),
    ("%interview --difficulty D", "start one on a random problem of that difficulty"),
    ("%%solution", "(cell magic) run the cell as usual and submit it to the interview"),
    ("%interview say TEXT", "say TEXT to the interviewer: the rest of the line as typed, "
                            "question marks and apostrophes included (quotes optional)"),
    ("%interview hint", "the next hint"),
    ("%interview status", "phase, time left, hints and the last test results"),
    ("%interview end", "end the interview"),
    ("%interview report [html|md|json|ipynb]", "the report: html (the default) shown in the "
                                              "notebook, the others printed"),
    ("%interview resume [ID]", "bring back the open interview, or session ID"),
    ("%interview list", "your sessions"),
    ("%interview stub", "a new cell with the follow-up problem's stub"),
    ("%interview behavioral [options]", "start a behavioural interview (options below)"),
    ("%interview next | skip", "(behavioural) the next question; skip this one"),
    ("%interview help", "this help (also -h, --help)"),
)


class UsageError(Exception):
    """The magic's arguments do not parse."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit the kernel
        raise UsageError(message)


def _start_parser() -> _Parser:
    parser = _Parser(prog="%interview", add_help=False)
    parser.add_argument("problem", nargs="?")
    parser.add_argument("--mode", choices=MODES, default="normal")
    parser.add_argument("--difficulty", choices=["easy", "medium", "hard"])
    parser.add_argument("--coach", choices=HELPFULNESS)
    # None: the server's MockInterviewerApp.default_minutes (45 in the kernel).
    parser.add_argument("--minutes", type=float, default=None)
    # This session's [llm] model/api_base over settings.toml's; the server's
    # privacy.local_only still decides whether they may be used.
    parser.add_argument("--model", default="")
    parser.add_argument("--api-base", dest="api_base", default="")
    return parser


def _behavioral_parser() -> _Parser:
    from mock_interviewer_lab.competencies import DIFFICULTIES, LEVELS, STAGES

    parser = _Parser(prog="%interview behavioral", add_help=False)
    parser.add_argument("--stage", choices=STAGES, default="hiring_manager")
    parser.add_argument("--difficulty", choices=DIFFICULTIES, default="medium")
    parser.add_argument("--level", choices=LEVELS)
    parser.add_argument("--resume", metavar="FILE")
    parser.add_argument("--job", metavar="FILE")
    parser.add_argument("--adversarial", action="store_true")
    parser.add_argument("--bank")
    parser.add_argument("--model", default="")
    parser.add_argument("--api-base", dest="api_base", default="")
    return parser


def _options_lines(parser: argparse.ArgumentParser) -> list[str]:
    """One line per option of ``parser``: its flags, choices and default."""
    lines = []
    for action in parser._actions:
        if not action.option_strings:
            continue
        flags = ", ".join(action.option_strings)
        if action.choices:
            value = "{" + ",".join(str(c) for c in action.choices) + "}"
        elif action.nargs == 0:
            value = ""
        else:
            value = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
        default = (f" (default {action.default})"
                   if action.default not in (None, "", False) else "")
        lines.append(f"  {flags} {value}".rstrip() + default)
    return lines


def help_text() -> str:
    """``%interview help``: the sub-commands, then each parser's options."""
    width = max(len(command) for command, _ in COMMANDS_HELP)
    lines = [f"{command:<{width}}  {what}" for command, what in COMMANDS_HELP]
    lines += ["", "%interview PROBLEM options:", *_options_lines(_start_parser()),
              "", "%interview behavioral options:", *_options_lines(_behavioral_parser())]
    return "\n".join(lines)


def say_text(rest: str) -> str:
    """What ``%interview say …`` says: the rest of the line verbatim (no
    shell quoting: "it's" is an apostrophe, not an open quote). One pair of
    quotes around the whole of it, as in ``say "…"``, is dropped."""
    text = rest.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        try:
            words = shlex.split(text)
        except ValueError:
            return text
        if len(words) == 1:
            return words[0]
    return text


#: A ``%interview …`` line (not a cell magic's), its indent and the rest.
_MAGIC_LINE = re.compile(r"^(?P<indent>[ \t]*)%interview(?P<rest>[ \t]+\S.*?)[ \t]*(?P<end>\r?\n?)$")


def keep_question_marks(lines: list[str]) -> list[str]:
    """An input transformer (IPython's ``input_transformers_cleanup``).

    IPython reads a line that ends in ``?`` as a request for help on the
    last word (``%interview say can it be empty?`` would look up ``empty``).
    Such an ``%interview`` line becomes the call of the magic it stands for,
    the rest of the line passed as typed; ``%interview?`` alone still shows
    the magic's help, and a ``%%`` cell is left alone."""
    if not lines or lines[0].lstrip().startswith("%%"):
        return lines
    out = []
    for line in lines:
        match = _MAGIC_LINE.match(line)
        rest = match["rest"].strip() if match else ""
        if match and rest.endswith("?"):
            line = (f"{match['indent']}get_ipython().run_line_magic('interview', {rest!r})"
                    f"{match['end']}")
        out.append(line)
    return out


def behavioral_options(words: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``%interview behavioral``'s options as the backend takes them (the
    files read here: text or Markdown only), and its llm choices."""
    from mock_interviewer_lab.behavioral_shell import (
        BehavioralOptions,
        SetupError,
        read_context_file,
    )

    args = _behavioral_parser().parse_args(words)
    try:
        resume = read_context_file(args.resume, "--resume") if args.resume else None
        job = read_context_file(args.job, "--job") if args.job else None
    except SetupError as exc:
        raise UsageError(str(exc)) from None
    options = BehavioralOptions(stage=args.stage, difficulty=args.difficulty, level=args.level,
                                resume_text=resume, job_text=job,
                                adversarial=args.adversarial, bank=args.bank)
    return options.as_dict(), llm_choices(args)


def _within_limit(kind: str, text: str, what: str) -> None:
    """The same limits as the server's, checked before anything is sent (a
    kernel without a server has no one else to check them)."""
    try:
        check_text(kind, text, what)
    except (TextTooLong, BadText) as exc:
        raise UsageError(f"{exc}; nothing was sent") from None


def llm_choices(args: argparse.Namespace) -> dict[str, str]:
    """``--model``/``--api-base`` as the backend takes them (only those given)."""
    chosen = {"model": str(args.model).strip(), "api_base": str(args.api_base).strip()}
    return {key: value for key, value in chosen.items() if value}


def results_line(results: dict[str, Any]) -> str:
    line = f"tests: {results.get('passed', 0)} of {results.get('total', 0)} passed"
    hidden = [c for c in results.get("cases") or [] if c.get("hidden")]
    if hidden:
        passed = sum(c.get("status") == "passed" for c in hidden)
        line += f" ({passed} of {len(hidden)} hidden)"
    if results.get("error"):
        line += f"; {results['error']}"
    return line


@magics_class
class InterviewMagics(Magics):
    def __init__(self, shell: InteractiveShell,
                 backend_factory: Callable[[], Backend] = choose_backend) -> None:
        super().__init__(shell)
        self._backend_factory = backend_factory
        self._backend: Backend | None = None
        self.panel: Panel | None = None
        #: The running interview's room (kernel/room.py's room_info).
        self.room: dict[str, Any] | None = None
        # True while a panel button's callback runs: its lines go to the
        # panel, never to stdout/stderr (JupyterLab's Log Console).
        self._in_panel_callback = False
        self.show_panels = True
        #: The stub of the problem the interview moved on to (a harder
        #: variant), for the next cell; ``%interview stub`` gives it again.
        self.stub: str | None = None
        self._stub_due = False

    # ------------------------------------------------------------ plumbing

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._backend_factory()
            self._backend.subscribe(self._on_pushed_action)
        return self._backend

    def _on_pushed_action(self, action: dict[str, Any]) -> None:
        if self.panel is not None:
            self.panel.apply(action)

    def _apply(self, actions: list[dict[str, Any]]) -> None:
        for action in actions:
            if action.get("type") == "session_feedback" and isinstance(self.panel,
                                                                       BehavioralPanel):
                self._show_history()
            if action.get("type") == "problem_added":
                data = action.get("data") or {}
                self.stub = "%%solution\n" + str(data.get("signature") or "")
                self._stub_due = True
            if self.panel is not None:
                self.panel.apply(action)

    def _event(self, type_: str, **data: Any) -> list[dict[str, Any]]:
        """Post one event, show its actions, and bring the countdown up to date."""
        actions = self.backend.event(type_, **data)
        self._apply(actions)
        for action in actions:
            if action.get("type") == "request_refused":
                self.error(str((action.get("data") or {}).get("reason", "refused")))
        if self.panel is not None:
            self.panel.set_state(self.backend.state())
        if self._stub_due and self.stub:
            # A follow-up problem began: its stub in a new cell (this runs in
            # a cell; from the panel's text box ``%interview stub`` does it).
            self._stub_due = False
            self.shell.set_next_input(self.stub)  # type: ignore[union-attr]
            self.say_line("a follow-up problem is in the panel; write it in the next cell")
        return actions

    def _show_history(self) -> None:
        """The trend across behavioural sessions, in the panel (best effort:
        a history that cannot be read leaves the panel as it is)."""
        try:
            history = self.backend.history()
        except BackendError:
            return
        if isinstance(self.panel, BehavioralPanel):
            self.panel.show_history(history)

    def _kind(self) -> str:
        """The running interview's kind (a backend that does not say: coding)."""
        return str(getattr(self.backend, "kind", "coding"))

    def error(self, message: str) -> None:
        if self._in_panel_callback and self.panel is not None:
            self.panel.show_error(message)
            return
        print(f"interview: {message}", file=sys.stderr)

    def say_line(self, message: str) -> None:
        if self._in_panel_callback and self.panel is not None:
            self.panel.show_note(message)
            return
        print(message)

    @contextlib.contextmanager
    def _panel_output(self) -> Iterator[None]:
        """A panel button's callback: what it says goes to the panel. Output
        from an ipywidgets callback has no cell to go to (JupyterLab puts it
        in the Log Console), so even a stray print is caught and shown here."""
        caught = io.StringIO()
        self._in_panel_callback = True
        try:
            with contextlib.redirect_stdout(caught), contextlib.redirect_stderr(caught):
                try:
                    yield
                except Exception as exc:  # a button must never leave a traceback in a log
                    self.error(f"{type(exc).__name__}: {exc}")
        finally:
            self._in_panel_callback = False
        stray = caught.getvalue().strip()
        if stray and self.panel is not None:
            self.panel.show_note(stray)

    def _guarded(self, work: Callable[[], None]) -> None:
        from mock_interviewer_lab.problems.registry import UnknownProblem

        try:
            work()
        except UnknownProblem as exc:
            self.error(str(exc))
        except (BackendError, UsageError) as exc:
            self.error(str(exc))

    # --------------------------------------------------------------- magics

    @line_magic
    def interview(self, line: str) -> None:
        """%interview PROBLEM [--mode normal|tdd] [--difficulty D] [--coach C] [--minutes N]
        [--model M] [--api-base URL];
        %interview say TEXT | hint | status | end | report [html|md|json|ipynb] | resume [ID] |
        list | stub | help; %interview alone lists the problems. %interview help says more."""
        self._guarded(lambda: self._interview(line))

    def _interview(self, line: str) -> None:
        head, *tail = line.split(None, 1) or [""]
        if head == "say":  # ordinary English, not shell words
            self._say(say_text(tail[0] if tail else ""))
            return
        if head in HELP_WORDS:
            self._cmd_help([])
            return
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"cannot read the arguments: {exc}") from None
        if not words:
            self._list_problems()
            return
        command, rest = words[0], words[1:]
        if command in SUBCOMMANDS:
            getattr(self, f"_cmd_{command}")(rest)
        else:
            self._cmd_start(words)

    @cell_magic
    def solution(self, line: str, cell: str) -> None:
        """Run the cell as usual, then submit it to the interview."""
        if self._backend is None or not self.backend.active:
            self.error("no interview is running; start one with %interview PROBLEM "
                       "(the cell was not run)")
            return
        if self._kind() == BEHAVIORAL:
            self.error('a behavioural interview takes no code: answer with %interview say "…" '
                       "or in the panel (the cell was not run)")
            return
        self.shell.run_cell(cell)  # type: ignore[union-attr]
        self._guarded(lambda: self._submit(cell))

    # ------------------------------------------------------------ commands

    def _list_problems(self) -> None:
        rows = sorted(self.backend.problems(), key=lambda p: (p["difficulty"], p["id"]))
        for p in rows:
            self.say_line(f"{p['id']:<40} {p['difficulty']:<7} {p['title']}")
        self.say_line("start one with %interview PROBLEM")

    def _cmd_start(self, words: list[str]) -> None:
        args = _start_parser().parse_args(words)
        backend = self.backend
        if backend.active:
            self._bring_back(args.problem)
            return
        problem = args.problem
        if problem is None:
            if args.difficulty is None:
                raise UsageError("name a problem, or give --difficulty to get a random one")
            pool = [p for p in backend.problems() if p["difficulty"] == args.difficulty]
            if not pool:
                raise BackendError(f"no {args.difficulty} problem is installed")
            problem = str(random.choice(pool)["qualified_id"])
        coach = {"helpfulness": args.coach} if args.coach else None
        llm = llm_choices(args)
        # llm only when given: a backend without the option still starts.
        snapshot = backend.start(problem, minutes=args.minutes, mode=args.mode, coach=coach,
                                 **({"llm": llm} if llm else {}))
        # The length the server decided (its default, the class's settings).
        minutes = float(snapshot["session"].get("meta", {}).get("minutes") or args.minutes or 45)
        self._open_panel(snapshot, minutes=minutes)
        signature = str(snapshot["problem"].get("signature") or "")
        self.shell.set_next_input("%%solution\n" + signature)  # type: ignore[union-attr]
        for notice in snapshot.get("notices") or ():  # what the class's settings changed
            self.say_line(f"interview: {notice}")
        self.say_line(f"interview {snapshot['session']['id']}: {snapshot['problem']['title']} "
                      f"({plural(minutes, 'minute')}) — write your solution in the next cell")

    def _cmd_behavioral(self, words: list[str]) -> None:
        """%interview behavioral [--stage S] [--difficulty D] [--level L] [--resume FILE]
        [--job FILE] [--adversarial] [--bank NAME]: a behavioural interview."""
        options, llm = behavioral_options(words)
        backend = self.backend
        if backend.active:
            self._bring_back(BEHAVIORAL)
            return
        snapshot = backend.start_behavioral(options, **({"llm": llm} if llm else {}))
        self._open_panel(snapshot)
        self.say_line(f"interview {snapshot['session']['id']}: {snapshot['problem']['title']} — "
                      'answer in the panel, or with %interview say "…"; %interview next, skip '
                      "and end move on")

    def _cmd_next(self, _words: list[str]) -> None:
        self._behavioral_only("next")
        self._event("next")

    def _cmd_skip(self, _words: list[str]) -> None:
        self._behavioral_only("skip")
        self._event("skip")

    def _behavioral_only(self, command: str) -> None:
        if self.backend.active and self._kind() != BEHAVIORAL:
            raise UsageError(f"%interview {command} is for a behavioural interview "
                             "(%interview behavioral); this one is a coding interview")

    def _next_from_panel(self) -> None:
        with self._panel_output():
            self._guarded(lambda: self._cmd_next([]))

    def _skip_from_panel(self) -> None:
        with self._panel_output():
            self._guarded(lambda: self._cmd_skip([]))

    def _end_from_panel(self) -> None:
        with self._panel_output():
            self._guarded(lambda: self._cmd_end([]))

    def _bring_back(self, asked: str | None, *, session_id: str | None = None) -> None:
        """``%interview …`` (or Run All) while an interview runs: its room
        again, with a line saying so; a different problem or session is
        refused, and the room still comes back."""
        room = self.room or {}
        running = (f"interview {room.get('session_id', '')} ({room.get('title', '')}) "
                   "is already running")
        if asked is not None and not same_problem(asked, room):
            self.error(f"{running}; finish it with %interview end before starting {asked} "
                       "— its room is back")
        elif session_id is not None and session_id != room.get("session_id"):
            self.error(f"{running}; finish it with %interview end before resuming {session_id} "
                       "— its room is back")
        else:
            self.say_line(f"{running}: its room is back")
        self._show_room()

    def _open_panel(self, snapshot: dict[str, Any], minutes: float | None = None) -> None:
        if self.panel is not None:
            self.panel.close()
        backend = self.backend
        panel: Panel
        if snapshot.get("kind") == BEHAVIORAL:
            panel = BehavioralPanel(snapshot["problem"], on_say=self._say_from_panel,
                                    on_next=self._next_from_panel, on_skip=self._skip_from_panel,
                                    on_end=self._end_from_panel,
                                    on_export=self._export_from_panel,
                                    browser_clock=backend.name == "server")
        else:
            panel = Panel(snapshot["problem"], on_say=self._say_from_panel,
                          on_hint=self._hint_from_panel,
                          on_export=self._export_from_panel,
                          # With the server, JupyterLab's plugin is there: the
                          # countdown ticks in the browser, not in this kernel.
                          browser_clock=backend.name == "server")
        panel.set_state(snapshot["state"])
        if snapshot.get("transcript"):
            panel.load_transcript(snapshot["transcript"])
        panel.attach_voice(voice_part(backend, str(snapshot["session"]["id"])))
        self.panel = panel
        self.room = room_info(snapshot, minutes=minutes)
        self._apply(list(snapshot.get("actions") or []))
        self._show_room()
        if self.show_panels:
            panel.start_ticking()

    def _show_room(self) -> None:
        """The room bundle (kernel/room.py) with the server; the panel alone
        in embedded mode, where no room can follow the session."""
        panel = self.panel
        if panel is None or not self.show_panels:
            return
        from IPython.display import display

        if self.backend.name == "server" and self.room is not None:
            display(room_bundle(self.room, panel.widget), raw=True)  # type: ignore[no-untyped-call]
        else:
            display(panel.widget)  # type: ignore[no-untyped-call]

    def _submit(self, code: str) -> None:
        _within_limit("code", code, "the solution cell")
        actions = self._event("code", code=code)
        for action in actions:
            if action["type"] == "show_results":
                self.say_line(results_line(action["data"]))

    def _say_from_panel(self, text: str) -> None:
        with self._panel_output():
            self._guarded(lambda: self._say(text))

    def _hint_from_panel(self) -> None:
        with self._panel_output():
            self._guarded(lambda: self._cmd_hint([]))

    def _export_from_panel(self) -> None:
        with self._panel_output():
            self._guarded(self._export_report)

    def _export_report(self) -> None:
        """The HTML report saved beside the notebook (the kernel's working
        folder); the panel links to it."""
        room = self.room or {}
        path = Path(f"interview-report-{room.get('session_id') or 'session'}.html")
        path.write_text(self.backend.report("html"), encoding="utf-8")
        if self.panel is not None:
            self.panel.show_saved_report(str(path), str(path.resolve()))

    def _cmd_help(self, _words: list[str]) -> None:
        self.say_line(help_text())

    def _say(self, text: str) -> None:
        text = text.strip()
        if not text:
            raise UsageError('say what? %interview say "your words"')
        _within_limit("said", text, "what you said")
        if self.panel is not None:
            state = self.backend.state() if self.backend.active else {}
            self.panel.add_line("candidate", text, state.get("elapsed_s"))
        self._event("said", text=text)

    def _cmd_hint(self, _words: list[str]) -> None:
        actions = self._event("hint")
        for action in actions:
            if action["type"] == "show_hint":
                self.say_line(f"{action['data'].get('label', 'hint')}: {action['data']['text']}")

    def _cmd_status(self, _words: list[str]) -> None:
        state = self.backend.state()
        if self.panel is not None:
            self.panel.set_state(state)
        line = (f"phase {state['phase']}, {mmss(state.get('time_left_s'))} left, "
                f"{state['hint']['label']}")
        if state.get("last_results"):
            line += "; " + results_line(state["last_results"])
        if state.get("ended"):
            line += "; ended"
        self.say_line(line)

    def _cmd_end(self, _words: list[str]) -> None:
        self._event("end", reason="candidate")
        self.say_line("interview ended; %interview report shows the report")

    def _cmd_report(self, words: list[str]) -> None:
        fmt = words[0].lstrip("-").removeprefix("format=") if words else "html"
        text = self.backend.report(fmt)
        if fmt == "html":
            from IPython.display import HTML, display

            display(HTML(report_body(text)))  # type: ignore[no-untyped-call]
        else:
            self.say_line(text)

    def _cmd_resume(self, words: list[str]) -> None:
        if self.backend.active:
            self._bring_back(None, session_id=words[0] if words else None)
            return
        snapshot = self.backend.resume(words[0] if words else None)
        self._open_panel(snapshot)
        self.say_line(f"resumed {snapshot['session']['id']}: phase {snapshot['state']['phase']}, "
                      f"{mmss(snapshot['state'].get('time_left_s'))} left")

    def _cmd_stub(self, _words: list[str]) -> None:
        """A new cell with the stub of the problem being worked on now."""
        if self.stub is None:
            raise UsageError("no follow-up problem yet: your solution cell is the one to use")
        self._stub_due = False
        self.shell.set_next_input(self.stub)  # type: ignore[union-attr]

    def _cmd_list(self, _words: list[str]) -> None:
        rows = self.backend.sessions()
        if not rows:
            self.say_line("no sessions yet")
        for s in rows:
            self.say_line(f"{s['id']}  {s['status']:<7} {s['problem']}  {s['created_at']}")
