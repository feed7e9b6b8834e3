"""Kinds of interview: what is specific to one (the coding interview's code,
tests and growth), behind the seam in :mod:`.base`."""
