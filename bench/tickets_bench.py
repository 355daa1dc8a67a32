"""Time the bundle-ticket PDF: 1,000 tickets in both layouts (target: <= 5 s each)."""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from shopfloor import create_app  # noqa: E402
from shopfloor.scan.codes import new_code, ticket_payload  # noqa: E402
from shopfloor.tickets import pdf  # noqa: E402


def main(n: int = 1000) -> None:
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        tickets = [pdf.Ticket(payload=ticket_payload(c, "http://192.168.1.20:8000"), code=c,
                              style="TS-100 Crew-neck T-shirt", order="ORD-1001", size="XL", colour="Navy",
                              pieces=10, number=i + 1, pieces_label="10 pcs") for i, c in enumerate(new_code() for _ in range(n))]
        for layout in pdf.LAYOUTS:
            t0 = time.perf_counter()
            data = pdf.render(tickets, layout)
            dt = time.perf_counter() - t0
            print(f"tickets PDF  layout={layout:<5} {n} tickets  {dt:.2f} s  {len(data) / 1024:.0f} KiB  "
                  f"(target <= 5 s: {'OK' if dt <= 5 else 'MISSED'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
