"""The signed download path: PDF with the right headers, 403 for forged, 410 for expired, 404 for held."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from urllib.parse import urlparse

import pytest
from django.core import signing
from django.utils import timezone
from freezegun import freeze_time
from pypdf import PdfReader

from saypro_invoicing import links
from saypro_invoicing.conf import setting
from saypro_invoicing.graphql.ids import global_id
from saypro_invoicing.models import BillingDocument
from tests.graphql_support import MANAGERS, ROLES

pytestmark = pytest.mark.django_db

PLUGIN = "/plugins/channel/default-channel/saypro.invoicing/"


def path_for(document, *, guest: bool = False) -> str:
    return urlparse(links.download_url(document.id, document.channel, guest=guest)).path


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def test_download_answers_the_pdf_with_private_headers(shop):
    document = shop.docs["a_invoice"]
    assert not document.pdf  # never delivered yet: rendered on first download
    response = shop.caller("anonymous").get(path_for(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert document.filename.startswith("invoice-INV-") and document.filename.endswith(".pdf")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response)
    assert document.number in text and "A-100" in text
    document.refresh_from_db()
    stored_hash = document.pdf_sha256
    assert document.pdf and stored_hash
    # The stored file is served again, never re-rendered.
    second = shop.caller("anonymous").get(path_for(document))
    assert second.status_code == 200
    b"".join(second.streaming_content)
    document.refresh_from_db()
    assert document.pdf_sha256 == stored_hash


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_a_link_and_what_it_opens(shop, role):
    document = shop.docs["a_invoice"]
    caller = shop.caller(role)
    result = caller.gql("query($id: ID!) { billingDocument(id: $id) { downloadUrl } }",
                        {"id": global_id("BillingDocument", document.id)})
    node = result["data"]["billingDocument"]
    if role in MANAGERS | {"customer_a"}:
        response = caller.get(urlparse(node["downloadUrl"]).path)
        assert response.status_code == 200 and document.number in pdf_text(response)
    else:
        assert node is None
    # A forged token is refused whoever holds it.
    forged = path_for(document)[:-8] + ("A" if path_for(document)[-8] != "A" else "B") + path_for(document)[-7:]
    assert caller.get(forged).status_code == 403


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("x" if token[-1] != "x" else "y"),  # signature changed
    lambda token: token.split(":")[0],  # signature removed
    lambda token: signing.dumps({"d": "00000000-0000-0000-0000-000000000000", "g": 0},
                                salt="saypro_invoicing.download", key="another-secret", compress=True),
    lambda token: signing.dumps({"d": token, "g": 0}, salt="another.salt", compress=True),
    lambda token: "not-a-token",
])
def test_forged_tokens_get_403(shop, mangle):
    token = links.make_token(shop.docs["a_invoice"].id)
    response = shop.caller("anonymous").get(f"{PLUGIN}download/{mangle(token)}/")
    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"


def test_a_token_opens_only_its_own_document(shop):
    mine, theirs = shop.docs["a_invoice"], shop.docs["b_invoice"]
    response = shop.caller("customer_b").get(path_for(mine))
    assert response.status_code == 200
    text = pdf_text(response)
    assert mine.number in text and theirs.number not in text


def test_expired_links_get_410(shop):
    document = shop.docs["guest_invoice"]
    start = timezone.now()
    with freeze_time(start):
        account_link, guest_link = path_for(document), path_for(document, guest=True)
    ttl, guest_ttl = setting("LINK_TTL_SECONDS"), setting("GUEST_LINK_TTL_SECONDS")
    assert guest_ttl > ttl
    with freeze_time(start + timedelta(seconds=ttl - 60)):
        assert shop.caller("anonymous").get(account_link).status_code == 200
    with freeze_time(start + timedelta(seconds=ttl + 1)):
        assert shop.caller("anonymous").get(account_link).status_code == 410
        assert shop.caller("anonymous").get(guest_link).status_code == 200
    with freeze_time(start + timedelta(seconds=guest_ttl + 1)):
        response = shop.caller("anonymous").get(guest_link)
        assert response.status_code == 410 and b"expired" in response.content


def test_ttl_is_configurable(shop, settings):
    document = shop.docs["a_receipt"]
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "LINK_TTL_SECONDS": 60}
    start = timezone.now()
    with freeze_time(start):
        link = path_for(document)
    with freeze_time(start + timedelta(seconds=61)):
        assert shop.caller("anonymous").get(link).status_code == 410


def test_held_and_unknown_documents_are_not_found(shop):
    held = shop.docs["a_held"]
    assert shop.caller("staff").get(path_for(held)).status_code == 404
    unknown = f"{PLUGIN}download/{links.make_token('9b2f3f4e-0000-4000-8000-000000000000')}/"
    assert shop.caller("staff").get(unknown).status_code == 404


def test_void_documents_stay_downloadable(shop):
    document = shop.docs["b_invoice"]
    BillingDocument.objects.filter(pk=document.pk).update(status="void", voided_at=timezone.now())
    response = shop.caller("anonymous").get(path_for(document))
    assert response.status_code == 200 and document.number in pdf_text(response)


def test_only_get_and_head(shop):
    document = shop.docs["a_receipt"]
    client = shop.caller("anonymous").client
    assert client.post(path_for(document)).status_code == 405
    assert client.delete(path_for(document)).status_code == 405
    head = client.head(path_for(document))
    assert head.status_code == 200 and head["Content-Type"] == "application/pdf"
    assert int(head["Content-Length"]) > 1000 and head.content == b""
    assert head["Content-Disposition"] == f'attachment; filename="{document.filename}"'
