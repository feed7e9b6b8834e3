def coin_change(coins: list[int], amount: int) -> int:
    # fewest[a] = the fewest coins that make a, filled from 0 upwards so every
    # smaller amount is final before it is used. `unreachable` is larger than
    # any real count (at most `amount` coins of value 1).
    unreachable = amount + 1
    fewest = [0] + [unreachable] * amount
    usable = [c for c in coins if c <= amount]
    for a in range(1, amount + 1):
        best = unreachable
        for coin in usable:
            if coin <= a and fewest[a - coin] + 1 < best:
                best = fewest[a - coin] + 1
        fewest[a] = best
    return fewest[amount] if fewest[amount] != unreachable else -1
