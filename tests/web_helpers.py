"""Helpers for HTML tests: CSRF-aware form posts and logging in through the login form."""

from __future__ import annotations

import httpx

from tests.conftest import PASSWORD


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    if "mn_csrf" not in client.cookies:
        await client.get(path)
    return client.cookies["mn_csrf"]


async def post_form(client: httpx.AsyncClient, path: str, data: dict, **kwargs) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response
