"""Every SQLModel table, imported so that SQLModel.metadata is complete."""

import quantum.ai.models  # noqa: F401  (strategy_templates, price_bars, requests, policies; plain import as above)
import quantum.auth.models  # noqa: F401  (token_blocklist, api_keys, audit_log; a plain import survives the cycle)
from quantum.models import base  # noqa: F401  (naming convention before any table)
from quantum.models.portfolio import PortfolioSnapshot
from quantum.models.users import AccountStatus, Tier, User, UserRole

__all__ = ["AccountStatus", "PortfolioSnapshot", "Tier", "User", "UserRole"]
