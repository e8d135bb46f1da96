from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.token import Token
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/refresh",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Token | None:
    if response.status_code == 200:
        response_200 = Token.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Token]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Token]:
    """Exchange a refresh token (as the bearer token) for a new pair; the old refresh token is revoked.

     Presenting a refresh token again after it was rotated or logged out revokes every token of its
    login (its family), access tokens included: 401 token_revoked with `details.family_revoked`.

    **Auth:** a bearer token (bearerAuth). Scopes: none beyond a valid credential.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Token]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Error | Token | None:
    """Exchange a refresh token (as the bearer token) for a new pair; the old refresh token is revoked.

     Presenting a refresh token again after it was rotated or logged out revokes every token of its
    login (its family), access tokens included: 401 token_revoked with `details.family_revoked`.

    **Auth:** a bearer token (bearerAuth). Scopes: none beyond a valid credential.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Token
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Token]:
    """Exchange a refresh token (as the bearer token) for a new pair; the old refresh token is revoked.

     Presenting a refresh token again after it was rotated or logged out revokes every token of its
    login (its family), access tokens included: 401 token_revoked with `details.family_revoked`.

    **Auth:** a bearer token (bearerAuth). Scopes: none beyond a valid credential.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Token]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Error | Token | None:
    """Exchange a refresh token (as the bearer token) for a new pair; the old refresh token is revoked.

     Presenting a refresh token again after it was rotated or logged out revokes every token of its
    login (its family), access tokens included: 401 token_revoked with `details.family_revoked`.

    **Auth:** a bearer token (bearerAuth). Scopes: none beyond a valid credential.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Token
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
