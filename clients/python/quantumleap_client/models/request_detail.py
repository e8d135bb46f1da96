from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.ai_endpoint import AiEndpoint
from ..models.request_status import RequestStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.request_detail_parameters import RequestDetailParameters
    from ..models.request_detail_result_type_0 import RequestDetailResultType0


T = TypeVar("T", bound="RequestDetail")


@_attrs_define
class RequestDetail:
    """
    Attributes:
        request_id (str | Unset):
        endpoint (AiEndpoint | Unset):
        model (str | Unset):
        template_id (int | None | Unset):
        parameters (RequestDetailParameters | Unset): what was asked (free-form JSON, by endpoint)
        status (RequestStatus | Unset):
        reason (None | str | Unset):
        estimated_cost (str | Unset): compute units
        actual_cost (None | str | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
        result (None | RequestDetailResultType0 | Unset): the computation's output once executed
    """

    request_id: str | Unset = UNSET
    endpoint: AiEndpoint | Unset = UNSET
    model: str | Unset = UNSET
    template_id: int | None | Unset = UNSET
    parameters: RequestDetailParameters | Unset = UNSET
    status: RequestStatus | Unset = UNSET
    reason: None | str | Unset = UNSET
    estimated_cost: str | Unset = UNSET
    actual_cost: None | str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    result: None | RequestDetailResultType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.request_detail_result_type_0 import RequestDetailResultType0  # noqa: PLC0415

        request_id = self.request_id

        endpoint: str | Unset = UNSET
        if not isinstance(self.endpoint, Unset):
            endpoint = self.endpoint.value

        model = self.model

        template_id: int | None | Unset
        if isinstance(self.template_id, Unset):
            template_id = UNSET
        else:
            template_id = self.template_id

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        estimated_cost = self.estimated_cost

        actual_cost: None | str | Unset
        if isinstance(self.actual_cost, Unset):
            actual_cost = UNSET
        else:
            actual_cost = self.actual_cost

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, RequestDetailResultType0):
            result = self.result.to_dict()
        else:
            result = self.result

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint
        if model is not UNSET:
            field_dict["model"] = model
        if template_id is not UNSET:
            field_dict["template_id"] = template_id
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if status is not UNSET:
            field_dict["status"] = status
        if reason is not UNSET:
            field_dict["reason"] = reason
        if estimated_cost is not UNSET:
            field_dict["estimated_cost"] = estimated_cost
        if actual_cost is not UNSET:
            field_dict["actual_cost"] = actual_cost
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.request_detail_parameters import RequestDetailParameters  # noqa: PLC0415
        from ..models.request_detail_result_type_0 import RequestDetailResultType0  # noqa: PLC0415

        d = dict(src_dict)
        request_id = d.pop("request_id", UNSET)

        _endpoint = d.pop("endpoint", UNSET)
        endpoint: AiEndpoint | Unset
        if isinstance(_endpoint, Unset):
            endpoint = UNSET
        else:
            endpoint = AiEndpoint(_endpoint)

        model = d.pop("model", UNSET)

        def _parse_template_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        template_id = _parse_template_id(d.pop("template_id", UNSET))

        _parameters = d.pop("parameters", UNSET)
        parameters: RequestDetailParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = RequestDetailParameters.from_dict(_parameters)

        _status = d.pop("status", UNSET)
        status: RequestStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = RequestStatus(_status)

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        estimated_cost = d.pop("estimated_cost", UNSET)

        def _parse_actual_cost(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actual_cost = _parse_actual_cost(d.pop("actual_cost", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        def _parse_result(data: object) -> None | RequestDetailResultType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = RequestDetailResultType0.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RequestDetailResultType0 | Unset, data)

        result = _parse_result(d.pop("result", UNSET))

        request_detail = cls(
            request_id=request_id,
            endpoint=endpoint,
            model=model,
            template_id=template_id,
            parameters=parameters,
            status=status,
            reason=reason,
            estimated_cost=estimated_cost,
            actual_cost=actual_cost,
            created_at=created_at,
            updated_at=updated_at,
            result=result,
        )

        return request_detail
