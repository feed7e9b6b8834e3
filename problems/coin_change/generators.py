"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.

The smallest coin is kept at amount / 250 or more, so that amount / smallest
coin, the depth a memoised recursive solution reaches (each level counts
about twice with lru_cache), stays under Python's default recursion limit
of 1000: a correct top-down answer should not fail on that alone.
"""

import random


def random_coins(rng: random.Random, amount: int, count: int, low: int, high: int) -> list[object]:
    """`count` distinct coins drawn from [low, high]."""
    coins = rng.sample(range(low, high + 1), count)
    return [coins, amount]


def perf(rng: random.Random, n: int) -> list[object]:
    """Six coins of at least n / 250, amount n: the work grows with n alone."""
    low = max(2, n // 250)
    coins = rng.sample(range(low, 4 * low + 40), 6)
    return [coins, n]
