"""The phone forms that also work without a connection, the care report and the machine return: the
idempotency key each post carries (``machinery_network.idempotency``) and the check that a post saved on
the phone is sent under the login that made it.

The page's script (``static/app.js``) fills the hidden field ``idempotency_key`` with a UUID made in the
browser each time the form is shown; a post that finds no connection is kept in the browser (IndexedDB)
and sent again, with the same fields, once the phone is online. ``for_user`` names the user the form was
shown to, so a saved post is never sent under another login of the same phone.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from machinery_network import idempotency
from machinery_network.auth import Actor
from machinery_network.errors import Conflict

FOR_USER_FIELD = "for_user"


def posted_key(request: Request[Any, Any, Any], form: dict[str, str], actor: Actor) -> str | None:
    """The post's idempotency key (header or form field; None without one), once the post is known to
    come from the user it was made by (409 otherwise)."""
    for_user = (form.get(FOR_USER_FIELD) or "").strip()
    if for_user and for_user != str(actor.id):
        raise Conflict("offline.other_user", field=FOR_USER_FIELD)
    return idempotency.request_key(request.headers.get(idempotency.HEADER), form.get(idempotency.FORM_FIELD))
