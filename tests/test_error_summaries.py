"""Refused forms that used to put their message into a ``role="alert"`` present at page load (screen readers
do not announce those, issue #16) answer with the focused error summary instead: each field error tied to its
field (``aria-invalid``, ``aria-describedby``) and linked from the summary to an element of the page."""

from __future__ import annotations

import re

import pytest

from machinery_network.accounts.models import Role
from machinery_network.networks import service
from tests.conftest import PASSWORD, make_person
from tests.test_web_a11y import assert_errors_tied, assert_unique_ids, ids
from tests.test_winter_proof import NOW, passed, section  # noqa: F401  (NOW: the frozen clock)
from tests.web_helpers import login, post_form

SUMMARY = 'class="alert error error-summary" tabindex="-1"'


def assert_summary(html: str, *fields: str) -> None:
    """The summary, no role="alert", unique ids, every error tied, every link of the summary to an element
    of the page; each of ``fields`` (its id) is marked invalid with its message."""
    assert SUMMARY in html
    assert_unique_ids(html)
    assert_errors_tied(html)
    known = set(ids(html))
    for target in re.findall(r'<li><a href="#([^"]+)">', html):
        assert target in known, target
    for name in fields:
        assert re.search(rf'id="{name}"[^>]*aria-invalid="true" aria-describedby="{name}-error"', html), name
        assert f'id="{name}-error"' in html, name


async def test_municipality_settings_name_the_field_and_the_vat_accounts(client, world):
    await login(client, world.finance_north.user.email)
    url = f"/municipalities/{world.north.id}/settings"
    rows = {"vat_rate_0": "0", "vat_rate_1": "7", "vat_rate_2": "19", "vat_account_2": "8400", "vat_key_2": "10000"}
    refused = await post_form(client, url, {"iban": "DE00 1234", "datev_client_number": "0"})
    assert refused.status_code == 422
    assert_summary(refused.text, "s-datev_client_number")
    assert 'href="#s-datev_client_number"' in refused.text
    refused = await post_form(client, url, rows)
    assert refused.status_code == 422
    assert_summary(refused.text)
    assert 'href="#s-datev_vat_accounts"' in refused.text and 'id="s-datev_vat_accounts" tabindex="-1"' in refused.text
    assert 'id="s-vat_account_2" name="vat_account_2"' in refused.text
    assert refused.text.count('aria-describedby="s-datev_vat_accounts-error"') == 6  # both fields of 3 rates


@pytest.mark.usefixtures("frozen")
async def test_the_correction_of_a_pass_names_its_fields(client, world):
    road = await section(client, world, "Hauptstraße")
    original = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40")
    await login(client, world.yard_north.user.email)
    fields = {"performed_on": "2027-01-20", "started_time": "05:50", "ended_time": "07:20", "activity": "gritting",
              "material": "Splitt", "amount_kg": "viel", "road_condition": "black_ice", "weather": "", "reason": ""}
    refused = await post_form(client, f"/manage/care-logs/{original['id']}/correct", fields)
    assert refused.status_code == 422
    assert_summary(refused.text, "reason", "amount_kg")
    assert 'href="#reason"' in refused.text and 'href="#amount_kg"' in refused.text


async def test_the_section_import_names_the_file_and_the_rate(client, world):
    await login(client, world.yard_north.user.email)
    refused = await post_form(client, "/manage/sections/import", {"task": "winter_service", "rate": "viel"},
                              files={"file": ("k.geojson", b"kein GeoJSON", "application/geo+json")})
    assert refused.status_code == 422
    assert SUMMARY in refused.text and 'role="alert"' not in refused.text
    assert_errors_tied(refused.text)
    rate = await post_form(client, "/manage/sections/import/confirm",
                           {"features": '{"type": "FeatureCollection", "features": []}', "rate": "viel"})
    assert rate.status_code == 422
    assert_summary(rate.text, "rate")


async def test_operator_admin_and_registration_pages_answer_with_the_summary(client, world, db_session, settings):
    operator = await make_person(db_session, Role.operator, "Olga Operator")
    await db_session.commit()
    await login(client, operator.user.email)
    refused = await post_form(client, "/operator/networks", {"name": ""})
    assert refused.status_code == 422
    assert_summary(refused.text, "n-name")
    refused = await post_form(client, "/operator/admins", {"network_id": "", "name": "Rita", "email": "kein",
                                                           "password": PASSWORD})
    assert refused.status_code == 422
    assert_summary(refused.text, "a-email")

    other = await service.create_network(db_session, operator.actor, name="Rhön")
    await db_session.commit()
    await login(client, world.admin.user.email)
    assert (await post_form(client, "/admin/agreements", {"other_network_id": str(other.id)})).status_code == 303
    twice = await post_form(client, "/admin/agreements", {"other_network_id": str(other.id)})
    assert twice.status_code == 409
    assert_summary(twice.text)

    client.cookies.clear()
    token = service.invitation_token(settings, world.admin.user.network_id)
    bad = await post_form(client, f"/register/{token}", {"name": "Kurz", "email": "k@example.org", "password": "kurz"})
    assert bad.status_code == 422
    assert_summary(bad.text, "r-password")
