"""This machine's own certificate authority and HTTPS certificate for phones on the LAN (instance/tls/).

`ensure` is called by `make run` (`flask lan-certificate`, and shopfloor/server.py as it starts):
  - the CA is made once, valid 10 years, limited by name constraints to private addresses, local names and
    the machine's own addresses and names (a copy of its key could not vouch for a bank's site on a phone
    that trusts it);
  - the server certificate is (re)issued when it is missing, not from this CA, within 30 days of its end, or
    when the machine's names changed (a new LAN address, another host name); 397 days at most, as Apple
    and Chrome require. Phones install the CA once (/setup); a renewed server certificate needs nothing.
Keys are written 0600 in a 0700 directory, each file complete or not at all (temp file, then rename).
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shopfloor.lan import addresses

CA_DAYS = 3650
SERVER_DAYS = 397  # the longest a server certificate may be valid for iOS and Chrome
RENEW_WITHIN = timedelta(days=30)
CLOCK_SKEW = timedelta(hours=1)  # valid from an hour ago: a phone whose clock is behind still accepts it
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "fc00::/7", "fe80::/10", "::1/128"))
LOCAL_DOMAINS = ("localhost", "local", "lan", "internal", "home.arpa")


@dataclass(frozen=True)
class TLSFiles:
    """Where the CA and the server certificate live (PEM; server.crt holds the chain, server.key PKCS#8)."""
    dir: Path

    @classmethod
    def under(cls, instance: Path) -> "TLSFiles":
        return cls(Path(instance) / "tls")

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca.key"

    @property
    def cert(self) -> Path:
        return self.dir / "server.crt"

    @property
    def key(self) -> Path:
        return self.dir / "server.key"


@dataclass(frozen=True)
class Names:
    """What the server certificate names: IP addresses and DNS names, each once."""
    ips: tuple[str, ...]
    dns: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.ips + self.dns


def machine_names(lan_ips: list[str], host_name: str | None = None, extra_hosts: tuple[str, ...] = ()) -> Names:
    """Every LAN address and 127.0.0.1; localhost, the host name and host name.local; `extra_hosts` (the host
    of SHOPFLOOR_BASE_URL), each an address or a name."""
    host = (host_name if host_name is not None else socket.gethostname()).strip().lower().rstrip(".")
    ips, dns = [*lan_ips, "127.0.0.1"], ["localhost"]
    if host and host != "localhost":
        dns += [host] if host.endswith(".local") else [host, f"{host.split('.')[0]}.local"]
    for h in extra_hosts:
        h = h.strip().lower().strip("[]").rstrip(".")
        if h:
            (ips if _is_ip(h) else dns).append(h)
    return Names(ips=tuple(dict.fromkeys(str(ipaddress.ip_address(i)) for i in ips)),
                 dns=tuple(dict.fromkeys(dns)))


@dataclass(frozen=True)
class Outcome:
    made_ca: bool
    renewed: str  # why the server certificate was issued now ("" when the one in place was kept)
    not_after: datetime
    names: Names  # in the server certificate
    left_out: tuple[str, ...] = field(default=())  # names the CA may not vouch for (public addresses or names)
    ca_fingerprint: str = ""


def ensure_here(files: TLSFiles, base_url: str = "") -> Outcome:
    """`ensure` for this machine as it is now: its LAN addresses and host name, and the host of
    SHOPFLOOR_BASE_URL when the admin set one."""
    host = urlsplit(base_url).hostname
    return ensure(files, machine_names(addresses.lan_addresses(), extra_hosts=(host,) if host else ()))


def ensure(files: TLSFiles, wanted: Names, now: datetime | None = None) -> Outcome:
    """The CA (made once) and a server certificate for `wanted`, renewed when it must be."""
    now = now or datetime.now(UTC)
    files.dir.mkdir(parents=True, exist_ok=True)
    os.chmod(files.dir, 0o700)
    made_ca = not (files.ca_cert.exists() and files.ca_key.exists())
    if made_ca:
        _make_ca(files, wanted, now)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    names = _permitted(ca, wanted)
    left_out = tuple(n for n in wanted.all() if n not in names.all())
    reason = renewal_reason(files, ca, names, now)
    if reason:
        _issue(files, ca, ca_key, names, now)
    leaf = x509.load_pem_x509_certificate(files.cert.read_bytes())
    return Outcome(made_ca=made_ca, renewed=reason, not_after=leaf.not_valid_after_utc, names=names,
                   left_out=left_out, ca_fingerprint=fingerprint(ca))


def renewal_reason(files: TLSFiles, ca: x509.Certificate, names: Names, now: datetime) -> str:
    """Why the server certificate in place will not do ("" when it will)."""
    if not (files.cert.exists() and files.key.exists()):
        return "none yet"
    leaf = x509.load_pem_x509_certificate(files.cert.read_bytes())
    key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, x509.InvalidSignature):
        return "not issued by this machine's CA"
    if _spki(leaf.public_key()) != _spki(key.public_key()):
        return "its key does not match"
    if leaf.not_valid_after_utc - now < RENEW_WITHIN:
        return f"it ends {leaf.not_valid_after_utc:%Y-%m-%d}"
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    held = {str(i) for i in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))
    if held != set(names.all()):
        return "the machine's names changed"
    return ""


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate, as phones show it (hex pairs)."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def spki_hash(cert: x509.Certificate) -> str:
    """Base64 SHA-256 of the certificate's public key (what Chromium's --ignore-certificate-errors-spki-list
    and HTTP key pinning name)."""
    return base64.b64encode(hashlib.sha256(_spki(cert.public_key())).digest()).decode()


