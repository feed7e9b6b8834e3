"""The IPython extension: ``%interview``, ``%%solution`` and the panel.

``load(ipython)`` registers the magics; the package's
``load_ipython_extension`` calls it.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable

from IPython.core.interactiveshell import InteractiveShell

from mock_interviewer_lab.kernel.backend import Backend, choose_backend
from mock_interviewer_lab.kernel.magics import InterviewMagics, keep_question_marks


def load(ipython: InteractiveShell,
         backend_factory: Callable[[], Backend] = choose_backend) -> InterviewMagics:
    """Register the interview magics on ``ipython``; the backend is chosen on
    first use, so loading the extension never waits for a server."""
    magics = InterviewMagics(ipython, backend_factory=backend_factory)
    ipython.register_magics(magics)
    # "%interview say can it be empty?" is what the candidate says, not a help request.
    cleanup = ipython.input_transformers_cleanup
    if keep_question_marks not in cleanup:
        cleanup.append(keep_question_marks)

    def close() -> None:
        if magics._backend is not None:
            magics._backend.close()

    atexit.register(close)
    return magics


__all__ = ["InterviewMagics", "load"]
