"""Email: messages/s to a local SMTP server over one reused connection vs a new connection per message.

Django's SMTP EmailBackend, ~55 KB messages (text, HTML and a PDF invoice attached), blocks of messages
alternating between the two ways in the same run.
"""

from __future__ import annotations

import time
from typing import Any

from .smtp import SMTPServerProcess
from .stats import paired_ratios, summary

TARGET_MESSAGE_BYTES = 55_000


def build_message(pdf: bytes, index: int) -> Any:
    from django.core.mail import EmailMultiAlternatives

    text = ("Hello Jane,\n\nthank you for your order 100042. Your invoice INV-2026-000042 is attached.\n\n"
            "Kind regards\nSayPro Demo Shop\n")
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines() if line) + "</body></html>"
    message = EmailMultiAlternatives(subject=f"Your invoice INV-2026-{index:06d}", body=text,
                                     from_email="SayPro Demo Shop <billing@shop.example>", to=["jane@example.com"],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    message.attach(f"invoice-INV-2026-{index:06d}.pdf", pdf, "application/pdf")
    return message


def attachment_for_size() -> bytes:
    """A real invoice PDF, with as many lines as bring the whole message to about 55 KB."""
    from saypro_invoicing.rendering import render_document_pdf

    from . import documents

    for lines in (50, 100, 120, 150, 200, 300):
        pdf = render_document_pdf(documents.content("invoice", lines), number="INV-2026-000042")
        if len(build_message(pdf, 1).message().as_bytes()) >= TARGET_MESSAGE_BYTES * 0.95:
            return pdf
    return pdf


def send_reused(port: int, messages: list[Any]) -> None:
    from django.core.mail.backends.smtp import EmailBackend

    backend = EmailBackend(host="127.0.0.1", port=port, use_tls=False, fail_silently=False, timeout=10)
    with backend:
        for message in messages:
            backend.send_messages([message])


def send_new_each(port: int, messages: list[Any]) -> None:
    from django.core.mail.backends.smtp import EmailBackend

    for message in messages:
        EmailBackend(host="127.0.0.1", port=port, use_tls=False, fail_silently=False, timeout=10
                     ).send_messages([message])


def run(quick: bool) -> dict[str, Any]:
    rounds, block = (5, 30) if quick else (15, 100)
    pdf = attachment_for_size()
    messages = [build_message(pdf, i) for i in range(block)]
    size = len(messages[0].message().as_bytes())
    rates: dict[str, list[float]] = {"reused": [], "new_each": []}
    with SMTPServerProcess() as smtp:
        send_reused(smtp.port, messages[:10])  # warm-up: imports, server start
        send_new_each(smtp.port, messages[:10])
        for _ in range(rounds):
            for name, send in (("reused", send_reused), ("new_each", send_new_each)):
                started = time.perf_counter()
                send(smtp.port, messages)
                rates[name].append(block / (time.perf_counter() - started))
    received = smtp.final["messages"]
    expected = 20 + 2 * rounds * block
    results = {
        "message_bytes": size,
        "block": block,
        "rounds": rounds,
        "reused_msgs_per_s": summary(rates["reused"], digits=1),
        "new_each_msgs_per_s": summary(rates["new_each"], digits=1),
        "reused_over_new_each": paired_ratios(rates["reused"], rates["new_each"]),
        "received_by_server": received,
        "expected": expected,
    }
    print(f"  email {size / 1000:.0f} KB messages: reused connection {results['reused_msgs_per_s']['median']:.0f}/s, "
          f"new connection each {results['new_each_msgs_per_s']['median']:.0f}/s, ratio "
          f"{results['reused_over_new_each']['median']:.2f} (server received {received}/{expected})", flush=True)
    return results
