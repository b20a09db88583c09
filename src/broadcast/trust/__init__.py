"""Trust: who made a package, and whether what is there is what was planned.

In: a manifest and a package folder, stick or image. Out: a signature verdict (``signing``, the
only cryptography user; ``policy`` for what a receiver trusts and remembers) and a file-by-file
report (``verify``).
"""
