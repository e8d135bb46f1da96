from enum import StrEnum


class AiEndpoint(StrEnum):
    BACKTESTS = "backtests"
    RISK_METRICS = "risk-metrics"

    def __str__(self) -> str:
        return str(self.value)
