from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_list import AuditList
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    user_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_user_id: int | None | Unset
    if isinstance(user_id, Unset):
        json_user_id = UNSET
    else:
        json_user_id = user_id
    params["user_id"] = json_user_id

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    params["limit"] = limit

    json_before_id: int | None | Unset
    if isinstance(before_id, Unset):
        json_before_id = UNSET
    else:
        json_before_id = before_id
    params["before_id"] = json_before_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/admin/audit-log",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuditList | Error | str | None:
    if response.status_code == 200:
        response_200 = AuditList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 414:
        response_414 = response.text
        return response_414

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AuditList | Error | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    user_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> Response[AuditList | Error | str]:
    """Audit entries newest first; page with `before_id`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `admin`. Role: `admin`.

    Args:
        user_id (int | None | Unset):
        action (None | str | Unset):
        limit (int | Unset):  Default: 50.
        before_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | Error | str]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        action=action,
        limit=limit,
        before_id=before_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    user_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> AuditList | Error | str | None:
    """Audit entries newest first; page with `before_id`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `admin`. Role: `admin`.

    Args:
        user_id (int | None | Unset):
        action (None | str | Unset):
        limit (int | Unset):  Default: 50.
        before_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | Error | str
    """

    return sync_detailed(
        client=client,
        user_id=user_id,
        action=action,
        limit=limit,
        before_id=before_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    user_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> Response[AuditList | Error | str]:
    """Audit entries newest first; page with `before_id`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `admin`. Role: `admin`.

    Args:
        user_id (int | None | Unset):
        action (None | str | Unset):
        limit (int | Unset):  Default: 50.
        before_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | Error | str]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        action=action,
        limit=limit,
        before_id=before_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    user_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> AuditList | Error | str | None:
    """Audit entries newest first; page with `before_id`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `admin`. Role: `admin`.

    Args:
        user_id (int | None | Unset):
        action (None | str | Unset):
        limit (int | Unset):  Default: 50.
        before_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | Error | str
    """

    return (
        await asyncio_detailed(
            client=client,
            user_id=user_id,
            action=action,
            limit=limit,
            before_id=before_id,
        )
    ).parsed
