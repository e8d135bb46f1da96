"""The /api/ai routes: strategy templates, risk metrics, price bars, backtests and the caller's AI requests.

Scopes: every route here needs `ai:read`, backtests included. The free tier's scopes hold `ai:read` but not
`ai:run`, and the issue gives the free tier a small daily quota of backtests, so requiring `ai:run` would
lock free users out entirely; the per-tier policy (daily limits, min_tier, cost ceilings) is what tells the
tiers apart. Writing market data needs the admin role.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from flask.wrappers import Response
from flask_smorest import Blueprint

from quantum.ai import schemas, service
from quantum.ai.models import AIRequest
from quantum.auth.decorators import admin_required, auth_required, current_principal
from quantum.auth.models import Tier
from quantum.auth.scopes import AI_READ
from quantum.config import current_settings
from quantum.errors import ValidationFailed
from quantum.extensions import db

blp = Blueprint("ai", __name__, url_prefix="/api/ai", description="Strategy templates, risk metrics, backtests")

POLICY_ERRORS = {
    "403": {"description": "A policy rule refused it (policy_violation; details.rule names the rule)"},
    "429": {"description": "The daily limit is used up (rate_limited; retry_after = seconds to 00:00 UTC)"},
}




def _pending(request: AIRequest) -> Response:
    """202 with the request: it waits for an administrator."""
    response = jsonify(schemas.RequestSchema().dump(request))
    response.status_code = 202
    return response


@blp.route("/strategy-templates")
class Templates(MethodView):
    @auth_required(AI_READ)
    @blp.arguments(schemas.TemplateArgsSchema, location="query")
    @blp.response(200, schemas.TemplateSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List strategy templates, optionally by category and by the tier that may run them."""
        user = current_principal().user
        templates = service.list_templates(session=db.session, category=args.get("category"), tier=args.get("tier"))
        return [_template(t, user) for t in templates]


@blp.route("/strategy-templates/<int:template_id>")
class TemplateItem(MethodView):
    @auth_required(AI_READ)
    @blp.response(200, schemas.TemplateSchema)
    @blp.alt_response(404, description="No such template")
    def get(self, template_id: int) -> Any:
        """One strategy template with its parameters' types, defaults and bounds."""
        return _template(service.get_template(session=db.session, template_id=template_id), current_principal().user)


def _template(template: Any, user: Any) -> dict[str, Any]:
    fields = schemas.TemplateSchema().fields
    body = {name: getattr(template, name) for name in fields if name != "available"}
    body["available"] = service.available_to(user, template)
    return body


@blp.route("/risk-metrics")
class RiskMetrics(MethodView):
    @auth_required(AI_READ)
    @blp.arguments(schemas.RiskArgsSchema, location="query")
    @blp.response(200, schemas.RiskMetricsSchema)
    @blp.alt_response(202, schema=schemas.RequestSchema,
                      description="Waiting for approval (a policy whose approval_cost gates even risk metrics)")
    @blp.doc(responses=POLICY_ERRORS)
    def get(self, args: dict[str, Any]) -> Any:
        """Volatility, VaR, CVaR, drawdown and Sharpe of the caller's newest `window` portfolio snapshots."""
        body = service.risk_metrics(
            session=db.session, user=current_principal().user, window=args["window"],
            risk_free_rate=current_settings().ai.risk_free_rate,
        )
        if "pending" in body:
            return _pending(body["pending"])
        return body


@blp.route("/price-bars")
class PriceBars(MethodView):
    @admin_required
    @blp.arguments(schemas.PriceBarsInSchema)
    @blp.response(201, schemas.PriceBarsResultSchema)
    @blp.alt_response(409, description="A bar for that symbol and timestamp is already stored")
    def post(self, data: dict[str, Any]) -> Any:
        """Store OHLCV bars (admin); all of them or, on any bad bar, none."""
        return service.store_bars(session=db.session, bars=data["bars"])


@blp.route("/symbols")
class Symbols(MethodView):
    @auth_required(AI_READ)
    @blp.response(200, schemas.SymbolSchema(many=True))
    def get(self) -> Any:
        """Symbols with stored bars: how many and from when to when."""
        return service.symbols(session=db.session)


@blp.route("/backtests")
class Backtests(MethodView):
    @auth_required(AI_READ)
    @blp.arguments(schemas.BacktestInSchema)
    @blp.response(201, schemas.BacktestSchema)
    @blp.alt_response(202, schema=schemas.RequestSchema, description="Waiting for approval (cost above the threshold)")
    @blp.alt_response(404, description="No such template")
    @blp.doc(responses=POLICY_ERRORS)
    def post(self, data: dict[str, Any]) -> Any:
        """Run a strategy template over the stored bars of a symbol: trades, equity curve and metrics."""
        outcome = service.run_backtest(session=db.session, user=current_principal().user, data=data)
        if outcome.result is None:
            return _pending(outcome.request)
        return {**outcome.result, "request_id": outcome.request.request_id, "status": outcome.request.status.value}


