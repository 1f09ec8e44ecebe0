"""The render of Saleor's former invoicing plugin, on the benchmark's own data, as the naive reference.

Saleor 3.20 still ships an invoicing plugin (dropped in 3.21): ``saleor/plugins/invoicing/utils.py``
renders ``templates/invoices/invoice.html``, whose ``@font-face`` loads the variable Inter font
``templates/invoices/inter.ttf``, and returns ``HTML(string=rendered_template).write_pdf()``: WeasyPrint
with default settings. That is the render this plugin replaces, so it is the naive reference of the
render target.

Saleor's files stay out of this repository. Point ``SAYPRO_BENCH_SALEOR_TEMPLATES`` at the ``templates``
folder of a Saleor 3.20 source tree (the one holding ``invoices/`` and ``price.html``); without it the
reference is reported as not measured. What lives here is ours: the steps of the former
``generate_invoice_pdf`` (page chunking, context, the call), Saleor-shaped stand-ins for its Order and
OrderLine built from our snapshot, and the ``taxed_prices`` tag library its templates load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django import template

ENV = "SAYPRO_BENCH_SALEOR_TEMPLATES"
# The former plugin's page chunking (saleor/plugins/invoicing/utils.py).
MAX_PRODUCTS_WITH_TABLE = 3
MAX_PRODUCTS_WITHOUT_TABLE = 4
MAX_PRODUCTS_PER_PAGE = 13

# The `{% load price from taxed_prices %}` its templates use: net or gross of a TaxedMoney through price.html.
register = template.Library()


@register.inclusion_tag("price.html")
def price(base: Any, display_gross: bool, html: bool = True) -> dict[str, Any]:
    from prices import TaxedMoney

    if isinstance(base, TaxedMoney):
        base = base.gross if display_gross else base.net
    return {"price": base, "is_range": False, "html": html}


def templates_dir() -> Path | None:
    """The Saleor templates folder, if given and complete; else None."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    root = Path(raw).expanduser().resolve()
    needed = ("invoices/invoice.html", "invoices/invoice_products_table.html",
              "invoices/invoice_summary_table.html", "invoices/inter.ttf", "price.html")
    missing = [name for name in needed if not (root / name).is_file()]
    if missing:
        raise SystemExit(f"{ENV}={raw}: not a Saleor 3.20 templates folder, missing {', '.join(missing)}.")
    return root


@cache
def engine(root: Path) -> template.Engine:
    return template.Engine(dirs=[str(root)], libraries={
        "i18n": "django.templatetags.i18n",
        "prices": "django_prices.templatetags.prices",
        "taxed_prices": "bench.former",
    })


@dataclass
class _OrderLine:
    """What the former templates read of Saleor's OrderLine."""

    product_name: str
    variant_name: str
    product_sku: str
    quantity: int
    unit_price: Any
    total_price: Any

    def __str__(self) -> str:  # OrderLine.__str__
        return f"{self.product_name} ({self.variant_name})" if self.variant_name else self.product_name


def _address(address: Any) -> SimpleNamespace:
    a = address
    return SimpleNamespace(first_name=a.first_name, last_name=a.last_name, company_name=a.company_name,
                           street_address_1=a.street_address_1, street_address_2=a.street_address_2,
                           city=a.city, postal_code=a.postal_code, country=a.country, phone=a.phone)


def context(content: Any, number: str, root: Path) -> dict[str, Any]:
    """The former ``generate_invoice_pdf`` context for the same order our invoice is for."""
    from prices import Money, TaxedMoney

    order = content.order
    cur = order.currency

    def taxed(net: Decimal, gross: Decimal) -> TaxedMoney:
        return TaxedMoney(net=Money(net, cur), gross=Money(gross, cur))

    lines = [_OrderLine(line.product_name, line.variant_name, line.sku, line.quantity,
                        taxed(line.unit_net, line.unit_gross), taxed(line.total_net, line.total_gross))
             for line in order.lines]
    subtotal = taxed(sum((x.total_net for x in order.lines), Decimal(0)),
                     sum((x.total_gross for x in order.lines), Decimal(0)))
    payment = order.payments[0] if order.payments else None
    saleor_order = SimpleNamespace(
        id=order.order_id, number=order.order_number, billing_address=_address(order.billing_address),
        shipping_address=_address(order.shipping_address or order.billing_address),
        get_customer_email=lambda: order.customer_email, user_email=order.customer_email,
        get_last_payment=lambda: SimpleNamespace(gateway=payment.gateway if payment else ""),
        shipping_method_name=order.shipping_method, display_gross_prices=True, get_subtotal=lambda: subtotal,
        shipping_price=taxed(order.shipping_net, order.shipping_gross),
        total=taxed(order.total_net, order.total_gross), total_gross=Money(order.total_gross, cur),
    )
    first = MAX_PRODUCTS_WITH_TABLE if len(lines) < MAX_PRODUCTS_WITHOUT_TABLE else MAX_PRODUCTS_WITHOUT_TABLE
    rest = lines[first:]
    return {
        "invoice": SimpleNamespace(number=number),
        "creation_date": content.issued_at.strftime("%d %b %Y"),
        "order": saleor_order,
        "gift_cards_payment": Money(0, cur),
        "font_path": (root / "invoices" / "inter.ttf").as_uri(),
        "products_first_page": lines[:first],
        "rest_of_products": [rest[i:i + MAX_PRODUCTS_PER_PAGE] for i in range(0, len(rest), MAX_PRODUCTS_PER_PAGE)],
    }


def render_former(content: Any, number: str, root: Path) -> bytes:
    """Template and PDF, as the former plugin did them for every invoice."""
    from weasyprint import HTML

    html = engine(root).get_template("invoices/invoice.html").render(template.Context(context(content, number, root)))
    return HTML(string=html).write_pdf()
