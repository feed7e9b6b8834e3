def three_sum(nums: list[int]) -> list[list[int]]:
    """Return every distinct triplet of values from nums (three different
    positions) that sums to zero, in any order."""
    ...
