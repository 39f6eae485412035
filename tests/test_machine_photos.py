"""At the machine through the JSON API: photos at hand-over and return (base64, up to 5, re-encoded like
care photos) and the meter kind of an item (operating hours or odometer)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from machinery_network.config import Settings
from machinery_network.machine.models import Handover, HandoverPhoto
from tests.test_bookings import make_item
from tests.test_care_api import GIF, JPEG, PNG
from tests.test_machine import NOW, OUT, approved, at  # noqa: F401  (NOW: the frozen clock)
from tests.test_machine_web import SIGNATURE
from tests.web_helpers import login

pytestmark = pytest.mark.usefixtures("frozen")
UPLOAD_LIMIT = 4000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="test-secret-key-not-for-production",
                    MN_UPLOAD_MAX_BYTES=UPLOAD_LIMIT)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (50.0, 56.0, 0.0)}  # GPS: where the photo was taken
    exif[0x010F] = "Handykamera"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def count(db_session, model) -> int:
    return await db_session.scalar(select(func.count()).select_from(model))


async def test_photos_at_hand_over_and_return_through_the_api(client, db_session, world, settings, frozen):
    from datetime import datetime

    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    located = jpeg_with_location()
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", headers=world.farmer.headers,
                          json={**OUT, "photos": [b64(PNG), "data:image/jpeg;base64," + b64(located)],
                                "signature": SIGNATURE})
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["photo_ids"]) == 2 and body["signed_at"] is not None and body["meter_kind"] == "hours"
    # Stored re-encoded: still a picture of the same size, but the location and camera are gone.
    served = await client.get(f"/api/v1/handover-photos/{body['photo_ids'][1]}", headers=world.yard_north.headers)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (40, 30) and not stored.getexif().get_ifd(0x8825) and 0x010F not in stored.getexif()
    # Who may see them: the booking's farmer and the item's yard head, nobody else.
    assert (await client.get(f"/api/v1/handover-photos/{body['photo_ids'][0]}",
                             headers=world.farmer.headers)).status_code == 200
    for other in (world.farmer2, world.yard_south):
        assert (await client.get(f"/api/v1/handover-photos/{body['photo_ids'][0]}",
                                 headers=other.headers)).status_code == 403
        assert (await client.get(f"/api/v1/bookings/{booking_id}/photos", headers=other.headers)).status_code == 403
    assert (await client.get(f"/api/v1/handover-photos/{body['photo_ids'][0]}")).status_code == 401
    assert (await client.get("/api/v1/handover-photos/999999", headers=world.farmer.headers)).status_code == 404

    frozen.move(datetime.fromisoformat(at(1, 18, 30)))
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.yard_north.headers,
                          json={"meter": 1004, "fuel_percent": 60, "condition": "remarks", "remarks": "Delle",
                                "photos": [b64(JPEG)]})
    assert r.status_code == 201, r.text
    assert len(r.json()["photo_ids"]) == 1
    listed = (await client.get(f"/api/v1/bookings/{booking_id}/photos", headers=world.farmer.headers)).json()
    assert [p["kind"] for p in listed] == ["checkout", "checkout", "checkin"]
    assert [p["content_type"] for p in listed] == ["image/png", "image/jpeg", "image/jpeg"]


@pytest.mark.parametrize("photos, message", [
    ([b64(PNG)] * 6, "at most 5"),
    ([b64(GIF)], None),
    (["kein base64!"], "base64"),
    ([b64(b"\xff\xd8\xff" + b"\x00" * 64)], None),  # JPEG magic, no picture: Pillow cannot decode it
    ([b64(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000)], None),  # beyond the upload limit
])
async def test_bad_photos_are_422_and_nothing_is_written(client, db_session, world, settings, photos, message):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", headers=world.farmer.headers,
                          json={**OUT, "photos": photos})
    assert r.status_code == 422, r.text
    if message:
        assert message in r.text
    assert await count(db_session, Handover) == 0 and await count(db_session, HandoverPhoto) == 0
    assert not list((settings.upload_dir / "machine").glob("*")) if (settings.upload_dir / "machine").exists() else True


async def test_meter_kind_of_an_item_is_patchable_and_named_on_the_pages(client, db_session, world, frozen):
    from datetime import datetime

    item = await make_item(db_session, world)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"meter_kind": "km"}, headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["meter_kind"] == "km", r.text
    for bad in ("miles", "", 3):
        r = await client.patch(f"/api/v1/items/{item.id}", json={"meter_kind": bad}, headers=world.yard_north.headers)
        assert r.status_code == 422
    assert (await client.patch(f"/api/v1/items/{item.id}", json={"meter_kind": "hours"},
                               headers=world.yard_south.headers)).status_code == 403
    assert (await client.patch(f"/api/v1/items/{item.id}", json={"meter_kind": "hours"},
                               headers=world.farmer.headers)).status_code == 403
    r = await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Kehrmaschine", "kind": "machine", "unit": "km",
        "rate_cents": 300, "meter_kind": "km"})
    assert r.status_code == 201 and r.json()["meter_kind"] == "km"
    assert (await client.get(f"/api/v1/items/{item.id}", headers=world.farmer.headers)).json()["meter_kind"] == "km"

    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", headers=world.farmer.headers,
                          json={**OUT, "meter": 52310})
    assert r.status_code == 201 and r.json()["meter_kind"] == "km"
    frozen.move(datetime.fromisoformat(at(1, 18, 30)))
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.farmer.headers,
                          json={"meter": 52352, "fuel_percent": 50, "condition": "ok"})
    assert r.status_code == 201 and r.json()["meter_difference"] == 42

    await login(client, world.yard_north.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert "Kilometerstand" in page.text and "Gefahrene Kilometer" in page.text
    assert "Zählerstand (Betriebsstunden)" not in page.text
    history = await client.get(f"/manage/items/{item.id}/history")
    assert history.status_code == 200 and "Kilometerstand" in history.text and "Kilometer je Monat" in history.text
    csv_text = (await client.get(f"/manage/items/{item.id}/history.csv")).content.decode("utf-8-sig")
    header = csv_text.splitlines()[0].split(";")
    assert header[6:9] == ["Kilometerstand Übergabe", "Kilometerstand Rückgabe", "Kilometer"]
    form = await client.get(f"/manage/items/{item.id}/edit")
    assert '<option value="km" selected>Kilometerstand</option>' in form.text
