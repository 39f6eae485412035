"""Use cases of networks: the operator's networks and figures, agreements between two networks.

Which rows a transaction sees is the database's business (row-level security on ``network_id``, see
``db.use_network``); the services here check who may act for which network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.db import OPERATOR_NETWORK, use_network
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.networks.models import Agreement, AgreementState, Network
from machinery_network.rows import add_named, get_or_404
from machinery_network.schemas import Email, Input, Name


async def create_network(session: AsyncSession, actor: Actor, *, name: str) -> Network:
    require_role(actor, Role.operator)
    network = Network(name=name.strip())
    same_name = select(col(Network.id)).where(col(Network.name) == network.name)
    return await add_named(session, network, same_name, "network.name_taken")


async def get_network(session: AsyncSession, network_id: int) -> Network:
    return await get_or_404(session, Network, network_id, "network.not_found")


async def network_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(col(Network.id)).order_by(col(Network.id))))


async def only_network(session: AsyncSession) -> int | None:
    """The network of an installation that has exactly one, else None."""
    ids = list(await session.scalars(select(col(Network.id)).order_by(col(Network.id)).limit(2)))
    return ids[0] if len(ids) == 1 else None


async def resolve_network(session: AsyncSession, network_id: int | None) -> int:
    """``network_id`` if it exists; without one, the installation's only network (else 422)."""
    if network_id is not None:
        await get_network(session, network_id)  # 404 unless it exists
        return network_id
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
        return list(await session.scalars(select(Network).order_by(col(Network.name), col(Network.id))))
    require_role(actor, Role.admin)
    if actor.network_id is None:
        return list(await session.scalars(select(Network).order_by(col(Network.name), col(Network.id))))
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
        select(col(Agreement.id)).where(
            col(Agreement.state) != AgreementState.revoked,
            or_(
                (col(Agreement.network_id) == network_id) & (col(Agreement.other_network_id) == other_network_id),
                (col(Agreement.network_id) == other_network_id) & (col(Agreement.other_network_id) == network_id),
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
            .where(or_(col(Agreement.network_id) == network_id, col(Agreement.other_network_id) == network_id))
            .order_by(col(Agreement.created_at).desc(), col(Agreement.id).desc())
        )
    )


async def partner_networks(session: AsyncSession, network_id: int) -> list[int]:
    """Networks with an active agreement with ``network_id``."""
    rows = await session.scalars(
        select(func.coalesce(
            func.nullif(col(Agreement.network_id), network_id), col(Agreement.other_network_id)
        )).where(
            col(Agreement.state) == AgreementState.active,
            or_(col(Agreement.network_id) == network_id, col(Agreement.other_network_id) == network_id),
        )
    )
    return sorted(set(rows))


# --- the operator's overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkRow:
    network: Network
    figures: Figures
    municipalities: list[str]
    admins: list[str]  # the administrators' names and addresses: the operator's contacts


async def all_networks(session: AsyncSession) -> list[Network]:
    return list(await session.scalars(select(Network).order_by(col(Network.name), col(Network.id))))


async def overview(session: AsyncSession, actor: Actor) -> list[NetworkRow]:
    """Each network with its municipalities, administrators and figures, each read inside that network;
    nothing about farmers but their number."""

    require_role(actor, Role.operator)
    rows = []
    for network in await all_networks(session):
        figures_ = await figures(session, network.id or 0)  # enters the network
        municipalities = list(await session.scalars(
            select(col(Municipality.name)).where(col(Municipality.network_id) == network.id)
            .order_by(col(Municipality.name))))
        admins = [f"{name} <{email}>" for name, email in (await session.execute(
            select(col(User.name), col(User.email))
            .where(col(User.network_id) == network.id, col(User.role) == Role.admin)
            .order_by(col(User.name)))).all()]
        rows.append(NetworkRow(network, figures_, municipalities, admins))
    await use_network(session, OPERATOR_NETWORK)
    return rows


# --- registration of farmers ---------------------------------------------------------------------


class Registration(Input):
    name: Name
    email: Email
    password: str
    iban: str | None = None


INVITATION_DAYS = 30


def _sign(settings: Settings, payload: str) -> str:
    key = hashlib.sha256(("invitation:" + settings.resolved_secret()).encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]).decode()


def invitation_token(settings: Settings, network_id: int, *, today: date | None = None) -> str:
    """A link token naming the network and its expiry, signed with the installation's secret."""
    expires = (today or clock.now().date()) + timedelta(days=INVITATION_DAYS)
    payload = f"{network_id}.{expires:%Y%m%d}"
    return f"{payload}.{_sign(settings, payload)}"


def network_of_invitation(settings: Settings, token: str) -> int:
    parts = token.split(".")
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and len(parts[1]) == 8:
        payload = f"{parts[0]}.{parts[1]}"
        if hmac.compare_digest(_sign(settings, payload), parts[2]) and parts[1] >= f"{clock.now():%Y%m%d}":
            return int(parts[0])
    raise NotFound("registration.invalid_link")


async def register_farmer(session: AsyncSession, network_id: int, data: Registration, *, approved: bool) -> int:
    """A farmer registers with ``network_id`` (the session works inside it): with an invitation he can
    log in at once, else after the network's admin approved him."""
    from machinery_network.accounts.passwords import check_password
    from machinery_network.accounts.security import hash_password
    from machinery_network.validators import normalize_iban

    check_password(data.password, data.email)
    email = data.email.strip().lower()
    if await session.scalar(select(col(User.id)).where(col(User.email) == email)):
        raise Conflict("user.email_taken", field="email")
    user = User(email=email, name=data.name.strip(), password_hash=hash_password(data.password), role=Role.farmer,
                network_id=network_id, iban=normalize_iban(data.iban), active=approved,
                registration_pending=not approved)
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("user.email_taken", field="email") from exc
    return user.id or 0


async def pending_registrations(session: AsyncSession, actor: Actor) -> list[User]:

    require_role(actor, Role.admin)
    return list(await session.scalars(
        select(User).where(col(User.network_id) == actor.network_id, col(User.registration_pending))
        .order_by(col(User.id))))


async def approve_registration(session: AsyncSession, actor: Actor, user_id: int) -> None:

    require_role(actor, Role.admin)
    user = await session.get(User, user_id)
    if user is None or user.network_id != actor.network_id or not user.registration_pending:
        raise NotFound("user.not_found", id=user_id)
    user.registration_pending = False
    user.active = True
    await session.flush()
