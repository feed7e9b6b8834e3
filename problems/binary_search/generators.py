"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def _ascending(rng: random.Random, n: int) -> list[int]:
    """n distinct ascending integers with gaps, so absent targets exist between them."""
    start = rng.randint(-(10**8), 10**8)
    step = rng.randint(2, 5)
    return list(range(start, start + step * n, step))


def present(rng: random.Random, n: int) -> list[object]:
    """A target that occurs, at a random position."""
    nums = _ascending(rng, n)
    return [nums, nums[rng.randrange(n)]]


def absent(rng: random.Random, n: int) -> list[object]:
    """A target that falls between two neighbours and so does not occur."""
    nums = _ascending(rng, n)
    i = rng.randrange(n - 1)
    return [nums, nums[i] + 1]


def perf(rng: random.Random, n: int) -> list[object]:
    """An absent target near the end: a linear scan has to look at almost everything."""
    nums = _ascending(rng, n)
    i = n - 1 - rng.randrange(max(1, n // 100))
    return [nums, nums[i] + 1]
