"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list: the
tree as a level-order list, which the prelude's build_tree turns into nodes.
"""

import random


def _trim(values: list[int | None]) -> list[int | None]:
    while values and values[-1] is None:
        values.pop()
    return values


def random_tree(rng: random.Random, n: int, p_child: float = 0.75) -> list[object]:
    """n nodes grown level by level: each open slot gets a child with
    probability p_child (always, if it is the last slot left, so the tree
    reaches n nodes). Depth stays near a few times log n."""
    values: list[int | None] = [rng.randint(-100, 100)]
    open_slots = 0  # children still to decide, in level order
    made = 1
    open_slots += 2
    while made < n:
        open_slots -= 1
        if open_slots == 0 or rng.random() < p_child:
            values.append(rng.randint(-100, 100))
            made += 1
            open_slots += 2
        else:
            values.append(None)
    return [_trim(values)]


def zigzag_path(rng: random.Random, n: int) -> list[object]:
    """A single path of n nodes that turns left or right at random: depth n."""
    values: list[int | None] = [rng.randint(-100, 100)]
    for _ in range(n - 1):
        child = rng.randint(-100, 100)
        values += [child, None] if rng.random() < 0.5 else [None, child]
    return [_trim(values)]


def perf(rng: random.Random, n: int) -> list[object]:
    return random_tree(rng, n)
