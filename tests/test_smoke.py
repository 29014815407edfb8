def test_clinician_sees_chart(world, login):
    client = login(world.clinician)
    response = client.get(f"/participants/{world.participant.public_id}/")
    assert response.status_code == 200
    assert b"Pat Example" in response.content
