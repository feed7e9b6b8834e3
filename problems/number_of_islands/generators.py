"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import math
import random


def random_grid(rng: random.Random, rows: int, cols: int, land: float) -> list[object]:
    """Each cell is land with probability `land`. Below about 0.59 the islands
    stay small, so a recursive flood fill does not hit Python's recursion limit."""
    grid = [["1" if rng.random() < land else "0" for _ in range(cols)] for _ in range(rows)]
    return [grid]


def perf(rng: random.Random, n: int) -> list[object]:
    """About n cells in a near-square grid, 45% land: many small islands."""
    rows = max(1, math.isqrt(n))
    return random_grid(rng, rows, max(1, n // rows), 0.45)
