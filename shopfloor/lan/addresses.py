"""Where phones reach this server: its LAN addresses, and the one base URL that the tickets, the banner
and /setup all use (`reach`).

The address is found once, when the app is made (`config.Config.LAN_ADDRESS`): the address this machine
would send from on its default route, else its first network interface's, else its host name's. Nothing
is sent. With several networks (Wi-Fi and a cable, a VPN, a container bridge) the default route's one is
chosen; SHOPFLOOR_BASE_URL overrides it, and then every part of the app uses that address instead.
"""
from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

try:
    import fcntl  # Unix; the interfaces are read on Linux only
except ImportError:  # Windows: the default route and the host name tell
    fcntl = None

_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, the default route's first."""
    found = [_default_route_address(), *_interface_addresses(), *_host_name_addresses()]
    return [a for a in dict.fromkeys(found) if a and _usable(a)]


def phone_address() -> str:
    """The address phones on the LAN are given (loopback when the machine has no network)."""
    return next(iter(lan_addresses()), "127.0.0.1")


def _usable(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def _default_route_address() -> str | None:
    # connect() on a UDP socket only picks the route and the source address: no packet leaves.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: any address off this machine would do
            return s.getsockname()[0]
        except OSError:  # no default route (a LAN without a gateway): the interfaces tell
            return None


def _interface_addresses() -> list[str]:
    if fcntl is None or not hasattr(socket, "if_nameindex"):
        return []
    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
            except OSError:  # no IPv4 address on it (or not Linux's ioctl)
                continue
            out.append(socket.inet_ntoa(packed[20:24]))
    return out


def _host_name_addresses() -> list[str]:
    try:
        return socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return []


@dataclass(frozen=True)
class Reach:
    """How a phone reaches the server: `base` (tickets, the banner, /setup; plain HTTP unless the admin set an
    https:// base), `https` (the secure address, "" when none is served) and the CA phones install ("")."""
    base: str
    https: str
    ca_cert: str

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""

    @property
    def ca_file(self) -> Path | None:
        """The CA phones install, when the server uses this machine's own certificate and it has been made."""
        return Path(self.ca_cert) if self.ca_cert and Path(self.ca_cert).exists() else None

    @property
    def ca_download(self) -> str:
        """The CA's download address ("" without a CA), from the url map: in a request or outside one."""
        return self.base + current_app.url_map.bind("").build("lan.ca_certificate") if self.ca_file else ""

    @property
    def secure_home(self) -> str:
        """The secure address's home page ("" when no HTTPS is served)."""
        return self.https + "/" if self.https else ""


def reach(config: Mapping, port: int | None = None) -> Reach:
    """From the app's config (`port`: the HTTP port when the caller knows it better, e.g. the banner's)."""
    host = config["LAN_ADDRESS"]
    base = config["PUBLIC_BASE_URL"] or f"http://{_bracketed(host)}:{port or config['HTTP_PORT']}"
    return Reach(base=base, https=secure_url(base, config["TLS_PORT"]), ca_cert=config["LAN_CA_CERT"])


def secure_url(base: str, tls_port: int) -> str:
    """The HTTPS address beside `base`: the base itself when it is https://, else its host on the TLS port."""
    parts = urlsplit(base)
    if parts.scheme == "https":
        return base
    if not tls_port or not parts.hostname:
        return ""
    port = "" if tls_port == 443 else f":{tls_port}"
    return f"https://{_bracketed(parts.hostname)}{port}"


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
