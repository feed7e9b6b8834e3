import heapq


def find_kth_largest(nums: list[int], k: int) -> int:
    # A min-heap of the k largest values seen so far: its root is the k-th
    # largest. Building it from a copy leaves the caller's list untouched.
    top = nums[:k]
    heapq.heapify(top)
    for value in nums[k:]:
        if value > top[0]:
            heapq.heapreplace(top, value)
    return top[0]
