"""The care attacks of issue #11, each refused or made harmless, and nothing written behind the refusal:
photo replacements that left old files behind, decompression bombs, EXIF locations nobody asked for,
several care logs for one section, farmer and day, and JSON nested too deep to parse."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from machinery_network.care.models import CareLog, Section
from machinery_network.config import Settings

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")  # the one frozen clock (conftest), at NOW
SECTION = {
    "name": "Feldweg Am Ried", "kind": "path", "length_m": 400, "task": "verge_mowing", "unit": "metre",
    "rate_cents": 20,
}
GPS = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 1.0)}


def png(colour: str = "green", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = GPS
    exif[0x0132] = "2026:09:14 10:00:00"
    exif[0x010F] = "Phonemaker"  # the camera make: never kept
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def stored_files(settings: Settings) -> list[Path]:
    directory = settings.upload_dir / "care"
    return sorted(directory.iterdir()) if directory.exists() else []


async def section_of(client, world, **overrides) -> dict:
    body = {**SECTION, "municipality_id": world.north.id, **overrides}
    response = await client.post("/api/v1/sections", json=body, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    assigned = await client.post(
        f"/api/v1/sections/{response.json()['id']}/assignments",
        json={"farmer_id": world.farmer.id, "valid_from": "2026-01-01"}, headers=world.yard_north.headers,
    )
    assert assigned.status_code == 201, assigned.text
    return response.json()


async def report(client, world, section_id: int, performed_on: str = "2026-09-14"):
    return await client.post(
        "/api/v1/care-logs", json={"section_id": section_id, "performed_on": performed_on, "quantity": 400},
        headers=world.farmer.headers,
    )


async def upload(client, world, log_id: int, content: bytes, name: str = "foto.png"):
    return await client.post(
        f"/api/v1/care-logs/{log_id}/photo", files={"photo": (name, content, "image/png")},
        headers=world.farmer.headers,
    )


# --- photos ------------------------------------------------------------------------------------------------


async def test_ten_photo_replacements_leave_exactly_one_file(client, world, settings):
    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    colours = ["red", "green", "blue", "white", "black", "yellow", "orange", "purple", "grey", "brown"]
    for colour in colours:
        response = await upload(client, world, log["id"], png(colour))
        assert response.status_code == 200, response.text
    files = stored_files(settings)
    assert len(files) == 1
    fetched = await client.get(f"/api/v1/care-logs/{log['id']}/photo", headers=world.farmer.headers)
    assert fetched.status_code == 200 and fetched.content == files[0].read_bytes()
    with Image.open(io.BytesIO(fetched.content)) as image:
        assert image.getpixel((0, 0)) == (165, 42, 42)  # brown, the last one


async def test_a_rejected_logs_photo_file_is_removed(client, world, settings):
    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    assert (await upload(client, world, log["id"], png())).status_code == 200
    assert len(stored_files(settings)) == 1
    rejected = await client.post(
        f"/api/v1/care-logs/{log['id']}/reject", json={"reason": "Falscher Abschnitt"},
        headers=world.yard_north.headers,
    )
    assert rejected.status_code == 200 and rejected.json()["has_photo"] is False
    assert stored_files(settings) == []


async def test_a_refused_upload_keeps_the_old_photo_and_writes_nothing(client, world, settings):
    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    assert (await upload(client, world, log["id"], png("red"))).status_code == 200
    before = stored_files(settings)
    truncated = png("blue")[:60]  # the magic bytes and a header, then nothing
    response = await upload(client, world, log["id"], truncated)
    assert response.status_code == 422 and response.json()["extra"]["field"] == "photo"
    assert stored_files(settings) == before


async def test_a_decompression_bomb_is_refused_before_decoding(client, world, settings, db_session):
    # 8,000 × 8,000 pixels (64 million) in an 8 KB PNG: decoding it would allocate far beyond the file.
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < settings.upload_max_bytes
    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    response = await upload(client, world, log["id"], bomb.getvalue())
    assert response.status_code == 422, response.text
    assert response.json()["extra"]["field"] == "photo"
    assert stored_files(settings) == []
    stored = await db_session.scalar(select(CareLog.photo_path).where(CareLog.id == log["id"]))
    assert stored is None


async def test_the_client_bytes_are_never_stored_as_sent(client, world, settings):
    # A valid PNG with a script appended after its end: what is stored is the re-encoded image only.
    payload = png() + b"<script>alert(1)</script>"
    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    assert (await upload(client, world, log["id"], payload)).status_code == 200
    (stored,) = stored_files(settings)
    assert b"<script>" not in stored.read_bytes()


async def test_exif_location_is_stripped_unless_the_section_needs_it(client, world, settings):
    plain = await section_of(client, world)
    evidence = await section_of(client, world, name="Gemeindeverbindungsstraße Winterdienst",
                                task="winter_service", location_evidence=True)
    assert plain["location_evidence"] is False and evidence["location_evidence"] is True
    exifs = {}
    for section in (plain, evidence):
        log = (await report(client, world, section["id"])).json()
        response = await upload(client, world, log["id"], jpeg_with_gps(), "foto.jpg")
        assert response.status_code == 200 and response.json()["photo_content_type"] == "image/jpeg"
        fetched = await client.get(f"/api/v1/care-logs/{log['id']}/photo", headers=world.farmer.headers)
        with Image.open(io.BytesIO(fetched.content)) as image:
            exifs[section["id"]] = image.getexif()
    assert not exifs[plain["id"]].get_ifd(0x8825) and 0x010F not in exifs[plain["id"]]
    assert exifs[evidence["id"]].get_ifd(0x8825)[2] == GPS[2]
    assert 0x010F not in exifs[evidence["id"]]  # the camera make goes even where the location stays


# --- one care log per section, farmer and day ------------------------------------------------------------


async def test_five_logs_for_the_same_section_and_day_are_refused_after_the_first(client, world, db_session):
    section = await section_of(client, world)
    first = await report(client, world, section["id"])
    assert first.status_code == 201
    for _ in range(4):
        again = await report(client, world, section["id"])
        assert again.status_code == 409, again.text
        assert again.json()["extra"]["field"] == "performed_on"
        assert again.json()["extra"]["care_log_id"] == first.json()["id"]
    count = await db_session.scalar(
        select(text("count(*)")).select_from(CareLog).where(CareLog.section_id == section["id"])
    )
    assert count == 1
    # Another day is fine.
    assert (await report(client, world, section["id"], "2026-09-15")).status_code == 201


async def test_the_second_report_of_the_day_through_the_form_is_409_in_german(client, world, db_session):
    from tests.web_helpers import login, post_form

    section = await section_of(client, world)
    await login(client, world.farmer.user.email)
    fields = {"section_id": str(section["id"]), "performed_on": "2026-09-14", "quantity": "400", "note": "gemäht"}
    no_photo = {"photo": ("", b"", "application/octet-stream")}
    first = await post_form(client, "/care/report", fields, files=no_photo)
    assert first.status_code == 303, first.text
    second = await post_form(client, "/care/report", fields, files=no_photo)
    assert second.status_code == 409
    assert "bereits eine Meldung" in second.text and "14.09.2026" in second.text
    assert "<form" in second.text and "gemäht" in second.text  # re-rendered with the input kept
    count = await db_session.scalar(
        select(text("count(*)")).select_from(CareLog).where(CareLog.section_id == section["id"])
    )
    assert count == 1


async def test_a_rejected_log_frees_the_day(client, world):
    section = await section_of(client, world)
    first = (await report(client, world, section["id"])).json()
    rejected = await client.post(
        f"/api/v1/care-logs/{first['id']}/reject", json={"reason": "Menge falsch"}, headers=world.yard_north.headers
    )
    assert rejected.status_code == 200
    assert (await report(client, world, section["id"])).status_code == 201


async def test_the_yard_head_allows_more_logs_a_day_per_section(client, world):
    section = await section_of(client, world, task="winter_service")
    assert section["allow_more_logs_per_day"] is False
    assert (await report(client, world, section["id"])).status_code == 201
    assert (await report(client, world, section["id"])).status_code == 409
    changed = await client.patch(
        f"/api/v1/sections/{section['id']}", json={"allow_more_logs_per_day": True}, headers=world.yard_north.headers
    )
    assert changed.status_code == 200 and changed.json()["allow_more_logs_per_day"] is True
    # Gritting in the morning and again in the evening of one icy day.
    assert (await report(client, world, section["id"])).status_code == 201
    refused = await client.patch(
        f"/api/v1/sections/{section['id']}", json={"allow_more_logs_per_day": True}, headers=world.farmer.headers
    )
    assert refused.status_code == 403


async def test_the_database_refuses_a_second_log_without_the_service(client, world, db_session):
    section = await section_of(client, world)
    first = (await report(client, world, section["id"])).json()
    with pytest.raises(IntegrityError, match="uq_care_logs_one_a_day"):
        async with db_session.begin_nested():
            await db_session.execute(
                text(
                    "INSERT INTO care_logs (section_id, farmer_id, performed_on, quantity, status, credit_cents) "
                    "VALUES (:s, :f, '2026-09-14', 400, 'reported', 8000)"
                ),
                {"s": section["id"], "f": world.farmer.id},
            )
    assert (await db_session.get(CareLog, first["id"])) is not None


# --- JSON nested too deep ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [200_000, 900])
@pytest.mark.parametrize("field", ["geometry", "planned_passes"])
async def test_deeply_nested_json_is_a_4xx_and_creates_no_section(client, world, db_session, field, depth):
    value = nested(depth) if field == "geometry" else '{"summer": ' + nested(depth) + "}"
    body = (
        f'{{"municipality_id": {world.north.id}, "name": "Tiefer Weg", "kind": "path", "length_m": 100, '
        f'"task": "other", "unit": "flat", "rate_cents": 100, "{field}": {value}}}'
    )
    response = await client.post(
        "/api/v1/sections", content=body,
        headers={**world.yard_north.headers, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    assert await db_session.scalar(select(Section.id).where(Section.name == "Tiefer Weg")) is None


@pytest.mark.parametrize("depth", [200_000, 900])
@pytest.mark.parametrize("field", ["geometry", "planned_passes"])
async def test_deeply_nested_json_is_a_4xx_and_changes_no_section(client, world, db_session, field, depth):
    section = await section_of(client, world, planned_passes={"summer": 2})
    value = nested(depth) if field == "geometry" else '{"summer": ' + nested(depth) + "}"
    response = await client.patch(
        f"/api/v1/sections/{section['id']}", content=f'{{"{field}": {value}}}',
        headers={**world.yard_north.headers, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    stored = await db_session.get(Section, section["id"])
    await db_session.refresh(stored)
    assert stored.planned_passes == {"summer": 2} and stored.geometry is None


async def test_deeply_nested_geometry_in_the_section_form_rerenders_with_the_message(client, world, db_session):
    from tests.web_helpers import login, post_form

    await login(client, world.yard_north.user.email)
    response = await post_form(client, "/manage/sections/new", {
        "name": "Tiefer Weg", "kind": "path", "length_m": "100", "task": "other", "unit": "flat", "rate": "1,00",
        "geometry": nested(200_000),
    })
    assert response.status_code == 422
    assert "<form" in response.text and "Tiefer Weg" in response.text
    assert await db_session.scalar(select(Section.id).where(Section.name == "Tiefer Weg")) is None


async def test_a_rolled_back_replacement_removes_the_new_file_and_keeps_the_old(
    client, world, settings, sessionmaker
):
    from machinery_network.care import service

    section = await section_of(client, world)
    log = (await report(client, world, section["id"])).json()
    assert (await upload(client, world, log["id"], png("red"))).status_code == 200
    (old,) = stored_files(settings)
    async with sessionmaker() as session:
        replaced = await service.attach_photo(session, world.farmer.actor, log["id"], png("blue"), settings=settings)
        assert len(stored_files(settings)) == 2 and (settings.upload_dir / replaced.photo_path).exists()
        await session.rollback()  # e.g. the commit failed: the old photo is still the referenced one
    assert stored_files(settings) == [old]
