"""Generated ESP tracking webhooks for every wired ESP: well-shaped events and garbage, signed and not.

Invariants after every call: the answer is 200, 400 or 403 (never 500, never an exception), no
traceback, and no address is suppressed that the plugin never mailed; an attempt changes state only
for events naming its own recipient.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from saypro_invoicing.delivery.webhooks import ESP_VIEWS
from saypro_invoicing.models import DeliveryAttempt, DeliveryEvent, Suppression
from saypro_invoicing.models.delivery import AttemptStatus
from tests.fuzz import oracle, values
from tests.fuzz.conftest import fuzz_settings

pytestmark = pytest.mark.django_db

EXAMPLES = 400
AREA = "webhooks"
URL = "/plugins/channel/default-channel/saypro.invoicing/tracking/{esp}/"
SECRET = "hook:s3cret"
SIGNING = {"MAILGUN_WEBHOOK_SIGNING_KEY": "mg-key", "POSTAL_WEBHOOK_KEY": "cG9zdGFs",
           "MANDRILL_WEBHOOK_KEY": "md-key", "RESEND_SIGNING_SECRET": "whsec_cmVzZW5k",
           "MAILERSEND_WEBHOOK_SIGNING_SECRET": "ms-key", "UNISENDER_GO_API_KEY": "ug-key",
           "MAILTRAP_WEBHOOK_SECRET": "mt-key"}
CONFIGS = [{}, {"WEBHOOK_SECRET": SECRET}, {"WEBHOOK_SECRET": SECRET, **SIGNING}]


@pytest.fixture
def mailed(fuzz_shop) -> list[DeliveryAttempt]:
    """Sent attempts with provider message ids, as the SMTP backend records them."""
    now = timezone.now()
    attempts = []
    for index, document in enumerate(d for d in fuzz_shop.docs.values() if d.number):
        attempts.append(DeliveryAttempt.objects.create(
            document=document, recipient=document.customer_email or "guest@example.com",
            status=AttemptStatus.SENT, provider_message_id=f"<msg-{index}@shop.example>",
            started_at=now - timedelta(minutes=5), finished_at=now - timedelta(minutes=5)))
    return attempts


EVENTS = {
    "postmark": lambda m, r, e, i: {"RecordType": e, "Type": "HardBounce", "MessageID": m, "Email": r, "Recipient": r,
                                 "BouncedAt": "2026-03-02T09:05:00Z", "DeliveredAt": "2026-03-02T09:05:00Z",
                                 "Metadata": {}, "ID": i, "Details": "smtp;550"},
    "sendgrid": lambda m, r, e, i: [{"email": r, "timestamp": 1772442300, "event": e, "sg_event_id": str(i),
                                  "smtp-id": m, "reason": "Bounced"}],
    "brevo": lambda m, r, e, i: {"event": e, "email": r, "message-id": m, "ts_event": 1772442300 + i % 1000,
                                 "reason": "x"},
    "mailjet": lambda m, r, e, i: [{"event": e, "email": r, "time": 1772442300, "MessageID": i, "Message_GUID": m,
                                 "error": "user unknown"}],
    "sparkpost": lambda m, r, e, i: [{"msys": {"message_event": {"type": e, "rcpt_to": r, "message_id": m,
                                                              "timestamp": "1772442300", "event_id": str(i)}}}],
    "mailgun": lambda m, r, e, i: {"event-data": {"event": e, "recipient": r, "timestamp": 1772442300.5,
                                               "id": str(i), "message": {"headers": {"message-id": m}},
                                               "severity": "permanent"}},
}
EVENT_TYPES = ["Bounce", "Delivery", "SpamComplaint", "Open", "bounce", "dropped", "delivered", "failed",
               "hard_bounce", "spam", "rejected", "blocked", "complained", "open", "", "\x00", "x" * 300]


def _mailgun_signed(payload: Any, draw: Any) -> Any:
    if not isinstance(payload, dict):
        return payload
    timestamp, token = str(int(time.time())), draw(st.sampled_from(["t0k3n", "x" * 50]))
    digest = hmac.new(b"mg-key", f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    payload["signature"] = {"timestamp": timestamp, "token": token,
                            "signature": digest if draw(st.booleans()) else "0" * 64}
    return payload


@st.composite
def webhook_calls(draw: Any, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    esp = draw(st.sampled_from([*ESP_VIEWS, *EVENTS, *EVENTS, "nosuch"]))
    config = draw(st.sampled_from([CONFIGS[0], CONFIGS[1], CONFIGS[1], CONFIGS[2], CONFIGS[2]]))
    auth = draw(st.sampled_from([SECRET] * 6 + ["hook:wrong", "", "\x00:\x00"]))
    attempt = draw(st.sampled_from(attempts)) if attempts else None
    real = attempt.provider_message_id if attempt else "<none>"
    message = draw(st.one_of(st.just(real), st.just(real), st.just(real),
                             st.just((attempt.provider_message_id if attempt else "").strip("<>")),
                             values.hostile_text(30), values.wrong_json()))
    own = attempt.recipient if attempt else "a@b.c"
    recipient = draw(st.one_of(st.just(own), st.just(own), st.just(own.upper()),
                               st.just("stranger@example.net"), values.hostile_text(30), values.wrong_json()))
    shape = draw(st.integers(0, 3))
    if esp in EVENTS and shape < 3:
        body = EVENTS[esp](message, recipient, draw(st.sampled_from(EVENT_TYPES)), draw(st.integers(0, 2**40)))
        if esp == "mailgun":
            body = _mailgun_signed(body, draw)
        raw = json.dumps(body, default=str).encode("utf-8", "surrogatepass")
    else:
        raw = draw(st.one_of(
            values.wrong_json().map(lambda v: json.dumps(v, default=str).encode("utf-8", "surrogatepass")),
            st.binary(max_size=200), st.sampled_from([b"", b"{", b"[", b"null", b"mandrill_events=%5B%5D",
                                                       b'{"Type": "SubscriptionConfirmation"}'])))
    content_type = draw(st.sampled_from(["application/json", "application/json",
                                         "application/x-www-form-urlencoded", "text/plain"]))
    return {"esp": esp, "config": config, "auth": auth, "raw": raw, "content_type": content_type}


def test_generated_webhook_calls(fuzz_shop, mailed):
    client = Client()
    mailed_addresses = {a.recipient.lower() for a in mailed}

    @fuzz_settings(EXAMPLES)
    @given(data=st.data())
    def run(data):
        call = data.draw(webhook_calls(mailed))
        headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(
            call["auth"].encode("utf-8", "surrogatepass")).decode()} if call["auth"] else {}
        events_before = DeliveryEvent.objects.count()
        try:
            # override_settings per call: the settings fixture would stack one layer per example
            with override_settings(ANYMAIL=call["config"]):
                response = client.post(URL.format(esp=call["esp"]), data=call["raw"],
                                       content_type=call["content_type"], **headers)
        except Exception as exc:  # noqa: BLE001 - the view let an exception out: that is the finding
            oracle.classify_exception(AREA, exc)
            raise
        oracle.check_traceback(AREA, response.content.decode("utf-8", "replace"))
        allowed = {404} if call["esp"] == "nosuch" else {200, 400, 403}
        if response.status_code not in allowed:
            oracle.record(AREA, "server_error", f"HTTP {response.status_code} for {call['esp']}")
        if not call["config"] and response.status_code != 404 and response.status_code != 403:
            oracle.record(AREA, "leak", f"{call['esp']} answered {response.status_code} without any secret")
        stray = Suppression.objects.exclude(address__in=mailed_addresses).values_list("address", flat=True)
        if stray:
            oracle.record(AREA, "leak", f"suppressed addresses the plugin never mailed: {list(stray)[:3]}")
        recorded = DeliveryEvent.objects.count() > events_before
        oracle.record(AREA, f"http_{response.status_code}" + ("_event_recorded" if recorded else ""))

    run()
    assert oracle.total(AREA) >= EXAMPLES * oracle.SCALE
