"""The JupyterLab server the UI tests run against.

Galata's helper opens the server to the browser without a token, serves
Galata's in-page helpers, and roots the file browser in a fresh temporary
folder, so every run starts from an empty tree.
"""

import os
import shutil
from pathlib import Path
from typing import Any

from jupyterlab.galata import configure_jupyter_server  # type: ignore[import-untyped]

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821

configure_jupyter_server(c)

# A fixed port that stays clear of a developer's own JupyterLab on 8888;
# playwright.config.js waits on the same one.
c.ServerApp.port = 8899
# CI containers run as root.
c.ServerApp.allow_root = True

# Every run starts with an empty session store (settings.toml puts it here);
# the server opens it only after this file has been read.
sessions = Path(__file__).parent / ".sessions"
shutil.rmtree(sessions, ignore_errors=True)

# The server and its kernels read a copy of settings.toml: voice calibration
# saves stt.noise_threshold into the settings file in force, and the
# committed one must stay as it is. (The extension reads the settings after
# this file, and kernels inherit the server's environment.)
sessions.mkdir()
settings_copy = sessions / "settings.toml"
shutil.copyfile(Path(__file__).parent / "settings.toml", settings_copy)
os.environ["MOCK_INTERVIEWER_SETTINGS"] = str(settings_copy)

# The server's clock steps every live session this often (5 s by default):
# a one-minute interview in tests/room.spec.ts ends soon after time-up.
c.MockInterviewerApp.tick_interval_s = 2.0
