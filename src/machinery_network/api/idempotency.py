"""The ``Idempotency-Key`` request header of the JSON routes that take one (care report, machine hand-over
and return) and the answer of a request that was already carried out (``machinery_network.idempotency``)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from litestar import Response
from litestar.params import HeaderParameter

from machinery_network.idempotency import HEADER, MAX_KEY_LENGTH

T = TypeVar("T")

REPLAYED_HEADER = "Idempotent-Replayed"
REPLAY_NOTE = (
    f"Created; or, for a retry with the same `{HEADER}` and body, the record the first request created "
    f"(then with the header `{REPLAYED_HEADER}: true`)."
)

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER, required=False,
        description=(
            "A key the client makes for this request (a UUID): a retry with the same key and body answers the "
            "first request's record instead of creating another; the same key with another body is 422. "
            f"1 to {MAX_KEY_LENGTH} visible ASCII characters, kept per user."
        ),
    ),
]


def created(body: T, replayed: bool) -> Response[T]:
    """201 with the record; a replay says so in ``Idempotent-Replayed`` (its body is the record as it is now)."""
    return Response(body, status_code=201, headers={REPLAYED_HEADER: "true"} if replayed else None)
