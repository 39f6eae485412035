"""Care pages: the farmer's report form (multipart, CSRF, German messages), the yard head's sections,
assignment form, inbox with confirm/reject, the SVG map and the winter-proof download."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from machinery_network.care import service
from machinery_network.care.map import STATUS_COLOURS, section_features
from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.care.schemas import CareLogCreate
from machinery_network.ledger.models import LedgerEntry
from tests.web_helpers import csrf_token, login, post_form

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
_png = io.BytesIO()
Image.new("RGB", (40, 30), "green").save(_png, "PNG")
PNG = _png.getvalue()


pytestmark = pytest.mark.usefixtures("frozen")


async def _section(db_session, world, **overrides) -> Section:
    values = {
        "municipality_id": world.north.id, "name": "K 21 Bankett", "kind": "road", "length_m": 850,
        "task": "verge_mowing", "unit": "metre", "rate_cents": 15, "planned_passes": {"summer": 2, "autumn": 1},
        "geometry": {"type": "LineString", "coordinates": [[10.06, 50.96], [10.065, 50.962], [10.07, 50.963]]},
        **overrides,
    }
    section = Section(**values)
    db_session.add(section)
    await db_session.flush()
    db_session.add(Assignment(section_id=section.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
    await db_session.commit()
    return section


async def _multipart(client, path: str, data: dict, files: dict | None = None):
    token = await csrf_token(client)
    return await client.post(path, data={**data, "_csrf_token": token}, files=files or {"photo": ("", b"", "application/octet-stream")})


async def test_farmer_page_shows_sections_with_what_is_due(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.farmer.user.email)
    page = await client.get("/care")
    assert page.status_code == 200
    assert "Meine Pflegeabschnitte" in page.text
    assert "K 21 Bankett" in page.text and "Bankettmahd" in page.text
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split()).replace(" :", ":")
    # 20 September: autumn is running (1 pass planned, none confirmed); summer (2 planned) is overdue.
    assert "Herbst: 0 / 1 Durchgänge bestätigt (0 gemeldet, bis 30.11.2026) offen" in text
    assert "Sommer: 0 / 2 Durchgänge bestätigt (0 gemeldet, bis 31.08.2026) überfällig" in text
    assert 'name="_csrf_token"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'value="{section.id}"' in page.text


async def test_farmer_reports_through_the_form_with_a_photo(client, world, db_session, settings):
    section = await _section(db_session, world)
    await login(client, world.farmer.user.email)
    response = await _multipart(
        client, "/care/report",
        {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "850", "note": "gemäht"},
        files={"photo": ("mein foto.png", PNG, "image/png")},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/care?reported=1"
    log = await db_session.scalar(select(CareLog).where(CareLog.section_id == section.id))
    assert (log.credit_cents, log.photo_content_type, log.note) == (12750, "image/png", "gemäht")
    assert "mein" not in log.photo_path
    with Image.open(settings.upload_dir / log.photo_path) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))
    page = await client.get("/care?reported=1")
    assert "Danke, die Meldung ist eingegangen." in page.text
    assert "127,50 €" in page.text and "gemeldet" in page.text


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"performed_on": "2026-09-21", "quantity": "100"}, 422, "Datum liegt in der Zukunft"),
        ({"performed_on": "2026-09-14", "quantity": "851"}, 422, "Höchstens 850 m je Meldung"),
        ({"performed_on": "2026-09-14", "quantity": "0"}, 422, "Die Menge muss größer als null sein."),
        ({"performed_on": "2025-12-31", "quantity": "100"}, 422, "war Ihnen am 31.12.2025 nicht zugewiesen"),
        ({"performed_on": "", "quantity": "100"}, 422, "Pflichtfeld."),
        ({"performed_on": "2026-09-14", "quantity": "viel"}, 422, "Ungültiger Wert."),
    ],
)
async def test_report_form_rerenders_with_german_messages(client, world, db_session, fields, status, message):
    section = await _section(db_session, world)
    await login(client, world.farmer.user.email)
    response = await _multipart(client, "/care/report", {"section_id": str(section.id), "note": "Notiz", **fields})
    assert response.status_code == status, response.text
    assert message in response.text
    assert "<form" in response.text and "Notiz" in response.text  # re-rendered with the input kept
    assert await db_session.scalar(select(func.count()).select_from(CareLog)) == 0


async def test_report_form_refuses_a_bad_upload_and_writes_nothing(client, world, db_session, settings):
    section = await _section(db_session, world)
    await login(client, world.farmer.user.email)
    response = await _multipart(
        client, "/care/report", {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "10"},
        files={"photo": ("bild.png", b"%PDF-1.4 not an image", "image/png")},
    )
    assert response.status_code == 422
    assert "Nur Fotos im Format JPEG, PNG oder WebP." in response.text
    assert await db_session.scalar(select(func.count()).select_from(CareLog)) == 0
    assert not (settings.upload_dir / "care").exists() or not any((settings.upload_dir / "care").iterdir())


async def test_report_form_needs_the_csrf_token(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.farmer.user.email)
    response = await client.post(
        "/care/report", data={"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "10"},
        files={"photo": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 403
    assert await db_session.scalar(select(func.count()).select_from(CareLog)) == 0


async def test_other_farmer_cannot_report_through_the_form(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.farmer2.user.email)
    response = await _multipart(
        client, "/care/report", {"section_id": str(section.id), "performed_on": "2026-09-14", "quantity": "10"}
    )
    assert response.status_code == 403
    assert "nicht zugewiesen" in response.text


async def test_yard_head_pages_are_refused_to_farmers(client, world, db_session):
    await login(client, world.farmer.user.email)
    for path in ("/manage/sections", "/manage/care-logs", "/manage/sections/map"):
        assert (await client.get(path)).status_code == 403


async def test_yard_head_creates_a_section_through_the_form(client, world, db_session):
    await login(client, world.yard_north.user.email)
    bad = await post_form(client, "/manage/sections/new", {
        "name": "", "kind": "path", "length_m": "0", "task": "verge_mowing", "unit": "metre", "rate": "0,12",
        "passes_summer": "zwei",
    })
    assert bad.status_code == 422
    assert "Pflichtfeld." in bad.text and "Geplante Durchgänge" in bad.text
    assert await db_session.scalar(select(func.count()).select_from(Section)) == 0
    good = await post_form(client, "/manage/sections/new", {
        "name": "Feldweg Am Rasdorfer Berg", "kind": "path", "length_m": "1200", "task": "verge_mowing",
        "unit": "metre", "rate": "0,12", "passes_summer": "2", "geometry": "",
    })
    assert good.status_code == 303
    section = await db_session.scalar(select(Section).where(Section.name == "Feldweg Am Rasdorfer Berg"))
    assert (section.municipality_id, section.rate_cents, section.planned_passes) == (world.north.id, 12, {"summer": 2})
    page = await client.get("/manage/sections?saved=section")
    assert "Abschnitt gespeichert." in page.text and "Feldweg Am Rasdorfer Berg" in page.text


async def test_yard_head_assigns_and_overlap_is_409_in_german(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.yard_north.user.email)
    clash = await post_form(client, f"/manage/sections/{section.id}/assign",
                            {"farmer_id": str(world.farmer2.id), "valid_from": "2026-10-01", "valid_to": ""})
    assert clash.status_code == 409
    assert "bereits Franz Bauer zugewiesen" in clash.text and "ab 01.01.2026, unbefristet" in clash.text
    free = await _section(db_session, world, name="Hecke", unit="hour", rate_cents=3500)
    await db_session.execute(Assignment.__table__.delete().where(Assignment.section_id == free.id))
    await db_session.commit()
    ok = await post_form(client, f"/manage/sections/{free.id}/assign",
                         {"farmer_id": str(world.farmer2.id), "valid_from": "2026-10-01", "valid_to": "2027-09-30"})
    assert ok.status_code == 303
    page = await client.get("/manage/sections?saved=assignment")
    assert "Zuweisung gespeichert." in page.text
    held = await db_session.scalar(select(Assignment.farmer_id).where(Assignment.section_id == free.id))
    assert held == world.farmer2.id


async def test_sections_page_finds_the_farmer_by_search_not_by_a_list_of_every_farmer(client, world, db_session):
    """Issue #15: no <select> of every farmer of the network per section; a search field, resolved in SQL."""
    from tests.conftest import make_person

    for i in range(3):
        await make_person(db_session, "farmer", f"Moritz Moor {i}")
    await db_session.commit()
    section = await _section(db_session, world)
    free = await _section(db_session, world, name="Hecke", unit="hour", rate_cents=3500)
    await db_session.execute(Assignment.__table__.delete().where(Assignment.section_id == free.id))
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/sections")
    assert page.status_code == 200
    assert 'name="farmer_q"' in page.text and "Moritz Moor" not in page.text and "Gerda Hof" not in page.text
    path = f"/manage/sections/{free.id}/assign"
    nobody = await post_form(client, path, {"farmer_q": "Niemand", "valid_from": "2026-10-01"})
    assert nobody.status_code == 422 and "Kein Landwirt gefunden" in nobody.text and 'value="Niemand"' in nobody.text
    several = await post_form(client, path, {"farmer_q": "moritz", "valid_from": "2026-10-01"})
    assert several.status_code == 422 and "bitte einen auswählen" in several.text
    assert several.text.count('name="farmer_id"') == 3 and "Moritz Moor 2" in several.text
    assert await db_session.scalar(select(func.count()).where(Assignment.section_id == free.id)) == 0
    one = await post_form(client, path, {"farmer_q": "gerda", "valid_from": "2026-10-01"})
    assert one.status_code == 303
    by_mail = await post_form(client, f"/manage/sections/{section.id}/assign",
                              {"farmer_q": world.farmer2.user.email, "valid_from": "2026-10-01"})
    assert by_mail.status_code == 409  # found by e-mail; the section is held by Franz Bauer
    held = await db_session.scalar(select(Assignment.farmer_id).where(Assignment.section_id == free.id))
    assert held == world.farmer2.id


