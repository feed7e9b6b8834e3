"""The behavioural interview in the shells: %interview behavioral in a
notebook (embedded, and through the server with a real kernel), the
terminal (mock-interviewer start behavioral), sessions list/show/stats, and
the report in the four formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from IPython.core.interactiveshell import InteractiveShell

from mock_interviewer_lab.behavioral_shell import BehavioralOptions, start_behavioral_session
from mock_interviewer_lab.cli import main
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.clock import FakeClock
from mock_interviewer_lab.kernel import load
from mock_interviewer_lab.kernel.behavioral_panel import BehavioralPanel
from mock_interviewer_lab.kernel.magics import InterviewMagics
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.protocol import ROOM_MIME
from mock_interviewer_lab.reporting.behavioral_report import stored_behavioral_report
from mock_interviewer_lab.reporting.render import render_report
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.store import SessionStore

from .test_notebook_server_e2e import api, run_in_new_kernel, server  # noqa: F401

STRONG = ("At Acme our billing migration had slipped two months. I owned getting it back on "
          "track. I split the work into three phases and I set up a weekly review with the "
          "finance lead. As a result we shipped in six weeks and cut invoice errors by 40 "
          "percent. I learned to agree on scope before the first line of code.")
SHORT = "We did it as a team."


# ---------------------------------------------------------------- notebook


@pytest.fixture
def magics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InterviewMagics]:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{tmp_path}/sessions.db"\n')
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings))
    monkeypatch.delenv("MOCK_INTERVIEWER_URL", raising=False)
    loaded = load(InteractiveShell.instance())
    loaded.show_panels = False
    yield loaded
    if loaded._backend is not None:
        loaded._backend.close()


def test_a_behavioural_interview_in_the_notebook(magics: InterviewMagics, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    ip = magics.shell
    assert isinstance(ip, InteractiveShell)
    job = tmp_path / "job.md"
    job.write_text("# Staff engineer\nDefine organizational direction.\n", encoding="utf-8")
    ip.run_line_magic("interview", f"behavioral --stage recruiter_screen --difficulty easy "
                      f"--job {job}")
    panel = magics.panel
    assert isinstance(panel, BehavioralPanel)
    assert "Question 1 of 5" in panel.progress.value and "communication" in panel.progress.value
    assert "L5B" in panel.title.value  # the level from the job text
    assert magics.room is not None and magics.room["kind"] == "behavioral"
    assert "answer in the panel" in capsys.readouterr().out
    # Coding-only parts are not in the panel's view.
    shown = panel.widget.children
    for part in (panel.statement, panel.results, panel.complexity, panel.hint_text):
        assert part not in shown

    ip.run_line_magic("interview", f'say "{SHORT}"')
    assert "/10" in panel.brief.value
    assert "Follow-up 1 of 3" in panel.progress.value
    ip.run_line_magic("interview", "skip")
    # The submit button sends the multi-line answer box.
    panel.answer_box.value = STRONG.replace(". ", ".\n")
    panel.submit_button.click()
    assert panel.answer_box.value == ""
    ip.run_line_magic("interview", "next")
    assert "Question 2 of 5" in panel.progress.value
    card = panel.card.value
    assert "What landed" in card and "Revised answer" in card and "Coaching" in card
    # %%solution is refused: a behavioural interview has no code.
    ip.run_cell_magic("solution", "", "x = 1\n")  # type: ignore[no-untyped-call]
    assert "takes no code" in capsys.readouterr().err
    ip.run_line_magic("interview", "end")
    assert "Readiness" in panel.summary.value and "Coaching priorities" in panel.summary.value
    assert "Your progress" in panel.history.value
    report = magics.backend.report("md")
    assert "Behavioural interview report" in report and "Revised answer" in report
    # The next/skip commands are for behavioural interviews only.
    ip.run_line_magic("interview", "two_sum")
    ip.run_line_magic("interview", "next")
    assert "is for a behavioural interview" in capsys.readouterr().err
    magics.backend.event("end", reason="candidate")


def test_the_files_must_be_text_or_markdown(magics: InterviewMagics, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ip = magics.shell
    assert isinstance(ip, InteractiveShell)
    pdf = tmp_path / "resume.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    binary = tmp_path / "resume.txt"
    binary.write_bytes(b"\xff\xfe\x00r\x00e")
    big = tmp_path / "job.md"
    big.write_text("word " * 20_000, encoding="utf-8")
    for option, path, why in (("--resume", pdf, "not a text or Markdown file"),
                              ("--resume", binary, "not"),
                              ("--job", big, "the limit is"),
                              ("--job", tmp_path / "missing.md", "cannot be read")):
        ip.run_line_magic("interview", f"behavioral {option} {path}")
        err = capsys.readouterr().err
        assert err.startswith("interview: ") and str(path) in err and why in err, err
        assert "Traceback" not in err
    assert magics._backend is None or not magics.backend.active


# ------------------------------------------------------- through the server


def test_a_behavioural_interview_through_the_server(server: tuple[int, Path],  # noqa: F811
                                                    tmp_path: Path) -> None:
    port, runtime = server
    outputs = run_in_new_kernel(port, runtime, [
        "%load_ext mock_interviewer_lab",
        "%interview behavioral --stage hiring_manager --level L5A",
        f'%interview say "{SHORT}"',
        "%interview skip",
        f'%interview say "{STRONG}"',
        "%interview next",
        "%interview end",
        "%interview next",
    ])
    text = json.dumps(outputs)
    assert "Traceback" not in text and "embedded" not in text.lower()
    (room,) = [o["data"] for o in outputs[1] if o["type"] == "display_data"]
    assert room[ROOM_MIME]["kind"] == "behavioral"
    # After the end the server's spec error reaches the notebook as one line.
    late = "".join(o.get("text", "") for o in outputs[7])
    assert "Session already completed" in late
    sessions = api(port, "GET", "mock-interviewer/api/sessions")["sessions"]
    assert [s["kind"] for s in sessions] == ["behavioral"]
    sid = sessions[0]["id"]
    history = api(port, "GET", "mock-interviewer/api/behavioral/history")
    assert history["sessions"][0]["session_id"] == sid
    assert history["sessions"][0]["readiness"] is not None
    store = SessionStore(tmp_path / "sessions.db")
    types = [r.type for r in store.records(sid)]
    assert types.count("question_asked") == 2 and "session_feedback" in types


# ------------------------------------------------------ terminal and history


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'[app]\nsession_db = "sqlite:///{tmp_path}/sessions.db"\n')
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(path))
    return path


def test_the_terminal_interview(settings_file: Path, tmp_path: Path) -> None:
    resume = tmp_path / "resume.txt"
    resume.write_text("Backend engineer at Acme, billing.\n", encoding="utf-8")
    result = CliRunner().invoke(main, [
        "start", "behavioral", "--stage", "hiring_manager", "--difficulty", "hard",
        "--resume", str(resume), "--adversarial"],
        input=f"{SHORT}\n/skip\n{STRONG[:80]} \\\n{STRONG[80:]}\n/next\n/help\n/end\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Question 1 of 5" in out and "Question 2 of 5" in out
    assert "/10" in out and "Revised answer" in out and "Readiness" in out
    assert "Behavioural interview report" in out
    bad = CliRunner().invoke(main, ["start", "behavioral", "--job", str(tmp_path / "job.docx")])
    assert bad.exit_code == 2 and "job.docx" in bad.output and "not a text" in bad.output
    coding = CliRunner().invoke(main, ["start", "two_sum"])
    assert coding.exit_code == 2 and "needs --file" in coding.output


def _played(store: SessionStore, answers: list[str], stage: str = "hiring_manager") -> str:
    registry = ProblemRegistry.discover(Settings())
    session = start_behavioral_session(store, Settings(), BehavioralOptions(stage=stage),
                                       registry=registry, clock=FakeClock(),
                                       coach=ScriptedCoach())
    for answer in answers:
        session.say(answer)
        session.post("next_requested", {})
    session.end("candidate")
    return session.info.id


def test_sessions_list_show_stats_and_the_reports(settings_file: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_interviewer_lab.cli._common import console

    monkeypatch.setattr(console, "width", 220)
    db = str(tmp_path / "sessions.db")
    store = SessionStore(db)
    first = _played(store, [SHORT, SHORT])
    latest = _played(store, [STRONG, STRONG, STRONG])
    store.close()
    runner = CliRunner()

    listed = runner.invoke(main, ["sessions", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows[latest]["behavioral"]["stage"] == "hiring_manager"
    assert rows[latest]["behavioral"]["readiness"] in ("Ready", "Almost Ready", "Needs Practice")
    table = runner.invoke(main, ["sessions", "list"]).output
    assert "readiness" in table and "hiring_manager" in table

    shown = runner.invoke(main, ["sessions", "show", latest]).output
    assert "Question 1 of 5" in shown and "revised answer" in shown and "Readiness" in shown
    as_json = json.loads(runner.invoke(main, ["sessions", "show", latest, "--json"]).output)
    asked = [r for r in SessionStore(db, read_only=True).records(latest)
             if r.type == "question_asked"]
    assert len(as_json["behavioral"]["questions"]) == len(asked) >= 3

    chart = tmp_path / "trend.svg"
    stats = runner.invoke(main, ["sessions", "stats", "--chart", str(chart)])
    assert stats.exit_code == 0, stats.output
    assert "Per competency" in stats.output and "leadership" in stats.output
    assert chart.read_text().startswith("<svg") and 'class="session"' in chart.read_text()
    data = json.loads(runner.invoke(main, ["sessions", "stats", "--json"]).output)
    trend = data["behavioral"]["improvement_trend"]
    assert data["behavioral"]["sessions"] == 2
    assert trend["latest_session_score"] > trend["first_session_score"]
    assert data["behavioral"]["competencies"]["leadership"]["sessions"] == 2

    # The report in the four formats: the coding report's sections absent.
    report = stored_behavioral_report(SessionStore(db, read_only=True), latest)
    md = render_report(report, "md")
    html = render_report(report, "html")
    payload = json.loads(render_report(report, "json"))
    notebook = nbformat.reads(render_report(report, "ipynb"), as_version=4)
    for text in (md, html):
        for part in ("Question 1 of 5", "Revised answer", "What landed", "Coaching",
                     "Readiness", "Coaching priorities"):
            assert part in text, part
        for coding in ("Timeline", "test run", "Complexity", "Records cited"):
            assert coding not in text, coding
    # A weak answer's revised answer keeps its [placeholders], visible.
    weak = stored_behavioral_report(SessionStore(db, read_only=True), first)
    revised = str((weak.session.questions[0].feedback or {}).get("revised_answer"))
    placeholder = revised[revised.index("["):revised.index("]") + 1]
    assert placeholder in render_report(weak, "html")
    assert 'class="rubric"' in html and 'data-part="' in html
    assert "<svg" in html and 'class="session"' in html  # the trend across two sessions
    assert payload["kind"] == "behavioral" and len(payload["questions"]) == len(asked)
    assert payload["session_feedback"]["readiness"] == payload["readiness"]
    assert [p["session_id"] for p in payload["trend"]] == [first, latest]
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs)
    exported = runner.invoke(main, ["sessions", "export", latest, "--format", "html"])
    assert exported.exit_code == 0 and "Behavioural interview report" in exported.output
