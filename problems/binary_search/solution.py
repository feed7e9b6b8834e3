def binary_search(nums: list[int], target: int) -> int:
    # Invariant: if target is in nums, its index lies in [low, high].
    low, high = 0, len(nums) - 1
    while low <= high:
        middle = (low + high) // 2
        value = nums[middle]
        if value == target:
            return middle
        if value < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
