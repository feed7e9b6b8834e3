"""Run before the candidate's code: the TreeNode class and the adapter that
builds a tree from the level-order list the tests are written in."""

# Imported under private names: the candidate's code runs in this same
# namespace and should not come to rely on imports it did not write.
from collections import deque as _deque
from typing import Any as _Any


class TreeNode:
    """A node of a binary tree."""

    def __init__(
        self, val: int = 0, left: "TreeNode | None" = None, right: "TreeNode | None" = None
    ) -> None:
        self.val = val
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"TreeNode({self.val!r})"


def _from_level_order(values: list[_Any], node_class: type[TreeNode]) -> TreeNode | None:
    """[3, 9, 20, None, None, 15, 7] -> the tree, LeetCode's way: children of
    the nodes of one level, left to right, with None for a missing child."""
    if not values or values[0] is None:
        return None
    root = node_class(values[0])
    parents = _deque([root])
    i = 1
    while parents and i < len(values):
        parent = parents.popleft()
        for side in ("left", "right"):
            if i < len(values) and values[i] is not None:
                child = node_class(values[i])
                setattr(parent, side, child)
                parents.append(child)
            i += 1
    return root


def build_tree(args: list[_Any], _node_class: type[TreeNode] = TreeNode) -> list[_Any]:
    """The harness's adapt_args: the first argument becomes a TreeNode or None.

    The class is bound when the prelude runs, so a candidate who pastes their
    own TreeNode over it does not change how test trees are built.
    """
    return [_from_level_order(args[0], _node_class), *args[1:]]
