"""Every page at 390 px (a phone) for every role: no horizontal scroll, a menu that reveals
every item (issue 14). Screenshots of each page at 390 and 1280 px go to test-artifacts/."""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.auth import login
from tests.e2e.conftest import ARTIFACTS
from tests.pages import demo_site, pages_by_role

PHONE, DESKTOP = 390, 1280
# Screenshots of these pages (one role each) at both widths, for a person to look at.
SHOTS = {
    "": ["procedures:list", "procedures:detail", "dossiers:lookup", "indicators:disclosure"],
    "motcua": ["dossiers:worklist", "dossiers:intake", "dossiers:detail"],
    "thanhtra": ["indicators:city"],
}


def _session_cookie(live_server, username):
    client = Client()
    if username:
        login(client, get_user_model().objects.get(username=username))
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None:
        return []
    return [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]


def _width(page) -> int:
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_on_a_phone_for_any_role(browser, live_server):
    demo_site()
    too_wide, opened = {}, 0
    for username, pages in pages_by_role().items():
        context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 800})
        context.add_cookies(_session_cookie(live_server, username))
        page = context.new_page()
        page.set_default_timeout(20000)
        shot_names = set(SHOTS.get(username, []))
        for name, url in pages:
            response = page.goto(live_server.url + url)
            if response is None or response.status != 200:
                continue
            opened += 1
            width = _width(page)
            if width > PHONE:
                too_wide[f"{username or 'anonymous'} {url}"] = width
            if name in shot_names:
                shot_names.discard(name)
                slug = re.sub(r"\W+", "-", f"{username or 'public'}-{urlparse(url).path}")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"w{PHONE}{slug}.png"), full_page=True)
                page.set_viewport_size({"width": DESKTOP, "height": 900})
                page.screenshot(path=str(ARTIFACTS / f"w{DESKTOP}{slug}.png"), full_page=True)
                page.set_viewport_size({"width": PHONE, "height": 800})
        context.close()
    assert opened > 60
    assert too_wide == {}


@pytest.mark.django_db(transaction=True)
def test_the_menu_button_reveals_every_item_on_a_phone(browser, live_server):
    demo_site(procedures=5, dossiers=5)
    context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 800})
    context.add_cookies(_session_cookie(live_server, "admin"))
    page = context.new_page()
    page.goto(live_server.url + "/ho-so/")
    links = page.locator(".mainnav .nav-items a")
    assert links.count() >= 6
    assert not links.first.is_visible()  # folded behind the button
    page.click(".nav-toggle")
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    assert _width(page) <= PHONE
    context.close()
