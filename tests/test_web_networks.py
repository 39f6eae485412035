"""HTML pages of networks: the operator's page, agreements on the admin's page, farmers' registration."""

from __future__ import annotations

from sqlalchemy import select

from machinery_network.accounts.models import Role, User
from machinery_network.networks import service
from tests.conftest import PASSWORD, make_person
from tests.web_helpers import login, post_form


async def test_the_operator_page_shows_networks_figures_and_makes_admins(client, world, db_session):
    operator = await make_person(db_session, Role.operator, "Olga Operator")
    await db_session.commit()
    await login(client, operator.user.email)
    page = await client.get("/operator")
    assert page.status_code == 200
    assert world.north.name in page.text and world.admin.user.email in page.text
    assert world.farmer.user.name not in page.text, "no farmer's personal data"
    r = await post_form(client, "/operator/networks", {"name": "Rhön"})
    assert r.status_code == 303, r.text
    r = await post_form(client, "/operator/networks", {"name": "Rhön"})
    assert r.status_code == 409 and "gibt es schon" in r.text
    network_id = next(n.id for n in await service.all_networks(db_session) if n.name == "Rhön")
    r = await post_form(client, "/operator/admins", {"network_id": str(network_id), "name": "Rita Rhön",
                                                     "email": "rita@rhoen.example", "password": PASSWORD})
    assert r.status_code == 303, r.text
    admin = await db_session.scalar(select(User).where(User.email == "rita@rhoen.example"))
    assert (admin.role, admin.network_id) == (Role.admin, network_id)
    page = await client.get("/operator")
    assert "rita@rhoen.example" in page.text


async def test_only_the_operator_sees_the_operator_page(client, world):
    await login(client, world.admin.user.email)
    assert (await client.get("/operator")).status_code == 403


async def test_admin_page_proposes_and_confirms_agreements(client, world, db_session):
    other = await service.create_network(db_session, await _operator_actor(db_session), name="Rhön")
    await db_session.commit()
    await login(client, world.admin.user.email)
    page = await client.get("/admin/network")
    assert page.status_code == 200 and "Rhön" in page.text and "/register/" in page.text
    r = await post_form(client, "/admin/agreements", {"other_network_id": str(other.id)})
    assert r.status_code == 303, r.text
    r = await post_form(client, "/admin/agreements", {"other_network_id": str(other.id)})
    assert r.status_code == 409
    agreement = (await service.list_agreements(db_session, world.admin.actor, world.admin.user.network_id))[0]
    assert agreement.state == "proposed"
    r = await post_form(client, f"/admin/agreements/{agreement.id}/confirm", {})
    assert r.status_code == 403, "the proposer does not confirm"


async def _operator_actor(session):
    return (await make_person(session, Role.operator, "Olga")).actor


async def test_a_farmer_registers_by_invitation_or_openly_with_approval(client, world, db_session, settings):
    network_id = world.admin.user.network_id
    token = service.invitation_token(settings, network_id)
    page = await client.get(f"/register/{token}")
    assert page.status_code == 200
    r = await post_form(client, f"/register/{token}", {"name": "Ina Eingeladen", "email": "ina@example.org",
                                                       "password": PASSWORD, "iban": ""})
    assert r.status_code == 201, r.text
    ina = await db_session.scalar(select(User).where(User.email == "ina@example.org"))
    assert (ina.role, ina.network_id, ina.active) == (Role.farmer, network_id, True)
    # A forged link names no network.
    assert (await client.get(f"/register/{network_id}.20991231.forged")).status_code == 404
    # Open registration waits for the admin.
    r = await post_form(client, f"/register/network/{network_id}", {"name": "Otto Offen", "email": "otto@example.org",
                                                                   "password": PASSWORD})
    assert r.status_code == 201 and "freigegeben" in r.text
    otto = await db_session.scalar(select(User).where(User.email == "otto@example.org"))
    assert (otto.active, otto.registration_pending) == (False, True)
    bad = await post_form(client, f"/register/network/{network_id}", {"name": "Kurz", "email": "k@example.org",
                                                                     "password": "kurz"})
    assert bad.status_code == 422 and 'value="Kurz"' in bad.text
    await login(client, world.admin.user.email)
    assert "otto@example.org" in (await client.get("/admin/network")).text
    r = await post_form(client, f"/admin/registrations/{otto.id}/approve", {})
    assert r.status_code == 303
    await db_session.refresh(otto)
    assert (otto.active, otto.registration_pending) == (True, False)
