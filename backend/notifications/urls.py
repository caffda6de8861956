"""Which webhook URLs the server POSTs to. A project owner is any user who made a project, so a webhook is a way to
make the server send requests: only http(s), no credentials in the URL, and — unless the administrator allows it
(`VISIONFLOW_WEBHOOK_ALLOW_PRIVATE`) — no loopback, private, link-local or otherwise non-public address, checked on
the address the name resolves to at each attempt, which is also the address connected to (no second lookup that
could answer differently). An IPv6 address that carries an IPv4 one (mapped, compatible, 6to4, Teredo, NAT64) is
judged by the IPv4 address inside: a translator or relay would deliver to it. docs/security.md says why.

Lookups run on a few threads of their own, never the loop's default pool (the local runner pumps every run's events
through that one): a name whose DNS never answers holds one of these threads, and its attempt fails after a timeout."""

import asyncio
import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2000
LOCAL_NAMES = ("localhost", "localhost.localdomain")
LOOKUP_TIMEOUT_S = 5.0  # when the caller gives none
RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")

# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at
IPV4_INSIDE = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64, the well-known prefix
    )
)
# a NAT64 prefix of the operator's own (RFC 8215): where the IPv4 address sits is theirs to choose, so none is public
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class Refused(Exception):
    """The URL or the address it leads to is not one the server sends to: retrying will not help."""


def split_url(url: str) -> SplitResult:
    """The URL's parts; raises Refused with a sentence naming what is wrong."""
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise Refused("The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number in range
    except ValueError as error:
        raise Refused(f"The URL cannot be read: {error}.") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http:// and https:// URLs are allowed.")
    if parts.username is not None or parts.password is not None:
        raise Refused("The URL may not hold a user name or password: the secret signs each request instead.")
    if not parts.hostname:
        raise Refused("The URL names no host.")
    if port == 0:
        raise Refused("The URL's port cannot be 0.")
    return parts


def address_problem(address: str, allow_private: bool) -> str | None:
    """Why the server does not send to this IP address (None: it may)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if allow_private:
        return None
    inside = ipv4_inside(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    if inside is None and ip.is_global and ip not in LOCAL_NAT64:
        return None
    if inside and all(v4.is_global for v4 in inside):
        return None
    carried = f" (it carries {', '.join(str(v4) for v4 in inside)})" if inside else ""
    return (
        f"{ip}{carried} is a loopback, private or link-local address; the server sends webhooks only to public "
        "addresses unless VISIONFLOW_WEBHOOK_ALLOW_PRIVATE is set."
    )


def ipv4_inside(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address leads to (a Teredo one: its server and its client), None: it is plain."""
    if ip.is_loopback or ip.is_unspecified:  # ::1 and ::, though in ::/96
        return None
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if any(ip in net for net in IPV4_INSIDE):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return None


def check_url(url: str, allow_private: bool) -> SplitResult:
    """What can be checked without a lookup (when the URL is saved, and before each attempt)."""
    parts = split_url(url)
    host = parts.hostname or ""
    if not allow_private and (host in LOCAL_NAMES or host.endswith(".localhost")):
        raise Refused(f"{host} is this machine; the server sends webhooks only to public addresses.")
    try:
        problem = address_problem(host, allow_private)
    except ValueError:  # a name, not an address: checked on what it resolves to, at each attempt
        return parts
    if problem:
        raise Refused(problem)
    return parts


async def resolve(parts: SplitResult, allow_private: bool, within_s: float = LOOKUP_TIMEOUT_S) -> str:
    """The address to connect to: the first the name resolves to, after checking every one it resolves to (a name
    that also points inside is refused). Raises Refused, or OSError when the name does not resolve or the lookup
    takes longer than `within_s` (worth a retry)."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    lookup = asyncio.get_running_loop().run_in_executor(
        RESOLVER, socket.getaddrinfo, parts.hostname, port, 0, socket.SOCK_STREAM
    )
    try:
        infos = await asyncio.wait_for(lookup, within_s)
    except TimeoutError:  # the thread stays on it until the system's resolver gives up; this attempt does not wait
        raise OSError(f"the lookup got no answer within {within_s:g} s") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if problem := address_problem(address, allow_private):
            raise Refused(f"{parts.hostname} resolves to {problem}")
    if not addresses:
        raise OSError(f"{parts.hostname} resolves to no address")
    return addresses[0]
