"""One line of speech through pyttsx3, in a process of its own.

``python -m mock_interviewer_lab.voice.tts_worker OUT.wav VOICE RATE`` reads
the text on stdin and writes the WAV. The server runs one such process per
coach line (see :mod:`.tts` for why not pyttsx3 in the server's process).
Exit 0 with the file written, else 1 with the reason on stderr.

pyttsx3's ``runAndWait`` does not wait for the WAV with its espeak driver
(pyttsx3 2.99): the driver starts espeak-ng in its asynchronous mode, and its
loop ends as soon as the queued commands have run, right after synthesis has
begun; espeak-ng's own thread writes the file when the utterance ends. A
process that returned then raced that thread to the exit: on a busy machine
it lost, and the WAV was missing, empty ("unreadable WAV file ()") or cut
short. So the worker waits for pyttsx3's ``finished-utterance``
notification, sent once the file is closed, and then for espeak-ng to be
idle, before it exits.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

#: The longest a line may take (the parent gives up at 60 s).
FINISH_TIMEOUT_S = 50.0


def _wait_for_espeak(engine: Any, finished: threading.Event) -> str | None:
    """None once the utterance is written; else why not."""
    if not finished.wait(FINISH_TIMEOUT_S):
        return f"espeak-ng did not finish the line within {FINISH_TIMEOUT_S:g} s"
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if type(driver).__module__ == "pyttsx3.drivers.espeak":
        from pyttsx3.drivers import _espeak

        # Returns once espeak-ng's thread has left the callback that wrote
        # the file: nothing of it still runs while the interpreter exits.
        _espeak.Synchronize()
    return None


def main(argv: list[str]) -> int:
    out, voice, rate = argv
    text = sys.stdin.read()
    if not text.strip():  # espeak-ng would never start, nor finish
        print("pyttsx3: no text to speak", file=sys.stderr)
        return 1
    finished = threading.Event()
    try:
        import pyttsx3

        engine = pyttsx3.init()
        engine.connect("finished-utterance", lambda name, completed: finished.set())
        if voice:
            engine.setProperty("voice", voice)
        engine.setProperty("rate", int(rate))
        engine.save_to_file(text, out)
        engine.runAndWait()
        problem = _wait_for_espeak(engine, finished)
    except Exception as exc:  # whatever the driver raises: one line for the parent
        print(f"pyttsx3: {exc}", file=sys.stderr)
        return 1
    if problem is not None:
        print(f"pyttsx3: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
