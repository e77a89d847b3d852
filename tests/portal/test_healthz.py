from unittest import mock


def test_healthz_answers_ok_when_database_and_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["cache"] == "ok"


def test_healthz_answers_503_when_the_cache_is_down(client, db):
    with mock.patch("portal.views.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert "ConnectionError" not in response.content.decode()