@blp.route("/requests")
class Requests(MethodView):
    @auth_required(AI_READ)
    @blp.arguments(schemas.RequestListArgsSchema, location="query")
    @blp.response(200, schemas.RequestListSchema)
    @blp.alt_response(404, description="The `before` cursor names no request of yours (not_found)")
    def get(self, args: dict[str, Any]) -> Any:
        """The caller's own AI requests, newest first; page with `before`."""
        items = service.list_requests(session=db.session, user=current_principal().user, **args)
        next_before = items[-1].request_id if len(items) == args["limit"] else None
        return {"items": items, "next_before": next_before}


@blp.route("/requests/<request_id>")
class RequestItem(MethodView):
    @auth_required(AI_READ)
    @blp.response(200, schemas.RequestDetailSchema)
    @blp.alt_response(404, description="No such request among the caller's")
    def get(self, request_id: str) -> Any:
        """One of the caller's requests, with its result once executed."""
        return service.get_request(session=db.session, request_id=request_id, user=current_principal().user)


@blp.route("/requests/<request_id>/cancel")
class RequestCancel(MethodView):
    @auth_required(AI_READ)
    @blp.response(200, schemas.RequestSchema)
    @blp.alt_response(409, description="The request is not pending")
    def post(self, request_id: str) -> Any:
        """Withdraw one of the caller's pending requests."""
        return service.cancel_request(session=db.session, user=current_principal().user, request_id=request_id)


@blp.route("/requests/<request_id>/approve")
class RequestApprove(MethodView):
    @admin_required
    @blp.response(200, schemas.RequestDetailSchema)
    @blp.alt_response(409, description="The request is not pending")
    def post(self, request_id: str) -> Any:
        """Approve a pending request and run it (admin)."""
        return service.decide_request(session=db.session, request_id=request_id, approve=True)


@blp.route("/requests/<request_id>/reject")
class RequestReject(MethodView):
    @admin_required
    @blp.arguments(schemas.DecisionSchema)
    @blp.response(200, schemas.RequestSchema)
    @blp.alt_response(409, description="The request is not pending")
    def post(self, data: dict[str, Any], request_id: str) -> Any:
        """Reject a pending request (admin)."""
        return service.decide_request(session=db.session, request_id=request_id, approve=False, note=data.get("note"))


@blp.route("/policy")
class PolicyView(MethodView):
    @auth_required(AI_READ)
    @blp.response(200, schemas.PolicySchema)
    def get(self) -> Any:
        """The governance rules that apply to the caller, and today's usage."""
        return service.policy_overview(session=db.session, user=current_principal().user)


@blp.route("/policies")
class Policies(MethodView):
    @admin_required
    @blp.response(200, schemas.PolicyOutSchema(many=True))
    def get(self) -> Any:
        """Every policy: the tiers' and the users' own (admin)."""
        return service.list_policies(session=db.session)


@blp.route("/policies/tiers/<tier>")
class TierPolicy(MethodView):
    @admin_required
    @blp.arguments(schemas.PolicyInSchema)
    @blp.response(200, schemas.PolicyOutSchema)
    def put(self, data: dict[str, Any], tier: str) -> Any:
        """Replace a tier's policy (admin); null fields mean no limit."""
        try:
            subject = Tier(tier)
        except ValueError:
            raise ValidationFailed(f"unknown tier {tier!r}", details={"tier": "must be free, pro or enterprise"}) \
                from None
        return service.put_policy(session=db.session, data=data, tier=subject)


@blp.route("/policies/users/<int:user_id>")
class UserPolicy(MethodView):
    @admin_required
    @blp.arguments(schemas.PolicyInSchema)
    @blp.response(200, schemas.PolicyOutSchema)
    @blp.alt_response(404, description="No such user")
    def put(self, data: dict[str, Any], user_id: int) -> Any:
        """Give a user their own policy (admin); null fields fall back to their tier's."""
        return service.put_policy(session=db.session, data=data, user_id=user_id)

    @admin_required
    @blp.response(204)
    @blp.alt_response(404, description="The user has no policy of their own")
    def delete(self, user_id: int) -> None:
        """Remove a user's own policy (admin): their tier's applies again."""
        service.delete_user_policy(session=db.session, user_id=user_id)
