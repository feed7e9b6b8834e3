"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random

_LOW, _HIGH = -10**9, 10**9


def distinct_values(rng: random.Random, n: int, duplicate: bool = False) -> list[list[int]]:
    """n distinct values; with ``duplicate``, one of them is copied over
    another, far apart, so exactly one value appears twice."""
    nums = rng.sample(range(_LOW, _HIGH + 1), n)
    if duplicate and n >= 2:
        # The copy lands in the back half, so an early exit cannot hide a bug
        # that only shows once most of the list has been read.
        first = rng.randrange(0, n // 2)
        second = rng.randrange(max(first + 1, n // 2), n)
        nums[second] = nums[first]
    return [nums]


def perf(rng: random.Random, n: int) -> list[list[int]]:
    # No duplicate at all: every correct solution has to read the whole list.
    return distinct_values(rng, n)
