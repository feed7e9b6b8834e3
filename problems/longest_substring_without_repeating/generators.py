"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random
import string

#: First code point of the CJK Unified Ideographs block: a long run of
#: printable characters, none of them surrogates, all safe in JSON.
_CJK_START = 0x4E00
_CJK_SIZE = 20000


def random_text(rng: random.Random, n: int, alphabet_size: int = 26) -> list[str]:
    """n characters drawn uniformly from an alphabet of ``alphabet_size``:
    the lowercase letters when it is at most 26, CJK ideographs beyond."""
    if alphabet_size <= 26:
        alphabet = string.ascii_lowercase[:alphabet_size]
    else:
        alphabet = "".join(chr(_CJK_START + i) for i in range(min(alphabet_size, _CJK_SIZE)))
    return ["".join(rng.choice(alphabet) for _ in range(n))]


def two_shuffles(rng: random.Random, n: int) -> list[str]:
    """Two random orders of the same n // 2 distinct characters, one after
    the other: every window of n // 2 characters is repeat-free, so a
    solution that restarts from each position rereads about n // 2 each time."""
    half = max(1, n // 2)
    codes = [_CJK_START + i for i in range(half)] if half <= _CJK_SIZE else [
        0x10000 + i for i in range(half)  # beyond the BMP: still no surrogates
    ]
    first, second = codes[:], codes[:]
    rng.shuffle(first)
    rng.shuffle(second)
    return ["".join(map(chr, first + second))]


def perf(rng: random.Random, n: int) -> list[str]:
    return two_shuffles(rng, n)
