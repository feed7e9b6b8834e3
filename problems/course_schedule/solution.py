from collections import deque


def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    # Repeatedly take a course with no unfinished prerequisite. Every course
    # gets taken exactly when the prerequisite graph has no cycle. Iterative,
    # so a long chain of courses needs no deep recursion.
    unlocks: list[list[int]] = [[] for _ in range(num_courses)]
    missing = [0] * num_courses  # unfinished prerequisites per course
    for course, before in prerequisites:
        unlocks[before].append(course)
        missing[course] += 1
    ready = deque(c for c in range(num_courses) if missing[c] == 0)
    taken = 0
    while ready:
        done = ready.popleft()
        taken += 1
        for course in unlocks[done]:
            missing[course] -= 1
            if missing[course] == 0:
                ready.append(course)
    return taken == num_courses
