def contains_duplicate(nums: list[int]) -> bool:
    # One pass, remembering every value met so far: the first value met a
    # second time answers the question, so a duplicate near the front is cheap.
    seen: set[int] = set()
    for value in nums:
        if value in seen:
            return True
        seen.add(value)
    return False
