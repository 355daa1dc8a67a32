"""The server on the factory LAN: the machine's own CA and HTTPS certificate, the one phone address the
tickets, the banner and /setup use, and the phone set-up page."""
from __future__ import annotations

import ipaddress
import socket
import ssl
import stat
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from shopfloor.lan import addresses, certificates, qr
from shopfloor.lan.addresses import reach, secure_url
from shopfloor.lan.certificates import TLSFiles, machine_names
from shopfloor.scan.codes import parse_reference
from shopfloor.tickets.services import order_tickets
from tests.factories import PIN

LAN = ["192.168.4.20"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _san(cert: x509.Certificate) -> set[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(i) for i in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


@contextmanager
def tls_server(files: TLSFiles):
    """A TLS listener on loopback serving the generated certificate chain (one handshake per connection)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files.cert, files.key)
    sock = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        sock.close()
        t.join(5)


def _handshake(port: int, ca: Path, server_hostname: str) -> str:
    """A client that trusts only the CA verifies the chain, the name (an IP or a DNS name) and the name
    constraints (OpenSSL enforces them) — what a phone with the CA installed does."""
    client = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with client.wrap_socket(raw, server_hostname=server_hostname) as tls:
            version = tls.version()
            tls.sendall(b"x")
            return version


def test_the_ca_and_server_certificate_are_made_once_private_and_trusted_by_a_client_with_the_ca(tmp_path):
    files = TLSFiles.under(tmp_path)
    names = machine_names(LAN, host_name="cutting-pc")
    done = certificates.ensure(files, names)
    assert done.made_ca and done.renewed == "none yet" and not done.left_out
    for key in (files.ca_key, files.key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.dir.stat().st_mode) == 0o700
    leaf, ca = _cert(files.cert), _cert(files.ca_cert)
    assert _san(leaf) == {"192.168.4.20", "127.0.0.1", "localhost", "cutting-pc", "cutting-pc.local"}
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= timedelta(days=397)
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= timedelta(days=3600)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ExtendedKeyUsageOID.SERVER_AUTH in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert done.ca_fingerprint == certificates.fingerprint(ca)
    with tls_server(files) as port:
        for name in ("192.168.4.20", "127.0.0.1", "localhost", "cutting-pc.local"):
            assert _handshake(port, files.ca_cert, name) in ("TLSv1.2", "TLSv1.3")
        with pytest.raises(ssl.SSLCertVerificationError):  # a name the certificate does not hold
            _handshake(port, files.ca_cert, "bank.example.com")
    before = {p.name: p.read_bytes() for p in files.dir.iterdir()}
    again = certificates.ensure(files, names)
    assert not again.made_ca and again.renewed == ""
    assert {p.name: p.read_bytes() for p in files.dir.iterdir()} == before  # nothing rewritten


def test_the_server_certificate_is_renewed_near_its_end_and_when_the_lan_address_changes(tmp_path):
    files = TLSFiles.under(tmp_path)
    names = machine_names(LAN, host_name="cutting-pc")
    first = certificates.ensure(files, names)
    ca_pem, leaf_pem = files.ca_cert.read_bytes(), files.cert.read_bytes()

    kept = certificates.ensure(files, names, now=first.not_after - timedelta(days=31))
    assert kept.renewed == "" and files.cert.read_bytes() == leaf_pem
    late = first.not_after - timedelta(days=29)
    renewed = certificates.ensure(files, names, now=late)
    assert renewed.renewed.startswith("it ends") and renewed.not_after > first.not_after
    assert files.ca_cert.read_bytes() == ca_pem  # phones keep the CA they installed

    moved = machine_names(["192.168.7.31"], host_name="cutting-pc")
    changed = certificates.ensure(files, moved)
    assert changed.renewed == "the machine's names changed"
    assert "192.168.7.31" in _san(_cert(files.cert)) and "192.168.4.20" not in _san(_cert(files.cert))
    assert files.ca_cert.read_bytes() == ca_pem
    with tls_server(files) as port:
        assert _handshake(port, files.ca_cert, "192.168.7.31")


def test_names_the_ca_may_not_vouch_for_are_left_out_not_served(tmp_path):
    files = TLSFiles.under(tmp_path)
    certificates.ensure(files, machine_names(LAN, host_name="cutting-pc"))
    ca = _cert(files.ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    later = machine_names(LAN + ["8.8.8.8"], host_name="cutting-pc", extra_hosts=("www.example.com",))
    done = certificates.ensure(files, later)
    assert set(done.left_out) == {"8.8.8.8", "www.example.com"}
    assert not {"8.8.8.8", "www.example.com"} & _san(_cert(files.cert))
    # The machine's own address outside the private ranges when the CA is made is allowed (as /32).
    odd = TLSFiles.under(tmp_path / "odd")
    assert certificates.ensure(odd, machine_names(["192.0.2.2"], host_name="vm")).left_out == ()
    with tls_server(odd) as port:
        assert _handshake(port, odd.ca_cert, "192.0.2.2")


def test_one_phone_address_from_the_lan_address_or_the_admins_base_url():
    config = {"PUBLIC_BASE_URL": "", "LAN_ADDRESS": "192.168.4.20", "HTTP_PORT": 8000, "TLS_PORT": 8443,
              "LAN_CA_CERT": "/x/tls/ca.crt"}
    r = reach(config)
    assert (r.base, r.https, r.host) == ("http://192.168.4.20:8000", "https://192.168.4.20:8443", "192.168.4.20")
    assert reach(config, port=9000).base == "http://192.168.4.20:9000"  # the banner's --port
    assert reach({**config, "TLS_PORT": 0}).https == ""
    admin = reach({**config, "PUBLIC_BASE_URL": "http://shopfloor.lan:8000"})
    assert (admin.base, admin.https) == ("http://shopfloor.lan:8000", "https://shopfloor.lan:8443")
    proxy = reach({**config, "PUBLIC_BASE_URL": "https://floor.example.com"})
    assert proxy.https == proxy.base == "https://floor.example.com"
    assert secure_url("http://[fd00::7]:8000", 443) == "https://[fd00::7]"


def test_the_lan_address_is_one_of_this_machines_own():
    found = addresses.lan_addresses()
    assert all(not ipaddress.ip_address(a).is_loopback for a in found)
    assert addresses.phone_address() == (found[0] if found else "127.0.0.1")
    for a in found:  # each can be bound here: an address of this machine, not a guess
        with socket.socket() as s:
            s.bind((a, 0))


@pytest.fixture()
def lan_config(ctx, tmp_path):
    """The app as `make run` serves it with no configuration: the derived LAN address, the machine's CA."""
    files = TLSFiles.under(tmp_path)
    certificates.ensure(files, machine_names(LAN, host_name="cutting-pc"))
    saved = {k: ctx.config[k] for k in ("PUBLIC_BASE_URL", "LAN_ADDRESS", "HTTP_PORT", "TLS_PORT", "LAN_CA_CERT")}
    ctx.config.update(PUBLIC_BASE_URL="", LAN_ADDRESS="192.168.4.20", HTTP_PORT=8000, TLS_PORT=8443,
                      LAN_CA_CERT=str(files.ca_cert))
    try:
        yield files
    finally:
        ctx.config.update(saved)


def test_tickets_hold_the_phone_address_and_open_the_bundle_card_over_http(lan_config, client, factory):
    _, _, order, op = factory.floor()
    _, tickets = order_tickets(order.id)
    payload = tickets[0].payload
    assert payload.startswith("http://192.168.4.20:8000/b/")
    assert parse_reference(payload) == tickets[0].code
    path = payload.removeprefix("http://192.168.4.20:8000")
    anonymous = client.get(path)  # plain HTTP, as the phone's own camera opens it
    assert anonymous.status_code == 302
    sign_in = urlsplit(anonymous.headers["Location"])
    back_to = parse_qs(sign_in.query)["next"][0]
    assert sign_in.path == "/login" and urlsplit(back_to).path == path
    signed_in = client.post("/login/pin", data={"user_id": op.id, "pin": PIN, "next": back_to})
    assert signed_in.status_code == 302 and urlsplit(signed_in.headers["Location"]).path == path
    page = client.get(signed_in.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'class="bundle-code">{tickets[0].code}<' in html.replace("\n", "")
    assert 'href="/setup"' in html  # the camera hint (shown over plain HTTP) leads to the phone set-up


def test_the_setup_page_gives_the_ca_and_the_secure_address_to_anyone(lan_config, client):
    page = client.get("/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tickets open at http://192.168.4.20:8000 with any phone camera." in html
    assert 'href="http://192.168.4.20:8000/setup/shopfloor-ca.crt"' in html
    assert 'href="https://192.168.4.20:8443/"' in html
    assert certificates.ca_fingerprint(lan_config.ca_cert) in html
    assert "This phone is on the secure address" not in html
    over_https = client.get("/setup", base_url="https://192.168.4.20:8443").get_data(as_text=True)
    assert "This phone is on the secure address" in over_https

    ca = client.get("/setup/shopfloor-ca.crt")
    assert ca.status_code == 200 and ca.mimetype == "application/x-x509-ca-cert"
    assert x509.load_der_x509_certificate(ca.data) == _cert(lan_config.ca_cert)
    for which, target in (("ca", "http://192.168.4.20:8000/setup/shopfloor-ca.crt"),
                          ("https", "https://192.168.4.20:8443/")):
        img = client.get(f"/setup/qr/{which}.svg")
        assert img.status_code == 200 and img.mimetype == "image/svg+xml"
        assert img.data == qr.svg(target) and b"style" not in img.data
    assert client.get("/setup/qr/anything.svg").status_code == 404
    assert 'href="/setup"' in client.get("/login").get_data(as_text=True)


def test_without_https_the_setup_page_says_so_and_offers_nothing_to_install(lan_config, ctx, client):
    ctx.config.update(TLS_PORT=0, LAN_CA_CERT="")
    html = client.get("/setup").get_data(as_text=True)
    assert "This server has no secure (HTTPS) address" in html and "shopfloor-ca.crt" not in html
    assert client.get("/setup/shopfloor-ca.crt").status_code == 404
    assert client.get("/setup/qr/https.svg").status_code == 404
    assert client.get("/setup/qr/ca.svg").status_code == 404


def test_the_banner_gives_the_same_addresses_as_the_tickets_and_setup(lan_config, ctx, client, factory):
    _, _, order, _ = factory.floor()
    out = ctx.test_cli_runner().invoke(args=["banner", "--port", "8000"]).output
    base = order_tickets(order.id)[1][0].payload.split("/b/")[0]
    assert f"Ticket QRs and phones open {base}/" in out
    assert f"Install this machine's certificate: {base}/setup/shopfloor-ca.crt" in out
    assert "Open the secure address: https://192.168.4.20:8443/" in out
    assert certificates.ca_fingerprint(lan_config.ca_cert) in out
    assert f"Tickets open at {base} with any phone camera." in client.get("/setup").get_data(as_text=True)
    assert qr.terminal(f"{base}/setup/shopfloor-ca.crt") in out


def test_with_several_lan_addresses_the_banner_says_which_one_phones_use(lan_config, ctx, monkeypatch):
    monkeypatch.setattr(addresses, "lan_addresses", lambda: ["192.168.4.20", "172.17.0.1"])
    out = ctx.test_cli_runner().invoke(args=["banner", "--port", "8000"]).output
    assert "http://172.17.0.1:8000/" in out
    assert "This machine has 2 LAN addresses; tickets and phones use 192.168.4.20" in out
    monkeypatch.setattr(addresses, "lan_addresses", lambda: [])
    alone = ctx.test_cli_runner().invoke(args=["banner", "--port", "8000"]).output
    assert "No LAN address found" in alone
    ctx.config["PUBLIC_BASE_URL"] = "http://shopfloor.lan:8000"
    chosen = ctx.test_cli_runner().invoke(args=["banner", "--port", "8000"]).output
    assert "LAN address" not in chosen and "Ticket QRs and phones open http://shopfloor.lan:8000/" in chosen
