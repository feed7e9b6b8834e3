"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.
"""

import itertools
import random


def _layers(n: int, width: int) -> list[list[int]]:
    """The courses in layers of `width`. The first layer gets the highest
    numbers, so taking courses in index order is no shortcut."""
    ids = list(range(n - 1, -1, -1))
    return [ids[i : i + width] for i in range(0, n, width)]


def _layered_pairs(
    rng: random.Random, layers: list[list[int]], reach: int | None
) -> list[list[int]]:
    """Every course outside the first layer needs two distinct courses of the
    layer before it: any two, or with `reach`, two within `reach` positions
    of its own (near in number, so memory access stays local)."""
    pairs: list[list[int]] = []
    for below, layer in itertools.pairwise(layers):
        for position, course in enumerate(layer):
            pool = below
            if reach is not None:
                pool = below[max(0, position - reach) : position + reach + 1] or below
            for before in sorted(rng.sample(pool, min(2, len(pool)))):
                pairs.append([course, before])
    return pairs


def acyclic(rng: random.Random, n: int, width: int) -> list[object]:
    """Random layers of `width` courses (numbers shuffled within a layer); no cycle."""
    layers = _layers(n, width)
    for layer in layers:
        rng.shuffle(layer)
    return [n, _layered_pairs(rng, layers, None)]


def one_cycle(rng: random.Random, n: int, width: int) -> list[object]:
    """As acyclic, plus one pair that closes a cycle through every layer."""
    layers = _layers(n, width)
    for layer in layers:
        rng.shuffle(layer)
    pairs = _layered_pairs(rng, layers, None)
    needs: dict[int, list[int]] = {}
    for course, before in pairs:
        needs.setdefault(course, []).append(before)
    top = rng.choice(layers[-1])
    bottom = top
    while bottom in needs:  # follow prerequisites down to the first layer
        bottom = needs[bottom][0]
    pairs.insert(rng.randrange(len(pairs) + 1), [bottom, top])
    return [n, pairs]


def perf(rng: random.Random, n: int) -> list[object]:
    """n courses, about 2n pairs, no cycle: a ladder of n / 32 rungs of two
    courses, each needing both courses of the rung before, and the rest in 8
    shallow layers.

    The ladder makes "take every free course, then rescan all the pairs" need
    n / 32 rounds, O(n^2) in all, and gives 2^(n/32) different paths to a
    search that does not remember finished courses. It stays short enough
    (250 rungs at the largest size) for a recursive search under Python's
    default recursion limit, and the rest stays shallow and local because
    deep recursion and scattered memory access make even a correct O(n)
    search look slower than linear in the timings.
    """
    rungs = max(2, n // 32)
    ladder = list(range(n - 1, n - 1 - 2 * rungs, -1))
    steps = [ladder[i : i + 2] for i in range(0, 2 * rungs, 2)]
    pairs: list[list[int]] = []
    # The top rung comes first, so even a pass that frees courses as it goes
    # needs one pass per rung.
    for below, rung in reversed(list(itertools.pairwise(steps))):
        pairs += [[course, before] for course in rung for before in below]
    rest = n - 2 * rungs
    bulk = _layers(rest, max(1, -(-rest // 8)))
    return [n, pairs + _layered_pairs(rng, bulk, 16)]
