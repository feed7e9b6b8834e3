def three_sum(nums: list[int]) -> list[list[int]]:
    ordered = sorted(nums)
    n = len(ordered)
    triplets: list[list[int]] = []
    for i in range(n - 2):
        smallest = ordered[i]
        if smallest > 0:
            break  # three values of at least this much cannot sum to zero
        if i > 0 and smallest == ordered[i - 1]:
            continue  # the same smallest value would find the same triplets
        low, high = i + 1, n - 1
        while low < high:
            total = smallest + ordered[low] + ordered[high]
            if total < 0:
                low += 1
            elif total > 0:
                high -= 1
            else:
                triplets.append([smallest, ordered[low], ordered[high]])
                low += 1
                high -= 1
                # Skip repeats of the middle value; with it changed, a repeat
                # of the largest value can no longer complete a triplet.
                while low < high and ordered[low] == ordered[low - 1]:
                    low += 1
    return triplets
