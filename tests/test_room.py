"""The room in the cell output: one bundle (the room for JupyterLab's plugin,
the panel for everyone else, a line of text) with the server, the panel
alone in embedded mode; re-running ``%interview`` brings it back; the
panel's buttons never write to stdout/stderr (JupyterLab's Log Console);
at the end the panel keeps a summary, and ``%interview report`` the whole."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from mock_interviewer_lab.kernel.backend import ServerBackend
from mock_interviewer_lab.kernel.magics import InterviewMagics
from mock_interviewer_lab.kernel.room import room_info, same_problem
from mock_interviewer_lab.protocol import ROOM_MIME, WIDGET_VIEW_MIME

from .test_kernel_magics import (  # noqa: F401  (fixtures)
    INFO,
    TOKEN,
    fake_api,
    ip,
    magics,
    settings_file,
)


def bundles(outputs: list[Any]) -> list[dict[str, Any]]:
    return [dict(o.data) for o in outputs]


@pytest.fixture
def server_magics(fake_api: str) -> Iterator[InterviewMagics]:  # noqa: F811
    backend = ServerBackend(fake_api, TOKEN)
    loaded = InterviewMagics(InteractiveShell.instance(), backend_factory=lambda: backend)
    yield loaded
    if loaded.panel is not None:
        loaded.panel.close()
    backend.close()


def interview(magics: InterviewMagics, line: str) -> None:  # noqa: F811
    cast(Any, magics).interview(line)


@contextlib.contextmanager
def displaying(magics: InterviewMagics) -> Iterator[Any]:  # noqa: F811
    """What the magics display meanwhile (the shared fixture displays nothing)."""
    magics.show_panels = True
    try:
        with capture_output() as shown:
            yield shown
    finally:
        magics.show_panels = False
        if magics.panel is not None:
            magics.panel.close()  # no countdown thread left behind


# ---------------------------------------------------------------- the bundle


def test_with_the_server_one_bundle_holds_the_room_the_panel_and_a_line(
        server_magics: InterviewMagics, capsys: pytest.CaptureFixture[str]) -> None:
    with capture_output() as shown:
        interview(server_magics, "two_sum --minutes 30")
    (bundle,) = bundles(shown.outputs)
    assert set(bundle) == {ROOM_MIME, WIDGET_VIEW_MIME, "text/plain"}
    assert bundle[ROOM_MIME] == {"session_id": INFO["id"], "title": "Two Sum",
                                 "problem": "core:two_sum", "minutes": 30, "kind": "coding"}
    panel = server_magics.panel
    assert panel is not None
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == panel.widget.model_id
    assert bundle["text/plain"] == (f"interview {INFO['id']}: Two Sum — the room is on the right")
    assert shown.stdout == (f"interview {INFO['id']}: Two Sum (30 minutes) — write your "
                            "solution in the next cell\n")


def test_in_embedded_mode_the_panel_alone_is_displayed(
        ip: InteractiveShell, magics: InterviewMagics) -> None:  # noqa: F811
    with displaying(magics) as shown:
        ip.run_line_magic("interview", "two_sum")
    (bundle,) = bundles(shown.outputs)
    assert ROOM_MIME not in bundle
    assert magics.panel is not None
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == magics.panel.widget.model_id


def test_the_room_mime_type_is_the_plugins() -> None:
    """The kernel writes the room's MIME type, the JupyterLab plugin renders
    it: one name on both sides."""
    model_ts = (Path(__file__).resolve().parents[1] / "src" / "room" / "model.ts").read_text()
    assert f"ROOM_MIME = '{ROOM_MIME}'" in model_ts


def test_room_data_from_the_session_when_not_asked() -> None:
    snapshot = {"session": {"id": "s", "problem": "core:two_sum", "meta": {"minutes": 20.5}},
                "problem": {"id": "two_sum", "title": "Two Sum"}, "state": {}}
    assert room_info(snapshot)["minutes"] == 20.5
    assert room_info(snapshot)["problem"] == "core:two_sum"
    snapshot["session"] = {"id": "s"}
    snapshot["state"] = {"elapsed_s": 600.0, "time_left_s": 1200.0}
    assert room_info(snapshot)["minutes"] == 30
    room = room_info(snapshot)
    assert same_problem("two_sum", room) and not same_problem("sum", room)
    assert same_problem("core:two_sum", room_info({**snapshot, "problem": {
        "qualified_id": "core:two_sum", "title": "Two Sum"}}))


def test_a_behavioural_room_carries_its_kind_and_set_up() -> None:
    snapshot = {"session": {"id": "b", "problem": "behavioral:hiring_manager"},
                "problem": {"title": "Behavioural interview", "setup": {
                    "stage": "hiring_manager", "difficulty": "medium", "level": "L5A",
                    "adversarial": False}},
                "state": {}, "kind": "behavioral"}
    room = room_info(snapshot)
    assert room["kind"] == "behavioral"
    assert room["setup"] == {"stage": "hiring_manager", "difficulty": "medium", "level": "L5A"}
    assert "setup" not in room_info({"session": {"id": "c"}, "problem": {"id": "x"}, "state": {}})


# ------------------------------------------------------- bringing it back


def test_rerunning_the_cell_brings_the_room_back(
        server_magics: InterviewMagics, fake_api: str) -> None:  # noqa: F811
    from .test_kernel_magics import FakeApi

    interview(server_magics, "two_sum")
    starts = sum(1 for method, path, _ in FakeApi.seen if (method, path) == ("POST", "sessions"))
    for line in ("two_sum", "core:two_sum --minutes 30", "resume", f"resume {INFO['id']}"):
        with capture_output() as shown:
            interview(server_magics, line)
        (bundle,) = bundles(shown.outputs)
        assert bundle[ROOM_MIME]["session_id"] == INFO["id"], line
        assert "already running: its room is back" in shown.stdout, line
        assert shown.stderr == "", line
    assert starts == sum(1 for m, p, _ in FakeApi.seen if (m, p) == ("POST", "sessions"))


def test_another_problem_is_refused_clearly_and_the_room_comes_back(
        server_magics: InterviewMagics) -> None:
    interview(server_magics, "two_sum")
    for line, refusal in (("three_sum", "before starting three_sum"),
                          ("resume 20990101-0000-ffff", "before resuming 20990101-0000-ffff")):
        with capture_output() as shown:
            interview(server_magics, line)
        (bundle,) = bundles(shown.outputs)
        assert bundle[ROOM_MIME]["title"] == "Two Sum"
        assert shown.stderr.count("\n") == 1 and refusal in shown.stderr
        assert "already running" in shown.stderr and "room is back" in shown.stderr


def test_rerunning_in_embedded_mode_shows_the_same_panel_again(
        ip: InteractiveShell, magics: InterviewMagics) -> None:  # noqa: F811
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    with displaying(magics) as shown:
        ip.run_line_magic("interview", "two_sum")
    assert magics.panel is panel
    (bundle,) = bundles(shown.outputs)
    assert bundle[WIDGET_VIEW_MIME]["model_id"] == panel.widget.model_id
    assert "its room is back" in shown.stdout


# ------------------------------------------------- buttons, quietly


def test_a_hint_click_writes_nothing_to_stdout_or_stderr(
        ip: InteractiveShell, magics: InterviewMagics,  # noqa: F811
        capfd: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None
    capfd.readouterr()
    panel.hint_button.click()
    assert panel.hint_label.value == "hint 1 of 3" and panel.hint_text.value
    panel.message_box.value = "Can the list be empty?"
    panel.send_button.click()
    assert ("candidate", "Can the list be empty?") in [(s, t) for _, s, t in panel.transcript]
    # Enter in the box sends too (the Text view's "submit" message).
    panel.message_box.value = "And negative numbers?"
    cast(Any, panel.message_box)._handle_custom_msg({"event": "submit"}, [])
    assert ("candidate", "And negative numbers?") in [(s, t) for _, s, t in panel.transcript]
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    # A mistake from a button lands in the panel, not in a log.
    ip.run_line_magic("interview", "end")
    capfd.readouterr()
    panel.hint_button.click()
    assert "has ended" in panel.status.value and "mil-fail" in panel.status.value
    assert capfd.readouterr() == ("", "")


def test_a_stray_print_in_a_button_callback_goes_to_the_panel(
        ip: InteractiveShell, magics: InterviewMagics,  # noqa: F811
        capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ip.run_line_magic("interview", "two_sum")
    panel = magics.panel
    assert panel is not None

    def noisy(_words: list[str]) -> None:
        print("a library chatting on stdout")
        raise RuntimeError("and failing")

    monkeypatch.setattr(magics, "_cmd_hint", noisy)
    capfd.readouterr()
    panel.hint_button.click()
    assert capfd.readouterr() == ("", "")
    assert "a library chatting on stdout" in panel.status.value


# --------------------------------------------------------------- the end


def test_the_end_panel_keeps_a_summary_and_saves_the_whole_report(
        ip: InteractiveShell, magics: InterviewMagics,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    ip.run_line_magic("interview", "two_sum")
    ip.run_line_magic("interview", 'say "Can the numbers repeat?"')
    ip.run_line_magic("interview", "end")
    panel = magics.panel
    assert panel is not None and panel.ended
    summary = panel.report.value
    assert "<h4>Report</h4>" in summary and "%interview report" in summary
    assert "Transcript" not in summary and "<svg" not in summary and len(summary) < 4000
    assert panel.export_button.layout.display == ""
    capfd.readouterr()
    panel.export_button.click()
    assert capfd.readouterr() == ("", "")
    (saved,) = tmp_path.glob("interview-report-*.html")
    assert "Interview report: Two Sum" in saved.read_text()
    assert saved.name in panel.status.value
    # %interview report still shows the whole report inline, styled in its own scope.
    with capture_output() as shown:
        ip.run_line_magic("interview", "report")
    (page,) = [o.data["text/html"] for o in shown.outputs]
    assert "Records cited" in page and '<div class="mil-report">' in page
    assert "<style>" in page and "body {" not in page
