"""A bounded fuzz over every route of the url map: hostile path values, form / query / JSON fields, as each
caller that may reach the route. No response is a 5xx, and a refused request (4xx) changes no table.

Two runs per database: a fixed seed (the same cases every time) and a random one, printed; replay a run
with SHOPFLOOR_FUZZ_SEED=<seed>. SHOPFLOOR_FUZZ_EXAMPLES sets the cases per route and seed.
"""
from __future__ import annotations

import json
import os
import random
import time
import traceback
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, seed, settings, strategies as st

from shopfloor.extensions import db
from tests import fuzz_support as fz
from tests.conftest import login

FIXED_SEED = 20261201
EXAMPLES = int(os.environ.get("SHOPFLOOR_FUZZ_EXAMPLES", "8"))  # 166 routes: about a minute a database
TOKEN = "board-token-for-tests"
# Tables a refused request may still write to (e.g. a record of failed sign-ins): none today.
WRITTEN_WHEN_REFUSED: frozenset[str] = frozenset()

int_path = st.one_of(st.sampled_from(["1", "2", "3"] + fz.BIG_INTS),
                     st.integers(min_value=0, max_value=10 ** 30).map(str))
# Characters random field text is made of: ASCII, controls and NUL, accents, other scripts' digits, a
# right-to-left override, emoji, a lone-looking high BMP code point.
CHARS = [chr(c) for c in range(0x20, 0x7f)] + ["\x00", "\t", "\n", "\r", "\x7f", "é", "ÿ", "ß", "١", "３", "²",
                                              "\u202e", "\ufeff", "😀", "\ud7ff", "漢", "ক", "क", "ệ"]


def _text(r: random.Random) -> str:
    return "".join(r.choice(CHARS) for _ in range(r.randrange(41)))


def _field_value(r: random.Random, valid: list[str]) -> str | None:
    """A form/query value: nothing, a hostile one, random text or a number, or a value valid on the floor."""
    pick = r.randrange(8)
    if pick < 2:
        return None
    if pick < 4:
        return r.choice(fz.HOSTILE)
    if pick == 4:
        return _text(r)
    if pick == 5:
        return r.choice([str(r.randrange(-2 ** 70, 2 ** 70)), repr(r.uniform(-1e12, 1e12)),
                         "".join(r.choice("0123456789-") for _ in range(r.randrange(8, 13)))])
    return r.choice(valid)


json_value = st.one_of(st.sampled_from(fz.JSON_VALUES), st.integers().map(str),
                       st.text(max_size=30).map(json.dumps), st.integers(1, 2000).map(fz.nested),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c,
                                                                                         max_size=3),
                                    max_leaves=6).map(json.dumps))


