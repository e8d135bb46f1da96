from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ai_endpoint import AiEndpoint
from ...models.error import Error
from ...models.request_list import RequestList
from ...models.request_status import RequestStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    before: None | str | Unset = UNSET,
    endpoint: AiEndpoint | Unset = UNSET,
    status: RequestStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_before: None | str | Unset
    if isinstance(before, Unset):
        json_before = UNSET
    else:
        json_before = before
    params["before"] = json_before

    json_endpoint: str | Unset = UNSET
    if not isinstance(endpoint, Unset):
        json_endpoint = endpoint.value

    params["endpoint"] = json_endpoint

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/ai/requests",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RequestList | str | None:
    if response.status_code == 200:
        response_200 = RequestList.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[Error | RequestList | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    before: None | str | Unset = UNSET,
    endpoint: AiEndpoint | Unset = UNSET,
    status: RequestStatus | Unset = UNSET,
) -> Response[Error | RequestList | str]:
    """The caller's own AI requests, newest first; page with `before`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        limit (int | Unset):  Default: 50.
        before (None | str | Unset):
        endpoint (AiEndpoint | Unset):
        status (RequestStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RequestList | str]
    """

    kwargs = _get_kwargs(
        limit=limit,
        before=before,
        endpoint=endpoint,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    before: None | str | Unset = UNSET,
    endpoint: AiEndpoint | Unset = UNSET,
    status: RequestStatus | Unset = UNSET,
) -> Error | RequestList | str | None:
    """The caller's own AI requests, newest first; page with `before`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        limit (int | Unset):  Default: 50.
        before (None | str | Unset):
        endpoint (AiEndpoint | Unset):
        status (RequestStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RequestList | str
    """

    return sync_detailed(
        client=client,
        limit=limit,
        before=before,
        endpoint=endpoint,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    before: None | str | Unset = UNSET,
    endpoint: AiEndpoint | Unset = UNSET,
    status: RequestStatus | Unset = UNSET,
) -> Response[Error | RequestList | str]:
    """The caller's own AI requests, newest first; page with `before`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        limit (int | Unset):  Default: 50.
        before (None | str | Unset):
        endpoint (AiEndpoint | Unset):
        status (RequestStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RequestList | str]
    """

    kwargs = _get_kwargs(
        limit=limit,
        before=before,
        endpoint=endpoint,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    before: None | str | Unset = UNSET,
    endpoint: AiEndpoint | Unset = UNSET,
    status: RequestStatus | Unset = UNSET,
) -> Error | RequestList | str | None:
    """The caller's own AI requests, newest first; page with `before`.

     **Auth:** a bearer token (bearerAuth) or an API key (apiKeyAuth). Scopes: `ai:read`.

    Args:
        limit (int | Unset):  Default: 50.
        before (None | str | Unset):
        endpoint (AiEndpoint | Unset):
        status (RequestStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RequestList | str
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            before=before,
            endpoint=endpoint,
            status=status,
        )
    ).parsed
