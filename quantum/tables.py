"""Every table, registered on SQLModel.metadata: imported only by the app factory, the migrations and the schema target.

Each domain owns its tables (`quantum/<domain>/models.py`); nothing else imports this module, so no
domain depends on another through it.
"""

from sqlmodel import SQLModel

import quantum.ai.models  # noqa: F401  (strategy templates, price bars, AI requests and policies)
import quantum.auth.models  # noqa: F401  (users, revoked tokens, API keys, the audit log)
import quantum.cash.models  # noqa: F401  (balances and payments)
import quantum.portfolio.models  # noqa: F401  (snapshots and their archive twin)
import quantum.trading.models  # noqa: F401  (orders, fills, positions, budgets, metrics, archive twins)

metadata = SQLModel.metadata

__all__ = ["metadata"]
