"""Sound: speech or a recording becomes a finished clip.

In: speech audio (from ``speech``) or a studio recording, a profile, jingles. Out: a tagged,
loudness-true MP3 in ``build/clips/``, made once per content (``cache``) and described by a
``ClipResult``.
"""
