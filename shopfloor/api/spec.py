"""The OpenAPI 3.1 description of the JSON API, built from the code.

Each JSON view carries its own small description (`@describe(...)`: summary, query parameters, request and
response JSON Schemas, the token scope); `build(app)` walks `app.url_map` under /api/v1 and writes one
operation per rule and method, its path and path parameters taken from the rule itself. tests/test_openapi.py
checks that every /api/v1 rule is described and runs schemathesis against the result.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from shopfloor import roles
from shopfloor.edge import MAX_INT

PREFIX = "/api/v1"
UNDESCRIBED = {"v1.docs"}  # the HTML page that shows this description

# Shared schemas (components).
ERROR = {"type": "object", "required": ["error"],
         "properties": {"error": {"type": "string"}, "code": {"type": "string"}}}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NUMBER_OR_NULL = {"type": ["number", "null"]}
STRING_OR_NULL = {"type": ["string", "null"]}
ID_OR_NULL = {"type": ["integer", "null"]}
# The factory's currency (SHOPFLOOR_CURRENCY) of the rates, costs and amounts beside it.
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code of the amounts"}

COMPONENTS: dict[str, dict] = {
    "Error": ERROR,
    "Operation": {"type": "object", "required": ["id", "seq", "name", "machine", "sam", "piece_rate", "qc_point", "active"],
                  "properties": {"id": {"type": "integer"}, "seq": {"type": "integer"}, "name": {"type": "string"},
                                 "machine": {"type": "string"}, "sam": {"type": "string"},
                                 "piece_rate": {"type": "string"}, "qc_point": {"type": "boolean"},
                                 "active": {"type": "boolean"}}},
    "Style": {"type": "object", "required": ["id", "code", "name", "sizes", "active", "sequence_check", "total_sam",
                                             "currency", "operations"],
              "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
                             "sizes": {"type": "array", "items": {"type": "string"}}, "active": {"type": "boolean"},
                             "sequence_check": {"type": "string"}, "target_cost": STRING_OR_NULL,
                             "total_sam": {"type": "string"}, "currency": CURRENCY,
                             "operations": {"type": "array", "items": {"$ref": "#/components/schemas/Operation"}}}},
    "Quantity": {"type": "object", "required": ["size", "colour", "quantity"],
                 "properties": {"size": {"type": "string"}, "colour": {"type": "string"},
                                "quantity": {"type": "integer"}}},
    "Order": {"type": "object", "required": ["id", "number", "customer", "style_id", "style_code", "line_id", "due_date",
                                             "status", "quantity", "cut", "output", "quantities"],
              "properties": {"id": {"type": "integer"}, "number": {"type": "string"}, "customer": {"type": "string"},
                             "style_id": {"type": "integer"}, "style_code": {"type": "string"}, "line_id": ID_OR_NULL,
                             "due_date": DATE, "status": {"type": "string"}, "quantity": {"type": "integer"},
                             "cut": {"type": "integer"}, "output": {"type": "integer"},
                             "quantities": {"type": "array", "items": {"$ref": "#/components/schemas/Quantity"}},
                             "operations": {"type": "array", "items": {
                                 "type": "object", "required": ["id", "name", "done", "remaining"],
                                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                "done": {"type": "integer"}, "remaining": {"type": "integer"}}}}}},
    "Bundle": {"type": "object", "required": ["id", "code", "order_id", "number", "size", "colour", "pieces", "status"],
               "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "order_id": {"type": "integer"},
                              "number": {"type": "integer"}, "size": {"type": "string"},
                              "colour": {"type": "string"}, "pieces": {"type": "integer"},
                              "status": {"type": "string"}}},
    "WorkLogEntry": {"type": "object",
                     "required": ["id", "bundle_id", "operation_id", "operator_id", "line_id", "pieces", "sam",
                                  "piece_rate", "currency", "is_output", "reverses_id", "created_at"],
                     "properties": {"id": {"type": "integer"}, "bundle_id": {"type": "integer"},
                                    "operation_id": {"type": "integer"}, "operator_id": {"type": "integer"},
                                    "line_id": ID_OR_NULL, "pieces": {"type": "integer"}, "sam": {"type": "string"},
                                    "piece_rate": {"type": "string"}, "currency": CURRENCY,
                                    "is_output": {"type": "boolean"}, "reverses_id": ID_OR_NULL, "reason": STRING_OR_NULL,
                                    "created_by_id": ID_OR_NULL, "created_at": DATETIME}},
    "Inspection": {"type": "object",
                   "required": ["id", "kind", "bundle_id", "line_id", "inspector_id", "operator_id", "operation_id",
                                "checked", "defective", "defects", "result", "light", "created_at"],
                   "properties": {"id": {"type": "integer"}, "kind": {"type": "string"},
                                  "bundle_id": {"type": "integer"}, "line_id": ID_OR_NULL,
                                  "inspector_id": {"type": "integer"}, "operator_id": ID_OR_NULL,
                                  "operation_id": ID_OR_NULL, "checked": {"type": "integer"},
                                  "defective": {"type": "integer"}, "defects": {"type": "integer"},
                                  "result": {"type": "string"}, "light": STRING_OR_NULL, "created_at": DATETIME}},
    "Figures": {"type": "object", "required": ["earned_minutes", "attended_minutes", "off_standard_minutes",
                                               "efficiency", "on_standard_efficiency"],
                "properties": {"earned_minutes": {"type": "number"}, "attended_minutes": {"type": "number"},
                               "off_standard_minutes": {"type": "number"}, "efficiency": NUMBER_OR_NULL,
                               "on_standard_efficiency": NUMBER_OR_NULL}},
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> dict:
    """A page of a list: the items and the cursor for the next page (null on the last)."""
    return {"type": "object", "required": ["items", "next_after"],
            "properties": {"items": {"type": "array", "items": ref(name)}, "next_after": ID_OR_NULL}}


def query(name: str, schema: dict, description: str = "", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def describe(summary: str, *, responses: dict[int, dict | None], params: tuple = (), body: dict | None = None,
             tag: str = ""):
    """Attach this view's OpenAPI description (read by `build`): responses {status: JSON Schema or None}."""

    def deco(fn):
        fn.openapi = {"summary": summary, "responses": responses, "params": list(params), "body": body, "tag": tag}
        return fn

    return deco


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(rule: str) -> str:
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def _errors(codes) -> dict:
    return {str(c): {"description": "Refused", "content": {"application/json": {"schema": ref("Error")}}} for c in codes}


