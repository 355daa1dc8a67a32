"""HTTPS on the factory LAN out of the box: the server as `make run` starts it makes the machine's own
certificate and serves HTTPS beside HTTP; a phone's Chromium that trusts that certificate opens the app at the
machine's .local name, in a secure context, with the service worker and the offline outbox."""
from __future__ import annotations

import hashlib
import http.client
import io
import os
import socket
import ssl
import stat
import subprocess
import sys
import time

import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from PIL import Image

from shopfloor import server
from shopfloor.config import ServerSettings
from shopfloor.lan import certificates
from shopfloor.lan.certificates import TLSFiles, spki_hash
from tests.browser_helpers import wait_until
from tests.conftest import PHONE, free_port
from tests.factories import PIN
from tests.test_server import ROOT, _ledger_rows, running_server, small_floor  # noqa: F401 (fixture)


def _https_up(port: int, ca: str, deadline: float) -> None:
    trusted = ssl.create_default_context(cafile=ca)
    while True:
        try:
            c = http.client.HTTPSConnection("localhost", port, timeout=5, context=trusted)
            c.request("GET", "/login")
            assert c.getresponse().status == 200
            c.close()
            return
        except (OSError, ssl.SSLError):
            assert time.time() < deadline, "HTTPS did not start"
            time.sleep(0.2)


def _qr_texts(page, selector: str) -> list[str]:
    """The QR codes a person sees on the page, read from a screenshot of each image."""
    out = []
    for img in page.locator(selector).all():
        shot = Image.open(io.BytesIO(img.screenshot()))
        out += [r.text for r in zxingcpp.read_barcodes(shot)]
    return out


def _installability_errors(context, page) -> set[str]:
    cdp = context.new_cdp_session(page)
    return {e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]}


def test_make_run_serves_https_with_its_own_certificate_and_the_app_works_offline_there(
        small_floor, tmp_path, launch_chromium):
    floor, instance, tls_port = small_floor, tmp_path / "instance", free_port()
    env = {"SHOPFLOOR_TLS": "1", "SHOPFLOOR_INSTANCE_PATH": str(instance), "SHOPFLOOR_TLS_PORT": str(tls_port),
           "SHOPFLOOR_WORKERS": "1"}
    files = TLSFiles.under(instance)
    with running_server(floor, **env) as port:
        _https_up(tls_port, str(files.ca_cert), time.time() + 30)
        assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
        assert stat.S_IMODE(files.ca_key.stat().st_mode) == 0o600
        leaf = x509.load_pem_x509_certificate(files.cert.read_bytes())
        host = socket.gethostname().strip().lower().split(".")[0] + ".local"
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert host in names.get_values_for_type(x509.DNSName)

        # The banner `make run` prints, for this server's port and settings.
        banner = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "banner", "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, SHOPFLOOR_DATABASE_URL=floor["url"],
                                         SHOPFLOOR_SECRET_KEY="s" * 32, **env)).stdout
        base = banner.split("Ticket QRs and phones open ", 1)[1].split("/ ", 1)[0]
        lan_host = base.removeprefix("http://").rsplit(":", 1)[0]
        assert base == f"http://{lan_host}:{port}"

        # A phone's Chromium that trusts this certificate (by its key) and finds the machine by its name.
        browser = launch_chromium(f"--host-resolver-rules=MAP {host} 127.0.0.1",
                                  f"--ignore-certificate-errors-spki-list={spki_hash(leaf)}")
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            # The set-up page over plain HTTP: the QR codes read as the CA download and the HTTPS address.
            page.goto(f"http://127.0.0.1:{port}/setup")
            assert f"Tickets open at {base} with any phone camera." in page.inner_text("#phone-setup")
            assert _qr_texts(page, "img.qr") == [f"{base}/setup/shopfloor-ca.crt", f"https://{lan_host}:{tls_port}/"]

            secure = f"https://{host}:{tls_port}"
            page.goto(f"{secure}/login")
            page.select_option("#user_id", value=str(floor["operator"]))
            page.fill("#pin", PIN)
            page.click("#login button[type=submit]")
            page.wait_for_url("**/scan")
            assert page.evaluate("window.isSecureContext") is True
            assert page.evaluate("location.origin") == secure
            assert page.locator("#camera-button").is_enabled()  # the in-app camera is offered
            assert page.locator("#camera-hint").is_hidden()
            assert page.evaluate("fetch('/manifest.webmanifest').then(r => r.json()).then(m => m.start_url)") == "/scan"

            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.reload()  # now the service worker has the page
            wait_until(page, "navigator.serviceWorker.controller !== null")
            # Chromium's own installability check ("Install app"): nothing but the test browser's private profile.
            assert _installability_errors(context, page) == {"in-incognito"}
            code = floor["bundles"][0]
            context.set_offline(True)
            page.fill("#code", code)
            page.press("#code", "Enter")
            wait_until(page, "document.getElementById('outbox').dataset.count === '1'")
            assert "saved on this phone" in page.inner_text("#bundle-card")
            assert _ledger_rows(floor) == 0
            context.set_offline(False)
            wait_until(page, "document.getElementById('outbox').dataset.count === '0'", timeout=15000)
            assert _ledger_rows(floor) == 1
            page.reload()  # nothing is sent again
            wait_until(page, "window.Outbox !== undefined")
            assert page.evaluate("Outbox.all().then(items => items.length)") == 0
            assert _ledger_rows(floor) == 1
        finally:
            context.close()

        # The same phone name over plain HTTP: not a secure context, so the scan page says why the camera
        # is off and leads to the set-up, which gives the secure address.
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            page.goto(f"http://{host}:{port}/login")
            page.select_option("#user_id", value=str(floor["operator"]))
            page.fill("#pin", PIN)
            page.click("#login button[type=submit]")
            page.wait_for_url("**/scan")
            assert page.evaluate("window.isSecureContext") is False
            assert "not-from-secure-origin" in _installability_errors(context, page)
            assert page.locator("#camera-button").is_disabled()
            assert "needs a secure (HTTPS) connection" in page.inner_text("#camera-hint")
            page.click("#camera-hint a")
            page.wait_for_url("**/setup")
            assert page.get_attribute("#secure-address", "href") == f"https://{lan_host}:{tls_port}/"
        finally:
            context.close()