async def test_other_yard_head_cannot_assign_through_the_form(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.yard_south.user.email)
    response = await post_form(client, f"/manage/sections/{section.id}/assign",
                               {"farmer_id": str(world.farmer2.id), "valid_from": "2030-01-01"})
    assert response.status_code == 403


async def test_inbox_confirm_and_reject(client, world, db_session, settings):
    section = await _section(db_session, world)
    first = await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 9, 14), quantity=850), settings=settings)
    second = await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 9, 15), quantity=400, note="halbe Strecke"), settings=settings)
    await db_session.commit()

    await login(client, world.yard_north.user.email)
    inbox = await client.get("/manage/care-logs")
    assert inbox.status_code == 200
    assert "Franz Bauer" in inbox.text and "127,50 €" in inbox.text and "halbe Strecke" in inbox.text

    confirmed = await post_form(client, f"/manage/care-logs/{first.id}/confirm", {})
    assert confirmed.status_code == 303
    amounts = list(await db_session.scalars(select(LedgerEntry.amount_cents).where(LedgerEntry.care_log_id == first.id)))
    assert amounts == [-12750]
    twice = await post_form(client, f"/manage/care-logs/{first.id}/confirm", {})
    assert twice.status_code == 409 and "bereits entschieden" in twice.text

    no_reason = await post_form(client, f"/manage/care-logs/{second.id}/reject", {"reason": " "})
    assert no_reason.status_code == 422 and "Bitte einen Grund angeben." in no_reason.text
    rejected = await post_form(client, f"/manage/care-logs/{second.id}/reject", {"reason": "Nicht gemäht"})
    assert rejected.status_code == 303
    assert await db_session.scalar(select(func.count()).where(LedgerEntry.care_log_id == second.id)) == 0
    page = await client.get("/manage/care-logs?done=rejected")
    assert "Keine offenen Meldungen." in page.text and "Nicht gemäht" in page.text


