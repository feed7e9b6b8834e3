def trap_rain_water(height: list[int]) -> int:
    left, right = 0, len(height) - 1
    left_wall = right_wall = 0  # the tallest bar seen from each end so far
    water = 0
    while left < right:
        # The side with the lower bar is bounded by its own wall: the other
        # side already holds something at least as tall.
        if height[left] < height[right]:
            if height[left] >= left_wall:
                left_wall = height[left]
            else:
                water += left_wall - height[left]
            left += 1
        else:
            if height[right] >= right_wall:
                right_wall = height[right]
            else:
                water += right_wall - height[right]
            right -= 1
    return water
