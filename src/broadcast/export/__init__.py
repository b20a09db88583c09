"""Getting packages onto players: USB folder, FAT32 disk image, S3."""
