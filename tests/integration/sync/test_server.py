"""The test server itself: a real Miniflux answers its three APIs, and refuses bad logins.

These pin what the sync client will be built against (issue 10): if the fixture or the
server's dialect changes, these fail before any client test does.
"""

from __future__ import annotations

import hashlib

import httpx

from tests.support.miniflux import ADMIN, ADMIN_PASSWORD, Miniflux


def test_the_rest_api_answers_as_the_admin(miniflux: Miniflux) -> None:
    with miniflux.api() as api:
        me = api.get("/me")
        assert me.status_code == 200
        assert me.json()["username"] == ADMIN
        assert api.get("/feeds").json() == []


def test_google_reader_login_gives_a_token_and_refuses_a_bad_password(miniflux: Miniflux) -> None:
    good = httpx.post(
        f"{miniflux.url}/accounts/ClientLogin",
        data={"Email": ADMIN, "Passwd": ADMIN_PASSWORD},
        timeout=30,
    )
    assert good.status_code == 200
    auth = dict(line.split("=", 1) for line in good.text.splitlines() if "=" in line)["Auth"]
    headers = {"Authorization": f"GoogleLogin auth={auth}"}
    token = httpx.get(f"{miniflux.url}/reader/api/0/token", headers=headers, timeout=30)
    assert token.status_code == 200 and token.text.strip()

    bad = httpx.post(
        f"{miniflux.url}/accounts/ClientLogin",
        data={"Email": ADMIN, "Passwd": "wrong"},
        timeout=30,
    )
    assert bad.status_code == 401


def test_fever_authenticates_by_md5_of_user_and_password(miniflux: Miniflux) -> None:
    key = hashlib.md5(f"{ADMIN}:{ADMIN_PASSWORD}".encode(), usedforsecurity=False).hexdigest()
    good = httpx.post(f"{miniflux.url}/fever/?api", data={"api_key": key}, timeout=30)
    assert good.status_code == 200 and good.json()["auth"] == 1
    bad = httpx.post(f"{miniflux.url}/fever/?api", data={"api_key": "0" * 32}, timeout=30)
    assert bad.json()["auth"] == 0


def test_a_stopped_server_refuses_connections_and_comes_back_with_its_data(
    miniflux: Miniflux,
) -> None:
    with miniflux.api() as api:
        category = api.post("/categories", json={"title": "Restart check"}).json()
    miniflux.stop()
    try:
        try:
            httpx.get(f"{miniflux.url}/healthcheck", timeout=2)
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the stopped server still answered")
    finally:
        miniflux.start()
    with miniflux.api() as api:
        titles = [c["title"] for c in api.get("/categories").json()]
        assert "Restart check" in titles
        api.delete(f"/categories/{category['id']}")
