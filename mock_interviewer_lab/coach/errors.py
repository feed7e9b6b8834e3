"""What a coach's model call can fail with, for every module that calls one
(the coach, the feedback writer, the model grader)."""

from __future__ import annotations


class ModelFailure(Exception):
    """The model did not give a usable answer; ``reason`` is one of
    timeout, error, malformed, refusal (and rejected: a reply that broke the
    reply rules, ``reply_gate.ReplyRejected``)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
