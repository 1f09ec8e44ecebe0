"""The dashboard pages in a real browser (headless Debian chromium via Playwright) against the standalone
host's live server: the same pages and GraphQL as in Saleor, the App Bridge handshake played by a host
page (support.py). Each page is checked for what staff do on it, for axe-core's serious violations, and
is saved as a screenshot (build/dashboard-screenshots/)."""

from __future__ import annotations

import dataclasses
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id
from playwright.sync_api import expect

from saypro_invoicing import corrections, issuing
from saypro_invoicing.dashboard.views import ASSET_DIR
from saypro_invoicing.hosts import get_host
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.hosts.sandbox.models import SandboxApp
from saypro_invoicing.models import BillingDocument, DeliveryAttempt, SlaBreach
from saypro_invoicing.models.corrections import CorrectionStatus
from saypro_invoicing.models.documents import DocumentStatus
from saypro_invoicing.sla.report import build_report, nearest_rank
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, Dashboard, app_url, browser_available, dashboard_token
from tests.smtp import REJECT

pytestmark = [
    pytest.mark.skipif(not browser_available(),
                       reason="needs Debian's chromium and frontend/node_modules (make frontend)"),
    pytest.mark.skipif(not (ASSET_DIR / "index.html").is_file(), reason="dashboard pages not built (make frontend)"),
]

# Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ORDERS = 11  # 22 documents: more than one page of 20 (the list test); the other tests need fewer
FEWER_ORDERS = 4
TIMEOUT = 15_000
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def host(transactional_db, live_server, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "PUBLIC_URL": live_server.url}
    token = dashboard_token()
    SandboxApp.objects.create(name="dashboard", token=token, manage_orders=True)
    return {"token": token, "base": live_server.url}


@pytest.fixture
def shop(request, host, smtp_server):
    sample.ensure_channel(**smtp_server.channel_config())
    smtp_server.set_rule("bounce@example.com", REJECT)
    orders = []
    count = ORDERS if "documents_list" in request.node.name else FEWER_ORDERS
    for index in range(count):
        email = "bounce@example.com" if index == 3 else f"customer{index}@example.com"
        # The first orders go the whole way (issued, rendered, mailed); the rest only fill the list's pages,
        # issued without sending as a backfill does, which keeps the set-up short.
        delivered = index < FEWER_ORDERS
        order = sample.create_order(email=email, number=str(1000 + index), notify=delivered)
        snapshot = sample.pay(str(order.id), notify=delivered)
        if not delivered:
            issuing.sync_order(snapshot, get_host().channel_config(snapshot.channel), send=False)
        orders.append(str(order.id))
    # An order whose total does not add up: the gate holds its invoice until staff fix the order.
    correct = sample.build_snapshot(email="held@example.com", number="2000")
    broken = sample.create_order(dataclasses.replace(correct, total_gross=correct.total_gross + Decimal("1")))
    sample.pay(str(broken.id))
    held = BillingDocument.objects.get(order_id=str(broken.id), type="invoice")
    assert held.status == DocumentStatus.NEEDS_REVIEW
    invoice = BillingDocument.objects.get(order_id=orders[0], type="invoice")
    request = corrections.request_correction(invoice, reason="Please add our company name.",
                                             company_name="Customer Zero GmbH", vat_id="DE811111111",
                                             requested_by="42", now=timezone.now() - timedelta(hours=40))
    return {**host, "orders": orders, "held": held, "held_order": str(broken.id), "held_total": correct.total_gross,
            "invoice": invoice, "request": request, "count": count}


@pytest.fixture
def dashboard(browser, shop):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    yield Dashboard(page, shop["base"], shop["token"])
    context.close()


def gid(type_name: str, pk: object) -> str:
    return to_global_id(type_name, str(pk))


def _rows(app):
    return app.locator("[data-testid=documents-table] tbody tr")


def test_documents_list_filters_sorts_pages_and_links_orders(dashboard, shop):
    app = dashboard.open("documents")
    rows = _rows(app)
    rows.first.wait_for()
    total = BillingDocument.objects.count()
    assert total == 2 * ORDERS + 2  # and the held order's invoice and receipt
    assert rows.count() == 20
    app.get_by_text(f"{total} documents").wait_for()
    assert dashboard.axe_serious() == []
    dashboard.screenshot("documents")

    app.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(total - 20)
    expect(app.get_by_role("button", name="Previous page")).to_be_enabled()

    app.get_by_label("Type").select_option("RECEIPT")
    receipts = BillingDocument.objects.filter(type="receipt").count()
    app.get_by_text(f"{receipts} documents").wait_for()
    expect(rows).to_have_count(receipts)
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Receipt"}

    app.get_by_label("Type").select_option("")
    app.get_by_label("Delivery").select_option("BOUNCED")
    expect(rows).to_have_count(1)
    bounced = BillingDocument.objects.get(delivery_status="bounced")
    assert rows.first.get_attribute("data-document-id") == gid("BillingDocument", bounced.id)

    app.get_by_label("Delivery").select_option("")
    app.get_by_label("Search").fill("1005")
    app.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(2)
    link = rows.first.get_by_role("link", name="Open order 1005")
    link.click()
    expected = "/orders/" + to_global_id("Order", shop["orders"][5])
    dashboard.page.wait_for_function(
        "(path) => window.__actions.some(a => a.type === 'redirect' && a.payload.to === path)", arg=expected)

    app.get_by_label("Search").fill("no-such-document")
    app.get_by_role("button", name="Search", exact=True).click()
    app.locator("[data-state=empty]").wait_for()
    assert dashboard.axe_serious() == []
    dashboard.screenshot("documents-empty")

    app.get_by_role("button", name="Reset").click()
    app.get_by_role("button", name="Total").click()  # sort by total, descending first
    expect(app.locator("th[aria-sort=descending]")).to_contain_text("Total")
    amounts = [f"€{Decimal(str(d.total)):.2f}" for d in BillingDocument.objects.order_by("-total", "-issued_at")[:20]]
    expect(rows.locator("td:nth-child(10)")).to_have_text(amounts)


