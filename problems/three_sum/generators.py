"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def random_values(rng: random.Random, n: int, low: int, high: int) -> list[list[int]]:
    """n values drawn uniformly, with repeats, from [low, high]."""
    return [[rng.randint(low, high) for _ in range(n)]]


def perf(rng: random.Random, n: int) -> list[list[int]]:
    # Distinct values from a range wide enough that only a handful of
    # triplets exist: the time goes into the search, not into the answer.
    values = rng.sample(range(-(25 * n), 25 * n + 1), n)
    return [values]
