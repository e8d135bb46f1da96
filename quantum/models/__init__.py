"""Every SQLModel table, imported so that SQLModel.metadata is complete."""

import quantum.ai.models  # noqa: F401  (strategy_templates, price_bars, requests, policies; plain import as above)
import quantum.auth.models  # noqa: F401  (token_blocklist, api_keys, audit_log; a plain import survives the cycle)
from quantum.models import base  # noqa: F401  (naming convention before any table)
from quantum.models.portfolio import PortfolioSnapshot
from quantum.models.users import AccountStatus, Tier, User, UserRole
from quantum.portfolio.models import Balance, Payment, PaymentStatus
from quantum.trading.models import Budget, DailyMetric, Fill, Order, OrderSide, OrderStatus, Position, SymbolMetric

__all__ = [
    "AccountStatus", "Balance", "Budget", "DailyMetric", "Fill", "Order", "OrderSide", "OrderStatus", "Payment",
    "PaymentStatus", "PortfolioSnapshot", "Position", "SymbolMetric", "Tier", "User", "UserRole",
]
