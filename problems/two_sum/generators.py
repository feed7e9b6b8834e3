"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import random


def unique_pair(rng: random.Random, n: int) -> list:
    """n distinct numbers in which only the last two add up to the target."""
    nums = rng.sample(range(0, 10 * n), n - 2)
    nums = [2 * x for x in nums]  # every sum of two of these is even
    a, b = 1, 20 * n + 1  # both odd: the only odd-sum pair
    nums += [a, b]
    return [nums, a + b]


def perf(rng: random.Random, n: int) -> list:
    return unique_pair(rng, n)
