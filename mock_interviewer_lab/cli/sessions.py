"""``mock-interviewer simulate``, ``start`` and ``sessions …``: the engine
from the command line."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from mock_interviewer_lab.cli._common import (
    Context,
    console,
    emit_json,
    err_console,
    fail,
    pass_context,
)
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.competencies import DIFFICULTIES, LEVELS, STAGES
from mock_interviewer_lab.events import Record
from mock_interviewer_lab.formatting import mmss, plural
from mock_interviewer_lab.protocol import REPORT_FORMATS
from mock_interviewer_lab.reporting.behavioral import BEHAVIORAL_KIND as BEHAVIORAL
from mock_interviewer_lab.settings import HELPFULNESS, MODES
from mock_interviewer_lab.store import MEMORY, SessionStore, StoreError

if TYPE_CHECKING:
    from mock_interviewer_lab.behavioral_shell import BehavioralOptions
    from mock_interviewer_lab.reporting.behavioral_report import PastSession

#: The most sessions ``sessions list`` shows at once.
MAX_LIST_LIMIT = 100_000


def _store(obj: Context, db: str | None = None, *, read_only: bool = False) -> SessionStore:
    """The store of ``--db`` or the settings. ``read_only`` for commands that
    only read: they create nothing, and fail clearly when there is no store."""
    try:
        return SessionStore(db, read_only=read_only) if db \
            else SessionStore.from_settings(obj.settings, read_only=read_only)
    except StoreError as exc:
        fail(str(exc))


# ------------------------------------------------------------------ simulate


@click.command()
@click.option("--script", "script_path", required=True, type=click.Path(dir_okay=False),
              help="YAML script of the candidate's steps")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--db", default=None, help="session database (default: the one in the settings)")
@click.option("--no-save", is_flag=True, help="keep the session in memory only")
@click.option("--coach", "coach_kind", type=click.Choice(["scripted", "llm"]), default="scripted",
              show_default=True, help="the scripted coach, or the model of the [llm] settings")
@pass_context
def simulate(obj: Context, script_path: str, as_json: bool, db: str | None, no_save: bool,
             coach_kind: str) -> None:
    """Play a scripted candidate through the whole engine on a simulated clock."""
    from mock_interviewer_lab.behavioral_shell import behavioral_scorer
    from mock_interviewer_lab.coach.factory import CoachUnavailable, build_coach, check_llm_settings
    from mock_interviewer_lab.harness.runner import SyncHarness
    from mock_interviewer_lab.interview.simulate import ScriptError, load_script
    from mock_interviewer_lab.interview.simulate import simulate as run_simulation
    from mock_interviewer_lab.problems.registry import UnknownProblem

    try:
        script = load_script(script_path)
    except ScriptError as exc:
        fail(str(exc))
    if coach_kind == "llm":
        try:
            check_llm_settings(obj.settings)  # before the sandbox starts: fail fast
        except CoachUnavailable as exc:
            fail(str(exc))
    store = _store(obj, MEMORY if no_save else db)
    try:
        with SyncHarness(obj.settings.harness) as harness:
            coach = build_coach("llm" if coach_kind == "llm" else "scripted", obj.settings,
                                runner=harness)
            out = run_simulation(script, settings=obj.settings, registry=obj.registry(),
                                 harness=harness, store=store, coach=coach,
                                 scorer=behavioral_scorer(obj.settings, coach))
    except UnknownProblem as exc:
        fail(f"{script_path}: problem: {exc}")
    except ScriptError as exc:
        fail(f"{script_path}: {exc}")
    if as_json:
        emit_json(out)
        return
    for e in out["events"]:
        t = mmss(e["t"], pad_minutes=True, truncate=True)
        if e["type"] == "candidate_said":
            console.print(f"{t} [bold]candidate:[/] {escape(e['text'])}", highlight=False)
        elif e["type"] == "code_submitted":
            console.print(f"{t} [bold]candidate[/] submits {len(e['code'].splitlines())} lines")
        elif e["type"] == "coach_says":
            console.print(f"{t} [cyan]interviewer:[/] {escape(e['text'])}", highlight=False)
        elif e["type"] == "coach_fallback":
            console.print(f"{t} [yellow]{escape(e['message'])}[/]", highlight=False)
        elif e["type"] == "show_results":
            console.print(f"{t} [dim]tests {e['passed']}/{e['total']}[/]")
        elif e["type"] == "phase_changed":
            console.print(f"{t} [dim]— {e['to']} —[/]")
    console.print(f"session {out['session_id']} ended in {out['final_phase']}")


# --------------------------------------------------------------------- start


@click.command()
@click.argument("problem_id")
@click.option("--file", "file_", default=None, type=click.Path(dir_okay=False),
              help="your solution file, watched and tested on save (created if missing); "
              "required for a coding interview")
@click.option("--minutes", type=click.FloatRange(1, 240), default=45, show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="normal", show_default=True)
@click.option("--coach", "helpfulness", type=click.Choice(HELPFULNESS),
              default=None, help="coach helpfulness (default: the settings)")
@click.option("--voice", is_flag=True,
              help="speak and listen (microphone and speaker; falls back to text without them)")
@click.option("--stage", type=click.Choice(STAGES), default="hiring_manager", show_default=True,
              help="behavioral: the interview stage")
@click.option("--difficulty", type=click.Choice(DIFFICULTIES), default="medium",
              show_default=True, help="behavioral: where the questions start")
@click.option("--level", type=click.Choice(LEVELS), default=None,
              help="behavioral: the target level (default: from --job, else L4)")
@click.option("--resume", "resume_file", type=click.Path(dir_okay=False), default=None,
              help="behavioral: your résumé (.txt or .md)")
@click.option("--job", "job_file", type=click.Path(dir_okay=False), default=None,
              help="behavioral: the job description (.txt or .md)")
@click.option("--adversarial", is_flag=True, help="behavioral: a hostile interviewer")
@click.option("--bank", default=None, help="behavioral: ask only from this question bank")
# For tests and machines without sound devices (see docs/voice.md).
@click.option("--audio-in", type=click.Path(dir_okay=False), default=None, hidden=True,
              help="a WAV file replayed in real time as the microphone (implies --voice)")
@click.option("--audio-out", type=click.Path(file_okay=False), default=None, hidden=True,
              help="folder to write the interviewer's spoken lines to as WAV files")
@pass_context
def start(obj: Context, problem_id: str, file_: str | None, minutes: float, mode: str,
          helpfulness: str | None, stage: str, difficulty: str, level: str | None,
          resume_file: str | None, job_file: str | None, adversarial: bool, bank: str | None,
          voice: bool, audio_in: str | None, audio_out: str | None) -> None:
    """The terminal interview: chat here, edit FILE in your editor. PROBLEM_ID
    ``behavioral`` is a behavioural interview instead (--stage, --difficulty,
    --level, --resume, --job, --adversarial, --bank)."""
    if problem_id == BEHAVIORAL:
        from mock_interviewer_lab.behavioral_shell import BehavioralOptions

        options = BehavioralOptions(stage=stage, difficulty=difficulty, level=level,
                                    adversarial=adversarial, bank=bank)
        _start_behavioral(obj, options, resume_file, job_file, minutes)
        return
    if file_ is None:
        fail("a coding interview needs --file: your solution file, watched and tested on save")
    from mock_interviewer_lab.cli.terminal import TerminalInterview, solution_file
    from mock_interviewer_lab.harness.runner import SyncHarness
    from mock_interviewer_lab.interview.clock import SystemClock
    from mock_interviewer_lab.interview.session import InterviewSession
    from mock_interviewer_lab.reporting.markdown import render_markdown
    from mock_interviewer_lab.reporting.report import stored_report

    problem = obj.problem(problem_id)
    voice_setup = None
    if voice or audio_in:
        from mock_interviewer_lab.cli.terminal_voice import prepare_voice
        from mock_interviewer_lab.voice.audio_io import AudioFileError

        try:
            voice_setup = prepare_voice(
                obj.settings, problem, audio_in=audio_in, audio_out=audio_out,
                say=lambda line: console.print(f"[yellow]{escape(line)}[/]", highlight=False))
        except AudioFileError as exc:
            fail(str(exc))
    path = solution_file(Path(file_), problem)
    store = _store(obj)
    with SyncHarness(obj.settings.harness) as harness:
        session = InterviewSession.start(store, problem, obj.settings, harness=harness,
                                         clock=SystemClock(), minutes=minutes, mode=mode,
                                         coach_settings={"helpfulness": helpfulness},
                                         registry=obj.registry(), coach=ScriptedCoach())
        if voice_setup is not None:
            from mock_interviewer_lab.cli.terminal_voice import VoiceInterview

            VoiceInterview(session, path, voice_setup).run()
        else:
            TerminalInterview(session, path).run()
    console.print(f"[dim]session {session.info.id}[/]")
    from rich.markdown import Markdown

    console.print(Markdown(render_markdown(stored_report(store, session.info.id,
                                                         obj.registry()))))


def _start_behavioral(obj: Context, options: BehavioralOptions, resume_file: str | None,
                      job_file: str | None, minutes: float) -> None:
    from mock_interviewer_lab.behavioral_shell import (
        SetupError,
        read_context_file,
        start_behavioral_session,
    )
    from mock_interviewer_lab.cli.behavioral_terminal import BehavioralTerminal
    from mock_interviewer_lab.interview.clock import SystemClock
    from mock_interviewer_lab.reporting.behavioral_report import (
        render_markdown,
        stored_behavioral_report,
    )

    try:
        options = dataclasses.replace(
            options, resume_text=read_context_file(resume_file, "--resume") if resume_file
            else None, job_text=read_context_file(job_file, "--job") if job_file else None)
        store = _store(obj)
        session = start_behavioral_session(store, obj.settings, options,
                                           registry=obj.registry(), clock=SystemClock(),
                                           coach=ScriptedCoach(), minutes=minutes,
                                           meta={"source": "terminal"})
    except SetupError as exc:
        fail(str(exc))
    BehavioralTerminal(session).run()
    console.print(f"[dim]session {session.info.id}[/]")
    from rich.markdown import Markdown

    console.print(Markdown(render_markdown(stored_behavioral_report(store, session.info.id))))


# ------------------------------------------------------------------ sessions


@click.group()
def sessions() -> None:
    """List, show, export, replay and sum up past sessions."""


@sessions.command("list")
@click.option("--limit", type=click.IntRange(0, MAX_LIST_LIMIT), default=20, show_default=True,
              help="how many sessions to show")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--db", default=None, help="session database")
@pass_context
def sessions_list(obj: Context, limit: int, as_json: bool, db: str | None) -> None:
    """The latest sessions, newest first."""
    from mock_interviewer_lab.reporting.behavioral import read_behavioral

    try:
        store = _store(obj, db, read_only=True)
        infos = store.sessions(limit=limit)
        # A behavioural session's stage, score and readiness, from its records.
        behavioral = {i.id: read_behavioral(store.records(i.id)).summary()
                      for i in infos if i.kind == BEHAVIORAL}
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit_json([{**i.to_dict(), **({BEHAVIORAL: behavioral[i.id]} if i.id in behavioral
                                      else {})} for i in infos])
        return
    table = Table(title=f"{len(infos)} session(s)")
    extra = ("stage", "score", "readiness") if behavioral else ()
    for col in ("id", "problem", "pack version", "user", "kind", "started", "status", "length",
                *extra):
        table.add_column(col, no_wrap=col == "id")
    for i in infos:
        length = f"{int((i.last_t or 0) // 60)} min"
        row = [i.id, i.problem, i.pack_version, i.user, i.kind,
               i.created_at[:16].replace("T", " "), i.status, length]
        if extra:
            summary = behavioral.get(i.id) or {}
            score = summary.get("overall_score")
            row += [str(summary.get("stage") or ""), "" if score is None else f"{score:g}/10",
                    str(summary.get("readiness") or "")]
        table.add_row(*row)
    console.print(table)


#: How ``sessions show`` (like ``simulate``) names a transcript line's speaker.
_SPEAKER_LABELS = {"coach": "interviewer"}


@sessions.command("show")
@click.argument("session_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--db", default=None, help="session database")
@pass_context
def sessions_show(obj: Context, session_id: str, as_json: bool, db: str | None) -> None:
    """A session's transcript."""
    from mock_interviewer_lab.reporting.transcript import transcript_json

    store = _store(obj, db, read_only=True)
    try:
        info = store.get(session_id)
    except StoreError as exc:
        fail(str(exc))
    records = store.records(info.id)
    lines = transcript_json(records)
    if info.kind == BEHAVIORAL:
        _show_behavioral(info.to_dict(), records, lines, as_json)
        return
    if as_json:
        emit_json({"session": info.to_dict(), "transcript": lines})
        return
    console.print(f"[bold]{info.id}[/] {info.problem} ({info.status})", highlight=False)
    console.print(_taken_by(info.to_dict()), highlight=False)
    for line in lines:
        t = mmss(line["t"], pad_minutes=True, truncate=True)
        label = _SPEAKER_LABELS.get(line["speaker"], line["speaker"])
        console.print(f"{t} [bold]{label}:[/] {escape(line['text'])}", highlight=False)


