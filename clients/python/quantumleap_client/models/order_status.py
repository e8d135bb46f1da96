from enum import StrEnum


class OrderStatus(StrEnum):
    FILLED = "filled"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
