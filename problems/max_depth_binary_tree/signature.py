class TreeNode:
    """A tree node. The tests build their trees from this same class (the harness
    defines it for you); keep it here so this cell also runs on its own."""

    def __init__(
        self, val: int = 0, left: "TreeNode | None" = None, right: "TreeNode | None" = None
    ) -> None:
        self.val = val
        self.left = left
        self.right = right


def max_depth(root: TreeNode | None) -> int:
    """Return the number of nodes on the longest root-to-leaf path (0 for None)."""
    ...
