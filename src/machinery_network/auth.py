"""Who is acting, and the one place for the role and municipality rules.

Every route resolves an ``Actor`` (bearer token for the API, session cookie for HTML) and every
service checks it with these helpers, so the API, the forms, the CLI and the scheduler share the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from machinery_network.accounts.models import Role
from machinery_network.errors import NotAllowed


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: str
    municipality_id: int | None
    name: str
    email: str
    network_id: int | None = None  # None: the operator, or the system (CLI, scheduler) acting for any network

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_operator(self) -> bool:
        return self.role == Role.operator

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


# The scheduler and the CLI act as the system: like an admin, recorded under this label.
SYSTEM = Actor(id=None, role=Role.admin, municipality_id=None, name="system", email="")


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise NotAllowed()


def own_id(actor: Actor, *roles: str) -> int:
    """The acting person's user id (``require_role`` first when ``roles`` are given); the system, acting
    from the CLI or the scheduler, has none."""
    if roles:
        require_role(actor, *roles)
    if actor.id is None:
        raise NotAllowed()
    return actor.id


def own_municipality(actor: Actor, *roles: str) -> int:
    """``require_role`` for the staff bound to a municipality (yard head, finance): that municipality."""
    require_role(actor, *roles)
    if actor.municipality_id is None:
        raise NotAllowed("auth.wrong_municipality")
    return actor.municipality_id


def require_for_municipality(actor: Actor, municipality_id: int, *roles: str, admin: bool = False) -> None:
    """The actor has one of ``roles`` and is bound to ``municipality_id`` (or is admin, when allowed)."""
    if admin and actor.is_admin:
        return
    if actor.role not in roles:
        raise NotAllowed()
    if actor.municipality_id != municipality_id:
        raise NotAllowed("auth.wrong_municipality")


def require_self_or_municipality(
    actor: Actor, farmer_id: int, municipality_id: int | None, *roles: str, admin: bool = True
) -> None:
    """The farmer himself, or staff (``roles``) of ``municipality_id``."""
    if actor.role == Role.farmer:
        if actor.id != farmer_id:
            raise NotAllowed()
        return
    if municipality_id is None:
        if admin and actor.is_admin:
            return
        raise NotAllowed()
    require_for_municipality(actor, municipality_id, *roles, admin=admin)
