"""The JupyterLab server the UI tests run against.

Galata's helper opens the server to the browser without a token, serves
Galata's in-page helpers, and roots the file browser in a fresh temporary
folder, so every run starts from an empty tree.
"""

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
shutil.rmtree(Path(__file__).parent / ".sessions", ignore_errors=True)
