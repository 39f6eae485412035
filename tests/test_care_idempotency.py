"""A care report sent twice is recorded once: the ``Idempotency-Key`` header of the JSON API and the
``idempotency_key`` field of the phone form (issue #16: a report kept on the phone without a connection
is sent again, maybe twice, when the phone is online)."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from machinery_network.care import service
from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.care.schemas import CareLogCreate
from machinery_network.errors import Invalid
from machinery_network.idempotency import IdempotencyKey
from tests.conftest import build_world
from tests.test_care_api import assigned_section, make_section
from tests.web_helpers import csrf_token, login

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")

BODY = {"performed_on": "2026-09-14", "quantity": 850, "note": "gemäht"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return out.getvalue()


async def _report(client, person, section_id: int, key: str | bytes | None, **changes):
    headers = {**person.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return await client.post("/api/v1/care-logs", json={"section_id": section_id, **BODY, **changes}, headers=headers)


async def _logs(db_session) -> int:
    return await db_session.scalar(select(func.count()).select_from(CareLog))


# --- JSON API ---------------------------------------------------------------------------------------


async def test_the_same_report_sent_twice_with_its_key_is_recorded_once(client, db_session, world):
    section = await assigned_section(client, world)
    key = str(uuid.uuid4())
    first = await _report(client, world.farmer, section["id"], key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await _report(client, world.farmer, section["id"], key)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json() == first.json()
    assert await _logs(db_session) == 1
    stored = await db_session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    assert (stored.user_id, stored.scope, stored.resource_id) == (world.farmer.id, "care_log", first.json()["id"])


async def test_without_a_key_the_second_report_of_the_day_is_a_conflict(client, db_session, world):
    """What the key saves a retry from: the same report again is refused as a second one that day."""
    section = await assigned_section(client, world)
    assert (await _report(client, world.farmer, section["id"], None)).status_code == 201
    again = await _report(client, world.farmer, section["id"], None)
    assert again.status_code == 409
    assert await _logs(db_session) == 1


@pytest.mark.parametrize("change", [{"quantity": 800}, {"note": "anders"}, {"performed_on": "2026-09-13"}])
async def test_the_same_key_with_another_body_is_refused(client, db_session, world, change):
    section = await assigned_section(client, world)
    key = str(uuid.uuid4())
    first = await _report(client, world.farmer, section["id"], key)
    assert first.status_code == 201, first.text
    other = await _report(client, world.farmer, section["id"], key, **change)
    assert other.status_code == 422, other.text
    assert "already used for another request" in other.json()["detail"]
    assert other.json()["extra"] == {"field": "idempotency_key"}
    assert await _logs(db_session) == 1


@pytest.mark.parametrize("key", ["mit Leerzeichen", "x" * 201, "ümlaut".encode(), "tab\there"])
async def test_a_malformed_key_is_422(client, db_session, world, key):
    section = await assigned_section(client, world)
    response = await _report(client, world.farmer, section["id"], key)
    assert response.status_code == 422, response.text
    assert response.json()["extra"] == {"field": "idempotency_key"}
    assert await _logs(db_session) == 0


async def test_a_refused_report_leaves_its_key_free_for_the_corrected_one(client, db_session, world):
    section = await assigned_section(client, world)
    key = str(uuid.uuid4())
    refused = await _report(client, world.farmer, section["id"], key, quantity=851)  # more than the section
    assert refused.status_code == 422
    assert await db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    corrected = await _report(client, world.farmer, section["id"], key, quantity=850)
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert await _logs(db_session) == 1


async def test_keys_are_each_users_own(client, db_session, world):
    """Another farmer's report with the same key is his own new report, not a replay of the first."""
    mine = await assigned_section(client, world)
    other = await make_section(client, world, name="Feldweg Am Berg")
    r = await client.post(f"/api/v1/sections/{other['id']}/assignments",
                          json={"farmer_id": world.farmer2.id, "valid_from": "2026-01-01"},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    key = "gemeinsamer-schluessel"
    first = await _report(client, world.farmer, mine["id"], key)
    second = await _report(client, world.farmer2, other["id"], key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"] and "idempotent-replayed" not in second.headers
    assert await _logs(db_session) == 2


async def test_the_key_for_a_report_does_not_replay_as_another_kind(db_session, world):
    """The scope is part of what a key stands for: the same key and body under another scope is refused."""
    from machinery_network import idempotency

    key = "ein-schluessel"
    body = {"a": 1}
    claimed = await idempotency.claim(db_session, world.farmer.actor, key, "care_log",
                                      idempotency.fingerprint("care_log", body))
    await idempotency.record(db_session, claimed, 7)
    assert (await idempotency.claim(db_session, world.farmer.actor, key, "care_log",
                                    idempotency.fingerprint("care_log", body))).first_id == 7
    with pytest.raises(Invalid) as caught:
        await idempotency.claim(db_session, world.farmer.actor, key, "checkin:1",
                                idempotency.fingerprint("checkin:1", body))
    assert caught.value.key == "idempotency.mismatch"


# --- two sends at the same moment (real connections) -------------------------------------------------


async def _committed_report(committed_sessionmaker):
    """A committed world with the farmer assigned to a section, and a report on it (for real connections)."""
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        section = Section(municipality_id=world.north.id, name="K 21", kind="road", length_m=850,
                          task="verge_mowing", unit="metre", rate_cents=15)
        session.add(section)
        await session.flush()
        session.add(Assignment(section_id=section.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
        await session.commit()
    return world, CareLogCreate(section_id=section.id, performed_on=date(2026, 9, 14), quantity=850)


async def test_two_sends_at_once_wait_for_each_other_and_record_one_log(committed_sessionmaker, settings):
    world, data = await _committed_report(committed_sessionmaker)
    key = str(uuid.uuid4())
    async with committed_sessionmaker() as first, committed_sessionmaker() as second:
        log, replayed = await service.report_once(first, world.farmer.actor, data, key, settings=settings)
        assert replayed is False
        late = asyncio.create_task(service.report_once(second, world.farmer.actor, data, key, settings=settings))
        await asyncio.sleep(0.3)
        assert not late.done()  # its claim waits at the unique index for the first transaction
        await first.commit()
        again, replayed = await late
        await second.commit()
    assert (again.id, replayed) == (log.id, True)
    async with committed_sessionmaker() as check:
        assert await check.scalar(select(func.count()).select_from(CareLog)) == 1


async def test_a_send_waiting_on_a_refused_one_goes_ahead(committed_sessionmaker, settings):
    world, data = await _committed_report(committed_sessionmaker)
    key = str(uuid.uuid4())
    async with committed_sessionmaker() as first, committed_sessionmaker() as second:
        await service.report_once(first, world.farmer.actor, data, key, settings=settings)
        late = asyncio.create_task(service.report_once(second, world.farmer.actor, data, key, settings=settings))
        await asyncio.sleep(0.3)
        assert not late.done()
        await first.rollback()  # the first request failed after its claim: the waiting one is the first now
        log, replayed = await late
        await second.commit()
    assert replayed is False
    async with committed_sessionmaker() as check:
        assert await check.scalar(select(CareLog.id)) == log.id


# --- the phone form ---------------------------------------------------------------------------------


async def _form_section(db_session, world) -> Section:
    section = Section(municipality_id=world.north.id, name="K 21 Bankett", kind="road", length_m=850,
                      task="verge_mowing", unit="metre", rate_cents=15)
    db_session.add(section)
    await db_session.flush()
    db_session.add(Assignment(section_id=section.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
    await db_session.commit()
    return section


async def _post(client, data: dict, photo: bytes | None = None):
    token = await csrf_token(client)
    files = {"photo": ("foto.png", photo, "image/png") if photo else ("", b"", "application/octet-stream")}
    return await client.post("/care/report", data={**data, "_csrf_token": token}, files=files)


async def test_the_form_carries_an_empty_key_field_the_browser_fills(client, db_session, world):
    await _form_section(db_session, world)
    await login(client, world.farmer.user.email)
    page = await client.get("/care")
    assert '<input type="hidden" name="idempotency_key" value="" data-idempotency-key>' in page.text
    assert f'<input type="hidden" name="for_user" value="{world.farmer.id}">' in page.text
    assert "data-outbox" in page.text and "data-outbox-status" in page.text
    assert "Gespeichert – wird gesendet, sobald Sie wieder online sind." in page.text  # the script's words


async def test_the_same_form_sent_twice_records_one_report_with_one_photo(client, db_session, world, settings):
    section = await _form_section(db_session, world)
    await login(client, world.farmer.user.email)
    fields = {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "850", "note": "gemäht",
              "idempotency_key": str(uuid.uuid4()), "for_user": str(world.farmer.id)}
    photo = _png()
    first = await _post(client, fields, photo)
    assert first.status_code == 303, first.text
    again = await _post(client, fields, photo)
    assert again.status_code == 303, again.text
    assert again.headers["location"] == first.headers["location"] == "/care?reported=1"
    logs = list(await db_session.scalars(select(CareLog)))
    assert len(logs) == 1 and logs[0].note == "gemäht"
    assert len(list((settings.upload_dir / "care").iterdir())) == 1  # the photo once


async def test_the_form_and_the_header_name_the_same_key(client, db_session, world):
    section = await _form_section(db_session, world)
    await login(client, world.farmer.user.email)
    key = str(uuid.uuid4())
    fields = {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "850",
              "idempotency_key": key}
    token = await csrf_token(client)
    files = {"photo": ("", b"", "application/octet-stream")}
    r = await client.post("/care/report", data={**fields, "_csrf_token": token}, files=files,
                          headers={"Idempotency-Key": key})
    assert r.status_code == 303, r.text
    r = await client.post("/care/report", data={**fields, "_csrf_token": token}, files=files,
                          headers={"Idempotency-Key": "ein-anderer"})
    assert r.status_code == 422 and "zwei verschiedene Kennungen" in r.text
    assert await _logs(db_session) == 1


async def test_the_same_key_with_other_values_rerenders_the_form_in_german(client, db_session, world):
    section = await _form_section(db_session, world)
    await login(client, world.farmer.user.email)
    key = str(uuid.uuid4())
    fields = {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "850", "idempotency_key": key}
    assert (await _post(client, fields)).status_code == 303
    other = await _post(client, {**fields, "quantity": "400", "note": "zweiter Durchgang"})
    assert other.status_code == 422
    assert "Dieses Formular wurde schon einmal mit anderen Angaben gesendet." in other.text
    assert "zweiter Durchgang" in other.text and 'value="400"' in other.text  # everything typed is kept
    # The re-rendered form gets a new key from the browser (the field is empty again).
    assert '<input type="hidden" name="idempotency_key" value="" data-idempotency-key>' in other.text
    assert await _logs(db_session) == 1


async def test_a_report_kept_under_another_login_is_not_sent_under_this_one(client, db_session, world):
    section = await _form_section(db_session, world)
    await login(client, world.farmer.user.email)
    r = await _post(client, {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "850",
                             "idempotency_key": str(uuid.uuid4()), "for_user": str(world.farmer2.id)})
    assert r.status_code == 409
    assert "unter einer anderen Anmeldung gespeichert" in r.text
    assert await _logs(db_session) == 0
