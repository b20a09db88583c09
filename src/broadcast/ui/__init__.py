"""The local web page: everything the command line does, for an office PC and a commune laptop.

In: a campaign folder (or none, for a commune operator) and a port on 127.0.0.1. Out: a page in
the browser that calls the same ``broadcast.operations`` functions the command line calls; it
imports nothing below them and nothing of the command line. Templates and static files are
package data (``templates/``, ``static/``): no asset comes from anywhere else.

- ``server``: bind 127.0.0.1, make the access token, serve (waitress) until Ctrl-C
- ``app``: the Flask application, its guards (``guard``) and pages (``views/``)
- ``jobs``: one long operation at a time, its progress events kept for the page to poll
"""
