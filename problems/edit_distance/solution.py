def edit_distance(word1: str, word2: str) -> int:
    # previous[j] = distance between the first i-1 characters of word1 and the
    # first j of word2; only the row above is needed to fill the next one.
    previous = list(range(len(word2) + 1))
    for i, a in enumerate(word1, start=1):
        current = [i] + [0] * len(word2)
        for j, b in enumerate(word2, start=1):
            if a == b:
                current[j] = previous[j - 1]
                continue
            replace = previous[j - 1]  # a becomes b
            delete = previous[j]  # a goes away
            insert = current[j - 1]  # b is added after a
            current[j] = 1 + min(replace, delete, insert)
        previous = current
    return previous[-1]
