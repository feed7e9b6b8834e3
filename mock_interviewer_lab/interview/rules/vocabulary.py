"""The words the safeguards read by: the names of data structures and
techniques (the leak filter's forbidden patterns and the fishing detector's
guesses both use them), and how a message's words are normalised (case,
punctuation, light stemming, compounds and synonyms made one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# ======================================================================
# Vocabulary shared by the leak filter and the fishing detector
# ======================================================================

#: Names of data structures. Input types (list, array, string, integer) are
#: deliberately absent: "is it a list?" is a clarifying question.
STRUCTURE_NAMES: tuple[str, ...] = (
    "hash map", "hashmap", "hash table", "hashtable", "hash set", "hashset",
    "dictionary", "dictionaries", "dict", "defaultdict", "ordered dict", "counter",
    "map", "set", "lookup table", "heap", "min heap", "max heap", "priority queue",
    "stack", "monotonic stack", "queue", "deque", "tree", "binary tree",
    "binary search tree", "bst", "trie", "graph", "linked list", "segment tree",
    "fenwick tree", "disjoint set", "union find", "bitmask", "prefix sum",
)

#: Names of algorithms and techniques.
TECHNIQUE_NAMES: tuple[str, ...] = (
    "dynamic programming", "dp", "memoization", "memoisation", "memo", "recursion",
    "backtracking", "bfs", "dfs", "breadth first search", "depth first search",
    "greedy", "binary search", "two pointers", "two pointer", "sliding window",
    "sorting", "divide and conquer", "topological sort", "dijkstra",
    "bit manipulation", "brute force",
)


def _names_regex(names: Iterable[str]) -> str:
    """One alternation matching every name, with ' ', '-' or nothing between
    its words and an optional plural ending."""
    parts = []
    for name in sorted(set(names), key=len, reverse=True):
        words = [re.escape(w) for w in name.split()]
        parts.append(r"[\s-]?".join(words) + r"(?:e?s)?")
    return r"\b(?:" + "|".join(parts) + r")\b"


STRUCTURE_OR_TECHNIQUE = _names_regex(STRUCTURE_NAMES + TECHNIQUE_NAMES)
STRUCTURE_RE = re.compile(_names_regex(STRUCTURE_NAMES), re.IGNORECASE)
TECHNIQUE_RE = re.compile(_names_regex(TECHNIQUE_NAMES), re.IGNORECASE)

# ======================================================================
# Word normalisation: case, punctuation, light stemming, compounds
# ======================================================================

#: A word, or a complexity class such as "O(n log n)" kept as one token.
_WORD_RE = re.compile(r"\bo\s*\(\s*[^()\n]{1,15}?\s*\)|[a-z0-9]+(?:'[a-z]+)?", re.IGNORECASE)

_IRREGULAR_STEMS = {
    "indices": "index", "indexes": "index", "vertices": "vertex", "matrices": "matrix",
    "children": "child", "leaves": "leaf", "uses": "use", "used": "use", "using": "use",
}

#: Multi-word names that are one idea, and single words that name the same
#: idea as another: all written plainly here and normalised at import.
_CANONICAL_PHRASES: dict[str, tuple[str, ...]] = {
    "hashmap": ("hash map", "hashmap", "hash table", "hashtable", "dictionary", "dict",
                "hash dict", "defaultdict", "lookup table"),
    "hashset": ("hash set", "hashset"),
    "heap": ("heap", "priority queue", "min heap", "max heap", "heapq"),
    "dynamicprogramming": ("dynamic programming", "dp"),
    "memoization": ("memoization", "memoisation", "memo"),
    "twopointer": ("two pointer", "two pointers", "2 pointers"),
    "slidingwindow": ("sliding window",),
    "binarysearch": ("binary search", "bisect"),
    "linkedlist": ("linked list",),
    "unionfind": ("union find", "disjoint set"),
    "bfs": ("bfs", "breadth first search"),
    "dfs": ("dfs", "depth first search"),
    "prefixsum": ("prefix sum",),
    "lookup": ("look up", "lookup"),
}

#: Words that carry no meaning for the fuzzy never_say comparison.
STOPWORDS = frozenset(
    [
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "it", "its", "it's",
        "this", "that", "these", "those", "to", "of", "in", "into", "on", "at", "by", "for", "from",
        "with", "and", "or", "but", "so", "then", "than", "you", "your", "you're", "you'd",
        "you'll", "i", "i'm", "i'd", "i'll", "we", "we're", "me", "my", "our", "us", "can", "could",
        "should", "would", "will", "shall", "might", "may", "must", "just", "do", "does", "did",
        "done", "have", "has", "had", "here", "there", "what", "what's", "which", "who", "whom",
        "each", "every", "all", "any", "some", "if", "as", "also", "very", "really", "maybe",
        "perhaps", "about",
    ]
)


def stem(word: str) -> str:
    """A light English stemmer, enough to make plurals and -ing/-ed forms
    meet: indices/index, storing/stored/store, mapping/maps/map."""
    if word in _IRREGULAR_STEMS:
        return _IRREGULAR_STEMS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ches", "ch"),
                                ("shes", "sh"), ("xes", "x")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + replacement
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # mapping -> mapp -> map; store/storing -> stor
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Word:
    """A normalised word and where it came from in the original text."""

    text: str
    start: int
    end: int


def _stemmed_words(text: str) -> list[Word]:
    text = text.replace("\u2019", "'")
    words = []
    for m in _WORD_RE.finditer(text):
        raw = m.group(0).lower()
        norm = re.sub(r"\s+", "", raw) if "(" in raw else stem(raw)
        words.append(Word(norm, m.start(), m.end()))
    return words


def _build_phrase_table() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for canonical, phrases in _CANONICAL_PHRASES.items():
        for phrase in phrases:
            table[tuple(w.text for w in _stemmed_words(phrase))] = canonical
    return table


_PHRASE_TABLE = _build_phrase_table()
STOPWORD_STEMS = frozenset(stem(w) for w in STOPWORDS)
_LONGEST_PHRASE = max(len(k) for k in _PHRASE_TABLE)
#: "look up" is joined only so that "lookup" meets it; it names no idea.
CONCEPT_WORDS = frozenset(_PHRASE_TABLE.values()) - {"lookup"}


def normalise_words(text: str) -> list[Word]:
    """Stemmed words with multi-word names joined ("hash-map" -> "hashmap")
    and synonyms made one ("dictionary" -> "hashmap")."""
    words = _stemmed_words(text)
    out: list[Word] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_PHRASE, len(words) - i), 0, -1):
            key = tuple(w.text for w in words[i : i + size])
            if key in _PHRASE_TABLE:
                out.append(Word(_PHRASE_TABLE[key], words[i].start, words[i + size - 1].end))
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences and lines; a fenced code block stays one piece."""
    pieces: list[str] = []
    for part in re.split(r"(```.*?(?:```|$))", text, flags=re.DOTALL):
        if part.startswith("```"):
            pieces.append(part)
            continue
        pieces.extend(s for s in re.split(r"(?<=[.!?])\s+|\n+", part) if s.strip())
    return pieces



def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()
