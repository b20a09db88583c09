"""The plan: clips become a schedule, and the schedule becomes playlists and sheets.

In: the workspace and the rendered clips. Out: a ``Schedule`` (per commune, day and slot, the
items in order) and its outputs in ``build/schedule/``: M3U8 and PLS playlists, the schedule sheet,
mixdowns.
"""
