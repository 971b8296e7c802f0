"""On the demo data, 我的客户 pages past page one with its filter kept (htmx and the address bar)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")


def _customer_ids(page):
    return page.locator("#customer-table tbody tr[data-customer]").evaluate_all(
        "rows => rows.map(r => r.dataset.customer)"
    )


def test_next_page_shows_the_next_customers_of_the_same_type(
    page, live_server, sign_in, demo, console_errors
):
    sign_in("sp-admin@demo.test")
    page.goto(live_server.url + "/customers/")
    table = page.locator("#customer-table")
    position = table.locator("nav span.small")  # 第 n 页,共 m 页
    expect(position).to_have_text(re.compile(r"^第 1 页"))

    # The filter: 代售 only (the select swaps the table in with htmx and pushes the URL).
    page.get_by_label("关联类型").select_option(label="代售")
    expect(page).to_have_url(re.compile(r"association_type=2"))
    expect(position).to_have_text(re.compile(r"^第 1 页"))
    first = _customer_ids(page)
    assert len(first) == 20

    table.get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(position).to_have_text(re.compile(r"^第 2 页"))
    assert "association_type=2" in page.url
    second = _customer_ids(page)
    assert second and not set(second) & set(first)
    types = table.locator("tbody tr[data-customer] td:nth-child(4)").all_inner_texts()
    assert types and {t.strip() for t in types} == {"代售"}

    # Without JavaScript's help the address itself opens page 2 (a reload keeps it).
    page.reload()
    expect(position).to_have_text(re.compile(r"^第 2 页"))
    assert _customer_ids(page) == second
    assert console_errors == []