def ca_der(ca_cert: Path) -> bytes:
    """The CA certificate in DER, the form Android's and iOS's installers take as a .crt download."""
    return x509.load_pem_x509_certificate(Path(ca_cert).read_bytes()).public_bytes(serialization.Encoding.DER)


def ca_fingerprint(ca_cert: Path) -> str:
    return fingerprint(x509.load_pem_x509_certificate(Path(ca_cert).read_bytes()))


def _make_ca(files: TLSFiles, wanted: Names, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    host = next((d for d in wanted.dns if d != "localhost"), "this machine")
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shopfloor"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"Shopfloor CA ({host})"[:64])])
    # The names the CA may vouch for: private addresses, local domains, and this machine's own addresses and
    # names as they are now (some factories number their LAN outside the private ranges).
    nets = [*PRIVATE_NETWORKS, *(ipaddress.ip_network(i) for i in wanted.ips
                                 if not any(ipaddress.ip_address(i) in n for n in PRIVATE_NETWORKS))]
    dns = tuple(dict.fromkeys((*LOCAL_DOMAINS, *(d for d in wanted.dns if not _under_local(d)))))
    constraints = x509.NameConstraints(
        permitted_subtrees=[x509.IPAddress(n) for n in nets] + [x509.DNSName(d) for d in dns],
        excluded_subtrees=None)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(constraints, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    for stale in (files.cert, files.key):  # issued by an earlier CA
        stale.unlink(missing_ok=True)
    _write(files.ca_key, _pkcs8(key), 0o600)
    _write(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _issue(files: TLSFiles, ca: x509.Certificate, ca_key, names: Names, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    start = now - CLOCK_SKEW
    san = [x509.IPAddress(ipaddress.ip_address(i)) for i in names.ips] + [x509.DNSName(d) for d in names.dns]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Shopfloor server")]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write(files.key, _pkcs8(key), 0o600)
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    _write(files.cert, chain, 0o644)


def _permitted(ca: x509.Certificate, wanted: Names) -> Names:
    """`wanted` without the names outside the CA's name constraints (a phone would refuse the certificate)."""
    nc = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    nets = [n.value for n in nc.permitted_subtrees if isinstance(n, x509.IPAddress)]
    domains = [n.value for n in nc.permitted_subtrees if isinstance(n, x509.DNSName)]
    return Names(ips=tuple(i for i in wanted.ips if any(ipaddress.ip_address(i) in n for n in nets)),
                 dns=tuple(d for d in wanted.dns if any(d == c or d.endswith("." + c) for c in domains)))


def _under_local(name: str) -> bool:
    return any(name == d or name.endswith("." + d) for d in LOCAL_DOMAINS)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pkcs8(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # whatever the umask
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
