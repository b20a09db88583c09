"""One function per user action: what the command line and the web page both call.

In: plain arguments (folders, commune ids, options) and a progress reporter. Out: plain results.
The locks that keep two writers apart, the signing key, the ledger and the speech engine choice
are opened here, so no front end has to.
"""
