from enum import StrEnum


class RequestStatus(StrEnum):
    APPROVED = "approved"
    CANCELLED = "cancelled"
    EXECUTED = "executed"
    EXECUTING = "executing"
    FAILED = "failed"
    PENDING = "pending"
    REJECTED = "rejected"
    VALIDATING = "validating"

    def __str__(self) -> str:
        return str(self.value)
