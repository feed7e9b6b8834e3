"""A class on JupyterHub: packs released without their answers
(:mod:`.release`), a hub service that keeps the instructor's packs, runs the
hidden tests and collects the results (:mod:`.service`, :mod:`.results`),
and what a student's server sends it (:mod:`.client`).

Alone on a laptop none of this is used: the candidate owns the machine, the
packs and the sessions.
"""
