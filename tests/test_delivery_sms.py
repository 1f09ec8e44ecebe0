"""SMS fallback against a real HTTP server on loopback standing in for the SMS provider."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from saypro_invoicing import links
from saypro_invoicing.hosts.sandbox import sample
from saypro_invoicing.models import BillingDocument, DeliveryAttempt
from saypro_invoicing.models.delivery import AttemptStatus, Channel
from saypro_invoicing.snapshot import Address, DocumentType

REJECT = "reject"
pytestmark = pytest.mark.django_db
PHONE = "+49 170 1234567"
HTTP_BACKEND = "saypro_invoicing.delivery.sms.HttpJsonSmsBackend"


@dataclass
class Provider:
    """What the fake provider answers, and every request it got."""

    status: int = 201
    body: dict = field(default_factory=lambda: {"id": "sms-0001"})
    requests: list[dict] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def provider():
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server hook
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": raw})
            payload = json.dumps(state.body).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def bounced_guest_order(capture, smtp_server):
    smtp_server.set_rule("jane@example.com", REJECT)
    address = Address(first_name="Jane", last_name="Doe", street_address_1="Main Street 5", postal_code="10115",
                      city="Berlin", country="DE", phone=PHONE)
    order = sample.create_order(billing_address=address)
    with capture(execute=True):
        sample.pay(str(order.id))
    return {d.type: d for d in BillingDocument.objects.filter(order_id=str(order.id))}


def test_http_json_sms_carries_a_signed_link_to_the_document(smtp_server, provider,
                                                             django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config(), sms_backend=HTTP_BACKEND,
                          sms_api_url=provider.url + "/v1/messages", sms_token="tok-123", sms_account="SayPro")
    documents = bounced_guest_order(django_capture_on_commit_callbacks, smtp_server)
    assert len(provider.requests) == 2  # receipt and invoice, one SMS each
    by_document = {}
    for request in provider.requests:
        assert request["path"] == "/v1/messages"
        assert request["headers"]["Authorization"] == "Bearer tok-123"
        body = json.loads(request["body"])
        assert body["to"] == "+491701234567" and body["from"] == "SayPro"
        link = next(word for word in body["text"].split() if word.startswith("http"))
        assert link.startswith("http://testserver/plugins/channel/default-channel/saypro.invoicing/download/")
        document_id = links.read_token(link.rstrip("/").rsplit("/", 1)[1])
        by_document[document_id] = body["text"]
    invoice = documents[DocumentType.INVOICE]
    assert set(by_document) == {d.id for d in documents.values()}
    assert invoice.number in by_document[invoice.id] and "SayPro Demo Shop" in by_document[invoice.id]
    sms = DeliveryAttempt.objects.get(document=invoice, channel=Channel.SMS)
    assert (sms.status, sms.recipient, sms.provider_message_id) == (AttemptStatus.SENT, "+491701234567", "sms-0001")
    # The signed link really serves the document's PDF to a guest.
    from io import BytesIO

    from django.test import Client
    from pypdf import PdfReader

    link = next(w for w in by_document[invoice.id].split() if w.startswith("http"))
    response = Client().get(link.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = PdfReader(BytesIO(b"".join(response.streaming_content)))
    assert invoice.number in "".join(page.extract_text() for page in pdf.pages)


def test_sms_provider_outage_is_deferred_for_retry(smtp_server, provider, django_capture_on_commit_callbacks):
    sample.ensure_channel(**smtp_server.channel_config(), sms_backend=HTTP_BACKEND,
                          sms_api_url=provider.url + "/v1/messages", sms_token="tok-123")
    provider.status, provider.body = 503, {"error": "maintenance"}
    documents = bounced_guest_order(django_capture_on_commit_callbacks, smtp_server)
    sms = DeliveryAttempt.objects.get(document=documents[DocumentType.INVOICE], channel=Channel.SMS)
    assert sms.status == AttemptStatus.DEFERRED and sms.next_retry_at is not None
    assert "HTTP 503" in sms.response


def test_twilio_backend_against_loopback(smtp_server, provider, django_capture_on_commit_callbacks):
    pytest.importorskip("twilio")
    provider.body = {"sid": "SM0123456789abcdef", "status": "queued", "to": "+491701234567"}
    sample.ensure_channel(**smtp_server.channel_config(), sms_backend="saypro_invoicing.delivery.sms.TwilioSmsBackend",
                          sms_api_url=provider.url, sms_account="AC0000000000000000:+15550001111",
                          sms_token="twilio-token")
    documents = bounced_guest_order(django_capture_on_commit_callbacks, smtp_server)
    request = provider.requests[0]
    assert request["path"] == "/2010-04-01/Accounts/AC0000000000000000/Messages.json"
    expected_auth = "Basic " + base64.b64encode(b"AC0000000000000000:twilio-token").decode()
    assert request["headers"]["Authorization"] == expected_auth
    form = parse_qs(request["body"])
    assert form["To"] == ["+491701234567"] and form["From"] == ["+15550001111"]
    assert urlparse(form["Body"][0].split()[-1]).path.startswith("/plugins/channel/default-channel/")
    sms = DeliveryAttempt.objects.get(document=documents[DocumentType.RECEIPT], channel=Channel.SMS)
    assert (sms.status, sms.provider_message_id) == (AttemptStatus.SENT, "SM0123456789abcdef")