def _served_fingerprint(port: int) -> bytes | None:
    """SHA-256 of the certificate the HTTPS server presents now (None while it does not answer)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
            with ctx.wrap_socket(raw) as tls:
                return hashlib.sha256(tls.getpeercert(binary_form=True)).digest()
    except OSError:
        return None


def _until(check, what: str, seconds: float = 30):
    deadline = time.time() + seconds
    while not check():
        assert time.time() < deadline, what
        time.sleep(0.2)


def test_a_certificate_renewed_while_serving_reaches_the_running_https_server(small_floor, tmp_path, monkeypatch):
    instance, tls_port = tmp_path / "instance", free_port()
    for k, v in {"SHOPFLOOR_TLS": "1", "SHOPFLOOR_INSTANCE_PATH": str(instance), "SHOPFLOOR_TLS_PORT": str(tls_port),
                 "SHOPFLOOR_WORKERS": "1", "SHOPFLOOR_DATABASE_URL": small_floor["url"],
                 "SHOPFLOOR_SECRET_KEY": "s" * 32}.items():
        monkeypatch.setenv(k, v)
    settings = ServerSettings.from_env(instance)
    files = settings.lan_tls
    certificates.ensure_here(files)
    # A certificate for other names stands in for the one issued before the machine's LAN address changed.
    certificates.ensure(files, certificates.machine_names(["10.9.9.9"], host_name="elsewhere"))

    def in_file() -> bytes:
        return x509.load_pem_x509_certificate(files.cert.read_bytes()).fingerprint(hashes.SHA256())

    old = in_file()
    proc = subprocess.Popen(server.granian_argv(settings, "127.0.0.1", tls_port, tls=True), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _until(lambda: _served_fingerprint(tls_port) == old, "HTTPS did not start")
        assert server.refresh_certificate(settings, proc) == "the machine's names changed"
        new = in_file()
        assert new != old
        _until(lambda: _served_fingerprint(tls_port) == new, "the renewed certificate was not served")
        _https_up(tls_port, str(files.ca_cert), time.time() + 10)  # and it is valid for this machine's names
        assert server.refresh_certificate(settings, proc) == ""  # nothing due: no reload
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(15)
