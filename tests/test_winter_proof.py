"""The winter-service proof that holds in court: duty times and the gaps where a pass is missing, the
SHA-256 of each confirmed record in CSV and PDF, corrections as new linked records, and no deleting."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from machinery_network.care import duty
from machinery_network.care.evidence import canonical
from machinery_network.care.models import CareLog
from machinery_network.db import sqlstate
from tests.test_winter import MERIDIAN, ROAD

# Wednesday, 20 January 2027, 11:00 in Berlin. Sunday is the 17th; 1 January 2027 (Neujahr) a Friday.
NOW = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


async def section(client, world, name: str, **overrides) -> dict:
    body = {**ROAD, "name": name, "municipality_id": world.north.id, "geometry": MERIDIAN, **overrides}
    response = await client.post("/api/v1/sections", json=body, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assigned = await client.post(
        f"/api/v1/sections/{created['id']}/assignments",
        json={"farmer_id": world.farmer.id, "valid_from": "2026-12-01"}, headers=world.yard_north.headers,
    )
    assert assigned.status_code == 201, assigned.text
    return created


async def passed(client, world, section_id: int, day: str, start: str, end: str, *, confirm: bool = True,
                 activity: str = "both") -> dict:
    body = {"section_id": section_id, "performed_on": day, "quantity": 1,
            "started_at": f"{day}T{start}:00+01:00", "ended_at": f"{day}T{end}:00+01:00", "activity": activity}
    if activity != "clearing":
        body |= {"material": "Streusalz", "amount_kg": 120}
    response = await client.post("/api/v1/care-logs", json=body, headers=world.farmer.headers)
    assert response.status_code == 201, response.text
    log = response.json()
    if confirm:
        confirmed = await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
        assert confirmed.status_code == 200, confirmed.text
        log = confirmed.json()
    return log


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


async def proof(client, world, section_id: int, fmt: str = "csv"):
    return await client.get(f"/api/v1/sections/{section_id}/winter-proof?season=2026&format={fmt}",
                            headers=world.yard_north.headers)


# --- duty times and gaps --------------------------------------------------------------------------------


def test_holidays_and_deadlines():
    assert duty.easter_sunday(2027) == date(2027, 3, 28)
    holidays = duty.public_holidays(2027)
    assert holidays[date(2027, 1, 1)] == "Neujahr"
    assert date(2027, 1, 6) not in holidays
    assert duty.public_holidays(2027, "BY")[date(2027, 1, 6)] == "Heilige Drei Könige"
    assert duty.public_holidays(2026, "SN")[date(2026, 11, 18)] == "Buß- und Bettag"
    default = duty.Duty.of(None)
    tz = duty.ZoneInfo("Europe/Berlin")
    assert default.deadline(date(2027, 1, 20), tz, holidays).strftime("%H:%M") == "07:00"  # Wednesday
    assert default.deadline(date(2027, 1, 16), tz, holidays).strftime("%H:%M") == "07:00"  # Saturday: a Werktag
    assert default.deadline(date(2027, 1, 17), tz, holidays).strftime("%H:%M") == "09:00"  # Sunday
    assert default.deadline(date(2027, 1, 1), tz, holidays).strftime("%H:%M") == "09:00"  # Neujahr
    for bad in ({"workday_by": "7:00"}, {"workday_by": "25:00"}, {"days": "sometimes"}, {"x": 1}, "07:00"):
        with pytest.raises(ValueError):
            duty.check_duty(bad)


async def test_a_missing_7_oclock_pass_is_flagged(client, world):
    main_road = await section(client, world, "Hauptstraße")
    school_path = await section(client, world, "Schulweg")
    # Tuesday: both sections done in time. Wednesday: only the main road; the school path has no pass.
    await passed(client, world, main_road["id"], "2027-01-19", "04:30", "05:15")
    await passed(client, world, school_path["id"], "2027-01-19", "05:00", "06:30")
    await passed(client, world, main_road["id"], "2027-01-20", "05:10", "06:40")
    # Sunday: the main road by 08:50, in time on a Sunday (09:00).
    await passed(client, world, main_road["id"], "2027-01-17", "08:00", "08:50")
    # Monday: the main road only done by 07:30, half an hour late.
    await passed(client, world, main_road["id"], "2027-01-18", "06:30", "07:30")
    # Neujahr (a holiday, Friday): by 08:30 is in time.
    await passed(client, world, main_road["id"], "2027-01-01", "07:45", "08:30")

    school = csv_rows(await proof(client, world, school_path["id"]))
    gaps = [(r["Datum"], r["Pflicht bis"], r["Bemerkung"]) for r in school if r["Eintrag"] == "Lücke"]
    assert gaps == [
        ("01.01.2027", "01.01.2027 09:00", "Kein bestätigter Einsatz bis 09:00 Uhr"),
        ("17.01.2027", "17.01.2027 09:00", "Kein bestätigter Einsatz bis 09:00 Uhr"),
        ("18.01.2027", "18.01.2027 07:00", "Kein bestätigter Einsatz bis 07:00 Uhr"),
        ("20.01.2027", "20.01.2027 07:00", "Kein bestätigter Einsatz bis 07:00 Uhr"),
    ]
    assert [r["Datum"] for r in school if r["Eintrag"] == "Einsatz"] == ["19.01.2027"]

    main = csv_rows(await proof(client, world, main_road["id"]))
    gaps = [(r["Datum"], r["Bemerkung"]) for r in main if r["Eintrag"] == "Lücke"]
    assert gaps == [("18.01.2027", "Erster Einsatz erst um 07:30 Uhr beendet (Pflicht bis 07:00 Uhr)")]
    # Passes and gaps in one order, by day.
    assert [r["Datum"] for r in main] == ["01.01.2027", "17.01.2027", "18.01.2027", "18.01.2027", "19.01.2027",
                                          "20.01.2027"]

    # The municipality-wide proof lists the gaps of every winter section.
    everything = await client.get(
        f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2026-12-01&to=2027-02-28",
        headers=world.yard_north.headers,
    )
    assert sum(1 for r in csv_rows(everything) if r["Eintrag"] == "Lücke") == 5


async def test_duty_times_are_set_per_section(client, world):
    late_start = await section(client, world, "Feldweg", winter_duty={"workday_by": "07:45"})
    assert late_start["winter_duty"] == {
        "workday_by": "07:45", "holiday_by": "09:00", "days": "service_days"}
    await passed(client, world, late_start["id"], "2027-01-18", "06:30", "07:30")
    rows = csv_rows(await proof(client, world, late_start["id"]))
    assert [r for r in rows if r["Eintrag"] == "Lücke"] == []  # 07:30 is in time for 07:45
    # Every winter day a duty day (the setting is replaced whole: back to 07:00): each day from 1 December
    # to today is a gap (today's deadline has passed at 11:00; the 18th's pass ended too late now).
    path = f"/api/v1/sections/{late_start['id']}"
    changed = await client.patch(path, json={"winter_duty": {"days": "every_day"}}, headers=world.yard_north.headers)
    assert changed.status_code == 200, changed.text
    rows = csv_rows(await proof(client, world, late_start["id"]))
    gaps = [r for r in rows if r["Eintrag"] == "Lücke"]
    assert len(gaps) == (date(2027, 1, 20) - date(2026, 12, 1)).days + 1
    assert next(r for r in gaps if r["Datum"] == "18.01.2027")["Bemerkung"].startswith("Erster Einsatz erst um 07:30")
    for bad in ({"workday_by": "7 Uhr"}, {"days": "weekly"}, ["07:00"]):
        refused = await client.patch(path, json={"winter_duty": bad}, headers=world.yard_north.headers)
        assert refused.status_code == 422, bad
    assert (await client.patch(path, json={"winter_duty": None},
                               headers=world.farmer.headers)).status_code == 403


async def test_reported_but_unconfirmed_pass_is_named(client, world):
    road = await section(client, world, "Hauptstraße")
    await passed(client, world, road["id"], "2027-01-20", "05:00", "06:00", confirm=False)
    rows = csv_rows(await proof(client, world, road["id"]))
    assert [(r["Datum"], r["Bemerkung"]) for r in rows] == [
        ("20.01.2027", "Einsatz gemeldet, aber nicht bestätigt (Pflicht bis 07:00 Uhr)")]


# --- the hash of each confirmed record ----------------------------------------------------------------


async def test_each_record_carries_its_hash_in_csv_and_pdf(client, db_session, world):
    road = await section(client, world, "Gemeindeverbindungsstraße Nord")
    log = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40")
    stored = await db_session.get(CareLog, log["id"])
    expected = hashlib.sha256(canonical(stored)).hexdigest()
    assert log["record_hash"] == expected
    assert canonical(stored).startswith(b'{"activity":"both","amount_kg":"120","corrects_id":null,')
    rows = csv_rows(await proof(client, world, road["id"]))
    assert [(r["Nr."], r["SHA-256"]) for r in rows if r["Eintrag"] == "Einsatz"] == [(str(log["id"]), expected)]

    pdf = await proof(client, world, road["id"], "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    content = "\n".join(page.extract_text() for page in reader.pages)
    assert f"SHA-256: {expected}" in content
    assert "Gemeindeverbindungsstraße Nord" in content  # ß and umlauts as they are, no Latin-1 stand-ins
    assert "05:10–06:40 Räumen und Streuen, Streusalz 120 kg" in content
    assert "Pflichtzeiten: werktags bis 07:00 Uhr, sonn- und feiertags bis 09:00 Uhr" in content
    assert "Lücken: 0" in content
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all("DejaVu" in name for name in fonts), fonts


async def test_a_record_changed_behind_the_databases_back_is_flagged(client, db_session, world):
    road = await section(client, world, "Hauptstraße")
    log = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40")
    # Only someone switching the database's guard off can change it: the proof then shows the difference.
    await db_session.execute(text("ALTER TABLE care_logs DISABLE TRIGGER care_logs_frozen_when_confirmed"))
    await db_session.execute(text("UPDATE care_logs SET ended_at = ended_at - interval '1 hour' WHERE id = :id"),
                             {"id": log["id"]})
    await db_session.execute(text("ALTER TABLE care_logs ENABLE TRIGGER care_logs_frozen_when_confirmed"))
    db_session.expire_all()
    row = next(r for r in csv_rows(await proof(client, world, road["id"])) if r["Eintrag"] == "Einsatz")
    assert f"ABWEICHUNG: bei der Bestätigung {log['record_hash']}" in row["SHA-256"]
    assert not row["SHA-256"].startswith(log["record_hash"])


# --- corrections are new records; nothing deletes a confirmed one ------------------------------------


async def test_a_correction_is_a_new_linked_record_and_the_proof_shows_both(client, db_session, world):
    road = await section(client, world, "Hauptstraße")
    original = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40")
    entries_before = await db_session.scalar(text("SELECT count(*) FROM ledger_entries"))
    path = f"/api/v1/care-logs/{original['id']}/corrections"
    fix = {"reason": "Uhrzeit falsch abgelesen; laut GPS-Spur bis 07:20", "started_at": "2027-01-20T05:50:00+01:00",
           "ended_at": "2027-01-20T07:20:00+01:00", "activity": "gritting", "material": "Splitt", "amount_kg": 80}
    assert (await client.post(path, json=fix, headers=world.farmer2.headers)).status_code == 403
    assert (await client.post(path, json=fix, headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(path, json={**fix, "reason": ""}, headers=world.yard_north.headers)).status_code == 422
    bad = await client.post(path, json={**fix, "ended_at": "2027-01-20T05:00:00+01:00"},
                            headers=world.yard_north.headers)
    assert bad.status_code == 422 and bad.json()["extra"]["field"] == "ended_at"
    response = await client.post(path, json=fix, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    correction = response.json()
    assert correction["corrects_id"] == original["id"]
    assert correction["status"] == "confirmed" and correction["record_hash"]
    assert correction["credit_cents"] == 0
    assert await db_session.scalar(text("SELECT count(*) FROM ledger_entries")) == entries_before
    # The confirmed record is as it was.
    shown = (await client.get(f"/api/v1/care-logs/{original['id']}", headers=world.yard_north.headers)).json()
    assert shown == original
    # One correction of a record; a correction of the correction is the way on.
    again = await client.post(path, json=fix, headers=world.yard_north.headers)
    assert again.status_code == 409 and again.json()["extra"]["care_log_id"] == correction["id"]

    rows = csv_rows(await proof(client, world, road["id"]))
    assert [(r["Eintrag"], r["Nr."], r["Ende"], r["Verweis"]) for r in rows if r["Eintrag"] != "Lücke"] == [
        ("Einsatz", str(original["id"]), "20.01.2027 06:40", f"Korrigiert durch Nr. {correction['id']}"),
        ("Korrektur", str(correction["id"]), "20.01.2027 07:20", f"Korrektur zu Nr. {original['id']}"),
    ]
    # The gaps go by the corrected pass: 07:20 is late.
    assert [r["Bemerkung"] for r in rows if r["Eintrag"] == "Lücke"] == [
        "Erster Einsatz erst um 07:20 Uhr beendet (Pflicht bis 07:00 Uhr)"]
    pdf = await proof(client, world, road["id"], "pdf")
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Korrektur zu Nr. {original['id']}" in content and f"SHA-256: {correction['record_hash']}" in content


async def test_a_farmers_correction_waits_for_confirmation_and_credits_nothing(client, db_session, world):
    road = await section(client, world, "Hauptstraße")
    original = await passed(client, world, road["id"], "2027-01-19", "05:10", "06:40")
    fix = {"reason": "Streugut war Splitt", "started_at": "2027-01-19T05:10:00+01:00",
           "ended_at": "2027-01-19T06:40:00+01:00", "activity": "both", "material": "Splitt", "amount_kg": 120}
    response = await client.post(f"/api/v1/care-logs/{original['id']}/corrections", json=fix,
                                 headers=world.farmer.headers)
    assert response.status_code == 201, response.text
    correction = response.json()
    assert correction["status"] == "reported" and correction["record_hash"] is None
    entries_before = await db_session.scalar(text("SELECT count(*) FROM ledger_entries"))
    confirmed = await client.post(f"/api/v1/care-logs/{correction['id']}/confirm", headers=world.yard_north.headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["record_hash"]
    assert await db_session.scalar(text("SELECT count(*) FROM ledger_entries")) == entries_before


async def test_weather_and_road_condition_go_with_clock_times(client, world):
    road = await section(client, world, "Hauptstraße")
    body = {"section_id": road["id"], "performed_on": "2027-01-20", "quantity": 1, "weather": "Schneefall"}
    refused = await client.post("/api/v1/care-logs", json=body, headers=world.farmer.headers)
    assert refused.status_code == 422 and refused.json()["extra"]["field"] == "started_at"
    odd = await client.post("/api/v1/care-logs", json={
        **body, "started_at": "2027-01-20T05:10:00+01:00", "ended_at": "2027-01-20T06:00:00+01:00",
        "activity": "clearing", "road_condition": "sunny"}, headers=world.farmer.headers)
    assert odd.status_code == 422


async def test_only_confirmed_winter_logs_are_corrected(client, world):
    road = await section(client, world, "Hauptstraße")
    open_log = await passed(client, world, road["id"], "2027-01-19", "05:10", "06:40", confirm=False)
    fix = {"reason": "x", "started_at": "2027-01-19T05:10:00+01:00", "ended_at": "2027-01-19T06:00:00+01:00",
           "activity": "clearing"}
    refused = await client.post(f"/api/v1/care-logs/{open_log['id']}/corrections", json=fix,
                                headers=world.yard_north.headers)
    assert refused.status_code == 409
    missing = await client.post("/api/v1/care-logs/999999/corrections", json=fix, headers=world.yard_north.headers)
    assert missing.status_code == 404


async def test_the_database_refuses_deleting_a_confirmed_log(client, db_session, world):
    road = await section(client, world, "Hauptstraße")
    confirmed = await passed(client, world, road["id"], "2027-01-19", "05:10", "06:40")
    reported = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40", confirm=False)
    with pytest.raises(DBAPIError) as refused:
        async with db_session.begin_nested():
            await db_session.execute(text("DELETE FROM care_logs WHERE id = :id"), {"id": confirmed["id"]})
    assert sqlstate(refused.value) == "55000"
    # Nor in bulk; an open report is not yet a record.
    with pytest.raises(DBAPIError):
        async with db_session.begin_nested():
            await db_session.execute(text("DELETE FROM care_logs"))
    async with db_session.begin_nested():
        await db_session.execute(text("DELETE FROM care_logs WHERE id = :id"), {"id": reported["id"]})
    assert await db_session.scalar(text("SELECT count(*) FROM care_logs")) == 1


# --- the farmer's report form ---------------------------------------------------------------------------


async def test_the_report_form_takes_the_winter_details(client, world):
    from tests.web_helpers import login, post_form

    road = await section(client, world, "Hauptstraße")
    await login(client, world.farmer.user.email)
    page = await client.get("/care")
    assert 'id="started_time"' in page.text and 'id="my-map"' in page.text
    fields = {"section_id": str(road["id"]), "performed_on": "2027-01-20", "quantity": "1,5", "note": "",
              "started_time": "05:10", "ended_time": "06:40", "activity": "both", "material": "Splitt",
              "amount_kg": "350,5", "road_condition": "black_ice", "weather": "−3 °C, gefrierender Regen"}
    late = await post_form(client, "/care/report", {**fields, "ended_time": "12:30"})
    assert late.status_code == 422 and 'class="field invalid"><label for="ended_time"' in late.text
    saved = await post_form(client, "/care/report", fields)
    assert saved.status_code == 303, saved.text
    [log] = (await client.get(f"/api/v1/care-logs?section_id={road['id']}", headers=world.farmer.headers)).json()
    assert datetime.fromisoformat(log["started_at"]) == datetime(2027, 1, 20, 4, 10, tzinfo=UTC)
    assert datetime.fromisoformat(log["ended_at"]) == datetime(2027, 1, 20, 5, 40, tzinfo=UTC)
    assert (log["activity"], log["material"], log["amount_kg"]) == ("both", "Splitt", 350.5)
    assert (log["road_condition"], log["weather"]) == ("black_ice", "−3 °C, gefrierender Regen")
    confirmed = await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
    assert confirmed.status_code == 200
    [row] = [r for r in csv_rows(await proof(client, world, road["id"])) if r["Eintrag"] == "Einsatz"]
    assert (row["Straßenzustand"], row["Wetter"]) == ("Glatteis", "−3 °C, gefrierender Regen")
    pdf = await proof(client, world, road["id"], "pdf")
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Glatteis; −3 °C, gefrierender Regen" in content


# --- the GPS track kept as evidence -------------------------------------------------------------------


async def test_the_gps_track_is_kept_with_the_pass_and_named_in_the_proof(client, world):
    from tests.test_winter import along_meridian, gpx, post_track

    road = await section(client, world, "Hauptstraße")
    log = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40", confirm=False)
    track = gpx(along_meridian(0.8, east_m=6))
    covered = (await post_track(client, world.farmer, log["id"], track)).json()["covered_percent"]
    shown = (await client.get(f"/api/v1/care-logs/{log['id']}", headers=world.farmer.headers)).json()
    assert shown["track_covered_percent"] == covered
    assert shown["track_sha256"] == hashlib.sha256(track).hexdigest()
    download = await client.get(f"/api/v1/care-logs/{log['id']}/track", headers=world.yard_north.headers)
    assert download.status_code == 200 and download.content == track
    assert (await client.get(f"/api/v1/care-logs/{log['id']}/track",
                             headers=world.farmer2.headers)).status_code == 403
    confirmed = (await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)).json()
    # After the confirmation a track is still checked, but the kept one stays.
    other = gpx(along_meridian(1.0, east_m=-3))
    assert (await post_track(client, world.yard_north, log["id"], other)).json()["covered_percent"] == 100
    after = (await client.get(f"/api/v1/care-logs/{log['id']}", headers=world.farmer.headers)).json()
    assert after["track_sha256"] == hashlib.sha256(track).hexdigest() and after["record_hash"] == confirmed["record_hash"]
    row = next(r for r in csv_rows(await proof(client, world, road["id"])) if r["Eintrag"] == "Einsatz")
    assert row["GPS-Abdeckung (%)"] == str(covered).replace(".", ",")
    assert row["GPS-Spur SHA-256"] == hashlib.sha256(track).hexdigest()
    pdf = await proof(client, world, road["id"], "pdf")
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"GPS-Spur: {str(covered).replace('.', ',')} % des Abschnitts" in content


async def test_the_yard_head_corrects_a_pass_on_a_page(client, world):
    from tests.web_helpers import login, post_form

    road = await section(client, world, "Hauptstraße")
    original = await passed(client, world, road["id"], "2027-01-20", "05:10", "06:40")
    await login(client, world.yard_north.user.email)
    inbox = await client.get("/manage/care-logs")
    assert f'href="/manage/care-logs/{original["id"]}/correct"' in inbox.text
    page = await client.get(f"/manage/care-logs/{original['id']}/correct")
    assert page.status_code == 200 and original["record_hash"] in page.text and 'value="06:40"' in page.text
    fields = {"performed_on": "2027-01-20", "started_time": "05:50", "ended_time": "07:20", "activity": "gritting",
              "material": "Splitt", "amount_kg": "80", "road_condition": "black_ice", "weather": "", "reason": ""}
    missing_reason = await post_form(client, f"/manage/care-logs/{original['id']}/correct", fields)
    assert missing_reason.status_code == 422 and 'class="field invalid"><label for="reason"' in missing_reason.text
    saved = await post_form(client, f"/manage/care-logs/{original['id']}/correct",
                            {**fields, "reason": "Ende laut GPS-Spur 07:20"})
    assert saved.status_code == 303, saved.text
    rows = csv_rows(await proof(client, world, road["id"]))
    assert [(r["Eintrag"], r["Ende"]) for r in rows if r["Eintrag"] != "Lücke"] == [
        ("Einsatz", "20.01.2027 06:40"), ("Korrektur", "20.01.2027 07:20")]
    await login(client, world.farmer.user.email)
    assert (await client.get(f"/manage/care-logs/{original['id']}/correct")).status_code == 403
