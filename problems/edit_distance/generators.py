"""Inputs for the large hidden cases and the performance measurement.

Each generator takes a random.Random and returns the argument list.

Lengths stay at 200 or less: a memoised recursive solution (lru_cache)
goes up to len(word1) + len(word2) calls deep, each counting about twice
against Python's default recursion limit of 1000, and a correct answer
should not fail on that alone.
"""

import random
import string


def _word(rng: random.Random, n: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mutate(rng: random.Random, word: str, edits: int, alphabet: str) -> str:
    """Apply `edits` random inserts, deletes and replacements."""
    chars = list(word)
    for _ in range(edits):
        kind = rng.choice(("insert", "delete", "replace")) if chars else "insert"
        if kind == "insert":
            chars.insert(rng.randint(0, len(chars)), rng.choice(alphabet))
        elif kind == "delete":
            del chars[rng.randrange(len(chars))]
        else:
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
    return "".join(chars)


def unrelated(rng: random.Random, n1: int, n2: int, letters: int) -> list[object]:
    """Two independent random words over the first `letters` letters."""
    alphabet = string.ascii_lowercase[:letters]
    return [_word(rng, n1, alphabet), _word(rng, n2, alphabet)]


def similar(rng: random.Random, n: int, edits: int) -> list[object]:
    """A word and a copy changed in `edits` random places."""
    alphabet = string.ascii_lowercase
    word = _word(rng, n, alphabet)
    return [word, _mutate(rng, word, edits, alphabet)]


def perf(rng: random.Random, n: int) -> list[object]:
    """Two unrelated words of length n over four letters."""
    return unrelated(rng, n, n, 4)
