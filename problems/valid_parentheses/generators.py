"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random

_PAIRS = ("()", "[]", "{}")
_SWAP = {"(": "[", "[": "{", "{": "(", ")": "]", "]": "}", "}": ")"}


def balanced(rng: random.Random, n: int, break_one: bool = False) -> list[str]:
    """A random balanced string of length n (n even), built by a random walk
    that opens or closes at each step. With ``break_one``, one bracket in the
    last quarter is changed to another kind, so the string is unbalanced."""
    chars: list[str] = []
    open_kinds: list[int] = []
    for position in range(n):
        remaining = n - position
        must_close = len(open_kinds) == remaining
        may_close = bool(open_kinds)
        if must_close or (may_close and rng.random() < 0.5):
            chars.append(_PAIRS[open_kinds.pop()][1])
        else:
            kind = rng.randrange(3)
            open_kinds.append(kind)
            chars.append(_PAIRS[kind][0])
    if break_one and chars:
        index = rng.randrange(3 * n // 4, n)
        chars[index] = _SWAP[chars[index]]
    return ["".join(chars)]


def nested(rng: random.Random, n: int) -> list[str]:
    """n // 2 random openers followed by their closers: balanced, and as deep
    as a string of that length can be."""
    kinds = [rng.randrange(3) for _ in range(n // 2)]
    openers = "".join(_PAIRS[k][0] for k in kinds)
    closers = "".join(_PAIRS[k][1] for k in reversed(kinds))
    return [openers + closers]


def perf(rng: random.Random, n: int) -> list[str]:
    # Balanced, so nothing can stop early, and deeply nested, so repeatedly
    # deleting adjacent pairs needs one pass per level.
    return nested(rng, n)
