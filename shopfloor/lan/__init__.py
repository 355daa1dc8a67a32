"""The server on the factory LAN: where phones reach it, its own HTTPS certificate, the phone set-up page."""
