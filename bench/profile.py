"""Where the time goes, for a missed target: ``python -m bench.profile render|deliver|api [--html out.html]``.

- render: 20 renders of an invoice (``--lines``, default 5), no database.
- deliver: the delivery of 30 issued invoices in this process (render, store, email to a local SMTP server).
- api: 20 unfiltered ``billingDocuments(first: 50)`` requests over ``--documents`` documents (default 10,000).
Uses the benchmark database (emptied first) and pyinstrument, a bench-only dependency.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def render_case(lines: int) -> Callable[[], None]:
    from saypro_invoicing.rendering import render_document_pdf, warm

    from . import documents

    content = documents.content("invoice", lines)
    warm()
    render_document_pdf(content, number="INV-2026-000001")

    def run() -> None:
        for i in range(20):
            render_document_pdf(content, number=f"INV-2026-{i:06d}")

    return run


def deliver_case() -> tuple[Callable[[], None], Callable[[], None]]:
    from saypro_invoicing.delivery import service
    from saypro_invoicing.events import order_changed
    from saypro_invoicing.hosts.sandbox import sample
    from saypro_invoicing.models import BillingDocument
    from saypro_invoicing.rendering import warm

    from .env import ensure_database, reset_tables
    from .pipeline import create_orders
    from .smtp import SMTPServerProcess

    ensure_database()
    reset_tables()
    smtp = SMTPServerProcess().__enter__()
    sample.ensure_channel(smtp_host="127.0.0.1", smtp_port=str(smtp.port), smtp_use_tls=False, issue_receipts=False)
    for order_id in create_orders(33):
        sample.pay(order_id, notify=False)
        order_changed(order_id, send=False)
    ids = [str(pk) for pk in BillingDocument.objects.order_by("created_at").values_list("id", flat=True)]
    warm()
    for pk in ids[:3]:
        service.deliver(pk)

    def run() -> None:
        for pk in ids[3:]:
            service.deliver(pk)

    return run, lambda: smtp.__exit__(None, None, None)


def api_case(count: int) -> Callable[[], None]:
    from . import api
    from .env import ensure_database

    ensure_database()
    staff, _customer, _seconds = api.prepare(count)
    client = api.Api(staff)
    for _ in range(3):
        client.post(api.STAFF_LIST, {"first": 50})

    def run() -> None:
        for _ in range(20):
            client.post(api.STAFF_LIST, {"first": 50})

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", choices=("render", "deliver", "api"))
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--html", type=Path, help="write pyinstrument's HTML report here")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from .env import setup_django

    setup_django()
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if args.case == "render":
        run = render_case(args.lines)
    elif args.case == "deliver":
        run, cleanup = deliver_case()
    else:
        run = api_case(args.documents)
    profiler = Profiler(interval=0.0005)
    try:
        with profiler:
            run()
    finally:
        cleanup()
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"Wrote {args.html}")
    else:
        print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
