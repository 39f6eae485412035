"""Use cases of networks: the operator's networks and figures, agreements between two networks.

Which rows a transaction sees is the database's business (row-level security on ``network_id``, see
``db.use_network``); the services here check who may act for which network.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.db import use_network
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.networks.models import Agreement, AgreementState, Network


async def create_network(session: AsyncSession, actor: Actor, *, name: str) -> Network:
    require_role(actor, Role.operator)
    network = Network(name=name.strip())
    if await session.scalar(select(Network.id).where(Network.name == network.name)):
        raise Conflict("network.name_taken", field="name")
    session.add(network)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("network.name_taken", field="name") from exc
    return network


async def get_network(session: AsyncSession, network_id: int) -> Network:
    network = await session.get(Network, network_id)
    if network is None:
        raise NotFound("network.not_found", id=network_id)
    return network


async def network_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Network.id).order_by(Network.id)))


async def only_network(session: AsyncSession) -> int | None:
    """The network of an installation that has exactly one, else None."""
    ids = list(await session.scalars(select(Network.id).order_by(Network.id).limit(2)))
    return ids[0] if len(ids) == 1 else None


async def resolve_network(session: AsyncSession, network_id: int | None) -> int:
    """``network_id`` if it exists; without one, the installation's only network (else 422)."""
    if network_id is not None:
        return (await get_network(session, network_id)).id  # type: ignore[return-value]
    only = await only_network(session)
    if only is None:
        raise Invalid("network.ambiguous", field="network_id")
    return only


def require_own_network(actor: Actor, network_id: int) -> None:
    """An admin acts for his own network only (the operator and the system for any)."""
    if actor.role == Role.operator or (actor.id is None and actor.is_admin):
        return
    if actor.network_id != network_id:
        raise NotAllowed("network.wrong_network")


# --- figures: per network, without anyone's personal data -----------------------------------------


@dataclass(frozen=True)
class Figures:
    municipalities: int
    admins: int
    staff: int
    farmers: int
    items: int
    shared_items: int
    bookings: int
    bookings_open: int
    care_logs: int
    settlements: int


_FIGURES = text(
    """
    SELECT
      (SELECT count(*) FROM municipalities WHERE network_id = :n) AS municipalities,
      (SELECT count(*) FROM users WHERE network_id = :n AND role = 'admin') AS admins,
      (SELECT count(*) FROM users WHERE network_id = :n AND role IN ('yard_head','finance')) AS staff,
      (SELECT count(*) FROM users WHERE network_id = :n AND role = 'farmer') AS farmers,
      (SELECT count(*) FROM items WHERE network_id = :n) AS items,
      (SELECT count(*) FROM items WHERE network_id = :n AND shared) AS shared_items,
      (SELECT count(*) FROM bookings WHERE network_id = :n) AS bookings,
      (SELECT count(*) FROM bookings WHERE network_id = :n AND status = 'requested') AS bookings_open,
      (SELECT count(*) FROM care_logs WHERE network_id = :n) AS care_logs,
      (SELECT count(*) FROM settlements WHERE network_id = :n AND frozen) AS settlements
    """
)


async def figures(session: AsyncSession, network_id: int) -> Figures:
    """Counts of one network, read inside that network (so row-level security lets them through)."""
    await use_network(session, network_id)
    row = (await session.execute(_FIGURES, {"n": network_id})).one()
    return Figures(**row._asdict())


async def list_networks(session: AsyncSession, actor: Actor) -> list[Network]:
    """The operator: every network; an admin: his own."""
    if actor.role == Role.operator:
        return list(await session.scalars(select(Network).order_by(Network.name, Network.id)))
    require_role(actor, Role.admin)
    if actor.network_id is None:
        return list(await session.scalars(select(Network).order_by(Network.name, Network.id)))
    return [await get_network(session, actor.network_id)]


# --- agreements ---------------------------------------------------------------------------------


async def propose_agreement(session: AsyncSession, actor: Actor, network_id: int, other_network_id: int) -> Agreement:
    require_role(actor, Role.admin)
    require_own_network(actor, network_id)
    await get_network(session, network_id)
    await get_network(session, other_network_id)
    if network_id == other_network_id:
        raise Invalid("agreement.self", field="other_network_id")
    live = await session.scalar(
        select(Agreement.id).where(
            Agreement.state != AgreementState.revoked,
            or_(
                (Agreement.network_id == network_id) & (Agreement.other_network_id == other_network_id),
                (Agreement.network_id == other_network_id) & (Agreement.other_network_id == network_id),
            ),
        )
    )
    if live is not None:
        raise Conflict("agreement.exists", field="other_network_id", extra={"agreement_id": live})
    agreement = Agreement(network_id=network_id, other_network_id=other_network_id, proposed_by=actor.id)
    session.add(agreement)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("agreement.exists", field="other_network_id") from exc
    return agreement


async def get_agreement(session: AsyncSession, actor: Actor, agreement_id: int) -> Agreement:
    """An agreement of the actor's network (another network's agreements are unknown to him)."""
    agreement = await session.get(Agreement, agreement_id, with_for_update=True)
    if agreement is None or (
        actor.network_id is not None and actor.network_id not in (agreement.network_id, agreement.other_network_id)
    ):
        raise NotFound("agreement.not_found", id=agreement_id)
    return agreement


async def confirm_agreement(session: AsyncSession, actor: Actor, agreement_id: int) -> Agreement:
    require_role(actor, Role.admin)
    agreement = await get_agreement(session, actor, agreement_id)
    if actor.network_id is not None and actor.network_id != agreement.other_network_id:
        raise NotAllowed("agreement.confirm_other")
    if agreement.state != AgreementState.proposed:
        raise Conflict("agreement.not_proposed", extra={"state": agreement.state})
    agreement.state = AgreementState.active
    agreement.confirmed_by = actor.id
    agreement.confirmed_at = clock.now()
    await session.flush()
    return agreement


async def revoke_agreement(session: AsyncSession, actor: Actor, agreement_id: int) -> Agreement:
    require_role(actor, Role.admin)
    agreement = await get_agreement(session, actor, agreement_id)
    if agreement.state == AgreementState.revoked:
        raise Conflict("agreement.revoked")
    agreement.state = AgreementState.revoked
    agreement.revoked_by = actor.id
    agreement.revoked_at = clock.now()
    await session.flush()
    return agreement


async def list_agreements(session: AsyncSession, actor: Actor, network_id: int) -> list[Agreement]:
    require_role(actor, Role.admin, Role.operator)
    require_own_network(actor, network_id)
    return list(
        await session.scalars(
            select(Agreement)
            .where(or_(Agreement.network_id == network_id, Agreement.other_network_id == network_id))
            .order_by(Agreement.created_at.desc(), Agreement.id.desc())  # type: ignore[attr-defined]
        )
    )


async def partner_networks(session: AsyncSession, network_id: int) -> list[int]:
    """Networks with an active agreement with ``network_id``."""
    rows = await session.scalars(
        select(func.coalesce(
            func.nullif(Agreement.network_id, network_id), Agreement.other_network_id
        )).where(
            Agreement.state == AgreementState.active,
            or_(Agreement.network_id == network_id, Agreement.other_network_id == network_id),
        )
    )
    return sorted(set(rows))
