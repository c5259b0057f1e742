async def test_create_then_list(client, auth):
    response = await client.post(
        "/api/projects", json={"message": "Build a to-do list app"}, headers=auth("alice")
    )

    assert response.status_code == 201
    listed = await client.get("/api/projects", headers=auth("alice"))
    assert [p["id"] for p in listed.json()] == [response.json()["id"]]
