def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    """Merge overlapping (or touching) closed intervals [start, end] and
    return the result sorted by start."""
    ...
