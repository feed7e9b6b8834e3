def length_of_longest_substring(s: str) -> int:
    # The best substring ending at each position starts just after the last
    # earlier occurrence of any of its characters; that start never moves left.
    last_seen_at: dict[str, int] = {}
    start = 0
    longest = 0
    for end, ch in enumerate(s):
        previous = last_seen_at.get(ch)
        if previous is not None and previous >= start:
            start = previous + 1
        last_seen_at[ch] = end
        if end - start + 1 > longest:
            longest = end - start + 1
    return longest
