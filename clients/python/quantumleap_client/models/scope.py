from enum import StrEnum


class Scope(StrEnum):
    ADMIN = "admin"
    AIREAD = "ai:read"
    AIRUN = "ai:run"
    PORTFOLIOREAD = "portfolio:read"
    PORTFOLIOWRITE = "portfolio:write"
    TRADINGREAD = "trading:read"
    TRADINGWRITE = "trading:write"

    def __str__(self) -> str:
        return str(self.value)
