async def test_health_answers_when_the_database_does(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