def _taken_by(info: dict[str, Any]) -> str:
    """Who took a session, and on which version of its pack."""
    user = escape(str(info.get("user") or "not recorded"))
    pack = escape(f"{info.get('pack') or ''} {info.get('pack_version') or ''}".strip())
    return f"user: {user}; pack: {pack or 'not recorded'}"


def _show_behavioral(info: dict[str, Any], records: list[Record], lines: list[dict[str, Any]],
                     as_json: bool) -> None:
    """A behavioural session: its questions, scores and feedback."""
    from mock_interviewer_lab.reporting.behavioral import read_behavioral

    story = read_behavioral(records)
    if as_json:
        emit_json({"session": info, "transcript": lines, BEHAVIORAL: story.as_dict()})
        return
    summary = story.summary()
    score = summary["overall_score"]
    console.print(f"[bold]{info['id']}[/] behavioural, {escape(story.stage)} ({info['status']}): "
                  f"{'not scored' if score is None else f'{score:g}/10'}"
                  f"{', ' + summary['readiness'] if summary['readiness'] else ''}",
                  highlight=False)
    console.print(_taken_by(info), highlight=False)
    for q in story.questions:
        console.print(f"\n[bold]Question {q.number} of {q.total}[/] "
                      f"({escape(q.competency.replace('_', ' '))}, {q.difficulty}): "
                      f"{'not scored' if q.score is None else f'{q.score}/10'} "
                      f"{q.level or ''}", highlight=False)
        console.print(f"  {escape(q.text)}", highlight=False)
        asked = [q.text, *(str(f.get("text", "")) for f in q.follow_ups)]
        for answer in q.answers:
            if answer.response_number > 1 and answer.response_number - 1 <= len(q.follow_ups):
                console.print(f"  [cyan]follow-up:[/] "
                              f"{escape(asked[answer.response_number - 1])}", highlight=False)
            scored = f" [dim]({answer.scored['score']}/10)[/]" if answer.scored else ""
            console.print(f"  [bold]you:[/] {escape(answer.text)}{scored}", highlight=False)
        if q.feedback:
            for title, key in (("landed", "what_landed"), ("didn't land", "what_didnt_land")):
                for item in q.feedback.get(key) or []:
                    console.print(f"  [green]{title}:[/] {escape(str(item))}", highlight=False)
            console.print(f"  [bold]coaching:[/] {escape(str(q.feedback.get('coaching', '')))}",
                          highlight=False)
            console.print("  [bold]revised answer:[/] "
                          f"{escape(str(q.feedback.get('revised_answer', '')))}",
                          highlight=False)
    feedback = story.session_feedback
    if feedback:
        console.print(f"\n[bold]Readiness: {escape(str(feedback.get('readiness')))}[/]")
        for number, item in enumerate(feedback.get("coaching_priorities") or [], 1):
            console.print(f"  {number}. {escape(str(item))}", highlight=False)
        console.print(f"  next: {escape(str(feedback.get('next_steps', '')))}", highlight=False)


