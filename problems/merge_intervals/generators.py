"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def random_intervals(
    rng: random.Random, n: int, span: int, max_length: int
) -> list[list[list[int]]]:
    """n intervals with starts uniform in [0, span] and lengths uniform in
    [0, max_length], in random order."""
    intervals = []
    for _ in range(n):
        start = rng.randint(0, span)
        intervals.append([start, start + rng.randint(0, max_length)])
    return [intervals]


def perf(rng: random.Random, n: int) -> list[list[list[int]]]:
    # Distinct starts ten apart and lengths up to twelve: most intervals stay
    # on their own and a few merge, so the answer is about as long as the
    # input and comparing each interval with every merged one costs n^2.
    starts = [10 * s for s in rng.sample(range(n * 2), n)]
    intervals = [[start, start + rng.randint(0, 12)] for start in starts]
    return [intervals]
