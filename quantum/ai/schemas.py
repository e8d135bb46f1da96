"""Request and response schemas (marshmallow) of the /api/ai routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from quantum import fields as numbers
from quantum.ai import service
from quantum.ai.backtest import SYMBOL_PATTERN
from quantum.ai.models import RequestStatus, RiskLevel
from quantum.auth.models import Tier
from quantum.openapi import string_enum

#: What a strategy template's parameter holds (ParameterSpec.type).
PARAMETER_TYPES = ("int", "float", "symbol")
#: The governed AI endpoints, as recorded on each request.
AI_ENDPOINTS = (service.RISK_ENDPOINT, service.BACKTEST_ENDPOINT)
#: A parameter's value, default or bound: a number, or a ticker for `symbol` parameters.
NUMBER_OR_STRING: list[dict[str, Any]] = [{"type": "number"}, {"type": "string"}]


class Timestamp(fields.DateTime):
    """An ISO 8601 date or datetime in, UTC out (a bare date is its midnight UTC; a naive time is UTC).

    A DateTime for the document (`string`, `date-time`); parsing and formatting are its own.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return service.parse_timestamp(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value is not None else None


def _symbol_field(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(SYMBOL_PATTERN, error="must be a ticker symbol (letters, digits, . - / ^ =)"),
        metadata={"example": "AAPL"},
        **kwargs,
    )


def _upper_symbol(data: Any, name: str = "symbol") -> Any:
    if isinstance(data, dict) and isinstance(data.get(name), str):
        data = {**data, name: data[name].strip().upper()}
    return data


# --- strategy templates -------------------------------------------------------------------------------------------


def _parameter_value(description: str) -> fields.Raw:
    return fields.Raw(allow_none=True, metadata={"anyOf": NUMBER_OR_STRING, "description": description})


class ParameterSpecSchema(Schema):
    name = fields.String()
    type = string_enum("ParameterType", PARAMETER_TYPES, metadata={"description": "int, float or symbol"})
    default = _parameter_value("the value used when the backtest leaves the parameter out")
    min = _parameter_value("the smallest value allowed (numbers only)")
    max = _parameter_value("the largest value allowed (numbers only)")
    description = fields.String()


class TemplateSchema(Schema):
    id = fields.Integer()
    slug = fields.String(metadata={"example": "sma_crossover"})
    name = fields.String()
    description = fields.String()
    category = fields.String()
    risk_level = fields.Enum(RiskLevel, by_value=True)
    min_tier = fields.Enum(Tier, by_value=True)
    parameters = fields.List(fields.Nested(ParameterSpecSchema))
    available = fields.Boolean(metadata={"description": "whether the caller's tier reaches min_tier"})


class TemplateArgsSchema(Schema):
    category = fields.String(validate=validate.Length(max=32))
    tier = fields.Enum(Tier, by_value=True, metadata={"description": "only templates this tier may run"})


# --- risk metrics -------------------------------------------------------------------------------------------------


class RiskArgsSchema(Schema):
    window = numbers.Integer(
        load_default=service.DEFAULT_WINDOW,
        validate=validate.Range(min=2, max=service.MAX_WINDOW),
        metadata={"description": "how many of the newest snapshots to use"},
    )


class RiskMetricsSchema(Schema):
    request_id = fields.String()
    observations = fields.Integer(metadata={"description": "snapshots used"})
    returns = fields.Integer(metadata={"description": "simple returns between consecutive snapshots"})
    volatility = fields.Float(allow_none=True, metadata={"description": "annualized, sample stdev x sqrt(252)"})
    var_95 = fields.Float(allow_none=True, metadata={"description": "historical VaR at 95%, a positive loss"})
    cvar_95 = fields.Float(allow_none=True, metadata={"description": "mean of the returns at or below the VaR"})
    max_drawdown = fields.Float(allow_none=True)
    drawdown_peak_at = Timestamp(allow_none=True)
    drawdown_trough_at = Timestamp(allow_none=True)
    sharpe_ratio = fields.Float(allow_none=True)
    mean_return = fields.Float(allow_none=True)
    total_return = fields.Float(allow_none=True)
    window = fields.Integer()
    start = Timestamp(allow_none=True)
    end = Timestamp(allow_none=True)
    risk_free_rate = fields.Float()
    periods_per_year = fields.Integer()
    confidence = fields.Float()
    reason = fields.String(allow_none=True, metadata={"description": "why some metrics are null"})


# --- price bars ---------------------------------------------------------------------------------------------------


_PRICE = ("a price above 0 and below 10^12: a JSON number or a string of ASCII digits with at most one '.' "
          "(pattern " + numbers.DECIMAL_PATTERN + ")")


def _bar_value(example: str, description: str = _PRICE) -> fields.Raw:
    # Raw: each bar is checked by service.validate_bar, which names every bad field of every bar at once.
    return fields.Raw(required=True, metadata={
        "type": "string", "format": "decimal", "example": example, "description": description,
    })


class PriceBarInSchema(Schema):
    symbol = fields.Raw(required=True, metadata={"type": "string", "example": "AAPL"})
    ts = fields.Raw(required=True, metadata={
        "type": "string", "format": "date-time", "example": "2024-01-02T00:00:00Z",
        "description": "an ISO 8601 datetime (or date: its midnight); naive times are UTC",
    })
    open = _bar_value("187.15")
    high = _bar_value("188.44")
    low = _bar_value("183.89")
    close = _bar_value("185.64")
    volume = _bar_value("82488700", _PRICE.replace("above 0", "of 0 or more"))


class PriceBarsInSchema(Schema):
    bars = fields.List(fields.Nested(PriceBarInSchema), required=True, validate=validate.Length(min=1, max=10_000))


class PriceBarsResultSchema(Schema):
    inserted = fields.Integer()
    symbols = fields.List(fields.String())


class SymbolSchema(Schema):
    symbol = fields.String()
    bars = fields.Integer()
    first = Timestamp()
    last = Timestamp()


# --- backtests ----------------------------------------------------------------------------------------------------


class BacktestInSchema(Schema):
    template_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=service.MAX_ID), metadata={"example": 1}
    )
    symbol = _symbol_field(required=True)
    parameters = fields.Dict(
        keys=fields.String(), load_default=dict,
        metadata={"example": {"fast": 10, "slow": 30}, "additionalProperties": {"anyOf": NUMBER_OR_STRING}},
    )
    start = Timestamp(load_default=None, allow_none=True, metadata={"example": "2024-01-01"})
    end = Timestamp(load_default=None, allow_none=True, metadata={"example": "2024-12-31"})

    @pre_load
    def _normalize(self, data: Any, **_kwargs: Any) -> Any:
        return _upper_symbol(data)


