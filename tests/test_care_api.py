"""Care duties through the JSON API: sections, assignments, reports, confirmation and its credit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from machinery_network import clock
from machinery_network.config import Settings
from machinery_network.ledger.models import LedgerEntry

# 20 September 2026, noon in Berlin.
NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
UPLOAD_LIMIT = 2000

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Overrides conftest's: a small upload limit so the size refusal needs no megabytes.
    return Settings(
        MN_DATA_DIR=tmp_path, MN_SECRET_KEY="test-secret-key-not-for-production", MN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT
    )


pytestmark = pytest.mark.usefixtures("frozen")


SECTION = {
    "name": "K 21 Bankett Richtung Lauchröden",
    "kind": "road",
    "length_m": 850,
    "task": "verge_mowing",
    "unit": "metre",
    "rate_cents": 15,
    "planned_passes": {"summer": 2, "autumn": 1},
}


async def make_section(client, world, **overrides) -> dict:
    body = {**SECTION, "municipality_id": world.north.id, **overrides}
    response = await client.post("/api/v1/sections", json=body, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def assign(client, world, section_id: int, farmer_id: int, valid_from: str, valid_to: str | None = None,
                 person=None):
    body = {"farmer_id": farmer_id, "valid_from": valid_from}
    if valid_to is not None:
        body["valid_to"] = valid_to
    return await client.post(
        f"/api/v1/sections/{section_id}/assignments", json=body, headers=(person or world.yard_north).headers
    )


async def assigned_section(client, world, **overrides) -> dict:
    section = await make_section(client, world, **overrides)
    response = await assign(client, world, section["id"], world.farmer.id, "2026-01-01")
    assert response.status_code == 201, response.text
    return section


async def report(client, person, section_id: int, performed_on: str = "2026-09-14", quantity=850, note=None):
    body = {"section_id": section_id, "performed_on": performed_on, "quantity": quantity}
    if note is not None:
        body["note"] = note
    return await client.post("/api/v1/care-logs", json=body, headers=person.headers)


async def credits_of(db_session, care_log_id: int) -> list[LedgerEntry]:
    return list(await db_session.scalars(select(LedgerEntry).where(LedgerEntry.care_log_id == care_log_id)))


# --- sections ---------------------------------------------------------------------------------------


async def test_yard_head_creates_and_lists_a_section(client, world):
    section = await make_section(client, world)
    assert section["length_m"] == 850 and section["rate_cents"] == 15
    assert section["planned_passes"] == {"summer": 2, "autumn": 1}
    listed = await client.get(f"/api/v1/sections?municipality_id={world.north.id}", headers=world.farmer.headers)
    assert [s["id"] for s in listed.json()] == [section["id"]]
    other = await client.get(f"/api/v1/sections?municipality_id={world.south.id}", headers=world.farmer.headers)
    assert other.json() == []
    shown = await client.get(f"/api/v1/sections/{section['id']}", headers=world.farmer.headers)
    assert shown.json()["name"] == SECTION["name"]


async def test_farmer_cannot_create_a_section(client, world):
    body = {**SECTION, "municipality_id": world.north.id}
    response = await client.post("/api/v1/sections", json=body, headers=world.farmer.headers)
    assert response.status_code == 403


async def test_yard_head_of_other_municipality_cannot_create_a_section(client, world):
    body = {**SECTION, "municipality_id": world.north.id}
    response = await client.post("/api/v1/sections", json=body, headers=world.yard_south.headers)
    assert response.status_code == 403
    listed = await client.get("/api/v1/sections", headers=world.yard_north.headers)
    assert listed.json() == []


async def test_sections_need_a_login(client, world):
    assert (await client.get("/api/v1/sections")).status_code == 401
    body = {**SECTION, "municipality_id": world.north.id}
    assert (await client.post("/api/v1/sections", json=body)).status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"name": "x" * 201},
        {"length_m": 0},
        {"rate_cents": -1},
        {"unit": "km"},
        {"task": "sweeping"},
        {"planned_passes": {"fall": 1}},
        {"planned_passes": {"summer": 1.5}},
        {"geometry": {"type": "Point", "coordinates": [10.0, 50.9]}},
        {"geometry": {"type": "LineString", "coordinates": [[10.0, 95.0], [10.1, 50.9]]}},
    ],
)
async def test_bad_section_input_is_422(client, world, change):
    body = {**SECTION, "municipality_id": world.north.id, **change}
    response = await client.post("/api/v1/sections", json=body, headers=world.yard_north.headers)
    assert response.status_code == 422, response.text
    assert (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json() == []


async def test_section_update_refuses_rate_change_while_reports_are_open(client, world):
    section = await assigned_section(client, world)
    path = f"/api/v1/sections/{section['id']}"
    assert (await report(client, world.farmer, section["id"])).status_code == 201
    response = await client.patch(path, json={"rate_cents": 20}, headers=world.yard_north.headers)
    assert response.status_code == 409
    renamed = await client.patch(path, json={"name": "K 21 Bankett"}, headers=world.yard_north.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "K 21 Bankett"
    other = await client.patch(path, json={"name": "fremd"}, headers=world.yard_south.headers)
    assert other.status_code == 403


# --- assignments --------------------------------------------------------------------------------------


async def test_assignment_by_yard_head(client, world):
    section = await make_section(client, world)
    response = await assign(client, world, section["id"], world.farmer.id, "2026-01-01", "2026-12-31")
    assert response.status_code == 201
    assert response.json()["valid_to"] == "2026-12-31"
    listed = await client.get(f"/api/v1/sections/{section['id']}/assignments", headers=world.yard_north.headers)
    assert [a["farmer_id"] for a in listed.json()] == [world.farmer.id]
    # The other farmer sees none of it; the assigned farmer sees his own.
    mine = await client.get(f"/api/v1/sections/{section['id']}/assignments", headers=world.farmer2.headers)
    assert mine.json() == []


async def test_assignment_refusals(client, world):
    section = await make_section(client, world)
    other_head = await assign(client, world, section["id"], world.farmer.id, "2026-01-01", person=world.yard_south)
    assert other_head.status_code == 403
    by_farmer = await assign(client, world, section["id"], world.farmer.id, "2026-01-01", person=world.farmer)
    assert by_farmer.status_code == 403
    not_a_farmer = await assign(client, world, section["id"], world.finance_north.id, "2026-01-01")
    assert not_a_farmer.status_code == 422
    backwards = await assign(client, world, section["id"], world.farmer.id, "2026-05-01", "2026-04-30")
    assert backwards.status_code == 422
    listed = await client.get(f"/api/v1/sections/{section['id']}/assignments", headers=world.yard_north.headers)
    assert listed.json() == []


async def test_overlapping_assignment_is_409_naming_the_existing_period(client, world):
    section = await make_section(client, world)
    first = await assign(client, world, section["id"], world.farmer.id, "2026-03-01", "2026-10-31")
    assert first.status_code == 201
    clash = await assign(client, world, section["id"], world.farmer2.id, "2026-10-31")
    assert clash.status_code == 409
    body = clash.json()
    assert body["detail"] == "The section is already assigned to Franz Bauer for 2026-03-01 to 2026-10-31."
    assert body["extra"]["assignment_id"] == first.json()["id"]
    assert (body["extra"]["valid_from"], body["extra"]["valid_to"]) == ("2026-03-01", "2026-10-31")
    # The day after the (inclusive) end is free.
    follow = await assign(client, world, section["id"], world.farmer2.id, "2026-11-01")
    assert follow.status_code == 201
    # An open-ended assignment blocks everything after its start.
    late = await assign(client, world, section["id"], world.farmer.id, "2030-01-01", "2030-01-31")
    assert late.status_code == 409
    assert "from 2026-11-01, open-ended" in late.json()["detail"]


async def test_database_refuses_overlapping_assignments_without_the_service(db_session, client, world):
    section = await make_section(client, world)
    insert = text(
        "INSERT INTO assignments (section_id, farmer_id, valid_from, valid_to, created_at) "
        "VALUES (:s, :f, :a, :b, now())"
    )
    await db_session.execute(insert, {"s": section["id"], "f": world.farmer.id, "a": date(2026, 1, 1), "b": None})
    with pytest.raises(IntegrityError) as caught:
        async with db_session.begin_nested():
            await db_session.execute(
                insert, {"s": section["id"], "f": world.farmer2.id, "a": date(2027, 6, 1), "b": date(2027, 6, 30)}
            )
    assert "ex_assignments_no_overlap" in str(caught.value)


async def test_end_assignment_then_hand_over(client, world):
    section = await assigned_section(client, world)
    listed = await client.get(f"/api/v1/sections/{section['id']}/assignments", headers=world.yard_north.headers)
    assignment_id = listed.json()[0]["id"]
    assert (await report(client, world.farmer, section["id"], "2026-09-14")).status_code == 201
    # Cutting off a reported day is refused.
    cut = await client.post(f"/api/v1/assignments/{assignment_id}/end", json={"valid_to": "2026-09-13"},
                            headers=world.yard_north.headers)
    assert cut.status_code == 409
    ended = await client.post(f"/api/v1/assignments/{assignment_id}/end", json={"valid_to": "2026-09-30"},
                              headers=world.yard_north.headers)
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2026-09-30"
    handed = await assign(client, world, section["id"], world.farmer2.id, "2026-10-01")
    assert handed.status_code == 201


# --- care logs -------------------------------------------------------------------------------------------


async def test_farmer_reports_work_and_gets_the_credit_amount(client, world):
    section = await assigned_section(client, world)
    response = await report(client, world.farmer, section["id"], note="beidseitig gemäht")
    assert response.status_code == 201, response.text
    body = response.json()
    # 850 m × 15 ct = 12 750 ct.
    assert body["status"] == "reported" and body["credit_cents"] == 12750
    assert body["quantity"] == 850 and body["has_photo"] is False


async def test_decimal_quantity_rounds_half_up_once(client, world):
    section = await assigned_section(client, world, unit="hour", rate_cents=3333, name="Hecke")
    response = await report(client, world.farmer, section["id"], quantity="1.5")
    # 1,5 h × 33,33 € = 49,995 € → 50,00 €.
    assert response.status_code == 201 and response.json()["credit_cents"] == 5000


async def test_wrong_farmer_cannot_report(client, world):
    section = await assigned_section(client, world)
    response = await report(client, world.farmer2, section["id"])
    assert response.status_code == 403
    by_yard_head = await report(client, world.yard_north, section["id"])
    assert by_yard_head.status_code == 403


async def test_report_on_unassigned_date_is_422(client, world):
    section = await make_section(client, world)
    assert (await assign(client, world, section["id"], world.farmer.id, "2026-06-01", "2026-08-31")).status_code == 201
    response = await report(client, world.farmer, section["id"], "2026-09-01")
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "performed_on"}
    assert (await report(client, world.farmer, section["id"], "2026-08-31")).status_code == 201


async def test_report_in_the_future_is_422(client, world):
    section = await assigned_section(client, world)
    # NOW is 20 September in Berlin: the 21st is tomorrow.
    response = await report(client, world.farmer, section["id"], "2026-09-21")
    assert response.status_code == 422
    assert "future" in response.json()["detail"]
    assert (await report(client, world.farmer, section["id"], "2026-09-20")).status_code == 201


async def test_today_follows_the_network_time_zone(client, world, monkeypatch):
    section = await assigned_section(client, world)
    # 22:30 UTC on 20 September is already 21 September in Berlin.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 20, 22, 30, tzinfo=UTC))
    assert (await report(client, world.farmer, section["id"], "2026-09-21")).status_code == 201
    assert (await report(client, world.farmer, section["id"], "2026-09-22")).status_code == 422


@pytest.mark.parametrize(
    ("unit", "quantity", "status"),
    [
        ("metre", 850, 201),
        ("metre", "850.001", 422),
        ("metre", 851, 422),
        ("metre", 0, 422),
        ("hour", 24, 201),
        ("hour", "24.5", 422),
        ("flat", 1, 201),
        ("flat", 2, 422),
        ("flat", "0.5", 422),
    ],
)
async def test_quantity_bounds_per_unit(client, world, unit, quantity, status):
    section = await assigned_section(client, world, unit=unit)
    response = await report(client, world.farmer, section["id"], quantity=quantity)
    assert response.status_code == status, response.text
    logs = await client.get("/api/v1/care-logs", headers=world.farmer.headers)
    assert len(logs.json()) == (1 if status == 201 else 0)


async def test_care_log_needs_a_login_and_a_sane_body(client, world):
    section = await assigned_section(client, world)
    body = {"section_id": section["id"], "performed_on": "2026-09-14", "quantity": 10}
    assert (await client.post("/api/v1/care-logs", json=body)).status_code == 401
    too_long = await report(client, world.farmer, section["id"], note="x" * 2001)
    assert too_long.status_code == 422
    unknown = await client.post("/api/v1/care-logs", json={**body, "credit_cents": 1}, headers=world.farmer.headers)
    assert unknown.status_code == 422
    missing = await report(client, world.farmer, 999999)
    assert missing.status_code == 404


async def test_listing_care_logs_is_scoped(client, world):
    section = await assigned_section(client, world)
    south_section = await client.post(
        "/api/v1/sections", json={**SECTION, "municipality_id": world.south.id, "name": "Südweg"},
        headers=world.yard_south.headers,
    )
    south_id = south_section.json()["id"]
    assert (await assign(client, world, south_id, world.farmer2.id, "2026-01-01", person=world.yard_south)).status_code == 201
    mine = (await report(client, world.farmer, section["id"])).json()
    theirs = (await report(client, world.farmer2, south_id)).json()

    farmer_view = await client.get("/api/v1/care-logs", headers=world.farmer.headers)
    assert [log["id"] for log in farmer_view.json()] == [mine["id"]]
    north_view = await client.get("/api/v1/care-logs?status=reported", headers=world.yard_north.headers)
    assert [log["id"] for log in north_view.json()] == [mine["id"]]
    south_view = await client.get("/api/v1/care-logs", headers=world.yard_south.headers)
    assert [log["id"] for log in south_view.json()] == [theirs["id"]]
    foreign = await client.get(f"/api/v1/care-logs?municipality_id={world.north.id}", headers=world.yard_south.headers)
    assert foreign.status_code == 403
    confirmed_only = await client.get("/api/v1/care-logs?status=confirmed", headers=world.yard_north.headers)
    assert confirmed_only.json() == []
    other_farmer = await client.get(f"/api/v1/care-logs/{mine['id']}", headers=world.farmer2.headers)
    assert other_farmer.status_code == 403


# --- confirmation and rejection -------------------------------------------------------------------------


async def test_confirmation_posts_exactly_one_credit_on_the_work_day(client, db_session, world):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"], "2026-09-14")).json()
    response = await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "confirmed"
    entries = await credits_of(db_session, log["id"])
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.kind, entry.amount_cents, entry.net_cents, entry.vat_cents) == ("credit", -12750, -12750, 0)
    assert entry.value_date == date(2026, 9, 14)
    assert (entry.farmer_id, entry.municipality_id) == (world.farmer.id, world.north.id)

    again = await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
    assert again.status_code == 409
    assert len(await credits_of(db_session, log["id"])) == 1
    account = await client.get(f"/api/v1/accounts/{world.farmer.id}?municipality_id={world.north.id}",
                               headers=world.farmer.headers)
    if account.status_code == 200:  # the accounts route belongs to the ledger domain
        assert account.json()["balance_cents"] == -12750


async def test_confirmation_refusals(client, db_session, world):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    path = f"/api/v1/care-logs/{log['id']}/confirm"
    assert (await client.post(path, headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(path, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(path, headers=world.finance_north.headers)).status_code == 403
    assert (await client.post(path)).status_code == 401
    assert (await client.post("/api/v1/care-logs/999999/confirm", headers=world.yard_north.headers)).status_code == 404
    assert await credits_of(db_session, log["id"]) == []


async def test_rejection_posts_no_credit(client, db_session, world):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    path = f"/api/v1/care-logs/{log['id']}"
    assert (await client.post(f"{path}/reject", json={"reason": "  "}, headers=world.yard_north.headers)).status_code == 422
    assert (await client.post(f"{path}/reject", json={"reason": "x"}, headers=world.yard_south.headers)).status_code == 403
    response = await client.post(f"{path}/reject", json={"reason": "Nur einseitig gemäht"},
                                 headers=world.yard_north.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reject_reason"] == "Nur einseitig gemäht"
    assert await credits_of(db_session, log["id"]) == []
    late_confirm = await client.post(f"{path}/confirm", headers=world.yard_north.headers)
    assert late_confirm.status_code == 409
    assert await credits_of(db_session, log["id"]) == []


async def test_database_allows_one_credit_per_care_log(client, db_session, world):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    assert (await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)).status_code == 200
    with pytest.raises(IntegrityError):
        async with db_session.begin_nested():
            await db_session.execute(
                text(
                    "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, "
                    "net_cents, vat_cents, vat_percent, text, care_log_id, created_at) "
                    "VALUES (:f, :m, '2026-09-14', 'credit', -1, -1, 0, 0, 'x', :c, now())"
                ),
                {"f": world.farmer.id, "m": world.north.id, "c": log["id"]},
            )


# --- photos --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
async def test_photo_upload_is_stored_under_a_random_name(client, world, settings, content, content_type):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    response = await client.post(
        f"/api/v1/care-logs/{log['id']}/photo",
        files={"photo": ("../../etc/passwd.png", content, "text/plain")},
        headers=world.farmer.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["has_photo"] is True
    assert response.json()["photo_content_type"] == content_type
    stored = list((settings.upload_dir / "care").iterdir())
    assert len(stored) == 1 and "passwd" not in stored[0].name
    assert stored[0].read_bytes() == content
    for person in (world.farmer, world.yard_north):
        fetched = await client.get(f"/api/v1/care-logs/{log['id']}/photo", headers=person.headers)
        assert fetched.status_code == 200 and fetched.content == content
        assert fetched.headers["content-type"].startswith(content_type)
    assert (await client.get(f"/api/v1/care-logs/{log['id']}/photo", headers=world.yard_south.headers)).status_code == 403


async def test_bad_uploads_are_refused(client, world, settings):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    path = f"/api/v1/care-logs/{log['id']}/photo"
    gif = await client.post(path, files={"photo": ("a.jpg", GIF, "image/jpeg")}, headers=world.farmer.headers)
    assert gif.status_code == 422 and "JPEG" in gif.json()["detail"]
    big = PNG + b"\x00" * UPLOAD_LIMIT
    too_large = await client.post(path, files={"photo": ("a.png", big, "image/png")}, headers=world.farmer.headers)
    assert too_large.status_code == 422 and "too large" in too_large.json()["detail"]
    empty = await client.post(path, files={"photo": ("a.png", b"", "image/png")}, headers=world.farmer.headers)
    assert empty.status_code == 422
    other = await client.post(path, files={"photo": ("a.png", PNG, "image/png")}, headers=world.farmer2.headers)
    assert other.status_code == 403
    assert not (settings.upload_dir / "care").exists() or not any((settings.upload_dir / "care").iterdir())
    shown = await client.get(f"/api/v1/care-logs/{log['id']}", headers=world.farmer.headers)
    assert shown.json()["has_photo"] is False


async def test_no_photo_after_the_decision(client, world):
    section = await assigned_section(client, world)
    log = (await report(client, world.farmer, section["id"])).json()
    await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
    late = await client.post(f"/api/v1/care-logs/{log['id']}/photo", files={"photo": ("a.png", PNG, "image/png")},
                             headers=world.farmer.headers)
    assert late.status_code == 409
