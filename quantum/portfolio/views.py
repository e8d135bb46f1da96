"""The /api/portfolio routes: snapshots, deposits, balance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from quantum.auth.decorators import auth_required, current_principal
from quantum.auth.scopes import PORTFOLIO_READ, PORTFOLIO_WRITE
from quantum.cash.models import CURRENCY
from quantum.extensions import db
from quantum.fastjson import has_float, json_response
from quantum.portfolio import service
from quantum.portfolio.schemas import (
    BalanceOut,
    PaymentOut,
    SnapshotOut,
    SnapshotPage,
    deposit_in,
    snapshot_args,
    snapshot_in,
    snapshot_json,
    snapshot_page_json,
)

blp = Blueprint("portfolio", __name__, url_prefix="/api/portfolio", description="Snapshots, deposits and cash")


@blp.route("/snapshots")
class Snapshots(MethodView):
    @auth_required(PORTFOLIO_WRITE)
    @blp.arguments(snapshot_in)
    @blp.response(201, SnapshotOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Store a snapshot of holdings and cash (valued on the server), or of your positions (from_positions)."""
        user = current_principal().user
        if data.get("from_positions"):
            return service.snapshot_from_positions(session=db.session, user=user)
        return service.create_snapshot(session=db.session, user=user, data=data)

    @auth_required(PORTFOLIO_READ)
    @blp.arguments(snapshot_args, location="query")
    @blp.response(200, SnapshotPage)
    @blp.alt_response(404, description="The `before` cursor names no snapshot of yours (not_found)")
    def get(self, args: dict[str, Any]) -> Any:
        """Your snapshots, newest first; pass next_before as before for the next page."""
        items, next_before = service.list_snapshots(session=db.session, user=current_principal().user, **args)
        # Serialized by hand (same body as SnapshotPage, which still documents it): the marshmallow dump
        # of 20 snapshots and jsonify cost ~1 ms, most of what this route did.
        floats = any(has_float(item.snapshot_data) for item in items)
        return json_response(snapshot_page_json(items, next_before), may_hold_floats=floats)


@blp.route("/latest")
class Latest(MethodView):
    @auth_required(PORTFOLIO_READ)
    @blp.response(200, SnapshotOut)
    @blp.alt_response(404, description="You have no snapshot yet")
    def get(self) -> Any:
        """Your newest snapshot."""
        snapshot = service.latest_snapshot(session=db.session, user=current_principal().user)
        # By hand, as the list above (same body as SnapshotOut).
        return json_response(snapshot_json(snapshot), may_hold_floats=has_float(snapshot.snapshot_data))


@blp.route("/deposits")
class Deposits(MethodView):
    @auth_required(PORTFOLIO_WRITE)
    @blp.arguments(deposit_in)
    @blp.response(201, PaymentOut)
    @blp.alt_response(409, description="This tx_hash was already credited (duplicate_transaction)")
    def post(self, data: dict[str, Any]) -> Any:
        """Deposit paper cash; the balance grows in the same transaction that records the payment."""
        return service.deposit(session=db.session, user=current_principal().user, data=data)


@blp.route("/balance")
class Balance(MethodView):
    @auth_required(PORTFOLIO_READ)
    @blp.response(200, BalanceOut)
    def get(self) -> Any:
        """Your available cash."""
        available = service.get_balance(session=db.session, user=current_principal().user)
        return {"available_balance": available, "currency": CURRENCY}
