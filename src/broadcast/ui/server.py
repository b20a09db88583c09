"""Serving the page on 127.0.0.1 only, until Ctrl-C.

waitress (pure Python, no compiler, the same on Windows, macOS and Linux) runs the application
in a thread of its own; the main thread only waits, so Ctrl-C and SIGTERM reach it as they reach
every command (``broadcast.operations.interrupts``) and the server is closed on the way out.
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from waitress.server import create_server

from broadcast.operations import interrupts
from broadcast.ui.app import Config, create_app

HOST = "127.0.0.1"
"""Never another interface: the page edits files and writes sticks on this computer."""


@dataclass
class Serving:
    """A running page: its address (with the access token) and how to stop it."""

    url: str
    port: int
    config: Config
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        """Close every connection from inside the server's own loop (it is not thread-safe),
        which ends the loop, then let the request threads finish."""
        from waitress import wasyncore

        server = self._server
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))
        self._thread.join(5)
        server.task_dispatcher.shutdown()


def start(config: Config, port: int = 0) -> Serving:
    """Bind 127.0.0.1 (``port`` 0: any free port), start serving in a thread."""
    app = create_app(config)
    server = create_server(app, host=HOST, port=port, threads=8, ident="broadcast",
                           max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
                           clear_untrusted_proxy_headers=True)
    config.port = server.effective_port
    thread = threading.Thread(target=server.run, name="broadcast-ui-server", daemon=True)
    thread.start()
    url = f"http://{HOST}:{config.port}/?token={config.secrets.token}"
    return Serving(url, config.port, config, server, thread)


def serve(root: Path | None, *, port: int = 0, operator: bool = False, open_browser: bool = True,
          language: str = "vi", announce: Callable[[str], None] = print) -> None:
    """Serve the page until Ctrl-C or SIGTERM, which are raised here as for any command.

    ``announce`` gets the address first (the first line of output), then what to do."""
    serving = start(Config(root, operator=operator, language=language), port)
    try:
        announce(serving.url)
        if open_browser:
            webbrowser.open(serving.url)
        while serving._thread.is_alive():
            serving._thread.join(interrupts.POLL)  # short waits: Ctrl-C is seen on every platform
    finally:
        serving.stop()
