"""Every request's database session ends: committed for 2xx/3xx, rolled back otherwise, always closed."""

import httpx

from machinery_network.app import create_app


async def _client_with_tracking(settings, sessionmaker):
    made = []

    def tracking_sessionmaker():
        session = sessionmaker()
        made.append(session)
        return session

    app = create_app(settings, tracking_sessionmaker)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    return client, made


async def test_a_refused_token_leaves_no_session_open(settings, sessionmaker, world):
    # Regression: the 401 is raised while dependencies are resolved, where Litestar runs no cleanup.
    client, made = await _client_with_tracking(settings, sessionmaker)
    async with client:
        response = await client.get("/api/v1/items", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert made, "the token lookup used a session"
    assert all(not s.in_transaction() for s in made)


async def test_a_conflict_rolls_back_what_the_handler_flushed(settings, sessionmaker, world, db_session):
    from sqlalchemy import func, select

    from machinery_network.accounts.models import Municipality

    client, made = await _client_with_tracking(settings, sessionmaker)
    before = await db_session.scalar(select(func.count()).select_from(Municipality))
    async with client:
        ok = await client.post("/api/v1/municipalities", json={"name": "Neustadt"}, headers=world.admin.headers)
        dup = await client.post("/api/v1/municipalities", json={"name": "Neustadt"}, headers=world.admin.headers)
    assert (ok.status_code, dup.status_code) == (201, 409)
    assert await db_session.scalar(select(func.count()).select_from(Municipality)) == before + 1
    assert all(not s.in_transaction() for s in made)
