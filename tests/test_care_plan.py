"""Seasonal care plans and the winter-service proof (CSV parsed back, PDF text read back)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from machinery_network.care import service
from tests.test_care_api import SECTION, assign, make_section, report

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 20 November 2026: autumn ends in 10 days


pytestmark = pytest.mark.usefixtures("frozen")


def test_seasons():
    assert service.season_bounds(2026, "spring") == (date(2026, 3, 1), date(2026, 5, 31))
    assert service.season_bounds(2026, "summer") == (date(2026, 6, 1), date(2026, 8, 31))
    assert service.season_bounds(2026, "autumn") == (date(2026, 9, 1), date(2026, 11, 30))
    assert service.season_bounds(2027, "winter") == (date(2027, 12, 1), date(2028, 2, 29))  # leap year
    assert service.season_of(date(2027, 1, 15)) == (2026, "winter")
    assert service.season_of(date(2026, 12, 1)) == (2026, "winter")
    assert service.season_of(date(2026, 2, 28)) == (2025, "winter")
    assert service.season_of(date(2026, 3, 1)) == (2026, "spring")
    assert service.season_of(date(2026, 8, 31)) == (2026, "summer")
    assert service.season_of(date(2026, 11, 30)) == (2026, "autumn")


async def _confirm(client, world, log_id: int) -> None:
    response = await client.post(f"/api/v1/care-logs/{log_id}/confirm", headers=world.yard_north.headers)
    assert response.status_code == 200, response.text


async def test_plan_counts_planned_reported_confirmed_and_overdue(client, world):
    # Mowing: 2 passes in summer, 1 in autumn; 850 m long.
    mowing = await make_section(client, world)
    await assign(client, world, mowing["id"], world.farmer.id, "2026-01-01")
    # Summer: one full pass confirmed, a half pass confirmed, one full pass only reported, one rejected.
    full = (await report(client, world.farmer, mowing["id"], "2026-06-15", 850)).json()
    half = (await report(client, world.farmer, mowing["id"], "2026-07-01", 425)).json()
    await report(client, world.farmer, mowing["id"], "2026-08-10", 850)
    rejected = (await report(client, world.farmer, mowing["id"], "2026-08-20", 850)).json()
    await _confirm(client, world, full["id"])
    await _confirm(client, world, half["id"])
    await client.post(f"/api/v1/care-logs/{rejected['id']}/reject", json={"reason": "doppelt"},
                      headers=world.yard_north.headers)
    # Autumn: nothing yet, and it ends in 10 days.
    # Hedge: flat, 3 cuts planned in winter 2026 (December 2026 – February 2027): upcoming.
    hedge = await make_section(client, world, name="Hecke Kirchweg", unit="flat", task="hedge_cutting",
                               length_m=250, rate_cents=9000, planned_passes={"winter": 3})
    await assign(client, world, hedge["id"], world.farmer2.id, "2026-01-01")

    response = await client.get(
        f"/api/v1/sections/plan?municipality_id={world.north.id}&year=2026", headers=world.yard_north.headers
    )
    assert response.status_code == 200, response.text
    rows = {(r["section_id"], r["season"]): r for r in response.json()}
    assert set(rows) == {(mowing["id"], "summer"), (mowing["id"], "autumn"), (hedge["id"], "winter")}

    summer = rows[(mowing["id"], "summer")]
    assert (summer["planned"], summer["reported"], summer["confirmed"]) == (2, 2.5, 1.5)
    assert summer["overdue"] is True and summer["state"] == "overdue"
    assert summer["farmer_id"] == world.farmer.id
    assert (summer["season_start"], summer["season_end"]) == ("2026-06-01", "2026-08-31")

    autumn = rows[(mowing["id"], "autumn")]
    assert (autumn["planned"], autumn["reported"], autumn["confirmed"]) == (1, 0, 0)
    assert autumn["overdue"] is True  # ends within the default 14 days

    winter = rows[(hedge["id"], "winter")]
    assert (winter["planned"], winter["overdue"], winter["state"]) == (3, False, "upcoming")
    assert winter["farmer_id"] == world.farmer2.id

    # With a shorter warning window, autumn (10 days left) is open, not overdue.
    narrow = await client.get(
        f"/api/v1/sections/plan?municipality_id={world.north.id}&year=2026&due_within_days=5&season=autumn",
        headers=world.yard_north.headers,
    )
    assert [(r["season"], r["overdue"], r["state"]) for r in narrow.json()] == [("autumn", False, "open")]


async def test_plan_is_done_when_confirmed_reaches_planned(client, world):
    section = await make_section(client, world, planned_passes={"summer": 1})
    await assign(client, world, section["id"], world.farmer.id, "2026-01-01")
    log = (await report(client, world.farmer, section["id"], "2026-07-01", 850)).json()
    await _confirm(client, world, log["id"])
    response = await client.get(
        f"/api/v1/sections/plan?municipality_id={world.north.id}&year=2026", headers=world.finance_north.headers
    )
    (row,) = response.json()
    assert (row["confirmed"], row["overdue"], row["state"]) == (1, False, "done")


async def test_plan_refusals(client, world):
    path = f"/api/v1/sections/plan?municipality_id={world.north.id}&year=2026"
    assert (await client.get(path, headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(path, headers=world.farmer.headers)).status_code == 403
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path + "&season=monsoon", headers=world.yard_north.headers)).status_code == 422
    assert (await client.get(f"/api/v1/sections/plan?municipality_id={world.north.id}",
                             headers=world.yard_north.headers)).status_code in (400, 422)


async def _winter_world(client, world):
    road = await make_section(client, world, name="Ortsverbindung Widdershausen", task="winter_service",
                              unit="hour", rate_cents=5200, length_m=1100, planned_passes={"winter": 10})
    path = await make_section(client, world, name="Wirtschaftsweg Dippach", kind="path", task="winter_service",
                              unit="hour", rate_cents=5200, length_m=1500)
    mowing = await make_section(client, world)
    for section in (road, path, mowing):
        await assign(client, world, section["id"], world.farmer.id, "2025-10-01")
    logs = []
    for section, day, hours, note in (
        (road, "2026-01-12", "2.5", "Räumen und Streuen; Glätte ab 5 Uhr"),
        (path, "2026-01-13", "1", None),
        (road, "2026-02-02", "3", "=HYPERLINK(\"x\")"),
    ):
        log = (await report(client, world.farmer, section["id"], day, hours, note=note)).json()
        await _confirm(client, world, log["id"])
        logs.append(log)
    # Not in the proof: only reported, out of period, or not winter service.
    await report(client, world.farmer, road["id"], "2026-01-20", "1")
    out_of_period = (await report(client, world.farmer, road["id"], "2026-03-05", "1")).json()
    await _confirm(client, world, out_of_period["id"])
    mowed = (await report(client, world.farmer, mowing["id"], "2026-01-15", 100)).json()
    await _confirm(client, world, mowed["id"])
    return road, path


async def test_winter_proof_csv(client, world):
    road, _ = await _winter_world(client, world)
    response = await client.get(
        f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2025-12-01&to=2026-02-28&format=csv",
        headers=world.yard_north.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *data = rows
    assert header[:7] == ["Gemeinde", "Abschnitt", "Art", "Länge (m)", "Datum", "Landwirt", "Menge"]
    data = [r for r in data if r[header.index("Eintrag")] == "Einsatz"]  # the gaps follow their day
    assert [(r[1], r[4], r[6], r[7]) for r in data] == [
        ("Ortsverbindung Widdershausen", "12.01.2026", "2,5", "Stunde"),
        ("Wirtschaftsweg Dippach", "13.01.2026", "1", "Stunde"),
        ("Ortsverbindung Widdershausen", "02.02.2026", "3", "Stunde"),
    ]
    assert data[0][0] == world.north.name and data[0][2] == "Straße" and data[1][2] == "Weg"
    assert data[0][5] == "Franz Bauer"
    assert data[0][8] == "Räumen und Streuen; Glätte ab 5 Uhr"
    # 2,5 h × 52,00 € = 130,00 €
    assert data[0][9] == "130,00"
    assert data[0][10] == "Yannick Nord"
    # A note that looks like a formula is defused for spreadsheets.
    assert data[2][8].startswith("'=")

    one = await client.get(
        f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2025-12-01&to=2026-02-28"
        f"&section_id={road['id']}&format=csv",
        headers=world.finance_north.headers,
    )
    one_rows = list(csv.reader(io.StringIO(one.content.decode("utf-8-sig")), delimiter=";"))[1:]
    assert [r[4] for r in one_rows if r[17] == "Einsatz"] == ["12.01.2026", "02.02.2026"]


async def test_winter_proof_pdf(client, world):
    await _winter_world(client, world)
    response = await client.get(
        f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2025-12-01&to=2026-02-28&format=pdf",
        headers=world.yard_north.headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Nachweis Winterdienst" in text
    assert "Zeitraum: 01.12.2025 bis 28.02.2026" in text
    assert "Ortsverbindung Widdershausen" in text and "Wirtschaftsweg Dippach" in text
    assert "12.01.2026" in text and "02.02.2026" in text
    assert "Glätte" in text
    assert "Einsätze: 3" in text
    passes = text.split("Lücken:")[0]  # the gaps (e.g. the unconfirmed report of 20.01.) come after
    assert "05.03.2026" not in passes and "20.01.2026" not in passes


async def test_winter_proof_refusals(client, world):
    base = f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2026-01-01&to=2026-02-28"
    assert (await client.get(base, headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(base, headers=world.farmer.headers)).status_code == 403
    assert (await client.get(base)).status_code == 401
    assert (await client.get(base + "&format=xls", headers=world.yard_north.headers)).status_code == 422
    backwards = f"/api/v1/sections/winter-proof?municipality_id={world.north.id}&from=2026-03-01&to=2026-02-28"
    assert (await client.get(backwards, headers=world.yard_north.headers)).status_code == 422
    south = await client.post("/api/v1/sections", json={**SECTION, "municipality_id": world.south.id},
                              headers=world.yard_south.headers)
    foreign_section = await client.get(base + f"&section_id={south.json()['id']}", headers=world.yard_north.headers)
    assert foreign_section.status_code == 404
    empty = await client.get(base + "&format=pdf", headers=world.yard_north.headers)
    text = PdfReader(io.BytesIO(empty.content)).pages[0].extract_text()
    assert "keine bestätigten Winterdiensteinsätze" in text
