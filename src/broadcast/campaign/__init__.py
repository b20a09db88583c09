"""The campaign: the office's files become records.

In: a workspace folder (``broadcast.yaml``, message files in YAML, CSV or XLSX, ``communes.yaml``,
``lexicon.yaml``, recordings and jingles). Out: a ``Workspace`` of typed records (settings,
messages, communes, profiles) and every problem found, each with its file, line and field.
"""