def test_document_detail_pdf_timeline_resend_and_void(dashboard, shop, smtp_server):
    invoice = BillingDocument.objects.get(order_id=shop["orders"][1], type="invoice")
    app = dashboard.open("documents")
    _rows(app).first.wait_for()
    # Keyboard only: type the number, submit with Enter, open the row with Enter.
    app.get_by_label("Search").fill(invoice.number)
    app.get_by_label("Search").press("Enter")
    expect(_rows(app)).to_have_count(1)
    app.get_by_role("link", name=f"Open {invoice.number}").focus()
    dashboard.page.keyboard.press("Enter")
    app.get_by_role("heading", name=f"Invoice {invoice.number}").wait_for()

    pdf = app.locator("iframe.sp-pdf")
    source = pdf.get_attribute("src")
    response = dashboard.page.request.get(source)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    downloads = app.locator("[data-testid=formats] a")
    assert downloads.count() >= 1 and downloads.first.get_attribute("data-format") in ("pdf", "facturx-pdf")
    for index in range(downloads.count()):  # the PDF and every e-invoice the document has
        fetched = dashboard.page.request.get(downloads.nth(index).get_attribute("href"))
        assert fetched.status == 200, downloads.nth(index).get_attribute("data-format")
    attempts = list(DeliveryAttempt.objects.filter(document=invoice))
    timeline = app.locator("[data-testid=timeline] tbody tr")
    assert timeline.count() == len(attempts) >= 1
    assert attempts[0].recipient in timeline.first.inner_text()
    assert "250" in timeline.first.inner_text()  # the SMTP server's reply
    assert "issued" in app.locator("[data-testid=audit]").inner_text()
    assert dashboard.axe_serious() == []
    dashboard.screenshot("document-detail")

    app.get_by_role("button", name=f"Resend {invoice.number}").click()
    app.get_by_label("Send to (empty: the customer)").fill("accounts@example.com")
    app.get_by_role("button", name="Confirm").click()
    app.get_by_text("Queued for sending.").first.wait_for()
    assert smtp_server.to("accounts@example.com")
    app.locator("[data-testid=timeline] tbody tr", has_text="accounts@example.com").wait_for()

    app.get_by_role("button", name=f"Void {invoice.number}").click()
    app.get_by_label("Why is the document void?").fill("Issued for the wrong company.")
    app.get_by_role("button", name="Confirm").click()
    app.get_by_text("The document is void.").first.wait_for()
    invoice.refresh_from_db()
    assert invoice.status == DocumentStatus.VOID
    assert BillingDocument.objects.filter(corrects=invoice, type="credit_note").exists()
    app.get_by_role("button", name=f"Void {invoice.number}").wait_for(state="detached")
    notifications = dashboard.actions("notification")
    assert any(n["payload"]["status"] == "success" for n in notifications)


def test_review_and_corrections_queues(dashboard, shop):
    held = shop["held"]
    app = dashboard.open("review")
    card = app.locator(f"[data-document-id='{gid('BillingDocument', held.id)}']")
    card.wait_for()
    text = card.inner_text()
    reason = held.review_reasons[0]
    assert reason["code"].upper() in text
    assert f"expected: {reason['expected']}, actual: {reason['actual']}" in text
    assert dashboard.axe_serious() == []
    dashboard.screenshot("review-queue")

    card.get_by_role("button", name="Release").click()  # not fixed yet: still held, with the reasons
    card.locator("[data-notice=error]").wait_for()
    held.refresh_from_db()
    assert held.status == DocumentStatus.NEEDS_REVIEW and held.number is None

    sample.update(shop["held_order"], total_gross=shop["held_total"], notify=False)  # staff fixed the order
    card.get_by_role("button", name="Release").click()
    card.wait_for(state="detached")
    held.refresh_from_db()
    assert held.status == DocumentStatus.ISSUED and held.number

    app = dashboard.open("corrections")
    request = shop["request"]
    card = app.locator(f"[data-request-id='{gid('BillingDocumentCorrectionRequest', request.id)}']")
    card.wait_for()
    text = card.inner_text()
    assert "Please add our company name." in text and "Customer Zero GmbH" in text and "DE811111111" in text
    clock = card.locator("[data-clock]")
    assert clock.get_attribute("data-clock") == "running" and "7 h" in clock.inner_text()
    assert dashboard.axe_serious() == []
    dashboard.screenshot("corrections-queue")
    card.get_by_label("Message to the customer").fill("The invoice already names your company.")
    card.get_by_role("button", name="Reject").click()
    app.locator("[data-state=empty]").wait_for()
    request.refresh_from_db()
    assert request.status == CorrectionStatus.REJECTED
    assert request.resolution_message == "The invoice already names your company."


