"""The scan of a signed mandate form: who may attach and read it, what is accepted (magic bytes, size),
images re-encoded by Pillow, PDFs kept; API and page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, PngImagePlugin

from machinery_network.auth import SYSTEM
from machinery_network.config import Settings
from machinery_network.mandates import service as mandates
from tests.web_helpers import csrf_token, login

LIMIT = 60_000
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="test-secret-key-not-for-production",
                    MN_UPLOAD_MAX_BYTES=LIMIT)


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-from-the-scanner")
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 10, 10)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
async def mandate(db_session, world):
    row = await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer.id, municipality_id=world.north.id,
                                        reference="NORD-LS-1", signed_on=date(2025, 4, 1))
    await db_session.commit()
    return row


def upload(content: bytes, name: str = "scan.bin", content_type: str = "application/octet-stream") -> dict:
    return {"file": (name, content, content_type)}


async def test_finance_attaches_an_image_scan_re_encoded_and_readers_download_it(client, world, mandate):
    sent = png_with_text()
    response = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=world.finance_north.headers,
                                 files=upload(sent, "form.png", "image/png"))
    assert response.status_code == 200, response.text
    assert response.json()["has_scan"] is True
    for who in ("finance_north", "admin", "farmer"):  # whoever may read the mandate
        got = await client.get(f"/api/v1/mandates/{mandate.id}/scan", headers=getattr(world, who).headers)
        assert got.status_code == 200, (who, got.text)
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in got.headers["content-disposition"]
    # Pillow wrote it anew: same pixels, the scanner's text chunk gone
    assert got.content != sent and b"secret-from-the-scanner" not in got.content
    with Image.open(io.BytesIO(got.content)) as image:
        assert image.size == (40, 20) and image.getpixel((0, 0)) == (200, 10, 10)
    assert (await client.get(f"/api/v1/mandates/{mandate.id}", headers=world.farmer.headers)).json()["has_scan"]


async def test_a_pdf_is_kept_as_sent_and_a_new_scan_replaces_the_old(client, world, mandate, settings):
    url = f"/api/v1/mandates/{mandate.id}/scan"
    assert (await client.post(url, headers=world.admin.headers,
                              files=upload(png_with_text(), "a.png"))).status_code == 200
    first = list((settings.upload_dir / "mandates").iterdir())
    response = await client.post(url, headers=world.finance_north.headers, files=upload(PDF, "form.pdf"))
    assert response.status_code == 200, response.text
    got = await client.get(url, headers=world.finance_north.headers)
    assert (got.status_code, got.headers["content-type"], got.content) == (200, "application/pdf", PDF)
    # the replaced file is removed once the replacement is committed
    assert not first[0].exists() and len(list((settings.upload_dir / "mandates").iterdir())) == 1


@pytest.mark.parametrize("who", ["yard_north", "finance_south", "farmer", "farmer2"])
async def test_upload_refused_to_others(client, world, mandate, who):
    response = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=getattr(world, who).headers,
                                 files=upload(PDF, "form.pdf"))
    # another farmer does not even see the mandate
    assert response.status_code == (404 if who == "farmer2" else 403), response.text


async def test_download_refused_to_others_and_404_without_scan(client, world, mandate):
    url = f"/api/v1/mandates/{mandate.id}/scan"
    assert (await client.get(url, headers=world.finance_north.headers)).status_code == 404  # none yet
    assert (await client.post(url, headers=world.finance_north.headers, files=upload(PDF))).status_code == 200
    assert (await client.get(url, headers=world.finance_south.headers)).status_code == 403
    assert (await client.get(url, headers=world.yard_north.headers)).status_code == 403
    assert (await client.get(url, headers=world.farmer2.headers)).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get("/api/v1/mandates/999999/scan", headers=world.admin.headers)).status_code == 404


async def test_too_large_is_413(client, world, mandate):
    big = PDF + b"0" * (LIMIT + 1 - len(PDF))
    response = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=world.finance_north.headers,
                                 files=upload(big, "big.pdf"))
    assert response.status_code == 413, response.text
    assert response.json()["extra"]["field"] == "file"
    # exactly at the limit is fine
    ok = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=world.finance_north.headers,
                           files=upload(big[:LIMIT], "big.pdf"))
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(("content", "why"), [
    (b"GIF89a\x01\x00\x01\x00", "mandates.scan_type"),  # a GIF, whatever its name says
    (b"<html><script>alert(1)</script></html>", "mandates.scan_type"),
    (b"", "mandates.scan_empty"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "mandates.scan_unreadable"),
])
async def test_wrong_files_are_422(client, world, mandate, content, why):
    response = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=world.finance_north.headers,
                                 files=upload(content, "scan.pdf", "application/pdf"))
    assert response.status_code == 422, response.text
    assert response.json()["extra"]["field"] == "file"
    assert not (await client.get(f"/api/v1/mandates/{mandate.id}", headers=world.admin.headers)).json()["has_scan"]


async def test_missing_file_field_is_422(client, world, mandate):
    response = await client.post(f"/api/v1/mandates/{mandate.id}/scan", headers=world.finance_north.headers,
                                 files={"other": ("x.pdf", PDF, "application/pdf")})
    assert response.status_code == 422


async def test_finance_uploads_on_the_mandates_page(client, world, mandate):
    await login(client, world.finance_north.user.email)
    page = await client.get("/finance/mandates")
    assert f'action="/finance/mandates/{mandate.id}/scan"' in page.text and 'enctype="multipart/form-data"' in page.text
    token = await csrf_token(client)
    response = await client.post(f"/finance/mandates/{mandate.id}/scan", data={"_csrf_token": token},
                                 files=upload(PDF, "form.pdf"))
    assert response.status_code in (302, 303), response.text
    page = await client.get("/finance/mandates")
    assert f'href="/finance/mandates/{mandate.id}/scan"' in page.text and "Scan ansehen" in page.text
    got = await client.get(f"/finance/mandates/{mandate.id}/scan")
    assert (got.status_code, got.content) == (200, PDF)
    # a wrong file: the page again, with the German reason
    response = await client.post(f"/finance/mandates/{mandate.id}/scan", data={"_csrf_token": token},
                                 files=upload(b"GIF89a", "x.gif", "image/gif"))
    assert response.status_code == 422
    assert "Der Scan muss eine PDF-, JPEG- oder PNG-Datei sein." in response.text


async def test_yard_head_cannot_upload_on_the_page(client, world, mandate):
    await login(client, world.yard_north.user.email)
    token = await csrf_token(client)
    response = await client.post(f"/finance/mandates/{mandate.id}/scan", data={"_csrf_token": token},
                                 files=upload(PDF, "form.pdf"))
    assert response.status_code == 403
