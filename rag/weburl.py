"""A video's URL: which ones it may be linked by (http(s) addresses only), and its YouTube id.

A video's URL goes out as is to the API's ``url``, the page's links and MCP clients, where
another scheme (``javascript:…``) would run or open whatever it names.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse, urlsplit

_WEB_SCHEMES = frozenset({"http", "https"})


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an http(s) address with a host, as a browser would read it."""
    try:
        parts = urlsplit(url)
        web = parts.scheme.lower() in _WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # "http://[::1": a bracketed host that is no IPv6 address
        return False
    # A space or a control character is in no address a site writes, and browsers drop them from
    # an href before reading it: refused, so what is checked is what a browser would open.
    return web and url.isprintable() and " " not in url


def video_id_from_url(url: str) -> str | None:
    """The YouTube id from ``watch?v=…``, ``youtu.be/…`` or ``/shorts/…`` links."""
    parsed = urlparse(url.strip())
    ids = parse_qs(parsed.query).get("v")
    if ids and ids[0]:
        return ids[0]
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.netloc.endswith("youtu.be") and parts:
        return parts[0]
    if len(parts) == 2 and parts[0] in ("shorts", "embed", "live"):
        return parts[1]
    return None
