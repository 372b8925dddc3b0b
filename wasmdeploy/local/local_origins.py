"""Who may talk to the emulator's local servers: local Host names, and no other web origin.

A web page can make a browser send requests to 127.0.0.1, and with DNS
rebinding (a name of the attacker's that resolves to 127.0.0.1) read the
answers. Checking `Host` defeats rebinding: the browser sends the attacker's
name. Servers no page should use at all (the local AWS, the Lambda Invoke and
Runtime APIs) also refuse requests a browser marks as coming from another
site (`Origin`, `Sec-Fetch-Site`); AWS SDKs and the aws CLI send neither.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
ANY_ADDRESS = "*"  # in a server's names: any IP address literal (a wildcard bind)


def local_names(bound_host: str) -> frozenset[str]:
    """The Host names a server bound to `bound_host` answers to.

    Bound to every interface, it is reached by the machine's own addresses and
    name too: IP literals are accepted then, as no DNS answer can rebind them.
    """
    name = bound_host.strip("[]").lower()
    if name in WILDCARD_ADDRESSES:
        return LOOPBACK_NAMES | {ANY_ADDRESS, socket.gethostname().lower()}
    return LOOPBACK_NAMES | {name}


def host_name(host_header: str) -> str:
    """`Host` without its port, lower case, IPv6 brackets removed."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


def host_allowed(host_header: str | None, names: frozenset[str]) -> bool:
    """A request without Host (HTTP/1.0) names no host and cannot be rebound."""
    if host_header is None:
        return True
    name = host_name(host_header)
    return name in names or (ANY_ADDRESS in names and _is_address(name))


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def cross_site(origin: str | None, fetch_site: str | None, names: frozenset[str]) -> bool:
    """Whether a browser sent this request on behalf of a page that is not local."""
    if origin == "null":
        return True  # sandboxed frames, file: pages, redirects across origins
    if origin is not None:
        return (urlsplit(origin).hostname or "") not in names
    return (fetch_site or "").lower() in ("cross-site", "same-site")