async def test_other_yard_head_cannot_confirm_through_the_form(client, world, db_session, settings):
    section = await _section(db_session, world)
    log = await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 9, 14), quantity=850), settings=settings)
    await db_session.commit()
    await login(client, world.yard_south.user.email)
    assert (await post_form(client, f"/manage/care-logs/{log.id}/confirm", {})).status_code == 403
    assert await db_session.scalar(select(func.count()).where(LedgerEntry.care_log_id == log.id)) == 0


async def test_sections_page_shows_plan_and_map_draws_svg(client, world, db_session):
    section = await _section(db_session, world)
    await _section(db_session, world, name="Ohne Verlauf", geometry=None, planned_passes=None)
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/sections")
    assert page.status_code == 200
    # 20 September 2026: summer (2 planned, none done) is overdue; autumn is open.
    assert "Sommer: 0/2" in page.text and "überfällig" in page.text and "Herbst: 0/1" in page.text
    assert "Franz Bauer" in page.text
    map_page = await client.get("/manage/sections/map")
    assert map_page.status_code == 200
    # Leaflet from the app's own /static, the sections as GeoJSON in the page, the list as text.
    assert '<script src="/static/leaflet/leaflet.js" defer>' in map_page.text
    assert f'data-section-id="{section.id}"' in map_page.text
    features = json.loads(html.unescape(map_page.text.split("data-features='")[1].split("'")[0]))
    [feature] = features["features"]
    assert feature["properties"]["status"] == "overdue" and feature["properties"]["farmer"] == "Franz Bauer"
    assert "<script src=\"http" not in map_page.text


