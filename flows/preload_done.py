"""Imported last by the isolation forkserver: freeze what the preload built.

Objects in the permanent generation are never visited by a worker's garbage
collector, so the forked workers do not copy those pages just to scan them.
"""

import gc

gc.freeze()