class TradeSchema(Schema):
    symbol = fields.String()
    side = string_enum("TradeSide", ("long", "short"))
    quantity = fields.Decimal(as_string=True)
    entry_at = Timestamp()
    entry_price = fields.Decimal(as_string=True)
    exit_at = Timestamp(allow_none=True)
    exit_price = fields.Decimal(as_string=True, allow_none=True)
    fees = fields.Decimal(as_string=True)
    pnl = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "unrealized while open"})
    # `return` is a keyword; data_key keeps the JSON name.
    return_ = fields.Float(data_key="return", attribute="return", allow_none=True)
    open = fields.Boolean()


class EquityPointSchema(Schema):
    ts = Timestamp()
    equity = fields.Decimal(as_string=True)


class BacktestMetricsSchema(Schema):
    initial_equity = fields.Decimal(as_string=True)
    final_equity = fields.Decimal(as_string=True)
    total_return = fields.Float()
    volatility = fields.Float(allow_none=True)
    max_drawdown = fields.Float(allow_none=True)
    drawdown_peak_at = Timestamp(allow_none=True)
    drawdown_trough_at = Timestamp(allow_none=True)
    sharpe_ratio = fields.Float(allow_none=True)
    win_rate = fields.Float(allow_none=True, metadata={"description": "winning round trips / closed round trips"})
    round_trips = fields.Integer()
    trades = fields.Integer()


class TemplateRefSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()


class BacktestSchema(Schema):
    request_id = fields.String()
    status = string_enum("RequestStatus", RequestStatus)
    template = fields.Nested(TemplateRefSchema)
    symbol = fields.String()
    parameters = fields.Dict(
        keys=fields.String(),
        metadata={"description": "the template's parameters, defaults filled in",
                  "additionalProperties": {"anyOf": NUMBER_OR_STRING}},
    )
    start = Timestamp()
    end = Timestamp()
    bars = fields.Integer()
    trades = fields.List(fields.Nested(TradeSchema))
    equity_curve = fields.List(fields.Nested(EquityPointSchema))
    metrics = fields.Nested(BacktestMetricsSchema)
    warnings = fields.List(fields.String())


# --- requests -----------------------------------------------------------------------------------------------------


class RequestSchema(Schema):
    request_id = fields.String()
    endpoint = string_enum("AiEndpoint", AI_ENDPOINTS)
    model = fields.String()
    template_id = fields.Integer(allow_none=True)
    parameters = fields.Dict(metadata={"description": "what was asked (free-form JSON, by endpoint)"})
    status = fields.Enum(RequestStatus, by_value=True)
    reason = fields.String(allow_none=True)
    estimated_cost = fields.Decimal(as_string=True, metadata={"description": "compute units"})
    actual_cost = fields.Decimal(as_string=True, allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class RequestDetailSchema(RequestSchema):
    result = fields.Dict(allow_none=True, metadata={"description": "the computation's output once executed"})


class RequestListArgsSchema(Schema):
    limit = numbers.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    before = fields.String(
        load_default=None, metadata={"description": "request_id of the last item of the previous page"}
    )
    endpoint = string_enum("AiEndpoint", AI_ENDPOINTS)
    status = fields.Enum(RequestStatus, by_value=True)


class RequestListSchema(Schema):
    items = fields.List(fields.Nested(RequestSchema))
    next_before = fields.String(allow_none=True)


class DecisionSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PolicySchema(Schema):
    allowed_templates = fields.List(fields.String(), allow_none=True)
    daily_limits = fields.Dict(keys=fields.String(), values=fields.Integer())
    approval_cost = fields.Decimal(as_string=True, allow_none=True)
    max_cost = fields.Decimal(as_string=True, allow_none=True)
    sources = fields.Dict(keys=fields.String(), values=fields.String())
    used_today = fields.Dict(keys=fields.String(), values=fields.Integer())
    resets_at = Timestamp()


def _cost_field() -> fields.Decimal:
    return numbers.Decimal(
        load_default=None, allow_none=True, places=4, as_string=True,
        validate=validate.Range(min=0, max=10**9), metadata={"description": "compute units; null: no threshold"},
    )


class PolicyInSchema(Schema):
    allowed_templates = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), load_default=None, allow_none=True,
        metadata={"description": "template slugs; null: every template the tier reaches"},
    )
    daily_limits = fields.Dict(
        keys=fields.String(validate=validate.OneOf(AI_ENDPOINTS)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=10**9)),
        load_default=None, allow_none=True,
        metadata={"description": "requests per UTC day per endpoint; a missing endpoint is unlimited",
                  "example": {"backtests": 5, "risk-metrics": 1000}},
    )
    approval_cost = _cost_field()
    max_cost = _cost_field()


class PolicyOutSchema(Schema):
    id = fields.Integer()
    tier = fields.Enum(Tier, by_value=True, allow_none=True)
    user_id = fields.Integer(allow_none=True)
    allowed_templates = fields.List(fields.String(), allow_none=True)
    daily_limits = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    approval_cost = fields.Decimal(as_string=True, allow_none=True)
    max_cost = fields.Decimal(as_string=True, allow_none=True)
    updated_at = Timestamp()