@sessions.command("export")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="md",
              show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="file to write (default: standard output)")
@click.option("--db", default=None, help="session database")
@pass_context
def sessions_export(obj: Context, session_id: str, fmt: str, out: str | None, db: str | None) -> None:
    """The session report as Markdown, HTML, JSON or a notebook."""
    from mock_interviewer_lab.reporting.behavioral_report import stored_behavioral_report
    from mock_interviewer_lab.reporting.render import render_report
    from mock_interviewer_lab.reporting.report import stored_report

    store = _store(obj, db, read_only=True)
    try:
        report = stored_behavioral_report(store, session_id) \
            if store.get(session_id).kind == BEHAVIORAL \
            else stored_report(store, session_id, obj.registry())
    except StoreError as exc:
        fail(str(exc))
    text = render_report(report, fmt)
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"{out}: cannot be written: {exc.strerror}")
        console.print(f"wrote {out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@sessions.command("replay")
@click.argument("session_id")
@click.option("--coach-level", "level", type=click.Choice(HELPFULNESS),
              required=True)
@click.option("--personality", type=click.Choice(["supportive", "neutral", "challenging"]),
              default=None)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--db", default=None, help="session database")
@pass_context
def sessions_replay(obj: Context, session_id: str, level: str, personality: str | None,
                    as_json: bool, db: str | None) -> None:
    """Play a session's candidate again against another coach; saved as a new session."""
    from mock_interviewer_lab.interview.replay import ReplayRefused, replay_session

    store = _store(obj, db)
    try:
        result = replay_session(store, session_id, obj.registry(), obj.settings,
                                replay_coach=ScriptedCoach(), helpfulness=level,
                                personality=personality)
    except (StoreError, ReplayRefused) as exc:
        fail(str(exc))
    if as_json:
        emit_json({"original": result.original.id, "replay": result.session.id,
                   "coach_before": result.coach_before, "coach_after": result.coach_after})
        return
    console.print(f"replayed {result.original.id} with a {level} coach as {result.session.id}")
    table = Table()
    table.add_column("before")
    table.add_column(f"after ({level})")
    for i in range(max(len(result.coach_before), len(result.coach_after))):
        before = result.coach_before[i] if i < len(result.coach_before) else ""
        after = result.coach_after[i] if i < len(result.coach_after) else ""
        table.add_row(escape(before), escape(after))
    console.print(table)


@sessions.command("stats")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--db", default=None, help="session database")
@click.option("--chart", "chart", type=click.Path(dir_okay=False), default=None,
              help="write the behavioural sessions' trend chart to this SVG file")
@click.option("--include-simulated", is_flag=True,
              help="count simulated sessions (simulate, the eval's personas) and replays too")
@pass_context
def sessions_stats(obj: Context, as_json: bool, db: str | None, chart: str | None,
                   include_simulated: bool) -> None:
    """Progress across sessions: per problem and overall; for behavioural
    interviews the trend first → latest, overall and per competency.
    Simulated sessions and replays are left out (and counted) unless
    --include-simulated."""
    from mock_interviewer_lab.interview.difficulty import progress_stats
    from mock_interviewer_lab.reporting.behavioral_report import past_sessions, trend
    from mock_interviewer_lab.reporting.metrics import compute_metrics

    store = _store(obj, db, read_only=True)
    left_out = {"simulated": 0, "replays": 0}
    try:
        coding = []
        for info in store.sessions():
            if info.kind == BEHAVIORAL:
                continue
            if not include_simulated and info.meta.get("replay_of"):
                left_out["replays"] += 1
            elif not include_simulated and info.meta.get("simulated"):
                left_out["simulated"] += 1
            else:
                coding.append(info)
        rows = [(info, compute_metrics(store.records(info.id))) for info in coding]
        past = past_sessions(store)
    except StoreError as exc:
        fail(str(exc))
    stats = progress_stats(rows)
    stats["left_out"] = left_out
    from mock_interviewer_lab.reporting.delivery import delivery_stats

    oldest_first = sorted(rows, key=lambda row: row[0].created_at)
    delivery = delivery_stats(m.delivery for _, m in oldest_first if m.delivery is not None)
    if delivery is not None:  # only when some session had spoken answers
        stats["delivery"] = delivery
    if past:  # only when there are behavioural sessions
        stats[BEHAVIORAL] = {"sessions": len(past), **trend(past)}
    if chart is not None:
        _write_chart(chart, past)
    if as_json:
        emit_json(json.loads(json.dumps(stats, default=str)))
        return
    _print_progress(stats)
    if past:
        _print_trend(past)


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _print_progress(stats: dict[str, Any]) -> None:
    """``sessions stats`` for a person: the coding sessions per problem and
    overall, the delivery of spoken answers, and what was left out."""
    table = Table(title="Coding interviews, per problem", box=box.SIMPLE_HEAD,
                  caption="pass rate: best / last; time to code: the median time to working "
                  "code of the solved sessions; hints: a session's mean")
    for col in ("problem", "sessions", "solved", "pass rate", "time to code", "hints", "trend"):
        table.add_column(col, no_wrap=col == "problem")
    overall = stats["overall"]
    groups = [*stats["problems"].items(), ("all problems", overall)] if overall["sessions"] else []
    for name, g in groups:
        time = g["median_time_to_working_code"]
        rates = f"{_rate(g['best_pass_rate'])} / {_rate(g['last_pass_rate'])}".strip(" /")
        table.add_row(escape(name), str(g["sessions"]), str(g["solved"]), rates,
                      "" if time is None else mmss(time), f"{g['hints_per_session']:g}",
                      g["trend"])
    if groups:
        console.print(table)
    else:
        console.print("no coding session yet")
    delivery = stats.get("delivery")
    if delivery:
        console.print("[bold]Delivery of spoken answers[/] (all sessions with speech)")
        for key, value in delivery.items():
            if not isinstance(value, dict):
                console.print(f"  {key.replace('_', ' ')}: {value}", highlight=False)
    left = stats["left_out"]
    if left["simulated"] or left["replays"]:
        console.print(f"left out: {plural(left['simulated'], 'simulated session')} and "
                      f"{plural(left['replays'], 'replay')} (--include-simulated counts them)",
                      highlight=False)


def _write_chart(path: str, past: list[PastSession]) -> None:
    from mock_interviewer_lab.reporting.behavioral_report import trend_points
    from mock_interviewer_lab.reporting.charts import trend_svg

    points = trend_points(past)
    if not points:
        fail("no behavioural session has a score yet: there is no trend to chart")
    try:
        Path(path).write_text(trend_svg([(p.label, p.score) for p in points]) + "\n",
                              encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot be written: {exc.strerror}")
    err_console.print(f"wrote {path}")


def _print_trend(past: list[PastSession]) -> None:
    """The behavioural trend as a table with a bar per session, then per competency."""
    from mock_interviewer_lab.reporting.behavioral_report import trend
    from mock_interviewer_lab.reporting.markdown import _unicode_bar

    table = Table(title="Behavioural interviews, oldest first")
    for col in ("date", "session", "stage", "score", "", "readiness"):
        table.add_column(col)
    for p in past:
        score = p.session.overall_score
        table.add_row(p.date, p.info.id, p.session.stage,
                      "" if score is None else f"{score:g}", _unicode_bar(score, 10.0),
                      p.session.readiness or "")
    console.print(table)
    per = trend(past)["competencies"]
    if per:
        table = Table(title="Per competency: first → latest")
        for col in ("competency", "first", "latest", "change", "sessions"):
            table.add_column(col)
        for name, t in sorted(per.items()):
            table.add_row(name.replace("_", " "), f"{t['first']:g}", f"{t['latest']:g}",
                          f"{t['latest'] - t['first']:+g}", str(t["sessions"]))
        console.print(table)
