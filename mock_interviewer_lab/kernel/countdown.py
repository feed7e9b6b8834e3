"""The panel's countdown as a widget that ticks in the browser.

A kernel that redraws the countdown every second sends a widget update
every second: each one is kernel activity to jupyter-server, so a tab left
open (or a kernel left running) kept the server "active" for JupyterHub's
idle culler forever. This widget's view (``src/countdown.ts``, registered
by the JupyterLab plugin beside the voice widget) counts down by itself
from the last time the kernel set; the kernel only writes on events (a
new state, a time warning, the end).
"""

from __future__ import annotations

import ipywidgets as widgets  # type: ignore[import-untyped]
from traitlets import Bool, Float, Unicode

from mock_interviewer_lab.kernel.voice_widget import MODULE_NAME, MODULE_RANGE


class CountdownWidget(widgets.DOMWidget):  # type: ignore[misc]
    """``mm:ss left · this phase mm:ss`` and a suffix, counting down in the browser."""

    _model_name = Unicode("CountdownModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_RANGE).tag(sync=True)
    _view_name = Unicode("CountdownView").tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_RANGE).tag(sync=True)

    #: Seconds left in the interview when last set (None: unknown).
    time_left_s = Float(None, allow_none=True).tag(sync=True)
    #: Seconds left in the phase's budget when last set (None: no budget).
    phase_left_s = Float(None, allow_none=True).tag(sync=True)
    #: What follows the times: the warnings given, "· ended".
    suffix = Unicode("").tag(sync=True)
    #: False stops the count (the interview ended).
    running = Bool(False).tag(sync=True)
