"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random

_MAX_HEIGHT = 10**5


def random_heights(rng: random.Random, n: int, max_height: int = _MAX_HEIGHT) -> list[list[int]]:
    """n heights drawn uniformly from [0, max_height]."""
    return [[rng.randint(0, max_height) for _ in range(n)]]


def landscape(rng: random.Random, n: int, step: int = 50) -> list[list[int]]:
    """A random walk of n heights clipped to [0, 10^5]: wide valleys and
    ridges, so water pools over long stretches at many levels."""
    level = _MAX_HEIGHT // 2
    heights = []
    for _ in range(n):
        level = min(_MAX_HEIGHT, max(0, level + rng.randint(-step, step)))
        heights.append(level)
    return [heights]


def perf(rng: random.Random, n: int) -> list[list[int]]:
    return random_heights(rng, n)
