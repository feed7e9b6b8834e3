"""One line of speech through pyttsx3, in a process of its own.

``python -m mock_interviewer_lab.voice.tts_worker OUT.wav VOICE RATE`` reads
the text on stdin and writes the WAV. The server runs one such process per
coach line (see :mod:`.tts` for why not pyttsx3 in the server's process).
Exit 0 with the file written, else 1 with the reason on stderr.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    out, voice, rate = argv
    text = sys.stdin.read()
    try:
        import pyttsx3

        engine = pyttsx3.init()
        if voice:
            engine.setProperty("voice", voice)
        engine.setProperty("rate", int(rate))
        engine.save_to_file(text, out)
        engine.runAndWait()
    except Exception as exc:  # whatever the driver raises: one line for the parent
        print(f"pyttsx3: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
