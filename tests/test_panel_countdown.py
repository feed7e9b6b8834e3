"""The panel's countdown ticks in the browser when the server extension runs
the interview: the kernel writes to the widget only on events, so an
abandoned notebook is idle for jupyter-server and for JupyterHub's culler.
(The view itself, ``src/countdown.ts``, is exercised by the UI test.)"""

from __future__ import annotations

import threading
from typing import Any, cast

from IPython.core.interactiveshell import InteractiveShell

from mock_interviewer_lab.kernel.backend import ServerBackend
from mock_interviewer_lab.kernel.countdown import CountdownWidget
from mock_interviewer_lab.kernel.magics import InterviewMagics
from mock_interviewer_lab.kernel.panel import Panel

from .test_kernel_magics import TOKEN, fake_api  # noqa: F401  (a fixture)

PROBLEM = {"id": "two_sum", "title": "Two Sum", "difficulty": "easy", "statement": "Find."}
STATE: dict[str, Any] = {"phase": "coding", "ended": False, "time_left_s": 300.0,
                         "phase_budget_left_s": 120.0, "hint": {}, "last_results": None}


def test_a_browser_countdown_gets_no_update_between_events() -> None:
    now = [0.0]

    def clock() -> float:  # every reading a second later than the last
        now[0] += 1.0
        return now[0]

    panel = Panel(PROBLEM, clock=clock, browser_clock=True)
    countdown = panel.countdown
    assert isinstance(countdown, CountdownWidget)
    panel.set_state(STATE)
    # Read one (test-clock) second after the state was known.
    assert countdown.running and countdown.time_left_s == 299.0
    assert countdown.phase_left_s == 119.0
    changes: list[Any] = []
    countdown.observe(changes.append)
    panel.start_ticking(interval_s=0.01)
    threading.Event().wait(0.3)  # a kernel ticker would have written about 30 times
    panel.close()
    assert changes == []
    assert not any(t.name == "mil-panel-countdown" for t in threading.enumerate())


def test_events_reach_the_browser_countdown() -> None:
    now = [100.0]
    panel = Panel(PROBLEM, clock=lambda: now[0], browser_clock=True)
    countdown = panel.countdown
    panel.set_state(STATE)
    now[0] += 30
    panel.apply({"type": "time_warning", "data": {"minutes_left": 5}, "seq": 3, "t": 30.0})
    # The times as of the warning: the browser counts on from them.
    assert countdown.time_left_s == 270.0 and countdown.phase_left_s == 90.0
    assert countdown.suffix == " · warned at 5 min"
    panel.set_state({**STATE, "ended": True, "time_left_s": 12.0})
    assert not countdown.running and countdown.suffix.endswith(" · ended")
    panel.close()


def test_the_server_panel_starts_no_kernel_ticker(fake_api: str) -> None:  # noqa: F811
    backend = ServerBackend(fake_api, TOKEN)
    shell = InteractiveShell.instance()
    magics = InterviewMagics(shell, backend_factory=lambda: backend)
    magics.show_panels = True  # displayed, and asked to tick, as in a notebook
    try:
        cast(Any, magics).interview("two_sum")
        panel = magics.panel
        assert panel is not None and panel.browser_clock
        assert isinstance(panel.countdown, CountdownWidget)
        assert panel._ticker is None
        assert not any(t.name == "mil-panel-countdown" for t in threading.enumerate())
    finally:
        if magics.panel is not None:
            magics.panel.close()
        backend.close()


def test_the_phase_left_is_never_shown_above_the_time_left() -> None:
    now = [100.0]
    panel = Panel(PROBLEM, clock=lambda: now[0], browser_clock=True)
    countdown = panel.countdown
    panel.set_state({**STATE, "time_left_s": 60.0, "phase_budget_left_s": 1500.0})
    assert countdown.time_left_s == 60.0 and countdown.phase_left_s == 60.0
    assert panel.countdown_text().startswith("01:00 left · this phase 01:00")
    now[0] += 20
    panel.apply({"type": "time_warning", "data": {"minutes_left": 1}, "seq": 3, "t": 20.0})
    assert countdown.time_left_s == 40.0 and countdown.phase_left_s == 40.0
    panel.close()
