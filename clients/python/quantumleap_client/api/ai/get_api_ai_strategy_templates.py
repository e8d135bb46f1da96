from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.template import Template
from ...models.tier import Tier
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    category: str | Unset = UNSET,
    tier: Tier | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["category"] = category

    json_tier: str | Unset = UNSET
    if not isinstance(tier, Unset):
        json_tier = tier.value

    params["tier"] = json_tier

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/ai/strategy-templates",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[Template] | str | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Template.from_dict(response_200_item_data)

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
) -> Response[Error | list[Template] | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    category: str | Unset = UNSET,
    tier: Tier | Unset = UNSET,
) -> Response[Error | list[Template] | str]:
    """List strategy templates, optionally by category and by the tier that may run them.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        category (str | Unset):
        tier (Tier | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[Template] | str]
    """

    kwargs = _get_kwargs(
        category=category,
        tier=tier,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    category: str | Unset = UNSET,
    tier: Tier | Unset = UNSET,
) -> Error | list[Template] | str | None:
    """List strategy templates, optionally by category and by the tier that may run them.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        category (str | Unset):
        tier (Tier | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[Template] | str
    """

    return sync_detailed(
        client=client,
        category=category,
        tier=tier,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    category: str | Unset = UNSET,
    tier: Tier | Unset = UNSET,
) -> Response[Error | list[Template] | str]:
    """List strategy templates, optionally by category and by the tier that may run them.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        category (str | Unset):
        tier (Tier | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[Template] | str]
    """

    kwargs = _get_kwargs(
        category=category,
        tier=tier,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    category: str | Unset = UNSET,
    tier: Tier | Unset = UNSET,
) -> Error | list[Template] | str | None:
    """List strategy templates, optionally by category and by the tier that may run them.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        category (str | Unset):
        tier (Tier | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[Template] | str
    """

    return (
        await asyncio_detailed(
            client=client,
            category=category,
            tier=tier,
        )
    ).parsed
