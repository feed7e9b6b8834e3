"""How much text one candidate event may carry, wherever it comes from (the
REST API, the voice socket, the magics of a kernel without a server).

A 10 MB ``said`` line was once accepted and its reports then took two
minutes to build; no real answer or solution comes near these limits.
Sizes are UTF-8 bytes, which is what is stored and sent.
"""

from __future__ import annotations

#: The largest code submission: about 1,500 lines of 40 characters.
MAX_CODE_BYTES = 64 * 1024
#: The largest line the candidate says or types: about 1,300 words.
MAX_SAID_BYTES = 8 * 1024
#: The largest resume or job description a behavioural interview takes (as
#: text or Markdown): about 5,000 words.
MAX_CONTEXT_BYTES = 32 * 1024
#: The largest JSON request body the server reads: code at its limit, every
#: character escaped as ``\\uXXXX``, and room for the rest.
MAX_BODY_BYTES = 6 * MAX_CODE_BYTES + 4096
#: How deep a JSON body may nest; no body of the API is deeper than 3.
MAX_JSON_DEPTH = 16

_LIMITS = {"code": MAX_CODE_BYTES, "said": MAX_SAID_BYTES, "context": MAX_CONTEXT_BYTES}


class TextTooLong(ValueError):
    """A said line or a code submission over its limit; the message names it."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(f"{what} is {size:,} bytes; the limit is {limit // 1024} KB "
                         f"({limit:,} bytes)")
        self.what = what
        self.size = size
        self.limit = limit


class BadText(ValueError):
    """Text that cannot be stored: a lone UTF-16 surrogate (JSON allows
    ``"\\ud800"``, UTF-8 does not)."""


def utf8_size(text: str) -> int:
    """Its size in UTF-8; raises :class:`BadText` for a lone surrogate."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise BadText(f"contains a lone surrogate ({text[exc.start]!a} at character "
                      f"{exc.start}), which is not text") from None


def check_text(kind: str, text: str, what: str | None = None) -> str:
    """``text`` when a ``kind`` ("code", "said" or "context": a resume or a
    job description) event may carry it; raises
    :class:`TextTooLong` or :class:`BadText` naming ``what`` (default: kind)."""
    label = what or kind
    try:
        size = utf8_size(text)
    except BadText as exc:
        raise BadText(f"{label} {exc}") from None
    limit = _LIMITS[kind]
    if size > limit:
        raise TextTooLong(label, size, limit)
    return text