def test_section_features_carry_the_plan_status_colour():
    line = {"type": "LineString", "coordinates": [[10.00, 50.90], [10.10, 51.00]]}
    done = Section(id=1, name="a", task="other", length_m=100, active=True, geometry=line)
    drawless = Section(id=2, name="b", task="other", length_m=100, active=True, geometry=None)
    result = section_features([done, drawless], {1: "done"})
    [feature] = result["features"]
    assert feature["geometry"] == line
    assert feature["properties"]["colour"] == STATUS_COLOURS["done"]
    assert feature["properties"]["status_label"] == "erledigt" and feature["properties"]["edit"] == ""


async def test_winter_proof_download_from_the_sections_page(client, world, db_session, settings):
    section = await _section(db_session, world, name="Ortsverbindung", task="winter_service", unit="hour",
                             rate_cents=5200, planned_passes={"winter": 10})
    log = await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 1, 12), quantity=2), settings=settings)
    await service.confirm(db_session, world.yard_north.actor, log.id, settings=settings)
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    response = await client.get("/manage/sections/winter-proof?from=2025-12-01&to=2026-02-28&section_id=&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[1], r[4], r[6], r[9]) for r in rows[1:] if r[17] == "Einsatz"] == [("Ortsverbindung", "12.01.2026", "2", "104,00")]
    bad = await client.get("/manage/sections/winter-proof?from=gestern&to=2026-02-28&format=csv",
                           headers={"accept": "text/html"})
    assert bad.status_code == 422 and "Ungültiges Datum." in bad.text


async def test_demo_sections_are_drawn_on_the_map(client, db_session, settings):
    from machinery_network.care.schemas import check_geometry
    from machinery_network.demo import DEMO_PASSWORD, SECTION_GEOMETRY, load_demo

    await load_demo(db_session, settings)
    await load_demo(db_session, settings)  # idempotent: geometry is only filled in where missing
    await db_session.commit()
    sections = list(await db_session.scalars(select(Section).where(Section.name.in_(list(SECTION_GEOMETRY)))))
    assert len(sections) == len(SECTION_GEOMETRY)
    for section in sections:
        assert check_geometry(section.geometry) == section.geometry
    await login(client, "bauhof@gerstungen.example", DEMO_PASSWORD)
    page = await client.get("/manage/sections/map")
    assert page.status_code == 200
    assert page.text.count('"type": "Feature"') == 3  # Gerstungen's three sections, as GeoJSON for Leaflet
    assert "K 21 Bankett Richtung Lauchröden" in page.text


async def test_yard_head_edits_a_section(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.yard_north.user.email)
    form = await client.get(f"/manage/sections/{section.id}/edit")
    assert form.status_code == 200 and 'value="0,15"' in form.text and "LineString" in form.text
    fields = {"name": "K 21 Bankett (neu)", "kind": "road", "length_m": "900", "task": "verge_mowing",
              "unit": "metre", "rate": "0,18", "passes_summer": "3", "geometry": "", "active": "on"}
    bad = await post_form(client, f"/manage/sections/{section.id}/edit", {**fields, "length_m": ""})
    assert bad.status_code == 422 and "Pflichtfeld." in bad.text
    saved = await post_form(client, f"/manage/sections/{section.id}/edit", fields)
    assert saved.status_code == 303
    await db_session.refresh(section)
    assert (section.name, section.length_m, section.rate_cents) == ("K 21 Bankett (neu)", 900, 18)
    assert section.planned_passes == {"summer": 3} and section.geometry is None and section.active
    # Stilllegen: unchecked box.
    await post_form(client, f"/manage/sections/{section.id}/edit", {k: v for k, v in fields.items() if k != "active"})
    await db_session.refresh(section)
    assert section.active is False


async def test_section_edit_is_refused_to_the_other_yard_head(client, world, db_session):
    section = await _section(db_session, world)
    await login(client, world.yard_south.user.email)
    assert (await client.get(f"/manage/sections/{section.id}/edit")).status_code == 403
    response = await post_form(client, f"/manage/sections/{section.id}/edit", {"name": "fremd"})
    assert response.status_code == 403
    await db_session.refresh(section)
    assert section.name == "K 21 Bankett"


async def test_rate_change_with_open_reports_is_409_on_the_edit_form(client, world, db_session, settings):
    section = await _section(db_session, world)
    await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 9, 14), quantity=850), settings=settings)
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    response = await post_form(client, f"/manage/sections/{section.id}/edit", {
        "name": "K 21 Bankett", "kind": "road", "length_m": "850", "task": "verge_mowing", "unit": "metre",
        "rate": "0,20", "active": "on",
    })
    assert response.status_code == 409 and "offene Meldungen" in response.text
    await db_session.refresh(section)
    assert section.rate_cents == 15


