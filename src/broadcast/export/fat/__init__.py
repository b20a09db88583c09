"""FAT32 disk images, written and read by broadcast's own code.

In: a list of files in play order. Out: an MBR-partitioned FAT32 image, planned whole (``layout``)
and written in one sequential pass (``write``); ``read`` reads any FAT image back for ``verify``.
"""
