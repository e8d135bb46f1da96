"""Every SQLModel table, imported so that SQLModel.metadata is complete."""

from quantum.models import base  # noqa: F401  (naming convention before any table)
from quantum.models.portfolio import PortfolioSnapshot
from quantum.models.users import AccountStatus, Tier, User

# The AI service keeps its tables in its own package; importing the module registers them.
import quantum.ai.models  # noqa: E402, F401, I001

__all__ = ["AccountStatus", "PortfolioSnapshot", "Tier", "User"]
