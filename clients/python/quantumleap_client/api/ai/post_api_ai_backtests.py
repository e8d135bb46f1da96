from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backtest import Backtest
from ...models.backtest_in import BacktestIn
from ...models.error import Error
from ...models.request import Request
from ...types import Response


def _get_kwargs(
    *,
    body: BacktestIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/ai/backtests",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Backtest | Error | Request | None:
    if response.status_code == 201:
        response_201 = Backtest.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = Request.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Backtest | Error | Request]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BacktestIn,
) -> Response[Backtest | Error | Request]:
    """Run a strategy template over the stored bars of a symbol: trades, equity curve and metrics.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        body (BacktestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Backtest | Error | Request]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BacktestIn,
) -> Backtest | Error | Request | None:
    """Run a strategy template over the stored bars of a symbol: trades, equity curve and metrics.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        body (BacktestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Backtest | Error | Request
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BacktestIn,
) -> Response[Backtest | Error | Request]:
    """Run a strategy template over the stored bars of a symbol: trades, equity curve and metrics.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        body (BacktestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Backtest | Error | Request]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BacktestIn,
) -> Backtest | Error | Request | None:
    """Run a strategy template over the stored bars of a symbol: trades, equity curve and metrics.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        body (BacktestIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Backtest | Error | Request
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
