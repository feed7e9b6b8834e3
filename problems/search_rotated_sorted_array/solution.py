def search_rotated(nums: list[int], target: int) -> int:
    # One of the two halves around any middle is always in ascending order;
    # the target's range test against that half decides which side to keep.
    low, high = 0, len(nums) - 1
    while low <= high:
        middle = (low + high) // 2
        value = nums[middle]
        if value == target:
            return middle
        if nums[low] <= value:  # nums[low..middle] is ascending
            if nums[low] <= target < value:
                high = middle - 1
            else:
                low = middle + 1
        elif value < target <= nums[high]:  # nums[middle..high] is ascending
            low = middle + 1
        else:
            high = middle - 1
    return -1
