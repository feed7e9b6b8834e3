def is_valid(s: str) -> bool:
    opener_of = {")": "(", "]": "[", "}": "{"}
    # The brackets still open, innermost last: a closer must match the last one.
    still_open: list[str] = []
    for ch in s:
        opener = opener_of.get(ch)
        if opener is None:
            still_open.append(ch)
        elif not still_open or still_open.pop() != opener:
            return False
    return not still_open
