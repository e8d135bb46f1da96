from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.position_out import PositionOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    include_flat: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_flat"] = include_flat

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/trading/positions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[PositionOut] | str | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = PositionOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[Error | list[PositionOut] | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    include_flat: bool | Unset = False,
) -> Response[Error | list[PositionOut] | str]:
    """Your open positions, valued at each symbol's last fill price.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `trading:read`.

    Args:
        include_flat (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[PositionOut] | str]
    """

    kwargs = _get_kwargs(
        include_flat=include_flat,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    include_flat: bool | Unset = False,
) -> Error | list[PositionOut] | str | None:
    """Your open positions, valued at each symbol's last fill price.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `trading:read`.

    Args:
        include_flat (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[PositionOut] | str
    """

    return sync_detailed(
        client=client,
        include_flat=include_flat,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    include_flat: bool | Unset = False,
) -> Response[Error | list[PositionOut] | str]:
    """Your open positions, valued at each symbol's last fill price.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `trading:read`.

    Args:
        include_flat (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[PositionOut] | str]
    """

    kwargs = _get_kwargs(
        include_flat=include_flat,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    include_flat: bool | Unset = False,
) -> Error | list[PositionOut] | str | None:
    """Your open positions, valued at each symbol's last fill price.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `trading:read`.

    Args:
        include_flat (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[PositionOut] | str
    """

    return (
        await asyncio_detailed(
            client=client,
            include_flat=include_flat,
        )
    ).parsed
