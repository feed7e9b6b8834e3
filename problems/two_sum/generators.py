"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def unique_pair(rng: random.Random, n: int) -> list[object]:
    """n distinct numbers in which only the last two add up to the target."""
    nums = [4 * x for x in rng.sample(range(0, 10 * n), n - 2)]
    # The others are multiples of 4, so any sum of two of them is 0 mod 4,
    # and a sum with one of them is 1 or 2 mod 4; a + b is 3 mod 4: the only
    # pair that can reach the target.
    a, b = 1, 40 * n + 2
    nums += [a, b]
    return [nums, a + b]


def perf(rng: random.Random, n: int) -> list[object]:
    return unique_pair(rng, n)
