"""The JupyterLab server the UI speed bench runs against.

Like ui-tests' server (Galata's helper: no token, Galata's in-page helpers, a
fresh temporary root folder) but on a port of its own, 8898, so the bench and
the UI tests never meet, and with its session store in a temporary folder
emptied at every start, never the user's own.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyterlab.galata import configure_jupyter_server  # type: ignore[import-untyped]

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821

configure_jupyter_server(c)

# playwright.config.js beside this file waits on the same port.
c.ServerApp.port = 8898
# CI containers run as root.
c.ServerApp.allow_root = True

# Every run starts with an empty session store of its own (the server is
# stopped with a signal, so the folder is emptied at the next start).
_sessions = Path(tempfile.gettempdir()) / "mock-interviewer-ui-bench"
shutil.rmtree(_sessions, ignore_errors=True)
_sessions.mkdir()
_settings = _sessions / "settings.toml"
_settings.write_text(
    "[app]\n"
    f'workspace_dir = "{_sessions.as_posix()}"\n'
    f'session_db = "sqlite:///{(_sessions / "sessions.db").as_posix()}"\n'
)
# The server and its kernels (which inherit the server's environment) read
# these settings; the extension reads them after this file.
os.environ["MOCK_INTERVIEWER_SETTINGS"] = str(_settings)

# BENCH_UI_SERVER_LOG=1: the server's log, with every request's time (a
# success is logged at debug level), goes to the bench's output.
if os.environ.get("BENCH_UI_SERVER_LOG"):
    c.ServerApp.log_level = "DEBUG"
    c.MockInterviewerApp.log_level = "DEBUG"
