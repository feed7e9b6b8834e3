from typing import TYPE_CHECKING

if TYPE_CHECKING:  # at run time TreeNode comes from the prelude
    from prelude import TreeNode


def max_depth(root: "TreeNode | None") -> int:
    # Count levels breadth-first: no recursion, so a tall tree is no problem.
    depth = 0
    level = [root] if root is not None else []
    while level:
        depth += 1
        level = [child for node in level for child in (node.left, node.right) if child is not None]
    return depth
