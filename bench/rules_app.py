"""The scan's own ceiling for the scan benchmark: Shopfloor's record_scan and nothing of its web layer.

POST /api/v1/scans reads the same JSON body a phone sends and calls shopfloor.scan.services.record_scan for one
operator, with the checks the scan API asks for (role and active flag, the operator's own line and operation,
the bulletin's order, exactly-once by client id): the same read, the same one-statement write and the same
summaries as a real scan. Nothing else of the app runs: no Flask request of the app's, no session cookie, no CSRF
check, no request hooks (route guard, rate limit, security headers, form-once...), no error pages. The request is
parsed and answered with werkzeug's own Request and Response, as cheaply as the bare stack's Flask view does it.

So its throughput is what a redesigned hot path could reach at best while it keeps the scan's rules and writes:
scan_bench.py measures it between the app and the bare stack (bench/bare_app.py), same clients, same run.

Served by granian's WSGI interface (`granian --interface wsgi rules_app:app`) on a database with the bench floor
(common.build_floor): RULES_DATABASE is its URL, RULES_OPERATOR the operator whose scans these are.
"""
from __future__ import annotations

import json
import os
import sys

from werkzeug.wrappers import Request, Response

sys.path.insert(0, os.environ.get("RULES_CODE") or os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from shopfloor import create_app  # noqa: E402
from shopfloor.scan import services  # noqa: E402

shop = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["RULES_DATABASE"], "SECRET_KEY": "bench-rules"})
OPERATOR = int(os.environ["RULES_OPERATOR"])
ROLES = ("operator",)


def app(environ, start_response):
    request = Request(environ)
    if request.method != "POST":   # the bench's readiness probe (GET /login)
        return Response("up")(environ, start_response)
    data = request.get_json()
    with shop.app_context():
        result = services.record_scan(operator_id=OPERATOR, bundle_ref=str(data["bundle"]),
                                      operation_id=data["operation"], qty=data["qty"], client_id=data["client_id"],
                                      check_operator_roles=ROLES, claim_check=True)
    answer = Response(json.dumps(result.as_json()), status=201 if result.created else 200,
                      mimetype="application/json")
    return answer(environ, start_response)
