"""One real Miniflux (over a throwaway PostgreSQL) for the sync tests of a session.

Tests that need it skip, with the reason, where neither PostgreSQL nor Miniflux can be had;
`.ci/run` makes both available so that in CI they run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feeds import items, rss
from tests.support.feedserver import FeedServer, feed_reply
from tests.support.miniflux import Account, Miniflux, running_miniflux, unavailable

#: The account every sync test module starts from: 4 feeds of 3 items in 3 folders.
FOLDERS = {"Tech": ["alpha", "beta"], "World": ["gamma"], "Science": ["delta"]}


@pytest.fixture(scope="session")
def miniflux() -> Iterator[Miniflux]:
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no Miniflux here: {reason}")
    with running_miniflux() as server:
        server.enable_apis()
        yield server


@pytest.fixture(scope="module")
def account(miniflux: Miniflux) -> Iterator[Account]:
    with FeedServer() as feeds:
        created: list[int] = []
        feed_ids: list[int] = []
        with miniflux.api() as api:
            for folder, names in FOLDERS.items():
                category = api.post("/categories", json={"title": folder}).json()
                created.append(category["id"])
                for name in names:
                    feeds.route(
                        f"/{name}.xml",
                        feed_reply(rss(items(3, prefix=name.title()), title=name.title())),
                    )
                    answer = api.post(
                        "/feeds",
                        json={"feed_url": feeds.url(f"/{name}.xml"), "category_id": category["id"]},
                    )
                    assert answer.status_code == 201, answer.text
                    feed_ids.append(answer.json()["feed_id"])
            entries = api.get("/entries", params={"limit": 100}).json()["entries"]
        ids = {entry["title"]: entry["id"] for entry in entries}
        yield Account(miniflux, feeds, ids)
        with miniflux.api() as api:
            for feed_id in feed_ids:
                api.delete(f"/feeds/{feed_id}")
            for category_id in created:
                api.delete(f"/categories/{category_id}")
