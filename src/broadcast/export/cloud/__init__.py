"""Packages in S3-compatible storage (or a folder laid out the same way).

In: built packages. Out: content-addressed blobs, per-version files and a pointer per commune
(``publish``), share links an operator pulls from without credentials (``share``), and a verified
package in a commune's folder (``pull``). Stores speak one interface (``store``; ``s3`` is the
only boto3 user).
"""
