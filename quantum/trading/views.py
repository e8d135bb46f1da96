"""The /api/trading routes: status, orders, positions, limits, metrics."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from quantum.auth.decorators import auth_required, current_principal
from quantum.auth.scopes import TRADING_READ, TRADING_WRITE
from quantum.db.guard import SchemaNotReady
from quantum.extensions import db
from quantum.fastjson import json_response
from quantum.trading import service
from quantum.trading.schemas import (
    LimitsOut,
    MetricsOut,
    OrderOut,
    OrderPage,
    PositionOut,
    StatusOut,
    limits_in,
    metrics_args,
    metrics_json,
    order_in,
    page_args,
    positions_args,
    positions_json,
)

blp = Blueprint("trading", __name__, url_prefix="/api/trading", description="Paper trading")
CONFLICTS = "Not enough cash (insufficient_funds) or position (insufficient_position), or over a risk limit " \
            "(risk_limit_exceeded); details carry the shortfall"


@blp.route("/status")
class Status(MethodView):
    @blp.response(200, StatusOut)
    def get(self) -> Any:
        """Whether trading is available: the database's backend, revision and round-trip time."""
        guard = current_app.extensions.get("schema_guard")
        ready = True
        if guard is not None and current_app.config["SCHEMA_GUARD"]:
            # The route is exempt from the guard so it can say "degraded"; it still gives the guard its chance.
            try:
                guard.check()
            except SchemaNotReady:
                ready = False
        return service.trading_status(engine=db.engine, schema_ready=ready)


@blp.route("/orders")
class Orders(MethodView):
    @auth_required(TRADING_WRITE)
    @blp.arguments(order_in)
    @blp.response(201, OrderOut)
    @blp.alt_response(200, schema=OrderOut, description="A repeat of an earlier client_order_id: the first order")
    @blp.alt_response(409, description=CONFLICTS)
    def post(self, data: dict[str, Any]) -> Any:
        """Place a paper order; it fills at its limit price in the same transaction that moves cash and position."""
        result = service.place_order(session=db.session, user=current_principal().user, data=data)
        return result.order, (201 if result.created else 200)

    @auth_required(TRADING_READ)
    @blp.arguments(page_args, location="query")
    @blp.response(200, OrderPage)
    @blp.alt_response(404, description="The `before` cursor names no order of yours (not_found)")
    def get(self, args: dict[str, Any]) -> Any:
        """Your orders, newest first; pass next_before as before for the next page."""
        items, next_before = service.list_orders(session=db.session, user=current_principal().user, **args)
        return {"items": items, "next_before": next_before}


@blp.route("/orders/<int:order_id>")
class OrderItem(MethodView):
    @auth_required(TRADING_READ)
    @blp.response(200, OrderOut)
    @blp.alt_response(404, description="No such order among yours")
    def get(self, order_id: int) -> Any:
        """One of your orders."""
        return service.get_order(session=db.session, user=current_principal().user, order_id=order_id)


@blp.route("/positions")
class Positions(MethodView):
    @auth_required(TRADING_READ)
    @blp.arguments(positions_args, location="query")
    @blp.response(200, PositionOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Your open positions, valued at each symbol's last fill price."""
        # Serialized by hand (same body as PositionOut, which still documents it): the marshmallow dump
        # and jsonify cost more than the query.
        positions = service.list_positions(session=db.session, user=current_principal().user, **args)
        return json_response(positions_json(positions))


@blp.route("/limits")
class Limits(MethodView):
    @auth_required(TRADING_READ)
    @blp.response(200, LimitsOut)
    def get(self) -> Any:
        """Your risk limits and what you have spent in the current day and month (UTC)."""
        return service.get_limits(session=db.session, user=current_principal().user)

    @auth_required(TRADING_WRITE)
    @blp.arguments(limits_in)
    @blp.response(200, LimitsOut)
    def put(self, data: dict[str, Any]) -> Any:
        """Set risk limits: fields sent are set, null removes a limit, fields left out keep their value."""
        return service.set_limits(session=db.session, user=current_principal().user, data=data)


@blp.route("/metrics")
class Metrics(MethodView):
    @auth_required(TRADING_READ)
    @blp.arguments(metrics_args, location="query")
    @blp.response(200, MetricsOut)
    def get(self, args: dict[str, Any]) -> Any:
        """Orders, volume, realized P&L and win rate, overall, per symbol and per UTC day, from aggregates."""
        # Serialized by hand (same body as MetricsOut, which still documents it): a year of days is 365 nested
        # objects, and marshmallow took ~90 ms of the ~130 ms the heavy user's request cost.
        return json_response(metrics_json(service.metrics(session=db.session, user=current_principal().user, **args)))
