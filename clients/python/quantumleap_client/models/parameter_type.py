from enum import StrEnum


class ParameterType(StrEnum):
    FLOAT = "float"
    INT = "int"
    SYMBOL = "symbol"

    def __str__(self) -> str:
        return str(self.value)
