"""`flask lan-certificate` (run by `make run`), and the banner's lines for setting up phones."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from shopfloor.config import ServerSettings
from shopfloor.lan import certificates, qr
from shopfloor.lan.addresses import Reach

ANDROID = "Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate"
IOS = ("iPhone: open it in Safari, Allow; Settings > Profile Downloaded > Install; then "
       "General > About > Certificate Trust Settings > turn on Shopfloor CA")


def register(app: Flask) -> None:
    @app.cli.command("lan-certificate")
    def lan_certificate():
        """Make this machine's CA once and its HTTPS certificate (instance/tls), renewed when due."""
        server = ServerSettings.from_env(Path(current_app.instance_path))
        if not server.lan_tls:
            click.echo("HTTPS uses SHOPFLOOR_TLS_CERT." if server.tls_cert else "HTTPS is off (SHOPFLOOR_TLS=0).")
            return
        done = certificates.ensure_here(server.lan_tls, server.public_base_url)
        if done.made_ca:
            click.echo(f"Made this machine's certificate authority: {server.lan_tls.ca_cert}")
        state = f"issued ({done.renewed})" if done.renewed else "in place"
        click.echo(f"HTTPS certificate {state}, valid until {done.not_after:%Y-%m-%d}, for "
                   + ", ".join(done.names.all()))
        if done.left_out:
            click.echo("Not in the certificate (this CA may not vouch for them): " + ", ".join(done.left_out))


def phone_lines(reach: Reach) -> list[str]:
    """The banner's phone set-up: the CA to install (a QR of its download), then the HTTPS address (a QR)."""
    lines = [f"  Ticket QRs and phones open {reach.base}/ (phone set-up: {reach.base}/setup)"]
    if not reach.https:
        return lines + ["  HTTPS is off: the in-app camera, offline scanning and app install need it."]
    if reach.ca_file:
        lines += ["", "  For the in-app camera, offline scanning and app install, once per phone:",
                  f"  1. Install this machine's certificate: {reach.ca_download}",
                  qr.terminal(reach.ca_download),
                  f"     SHA-256 {certificates.ca_fingerprint(reach.ca_file)}", f"     {ANDROID}", f"     {IOS}",
                  f"  2. Open the secure address: {reach.secure_home}", qr.terminal(reach.secure_home)]
    else:
        lines += [f"  Secure address (in-app camera, offline scanning, app install): {reach.secure_home}",
                  qr.terminal(reach.secure_home)]
    return lines
