"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def _rotated(rng: random.Random, n: int) -> list[int]:
    """n distinct values, ascending with gaps, rotated at a random position."""
    start = rng.randint(-(10**8), 10**8)
    step = rng.randint(2, 5)
    ascending = list(range(start, start + step * n, step))
    k = rng.randrange(n)
    return ascending[k:] + ascending[:k]


def present(rng: random.Random, n: int) -> list[object]:
    """A target that occurs, at a random position."""
    nums = _rotated(rng, n)
    return [nums, nums[rng.randrange(n)]]


def absent(rng: random.Random, n: int) -> list[object]:
    """One above an element: the gaps are at least 2, so it is not in the list."""
    nums = _rotated(rng, n)
    return [nums, nums[rng.randrange(n)] + 1]


def perf(rng: random.Random, n: int) -> list[object]:
    """Rotated near the middle, absent target: a scan must look at every element."""
    start = rng.randint(-(10**8), 10**8)
    ascending = list(range(start, start + 3 * n, 3))
    k = n // 2 + rng.randrange(max(1, n // 10))
    nums = ascending[k:] + ascending[:k]
    return [nums, ascending[rng.randrange(n - 1)] + 1]
