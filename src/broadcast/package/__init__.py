"""A commune's package: the files a stick carries, named and ordered for the dumbest player.

In: a commune's plan and the clips. Out: a ``PackagePlan`` (every file with its path, size and
sha256, the manifest, the offline page, the operator's instructions, the blank play log) and its
folder in ``dist/packages/<commune>/``, written only where broadcast may replace what is there.
"""
