"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def random_values(rng: random.Random, n: int, k: int, spread: int = 10**4) -> list[object]:
    """n values in [-spread, spread] (repeats likely when n is large), and k."""
    nums = [rng.randint(-spread, spread) for _ in range(n)]
    return [nums, k]


def perf(rng: random.Random, n: int) -> list[object]:
    """k = n / 2, so taking out the maximum k times costs O(n^2)."""
    nums = [rng.randint(-(10**4), 10**4) for _ in range(n)]
    return [nums, n // 2]
