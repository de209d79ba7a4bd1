"""The exception desk over HTTP (httpx's ASGI transport, a real SQLite store): login,
sessions and CSRF, the queue's filters and order, and the follow-up flows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from desk_seed import NAME, PASSWORD, PHONE, SECOND_PASSWORD, SECOND_USER, USER, seed_store
from pydantic import SecretStr
from starlette.applications import Starlette

from logix_rules.runtime._incidents import Incident
from logix_rules.service import ServiceContext, ServiceSettings
from logix_rules.service._desk import MAX_FORM_BYTES, desk_routes
from logix_rules.service._desk_queue import PAGE_SIZE
from logix_rules.store import Store

pytestmark = pytest.mark.anyio
SECRET = "desk-test-secret-" + "x" * 32


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, datetime]:
    path = tmp_path_factory.mktemp("desk") / "desk.db"
    store, now = seed_store(path)
    store.close()
    return path, now


@pytest.fixture
def world(
    seeded: tuple[Path, datetime], tmp_path: Path
) -> Iterator[tuple[ServiceContext, datetime]]:
    """A fresh copy of the seeded store for each test (follow-ups change it)."""
    source, now = seeded
    path = tmp_path / "desk.db"
    path.write_bytes(source.read_bytes())
    from logix_rules.store import open_store

    store = open_store(f"sqlite:///{path}")
    settings = ServiceSettings(session_secret=SecretStr(SECRET))
    ctx = ServiceContext(store, "default", settings=settings, clock=lambda: now)
    yield ctx, now
    ctx.close()
    store.close()


@pytest.fixture
async def client(world: tuple[ServiceContext, datetime]) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=desk_routes(world[0]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
        yield c


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def queue_ids(page: httpx.Response) -> list[str]:
    return re.findall(r'<tr data-incident="([^"]+)"', page.text)


async def every_page(c: httpx.AsyncClient, **params: str) -> list[str]:
    """The ids the queue shows with ``params``, page after page."""
    shown: list[str] = []
    page = await c.get("/", params=params)
    while True:
        shown += queue_ids(page)
        following = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        if not following:
            return shown
        page = await c.get(following.group(1).replace("&amp;", "&"))


async def log_in(c: httpx.AsyncClient, user: str = USER, password: str = PASSWORD) -> None:
    form = await c.get("/login")
    done = await c.post(
        "/login", data={"csrf": token(form), "username": user, "password": password, "next": "/"}
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"


def live(store: Store, **filters: str) -> list[Incident]:
    return store.open_incidents(**filters)  # type: ignore[arg-type]


def next_deadline(incident: Incident) -> datetime:
    return incident.respond_by if incident.acknowledged_at is None else incident.resolve_by


# -- login, sessions, CSRF ---------------------------------------------------------------


async def test_every_page_needs_a_login(client: httpx.AsyncClient) -> None:
    for path in ("/", "/incidents/inc_x", "/dead-letters", "/incidents/inc_x/claim"):
        answer = await client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={quote(path)}"
    posted = await client.post("/incidents/inc_x/acknowledge", data={"csrf": "x"})
    assert posted.status_code == 403


async def test_login_with_the_right_password_opens_the_queue(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    queue = await client.get("/")
    assert queue.status_code == 200
    assert f'title="Logged in as {USER}"' in queue.text
    assert queue_ids(queue) == [i.id for i in sorted_live(world[0].store)][:PAGE_SIZE]
    cookie = queue.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "content-security-policy" in queue.headers
    incident = await client.get(f"/incidents/{queue_ids(queue)[0]}")
    for page in (queue, incident):
        assert not re.search(r'(src|href|action)="(https?:)?//', page.text)  # all local
    assert 'data-refresh="60"' in queue.text  # the queue reloads itself
    assert "data-refresh" not in incident.text


async def test_a_desk_refresh_of_zero_keeps_the_queue_still(
    world: tuple[ServiceContext, datetime],
) -> None:
    ctx, now = world
    still = ServiceContext(
        ctx.store,
        "default",
        settings=ServiceSettings(session_secret=SecretStr(SECRET), desk_refresh=0),
        clock=lambda: now,
    )
    try:
        transport = httpx.ASGITransport(app=Starlette(routes=desk_routes(still)))
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            await log_in(c)
            queue = await c.get("/")
        assert queue.status_code == 200
        assert "Open incidents" in queue.text
        assert "data-refresh" not in queue.text
    finally:
        still.close()


def sorted_live(store: Store) -> list[Incident]:
    """The queue's order, computed here from the store's own listing."""
    rank = {"P1": 0, "P2": 1, "P3": 2}
    return sorted(
        live(store),
        key=lambda i: (next_deadline(i), rank[i.severity], i.opened_at, i.tracking_number, i.kind),
    )


@pytest.mark.parametrize(
    ("user", "password"),
    [(USER, "wrong password"), ("nobody", PASSWORD), (USER, ""), ("", PASSWORD)],
)
async def test_a_bad_login_is_refused(client: httpx.AsyncClient, user: str, password: str) -> None:
    form = await client.get("/login")
    answer = await client.post(
        "/login", data={"csrf": token(form), "username": user, "password": password}
    )
    assert answer.status_code == 401
    assert "Unknown user or wrong password." in answer.text
    assert (await client.get("/")).status_code == 303  # still not logged in


async def test_a_login_without_the_forms_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    for data in ({}, {"csrf": "forged"}):
        answer = await client.post("/login", data={**data, "username": USER, "password": PASSWORD})
        assert answer.status_code == 403
        assert (await client.get("/")).status_code == 303


async def test_login_goes_back_to_the_page_asked_for_and_never_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    for asked, landing in [
        ("/?severity=P1", "/?severity=P1"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        form = await client.get("/login", params={"next": asked})
        answer = await client.post(
            "/login",
            data={"csrf": token(form), "username": USER, "password": PASSWORD, "next": asked},
        )
        assert answer.headers["location"] == landing


async def test_forms_without_the_sessions_token_change_nothing(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    ctx, _ = world
    await log_in(client)
    target = live(ctx.store, severity="P1")[0]
    other = httpx.AsyncClient(transport=client._transport, base_url="http://desk.test")
    async with other:
        await log_in(other, SECOND_USER, SECOND_PASSWORD)
        foreign = token(await other.get("/"))  # a real token, of another session
    for data in ({}, {"csrf": ""}, {"csrf": "forged"}, {"csrf": foreign}):
        for action in ("acknowledge", "resolve"):
            answer = await client.post(
                f"/incidents/{target.id}/{action}", data={**data, "cause": "carrier"}
            )
            assert answer.status_code == 403, (action, data)
            assert "This form has expired" in answer.text
    after = ctx.store.incident(target.id)
    assert after is not None
    assert after.acknowledged_by is None
    assert after.resolved_at is None


async def test_a_tampered_cookie_is_no_session(client: httpx.AsyncClient) -> None:
    await log_in(client)
    cookie = client.cookies["logix_desk"]
    client.cookies.set("logix_desk", cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1])
    assert (await client.get("/")).status_code == 303


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    await log_in(client)
    queue = await client.get("/")
    out = await client.post("/logout", data={"csrf": token(queue)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert (await client.get("/")).status_code == 303


async def test_an_oversized_form_is_refused(client: httpx.AsyncClient) -> None:
    await log_in(client)
    queue = await client.get("/")
    answer = await client.post(
        "/logout", data={"csrf": token(queue), "pad": "x" * (MAX_FORM_BYTES + 1)}
    )
    assert answer.status_code == 413
    assert (await client.get("/")).status_code == 200  # still logged in


# -- the queue -----------------------------------------------------------------------------


async def test_the_queue_is_sorted_by_the_next_deadline(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    shown = await every_page(client)
    by_id = {i.id: i for i in live(world[0].store)}
    deadlines = [next_deadline(by_id[i]) for i in shown]
    assert deadlines == sorted(deadlines)
    assert sorted(shown) == sorted(by_id)  # each once, over the pages


@pytest.mark.parametrize(
    ("field", "value"),
    [("severity", "P1"), ("severity", "P3"), ("kind", "customs_hold"), ("carrier", "dhl")],
)
async def test_each_filter_shows_exactly_the_matching_incidents(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime], field: str, value: str
) -> None:
    await log_in(client)
    page = await client.get("/", params={field: value})
    expected = {i.id for i in live(world[0].store, **{field: value})}
    assert expected
    assert sorted(await every_page(client, **{field: value})) == sorted(expected)
    assert f'<option value="{value}" selected>' in page.text


async def test_filters_combine_and_the_lane_and_overdue_filters_work(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    ctx, now = world
    await log_in(client)
    everything = live(ctx.store)
    overdue = {i.id for i in everything if next_deadline(i) < now}
    assert overdue
    assert overdue != {i.id for i in everything}
    assert set(await every_page(client, overdue="1")) == overdue
    lane = "CN-US"
    with ctx.handle() as handle:
        on_lane = {
            i.id
            for i in everything
            if handle.engine.shipment_state(i.tracking_number).facts.lane == lane
        }
    assert on_lane
    assert set(await every_page(client, lane=lane)) == on_lane
    both = await every_page(client, lane=lane, severity="P1", overdue="1")
    assert set(both) == {
        i.id for i in everything if i.id in on_lane and i.id in overdue and i.severity == "P1"
    }
    nothing = await client.get("/", params={"carrier": "no-such-carrier"})
    assert queue_ids(nothing) == []
    assert "No open incident matches these filters." in nothing.text


async def test_an_unacknowledged_p1_stands_out(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    page = await client.get("/", params={"kind": "customs_hold"})
    rows = dict(re.findall(r'<tr data-incident="([^"]+)" class="([^"]+)"', page.text))
    shown = live(world[0].store, kind="customs_hold")
    assert {i.severity for i in shown} == {"P1"}
    for incident in shown:
        assert "alarm" in rows[incident.id].split()
    assert page.text.count("⚠ unacknowledged") == len(shown)
    others = await client.get("/", params={"severity": "P3"})
    assert "alarm" not in others.text
    assert "⚠ unacknowledged" not in others.text


# -- the incident page and its follow-up ---------------------------------------------------


async def test_acknowledge_then_resolve_takes_the_incident_out_of_the_queue(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    ctx, now = world
    await log_in(client)
    target = next(i for i in live(ctx.store, severity="P1") if i.carrier == "ups")
    page = await client.get(f"/incidents/{target.id}")
    assert page.status_code == 200
    assert 'id="acknowledge"' in page.text
    done = await client.post(f"/incidents/{target.id}/acknowledge", data={"csrf": token(page)})
    assert done.status_code == 303
    assert done.headers["location"] == f"/incidents/{target.id}?done=acknowledged"
    page = await client.get(done.headers["location"])
    assert "Acknowledged: you own this incident." in page.text
    assert 'id="acknowledge"' not in page.text
    held = ctx.store.incident(target.id)
    assert held is not None
    assert held.acknowledged_by == USER
    assert held.acknowledged_at == now
    mine = await client.get("/", params={"owner": USER})
    assert queue_ids(mine) == [target.id]
    assert 'class="owner">✓ ana' in mine.text

    note = f"duties paid; called {NAME} on {PHONE}"
    done = await client.post(
        f"/incidents/{target.id}/resolve",
        data={"csrf": token(page), "cause": "carrier", "note": note},
    )
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert "Resolved: it has left the queue." in page.text
    assert target.id not in queue_ids(await client.get("/"))
    log = [(a.action, a.by) for a in ctx.store.actions(target.id)]
    assert log == [("acknowledged", USER), ("resolved", USER)]
    resolved = ctx.store.incident(target.id)
    assert resolved is not None
    assert resolved.cause == "carrier"  # the cause the desk chose
    assert "duties paid" in page.text
    assert PHONE not in page.text  # the note is masked on the desk
    assert 'id="resolve"' not in page.text


async def test_resolve_needs_a_known_cause(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    target = live(world[0].store)[0]
    page = await client.get(f"/incidents/{target.id}")
    answer = await client.post(
        f"/incidents/{target.id}/resolve", data={"csrf": token(page), "cause": "gremlins"}
    )
    assert answer.status_code == 400
    assert target.id in {i.id for i in live(world[0].store)}


async def test_a_closed_or_unknown_incident_cannot_be_followed_up(
    client: httpx.AsyncClient,
) -> None:
    await log_in(client)
    page = await client.get("/")
    assert (await client.get("/incidents/inc_nope")).status_code == 404
    answer = await client.post("/incidents/inc_nope/acknowledge", data={"csrf": token(page)})
    assert answer.status_code == 409


async def test_the_incident_page_shows_the_trail_with_raw_codes_masked(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    (damaged,) = live(world[0].store, tracking_number="JJD0099999999")
    page = (await client.get(f"/incidents/{damaged.id}")).text
    assert "dhl:DMG" in page  # the carrier's own code
    assert "Parcel damaged, recipient" in page
    assert NAME not in page
    assert PHONE not in page
    assert "J*** S***" in page
    for heading in ("Why", "Remedy", "Trail", "Evidence", "Deadlines", "Follow-up log"):
        assert f"<h2>{heading}</h2>" in page


async def test_the_claim_package_and_the_message_preview(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    (lost,) = live(world[0].store, tracking_number="LX123456785CN")
    page = (await client.get(f"/incidents/{lost.id}")).text
    assert f"/incidents/{lost.id}/claim" in page
    assert "lang=pt-BR" in page  # the customer lives in Brazil
    claim = await client.get(f"/incidents/{lost.id}/claim.json")
    assert claim.status_code == 200
    assert claim.json()["schema"] == "logix.claim/1"
    assert claim.json()["order_id"] == "SO-42"
    printable = await client.get(f"/incidents/{lost.id}/claim")
    assert printable.status_code == 200
    assert "<html" in printable.text
    preview = await client.get(
        f"/incidents/{lost.id}/message", params={"audience": "customer", "lang": "pt-BR"}
    )
    assert preview.status_code == 200
    assert "LX123456785CN" in preview.text
    assert "pt-BR/customer/lost.j2" in preview.text
    bad = await client.get(f"/incidents/{lost.id}/message", params={"lang": "no such tag!"})
    assert bad.status_code == 400
    (held,) = live(world[0].store, tracking_number="1Z999AA10123456784")
    refused = await client.get(f"/incidents/{held.id}/claim.json")
    assert refused.status_code == 409  # a customs hold is not claimable


async def test_the_relays_dead_letters(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    empty = await client.get("/dead-letters")
    assert empty.status_code == 200
    assert "No dead letters" in empty.text
    db = world[0].store.db
    with db.transaction(write=True):
        db.execute(
            "INSERT INTO relay_dead_letters (seq, change_id, attempts, last_error, failed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (7, "chg_0123abcd", 8, "HTTP 503 from the OMS <b>", 1_773_662_400_000_000),
        )
    letters = await client.get("/dead-letters")
    assert "chg_0123abcd" in letters.text
    assert "HTTP 503 from the OMS &lt;b&gt;" in letters.text  # escaped
    assert "2026-03-16 12:00 UTC" in letters.text


async def test_static_files(client: httpx.AsyncClient) -> None:
    css = await client.get("/desk/static/desk.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert (await client.get("/desk/static/../_desk.py")).status_code == 404
    assert (await client.get("/desk/static/secrets.txt")).status_code == 404


async def test_recording_an_action_meets_the_deadline_that_names_it(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    await log_in(client)
    (lost,) = live(world[0].store, tracking_number="LX123456785CN")
    assert "claim" in lost.deadlines
    page = await client.get(f"/incidents/{lost.id}")
    assert 'id="record"' in page.text
    assert '<option value="claim_filed" selected>' in page.text  # what the claim deadline wants
    answer = await client.post(
        f"/incidents/{lost.id}/record",
        data={"csrf": token(page), "action": "claim_filed", "note": "claim CN-889"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("done=recorded")
    shown = await client.get(answer.headers["location"])
    assert "Action recorded." in shown.text
    assert "claim CN-889" in shown.text
    deadlines = re.findall(r'<li class="deadline (\w+)">(.*?)</li>', shown.text, re.S)
    claim = [status for status, text in deadlines if '"name">Claim<' in text]
    assert claim == ["met"]
    assert [a.action for a in world[0].store.actions(lost.id)] == ["claim_filed"]
    unknown = await client.post(
        f"/incidents/{lost.id}/record", data={"csrf": token(page), "action": "bribed"}
    )
    assert unknown.status_code == 400


async def test_the_desk_works_mounted_under_a_prefix(
    world: tuple[ServiceContext, datetime],
) -> None:
    from starlette.routing import Mount

    app = Starlette(routes=[Mount("/ops", routes=desk_routes(world[0]))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
        first = await c.get("/ops/")
        assert first.headers["location"] == "/ops/login?next=/ops/"
        form = await c.get("/ops/login", params={"next": "/ops/"})
        assert 'href="/ops/desk/static/desk.css"' in form.text
        assert 'action="/ops/login"' in form.text
        done = await c.post(
            "/ops/login",
            data={"csrf": token(form), "username": USER, "password": PASSWORD, "next": "/ops/"},
        )
        assert done.headers["location"] == "/ops/"
        queue = await c.get("/ops/")
        target = queue_ids(queue)[0]
        assert f'href="/ops/incidents/{target}"' in queue.text
        page = await c.get(f"/ops/incidents/{target}")
        ack = await c.post(f"/ops/incidents/{target}/acknowledge", data={"csrf": token(page)})
        assert ack.headers["location"] == f"/ops/incidents/{target}?done=acknowledged"
        assert (await c.get("/ops/desk/static/desk.css")).status_code == 200


async def test_repeated_failed_logins_are_slowed_down(client: httpx.AsyncClient) -> None:
    from logix_rules.service._desk_throttle import LIMIT

    for _ in range(LIMIT):
        form = await client.get("/login")
        answer = await client.post(
            "/login", data={"csrf": token(form), "username": USER, "password": "guess"}
        )
        assert answer.status_code == 401
    form = await client.get("/login")
    answer = await client.post(
        "/login", data={"csrf": token(form), "username": USER, "password": PASSWORD}
    )
    assert answer.status_code == 429
    assert "Too many failed logins" in answer.text
    assert (await client.get("/")).status_code == 303


async def test_two_desks_over_one_store_share_the_failed_logins(
    world: tuple[ServiceContext, datetime], client: httpx.AsyncClient
) -> None:
    from logix_rules.service._desk_throttle import LIMIT
    from logix_rules.store import open_store

    ctx, now = world
    other_store = open_store(ctx.store.url)  # a second process: its own connection
    other = ServiceContext(other_store, "default", settings=ctx.settings, clock=lambda: now)
    app = Starlette(routes=desk_routes(other))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://desk.test"
    ) as second:
        for n in range(LIMIT):
            desk = client if n % 2 else second
            form = await desk.get("/login")
            answer = await desk.post(
                "/login", data={"csrf": token(form), "username": USER, "password": "guess"}
            )
            assert answer.status_code == 401
        for desk in (client, second):
            form = await desk.get("/login")
            answer = await desk.post(
                "/login", data={"csrf": token(form), "username": USER, "password": PASSWORD}
            )
            assert answer.status_code == 429
    other.close()
    other_store.close()


async def test_a_deleted_users_session_ends(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    from logix_rules.service import delete_user

    await log_in(client)
    assert (await client.get("/")).status_code == 200
    assert delete_user(world[0].store, USER)
    answer = await client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_the_weekly_brief_where_the_review_room_is_installed(
    client: httpx.AsyncClient, world: tuple[ServiceContext, datetime]
) -> None:
    from logix_rules.service._desk_report import report_available

    await log_in(client)
    queue = await client.get("/")
    answer = await client.get("/report", params={"until": "2026-03-16"})
    if not report_available():
        assert 'href="/report"' not in queue.text
        assert answer.status_code == 404
        return
    assert 'href="/report"' in queue.text
    assert answer.status_code == 200
    assert "9 Mar 2026" in answer.text  # the week reported starts a week before
    assert '<a href="/">← Back to the queue</a>' in answer.text
    assert (await client.get("/report", params={"until": "last tuesday"})).status_code == 400


async def test_the_queue_pages(
    client: httpx.AsyncClient,
    world: tuple[ServiceContext, datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logix_rules.service import _desk_queue

    monkeypatch.setattr(_desk_queue, "PAGE_SIZE", 10)
    await log_in(client)
    total = len(live(world[0].store))
    first = await client.get("/", params={"severity": "P2"})
    assert len(queue_ids(first)) == 10
    p2 = len(live(world[0].store, severity="P2"))
    assert f"Page 1 of {-(-p2 // 10)}" in first.text
    assert 'href="/?severity=P2&amp;page=2"' in first.text  # the filter is kept
    assert sorted(await every_page(client)) == sorted(i.id for i in live(world[0].store))
    assert total > 20
