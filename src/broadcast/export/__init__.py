"""Getting packages onto players.

In: a built package folder (``dist/packages/<commune>/``). Out: the same package on a mounted
stick (``usb``), in a FAT32 disk image (``image``, built with ``fat``), or in S3-compatible
storage from which a commune pulls it (``cloud``).
"""
