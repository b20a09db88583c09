"""One function per user action: what the command line and the web page both call.

In: plain arguments (folders, commune ids, options) and a progress reporter. Out: plain results.
The locks that keep two writers apart, the signing key, the ledger and the speech engine choice
are opened here, so no front end has to.

- ``campaign``: find a campaign folder; what actions share (lock, ledger, key, trusted keys)
- ``prepare``: init, check, spoken, read_tags, render, schedule
- ``deliver``: build_packages, write_stick, make_images, publish, share
- ``receive``: pull, check_package (no campaign folder needed)
- ``records``: report, import_play_logs, make_key, show_key
"""

from broadcast import interrupts
from broadcast.progress import Advance, Event, Notice, Reporter, quiet

__all__ = ["Advance", "Event", "Notice", "Reporter", "interrupts", "quiet"]
"""Besides the actions: the progress events they report, and the stop handling (Ctrl-C,
SIGTERM) every front end installs in its process."""
