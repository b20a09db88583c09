"""What every request must show before the page answers it.

- the access token: from the URL the terminal printed, once, then from a cookie bound to this
  port (HttpOnly, SameSite=Strict); a request without it is refused;
- a Host header naming this machine (127.0.0.1 or localhost, this port): a page elsewhere that
  points a name of its own at 127.0.0.1 (DNS rebinding) is refused;
- for anything that changes state: POST with the page's CSRF token, from a page of this origin.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

LOCAL_NAMES = ("127.0.0.1", "localhost")
SAFE_METHODS = ("GET", "HEAD")


@dataclass
class Secrets:
    """The two random values of one run; neither is ever written to disk or to a log."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def cookie_name(self, port: int) -> str:
        # Cookies are shared by every port of a host: two pages at once must not mix.
        return f"broadcast_token_{port}"


def same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def host_allowed(host: str | None, port: int) -> bool:
    """The Host header names this machine and this port, and nothing else."""
    if not host:
        return False
    name, _, given_port = host.rpartition(":") if ":" in host else (host, "", "")
    return name.lower() in LOCAL_NAMES and given_port == str(port)


def origin_allowed(origin: str | None, port: int) -> bool:
    """A request from a page of this very origin, or one that names none (a plain form post
    from an older browser); never one from another site."""
    if not origin:
        return True
    return any(origin == f"http://{name}:{port}" for name in LOCAL_NAMES)