def operation_of(app: Flask, rule) -> dict | None:
    view = app.view_functions[rule.endpoint]
    return getattr(view, "openapi", None)


def build(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint in UNDESCRIBED:
            continue
        desc = operation_of(app, rule)
        if desc is None:
            continue  # tests/test_openapi.py fails on an undescribed JSON endpoint
        decl = roles.RULES.get(rule.endpoint)
        params = [{"name": name, "in": "path", "required": True, "schema": ID} for name in rule.arguments]
        params += desc["params"]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"operationId": rule.endpoint.replace(".", "_"), "summary": desc["summary"],
                                  "tags": [desc["tag"]] if desc["tag"] else [], "parameters": params,
                                  "responses": {}}
            for status, schema in desc["responses"].items():
                content = {"application/json": {"schema": schema}} if schema is not None else None
                op["responses"][str(status)] = {"description": "OK" if status < 300 else "Refused",
                                                **({"content": content} if content else {})}
            if decl is not None and not decl.public:
                op["responses"].update(_errors((400, 401, 403, 404, 409, 413, 415, 422, 429)))
            if rule.arguments and method != "GET":  # an id beyond the id column: the router answers 405 (Werkzeug)
                op["responses"].update(_errors((405,)))
                op["security"] = [{"session": []}] + ([{"bearer": []}] if decl.token_scopes else [])
                if decl.token_scopes:
                    op["x-token-scopes"] = sorted(decl.token_scopes)
                    op["x-roles"] = sorted(decl.roles | {roles.ADMIN})
            if desc["body"] is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": desc["body"]}}}
            paths.setdefault(_path(rule.rule), {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shopfloor API", "version": "1",
                 "description": "Production tracking for garment factories. Authenticate with a signed-in session "
                                "(and the CSRF token for writes) or with `Authorization: Bearer <token>` made by an "
                                "admin on /admin/integrations."},
        "paths": paths,
        "components": {"schemas": COMPONENTS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
    }
