"""Mock Interviewer Lab: a Jupyter notebook as a coding-interview room.

One package serves the IPython extension (``%load_ext mock_interviewer_lab``),
the jupyter-server extension (``mock_interviewer_lab.server``) and the
command line (``mock-interviewer``).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mock_interviewer_lab``: the %interview and %%solution magics."""
    from mock_interviewer_lab.kernel import load

    load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab plugin is (``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "mock-interviewer-lab"}]
