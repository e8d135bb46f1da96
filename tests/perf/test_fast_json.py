"""Bodies built by hand equal what the marshmallow schemas dump (the schemas stay the documented contract).

The hot routes (latest snapshot, snapshot list, positions, trading metrics) serialize by hand and with
orjson (quantum.fastjson); these tests compare them, byte for byte over HTTP, with `jsonify` of the
schema's dump of the ORM entities on seeded data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import jsonify

from quantum.fastjson import has_float, json_response
from quantum.perf.seed import demo_email
from quantum.trading.schemas import MetricsOut, metrics_json
from tests.auth.helpers import bearer
from tests.conftest import make_app


@pytest.fixture
def seeded(db_url: str):
    """An app on a database with two demo users (snapshots, orders, positions)."""
    from quantum.extensions import db

    app = make_app(db_url)
    args = ["db-seed-demo", "--users", "2", "--snapshots-per-user", "30", "--orders-per-user", "80", "--bars", "0"]
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    yield app
    with app.app_context():
        db.engine.dispose()


def _user(app):
    from quantum.auth.models import User
    from quantum.extensions import db

    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == demo_email(42, 1))).one()
        db.session.expunge(user)
        return user


def test_metrics_json_matches_schema(seeded) -> None:
    from quantum.extensions import db
    from quantum.trading import service

    user = _user(seeded)
    with seeded.app_context():
        for kwargs in ({}, {"date_from": date(2025, 3, 1), "date_to": date(2025, 9, 30)}):
            result = service.metrics(session=db.session, user=user, **kwargs)
            assert result["by_day"] and result["by_symbol"]
            assert metrics_json(result) == MetricsOut().dump(result)


def _expected_body(app, dump) -> bytes:
    with app.test_request_context("/"):
        return jsonify(dump).get_data()


def test_snapshot_routes_send_the_schema_dump(seeded) -> None:
    from quantum.extensions import db
    from quantum.portfolio.models import PortfolioSnapshot
    from quantum.portfolio.schemas import SnapshotOut, SnapshotPage

    user = _user(seeded)
    client, headers = seeded.test_client(), bearer(seeded, user)
    with seeded.app_context():
        entities = db.session.scalars(
            sa.select(PortfolioSnapshot).where(PortfolioSnapshot.user_id == user.id)
            .order_by(PortfolioSnapshot.created_at.desc(), PortfolioSnapshot.id.desc())
        ).all()
        first_page = SnapshotPage().dump({"items": entities[:20], "next_before": entities[19].id})
        second_page = SnapshotPage().dump({"items": entities[20:30], "next_before": None})
        latest = SnapshotOut().dump(entities[0])
    assert len(entities) == 30 and first_page["items"][0]["holdings"]

    response = client.get("/api/portfolio/latest", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data() == _expected_body(seeded, latest)
    response = client.get("/api/portfolio/snapshots?limit=20", headers=headers)
    assert response.get_data() == _expected_body(seeded, first_page)
    response = client.get(f"/api/portfolio/snapshots?limit=20&before={entities[19].id}", headers=headers)
    assert response.get_data() == _expected_body(seeded, second_page)


def test_positions_route_sends_the_schema_dump(seeded) -> None:
    from quantum.extensions import db
    from quantum.trading.models import Position, SymbolMetric
    from quantum.trading.schemas import PositionOut

    user = _user(seeded)
    client, headers = seeded.test_client(), bearer(seeded, user)
    for include_flat in (False, True):
        with seeded.app_context():
            # The entities, valued as the route documents: what the service returned before it read plain rows.
            query = (
                sa.select(Position, SymbolMetric.last_price)
                .outerjoin(SymbolMetric, sa.and_(SymbolMetric.user_id == Position.user_id,
                                                 SymbolMetric.symbol == Position.symbol))
                .where(Position.user_id == user.id).order_by(Position.symbol)
            )
            if not include_flat:
                query = query.where(Position.quantity > 0)
            expected = []
            for position, last_price in db.session.execute(query):
                value = None if last_price is None else position.quantity * last_price
                expected.append({
                    "symbol": position.symbol, "quantity": position.quantity, "average_cost": position.average_cost,
                    "cost_basis": position.cost_basis, "realized_pnl": position.realized_pnl,
                    "last_price": last_price, "market_value": value,
                    "unrealized_pnl": None if value is None else value - position.cost_basis,
                    "updated_at": position.updated_at,
                })
            dump = PositionOut(many=True).dump(expected)
        assert dump
        response = client.get(f"/api/trading/positions?include_flat={str(include_flat).lower()}", headers=headers)
        assert response.get_data() == _expected_body(seeded, dump)


def test_metrics_route_sends_the_schema_dump(seeded) -> None:
    from quantum.extensions import db
    from quantum.trading import service

    user = _user(seeded)
    with seeded.app_context():
        dump = MetricsOut().dump(service.metrics(session=db.session, user=user))
    response = seeded.test_client().get("/api/trading/metrics", headers=bearer(seeded, user))
    assert response.get_data() == _expected_body(seeded, dump)


@pytest.mark.parametrize("body", [
    {"b": [1, None, True, False, "x"], "a": {"d": "é", "c": ""}},  # non-ASCII: the stdlib escapes it
    {"price": 1e-05, "nan": float("nan"), "big": 1e16},  # floats: exponents are spelled differently
    {"amount": Decimal("1.50")},  # orjson refuses Decimal
    {"ids": [2**70]},  # and ints past 64 bits
    {"z": 1, "a": [{"y": "2", "x": "1"}], "m": None},
    [],
])
def test_json_response_is_jsonify_byte_for_byte(app, body) -> None:
    with app.test_request_context("/"):
        expected = jsonify(body)
        for floats in (False, True):
            if has_float(body) and not floats:
                continue
            response = json_response(body, 201, may_hold_floats=floats)
            assert response.get_data() == expected.get_data()
            assert response.status_code == 201 and response.mimetype == expected.mimetype


def test_has_float() -> None:
    assert not has_float({"holdings": [{"symbol": "A", "quantity": "1"}], "cash": "0", "n": 3, "x": None})
    assert has_float({"holdings": [{"symbol": "A", "quantity": 1.5}]})
    assert has_float([[[0.1]]]) and has_float(2.0) and not has_float("2.0")


def test_debug_apps_pretty_print_as_before(app) -> None:
    app.debug = True
    with app.test_request_context("/"):
        body = {"b": 1, "a": ["x"]}
        assert json_response(body).get_data() == jsonify(body).get_data()
        assert b"\n  " in json_response(body).get_data()


def test_a_legacy_snapshot_with_floats_is_sent_as_jsonify_sends_it(app, user_factory) -> None:
    from quantum.extensions import db
    from quantum.portfolio.models import PortfolioSnapshot
    from quantum.portfolio.schemas import SnapshotOut, SnapshotPage

    user = user_factory()
    with app.app_context():
        snapshot = PortfolioSnapshot(user_id=user.id, total_value=Decimal("1"),
                                     snapshot_data={"holdings": [{"symbol": "BTC", "quantity": 2.5e-07}], "cash": 1e-05})
        db.session.add(snapshot)
        db.session.commit()
        latest = SnapshotOut().dump(snapshot)
        page = SnapshotPage().dump({"items": [snapshot], "next_before": None})
    client, headers = app.test_client(), bearer(app, user)
    assert client.get("/api/portfolio/latest", headers=headers).get_data() == _expected_body(app, latest)
    assert client.get("/api/portfolio/snapshots", headers=headers).get_data() == _expected_body(app, page)
    assert b"1e-05" in _expected_body(app, latest)
