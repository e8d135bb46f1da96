from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.request import Request
from ...models.risk_metrics import RiskMetrics
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    window: int | Unset = 252,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["window"] = window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/ai/risk-metrics",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Request | RiskMetrics | str | None:
    if response.status_code == 200:
        response_200 = RiskMetrics.from_dict(response.json())

        return response_200

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

    if response.status_code == 414:
        response_414 = response.text
        return response_414

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
) -> Response[Error | Request | RiskMetrics | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    window: int | Unset = 252,
) -> Response[Error | Request | RiskMetrics | str]:
    """Volatility, VaR, CVaR, drawdown and Sharpe of the caller's newest `window` portfolio snapshots.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        window (int | Unset):  Default: 252.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Request | RiskMetrics | str]
    """

    kwargs = _get_kwargs(
        window=window,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    window: int | Unset = 252,
) -> Error | Request | RiskMetrics | str | None:
    """Volatility, VaR, CVaR, drawdown and Sharpe of the caller's newest `window` portfolio snapshots.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        window (int | Unset):  Default: 252.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Request | RiskMetrics | str
    """

    return sync_detailed(
        client=client,
        window=window,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    window: int | Unset = 252,
) -> Response[Error | Request | RiskMetrics | str]:
    """Volatility, VaR, CVaR, drawdown and Sharpe of the caller's newest `window` portfolio snapshots.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        window (int | Unset):  Default: 252.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Request | RiskMetrics | str]
    """

    kwargs = _get_kwargs(
        window=window,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    window: int | Unset = 252,
) -> Error | Request | RiskMetrics | str | None:
    """Volatility, VaR, CVaR, drawdown and Sharpe of the caller's newest `window` portfolio snapshots.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        window (int | Unset):  Default: 252.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Request | RiskMetrics | str
    """

    return (
        await asyncio_detailed(
            client=client,
            window=window,
        )
    ).parsed
