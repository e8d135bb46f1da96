from enum import StrEnum


class TradingStatus(StrEnum):
    ACTIVE = "active"
    DEGRADED = "degraded"

    def __str__(self) -> str:
        return str(self.value)