async def test_yard_head_ends_an_assignment_and_hands_over(client, world, db_session, settings):
    section = await _section(db_session, world)
    assignment = await db_session.scalar(select(Assignment).where(Assignment.section_id == section.id))
    await service.report(db_session, world.farmer.actor, CareLogCreate(
        section_id=section.id, performed_on=date(2026, 9, 14), quantity=850), settings=settings)
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    too_early = await post_form(client, f"/manage/assignments/{assignment.id}/end", {"valid_to": "2026-09-13"})
    assert too_early.status_code == 409 and "Meldungen dieses Landwirts" in too_early.text
    ended = await post_form(client, f"/manage/assignments/{assignment.id}/end", {"valid_to": "2026-09-30"})
    assert ended.status_code == 303
    handed = await post_form(client, f"/manage/sections/{section.id}/assign",
                             {"farmer_id": str(world.farmer2.id), "valid_from": "2026-10-01"})
    assert handed.status_code == 303
    farmers = list(await db_session.scalars(
        select(Assignment.farmer_id).where(Assignment.section_id == section.id).order_by(Assignment.valid_from)))
    assert farmers == [world.farmer.id, world.farmer2.id]


async def test_recently_ended_assignment_is_still_listed_for_late_reports(client, world, db_session):
    recent = Section(municipality_id=world.north.id, name="Bis letzte Woche", kind="path", length_m=500,
                     task="verge_mowing", unit="metre", rate_cents=10)
    old = Section(municipality_id=world.north.id, name="Längst abgegeben", kind="path", length_m=500,
                  task="verge_mowing", unit="metre", rate_cents=10)
    db_session.add_all([recent, old])
    await db_session.flush()
    db_session.add_all([
        Assignment(section_id=recent.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1),
                   valid_to=date(2026, 9, 10)),
        Assignment(section_id=old.id, farmer_id=world.farmer.id, valid_from=date(2025, 1, 1),
                   valid_to=date(2026, 5, 31)),
    ])
    await db_session.commit()
    await login(client, world.farmer.user.email)
    page = await client.get("/care")
    assert "Bis letzte Woche" in page.text and "Längst abgegeben" not in page.text
    ok = await _multipart(client, "/care/report",
                          {"section_id": str(recent.id), "performed_on": "2026-09-09", "quantity": "500"})
    assert ok.status_code == 303
    late = await _multipart(client, "/care/report",
                            {"section_id": str(recent.id), "performed_on": "2026-09-11", "quantity": "500"})
    assert late.status_code == 422 and "war Ihnen am 11.09.2026 nicht zugewiesen" in late.text
