"""The booking request served below the framework: ``POST /api/v1/bookings`` in its ordinary case.

The busiest route's own work (token, network, validation, the service's two statements, the answer)
cost less CPU than the framework's routing, dependency injection, middleware and response machinery
and the ORM session around it (figures in ``docs/operations.md``, "Booking throughput"). The lane
takes the same steps as the route and its dependencies, in the same order and through the same
functions, on a connection of the app's pool without a session (``pooled.PooledTransaction``):

1. the bearer token (``accounts.actor_from_token_on``: the token cache, else the same statement),
2. the transaction, inside the actor's network (``BEGIN`` and ``SET LOCAL mn.network_id`` in one
   round trip, as ``db.use_network`` sends them),
3. the body: JSON decoded as the framework decodes it, then ``BookingCreate.model_validate``,
4. ``bookings.service.request_on`` (what the route's ``service.request`` runs) and ``BookingPublic``,
   encoded as the framework encodes it (``model_dump(mode="json")``, then JSON),
5. commit before the answer starts, the connection back to the pool.

It answers only a success (201); every other answer comes from the app, from the one place that
makes it, so the route, its OpenAPI description and its tests stay the app's:

- a request the lane does not take (no bearer token or JSON body, a body too large or nested too
  deep, a request for the waiting list), an unknown token, or a body that fails validation goes to
  the app unchanged, from its start;
- anything the service refuses or any error on the way (403, 404, 409, 422, a busy pool, a lost
  connection, a failed commit) is rolled back, and the request goes to the app with the exception in
  its scope (``LANE_ERROR``): the app's first hook (``middleware.guard_request``) raises it again, so the
  app's exception handlers answer it, without doing the work a second time.

Served processes have it (``app.create_app`` with an engine); apps on a test's connection do not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from machinery_network.accounts.service import actor_from_token_on
from machinery_network.api import API_PREFIX
from machinery_network.bookings import service
from machinery_network.bookings.schemas import BookingCreate, BookingPublic
from machinery_network.config import Settings
from machinery_network.db import OPERATOR_NETWORK
from machinery_network.pooled import PooledTransaction

LANE_ERROR = "mn_lane_error"
"""Scope key: the exception that ended the lane's attempt, for the app to raise and answer."""
PATHS = frozenset({f"{API_PREFIX}/bookings", f"{API_PREFIX}/bookings/"})
_JSON = b"application/json"


class BookingLane:
    """An ASGI app in front of ``app``: serves ``POST /api/v1/bookings`` when it succeeds, hands
    everything else to ``app``. ``too_deep(body)`` is the app's nesting guard, ``max_body`` its body
    size limit."""

    def __init__(
        self, app: Any, engine: AsyncEngine, settings: Settings, *, max_body: int, too_deep: Callable[[bytes], bool]
    ) -> None:
        self.app = app
        self.engine = engine
        self.settings = settings
        self.max_body = max_body
        self.too_deep = too_deep
        self.served = 0  # requests answered here (the tests read it)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in PATHS:
            await self.app(scope, receive, send)
            return
        token = _bearer(scope["headers"])
        if token is None:
            await self.app(scope, receive, send)
            return
        messages: list[dict[str, Any]] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body or not message.get("more_body", False):
                break
        replay = _replay(messages, receive)
        last = messages[-1]
        body = b"".join(message.get("body", b"") for message in messages)
        if last["type"] != "http.request" or last.get("more_body", False) or self.too_deep(body):
            await self.app(scope, replay, send)
            return
        try:
            payload = await self._serve(token, body)
        except Exception as exc:  # noqa: BLE001 - rolled back; the app's handlers answer it
            scope[LANE_ERROR] = exc
            payload = None
        if payload is None:
            await self.app(scope, replay, send)
            return
        self.served += 1
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-type", _JSON), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload, "more_body": False})

    async def _serve(self, token: str, body: bytes) -> bytes | None:
        """The request, committed: its answer; ``None``: the app answers it from the start."""
        try:
            data = BookingCreate.model_validate(msgspec.json.decode(body))
        except (msgspec.DecodeError, ValidationError):
            return None
        if data.waitlist:  # the waiting list is written through the session
            return None
        transaction = PooledTransaction(self.engine)
        try:
            conn = await transaction.connect()
            actor = await actor_from_token_on(conn, token)
            if actor is None:
                return None
            await transaction.begin(OPERATOR_NETWORK if actor.network_id is None else actor.network_id)
            booking = BookingPublic.of(await service.request_on(conn, actor, data, self.settings))
            payload = msgspec.json.encode(booking.model_dump(mode="json"))
            await transaction.commit()
            return payload
        finally:
            await transaction.close()


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The bearer token of a request with a JSON body, as the app reads it; ``None`` when there is
    none, or when a header the app reads appears twice (the app decides then)."""
    authorization = content_type = None
    for name, value in headers:
        if name == b"authorization":
            if authorization is not None:
                return None
            authorization = value
        elif name == b"content-type":
            if content_type is not None:
                return None
            content_type = value
    if authorization is None or content_type is None or authorization[:7].lower() != b"bearer ":
        return None
    if content_type.split(b";", 1)[0].strip().lower() != _JSON:
        return None
    return authorization.decode("latin-1")[7:].strip()


def _replay(messages: list[dict[str, Any]], receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    """``receive`` for the app: the messages the lane read, then the connection's own."""
    pending = list(messages)

    async def replayed() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        message: dict[str, Any] = await receive()
        return message

    return replayed
