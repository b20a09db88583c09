"""The record of what went where, and what was played.

In: deliveries (build, stick, image, publish, pull) and play logs sent back. Out: the ledger
(``book``, one SQLite file), reports per commune and in total (``report``, ``report_html``), and
imported as-run rows (``asrun``).
"""
