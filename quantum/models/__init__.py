"""Every SQLModel table, imported so that SQLModel.metadata is complete."""

from quantum.models import base  # noqa: F401  (naming convention before any table)
from quantum.models.portfolio import PortfolioSnapshot
from quantum.models.users import AccountStatus, Tier, User

__all__ = ["AccountStatus", "PortfolioSnapshot", "Tier", "User"]