class Fuzz:
    def __init__(self, app, client, data):
        self.app, self.client, self.data = app, client, data
        self.names = fz.field_names()
        self.sqlite = db.engine.dialect.name == "sqlite"
        self.cases = 0
        self.counts = fz.table_counts()
        self._body = None
        self.signed_as: str | None = None

    def values(self, route: fz.Route):
        # Every field of the app in each case, drawn from one Random that hypothesis seeds (a strategy per field
        # cost hypothesis most of the fuzz's time: ~100 fields a case); the case prints whole when it fails.
        valid = self._valid()
        fields = st.randoms(use_true_random=False).map(lambda r: {n: _field_value(r, valid) for n in self.names})
        args = {a: (int_path if kind == "int" else
                    st.one_of(st.sampled_from(fz.PATHS + self._valid()), st.text(min_size=1, max_size=30)))
                for a, kind in route.args}
        body = self._body if self._body is not None else st.one_of(
            st.fixed_dictionaries({k: st.one_of(json_value, st.sampled_from(self._valid()).map(json.dumps))
                                   for k in ("bundle", "operation", "qty", "client_id")})
            .map(lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}"),
            json_value, st.text(max_size=40), st.integers(1, 100_000).map(fz.nested))
        self._body = body
        return st.fixed_dictionaries({"args": st.fixed_dictionaries(args), "fields": fields, "htmx": st.booleans(),
                                      "body": body})

    def _valid(self) -> list[str]:
        d = self.data
        return [d["bundle"], d["signed"], f"/b/{d['signed']}", d["badge"], str(d["entry"]), "1", "2", "S", d["sscc"]]

    def sign_in(self, who: str) -> None:
        """Sign the client in as who, unless the last case left it signed in so (a case that may have changed
        the session, below in run(), makes the next one sign in afresh)."""
        if self.signed_as == who:
            return
        with self.client.session_transaction() as sess:
            sess.clear()
        if who not in ("anonymous", "kiosk"):
            login(self.client, self.data["users"][who])  # opens a session row, as a real sign-in does
            self.counts = fz.table_counts()
        self.signed_as = who

    def run(self, route: fz.Route, who: str, case: dict) -> None:
        body = case["body"]
        fields = {k: v for k, v in case["fields"].items() if v is not None}
        self.sign_in(who)
        url = fz.url_for_rule(route, {a: quote(v, safe="") for a, v in case["args"].items()})
        if who == "kiosk":
            fields["token"] = TOKEN
        headers = {"HX-Request": "true"} if case["htmx"] else {}
        what = f"{route.method} {url} as {who} fields={fields!r} body={body[:300]!r}"
        self.cases += 1
        try:
            if route.endpoint == "api.create_scan":
                resp = self.client.post(url, data=body.encode(), content_type="application/json", headers=headers)
            elif route.method == "GET":
                resp = self.client.get(url, query_string=fields, headers=headers)
            else:
                resp = self.client.open(url, method=route.method, data=fields, headers=headers)
            status = resp.status_code
            text = resp.get_data().decode("utf-8", "replace")
            resp.close()
        except Exception:  # the test client propagates an unhandled error: a 500 in production
            db.session.rollback()
            pytest.fail(f"500 for {what}\n{traceback.format_exc()}")
        db.session.rollback()
        if (route.endpoint.startswith("auth.") or status == 401
                or (status in (302, 303) and "/login" in resp.headers.get("Location", ""))):
            self.signed_as = None  # signed in, out or elsewhere: the next case signs in afresh
        assert status < 500, f"{status} for {what}: {text[:500]}"
        before, self.counts = self.counts, fz.table_counts()
        if 400 <= status < 500:
            changed = {t: (a, b) for (t, a), (_t, b) in zip(before, self.counts) if a != b
                       and t not in WRITTEN_WHEN_REFUSED}
            assert not changed, f"refused ({status}) yet tables changed {changed}: {what}"
            if route.endpoint.startswith("api."):
                assert json.loads(text)["error"], what


def _fuzz_every_route(fuzz: Fuzz, run_seed: int) -> None:
    """Each route as each caller that may reach it: EXAMPLES cases per route, shared among its callers."""
    n = 0
    for route in fz.routes(fuzz.app):
        per_caller = max(2, -(-EXAMPLES // len(route.roles)))
        for who in route.roles:
            n += 1

            @seed(run_seed + n)
            @settings(max_examples=per_caller, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), print_blob=True)
            @given(case=fuzz.values(route))
            def one(case):
                fuzz.run(route, who, case)

            one()


def test_every_route_answers_hostile_input_without_5xx_and_refusals_change_nothing(app, client, factory, capsys):
    data = fz.floor(factory)
    app.config["BOARD_TOKEN"] = TOKEN
    fuzz = Fuzz(app, client, data)
    replay = os.environ.get("SHOPFLOOR_FUZZ_SEED")
    seeds = [int(replay)] if replay else [FIXED_SEED, random.SystemRandom().randrange(2 ** 32)]
    started = time.monotonic()
    for run_seed in seeds:
        with capsys.disabled():
            print(f"\nfuzz: seed {run_seed} on {db.engine.dialect.name} (replay: SHOPFLOOR_FUZZ_SEED={run_seed})")
        _fuzz_every_route(fuzz, run_seed)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"fuzz: {fuzz.cases} requests over {len(fz.routes(app))} routes in {elapsed:.1f} s")
    assert fuzz.cases >= len(fz.routes(app)) * len(seeds) * min(EXAMPLES, 5)
