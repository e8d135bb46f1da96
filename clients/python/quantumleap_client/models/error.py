from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_details import ErrorDetails


T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """
    Attributes:
        error (str): a stable, machine-readable name Example: not_found.
        message (str): for humans Example: no such resource.
        details (ErrorDetails): more about the error; for 422, each bad field and its problems Example: {}.
        error_code (str): a stable code Example: GEN_404.
        retry_after (int | Unset): seconds to wait before retrying (429 and 503 only) Example: 5.
    """

    error: str
    message: str
    details: ErrorDetails
    error_code: str
    retry_after: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        message = self.message

        details = self.details.to_dict()

        error_code = self.error_code

        retry_after = self.retry_after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "error": error,
                "message": message,
                "details": details,
                "error_code": error_code,
            }
        )
        if retry_after is not UNSET:
            field_dict["retry_after"] = retry_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_details import ErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        error = d.pop("error")

        message = d.pop("message")

        details = ErrorDetails.from_dict(d.pop("details"))

        error_code = d.pop("error_code")

        retry_after = d.pop("retry_after", UNSET)

        error = cls(
            error=error,
            message=message,
            details=details,
            error_code=error_code,
            retry_after=retry_after,
        )

        return error