def _spread_deliveries(now):
    """Two days back, delivery times from seconds to past 24 h, one bounce breach and one overdue invoice."""
    delays = iter([45, 240, 1300, 7300, 50000, 100000])
    for document in BillingDocument.objects.filter(accepted_at__isnull=False).order_by("number"):
        event_at = now - timedelta(days=2)
        accepted_at = event_at + timedelta(seconds=next(delays, 30))
        BillingDocument.objects.filter(pk=document.pk).update(event_at=event_at, accepted_at=accepted_at)
    bounced = BillingDocument.objects.get(delivery_status="bounced")
    BillingDocument.objects.filter(pk=bounced.pk).update(event_at=now - timedelta(days=2))
    SlaBreach.objects.create(document=bounced, deadline_at=now - timedelta(days=1), cause="bounced",
                             detail="550 5.1.1 Recipient address rejected: User unknown")
    unpaid = BillingDocument.objects.filter(type="invoice", status="issued").order_by("number").first()
    BillingDocument.objects.filter(pk=unpaid.pk).update(payment_status="unpaid", due_at=now - timedelta(days=10))


def test_sla_report_order_widget_and_german(dashboard, shop):
    now = timezone.now()
    _spread_deliveries(now)
    report = build_report(None, now - timedelta(days=30), now + timedelta(minutes=5))
    app = dashboard.open("sla")
    headline = app.locator("[data-testid='headline-Invoices delivered within 24 h']")
    headline.wait_for()
    invoices = report.invoices
    assert f"{invoices.delivered_within_24h} of {invoices.due} due" in headline.inner_text()
    marks = app.locator("[data-testid=distribution-chart] [data-mark]")
    expect(marks).to_have_count(3)
    durations = sorted((d.accepted_at - d.event_at).total_seconds() for d in BillingDocument.objects.filter(
        accepted_at__isnull=False, type__in=["invoice", "receipt"]))
    bins = [60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600]
    expected = [next((i for i, upper in enumerate(bins) if value < upper), len(bins))
                for value in (nearest_rank(durations, 0.5), nearest_rank(durations, 0.95), durations[-1])]
    assert [int(marks.nth(i).get_attribute("data-bin")) for i in range(3)] == expected
    assert "bounced" in app.locator("[data-testid=breaches-table]").inner_text()
    aging = app.locator("[data-testid=aging-table] tbody tr", has_text="8-30")
    expect(aging.locator("td").first).to_have_text("1")
    assert app.locator("[data-testid=trend-chart]").count() == 1
    channels = app.locator("[data-testid=channels-table] tbody tr").all_inner_texts()
    assert any(row.startswith("Email") for row in channels)
    assert dashboard.axe_serious() == []
    dashboard.screenshot("sla-report")
    with dashboard.page.expect_download() as download:
        app.get_by_role("button", name="Export CSV").click()
    path = download.value.path()
    assert open(path, encoding="utf-8").readline().strip() == "section,metric,value"

    order_id = to_global_id("Order", shop["orders"][2])
    app = dashboard.open("order-widget", orderId=order_id)
    documents = app.locator("[data-testid=order-documents] > li")
    documents.first.wait_for()
    assert documents.count() == 2
    dashboard.page.wait_for_function(
        "() => window.__actions.some(a => a.type === 'widgetResize' && a.payload.height > 100)")
    app.get_by_role("button", name="Issue receipt").click()
    app.get_by_text("already has a receipt").wait_for()
    assert dashboard.axe_serious() == []
    dashboard.screenshot("order-widget")

    app = dashboard.open("documents", locale="de")
    app.get_by_role("heading", name="Belege").wait_for()
    _rows(app).first.wait_for()
    assert app.get_by_label("Zahlung").count() == 1
    assert dashboard.axe_serious() == []
    dashboard.screenshot("documents-de")


def test_error_state_when_graphql_refuses_the_token(browser, host):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        dashboard = Dashboard(page, host["base"], dashboard_token("stranger@example.com"))
        app = dashboard.open("documents")
        alert = app.locator("[data-state=error]")
        alert.wait_for()
        assert "MANAGE_ORDERS" in alert.inner_text()
        dashboard.screenshot("documents-error")
        # Opened outside the dashboard (no handshake): the page waits for the dashboard, asks for no data.
        page.goto(app_url(host["base"], "documents"))
        page.get_by_text("Connecting to Saleor's dashboard").wait_for()
    finally:
        context.close()
