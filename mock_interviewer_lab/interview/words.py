"""Words: the one tokeniser every word count uses.

A word is a run of letters, digits (and ``_``) with inner apostrophes
("don't", "it's" are one word each), in the lower-cased text with curly
apostrophes made straight. The intent classifier counts an utterance's
words with it (thinking sounds removed first), and so do the session
metrics' ``words_spoken`` and the delivery figures' ``spoken_words`` and
``typed_words`` (fillers included); what each figure counts is said where it
is defined (``reporting/metrics.py``, ``reporting/delivery.py``).
"""

from __future__ import annotations

import re

#: One word: letters and digits, with apostrophes inside it.
WORD = re.compile(r"\w+(?:'\w+)*")


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower-cased."""
    return WORD.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))
