"""Generated download tokens: forged, truncated, foreign-signed and genuinely signed payloads that are not ours.

Only a token of ours for an existing, numbered document opens it (200); expired ones get 410; every
other signed payload (wrong shape, types or version) and every forgery gets 403; never 500.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from saypro_invoicing import links
from tests.fuzz import oracle, values
from tests.fuzz.conftest import fuzz_settings

pytestmark = pytest.mark.django_db

EXAMPLES = 250
AREA = "download_tokens"
URL = "/plugins/channel/default-channel/saypro.invoicing/download/{token}/"
SALT = "saypro_invoicing.download"


def _payloads(document_ids: list[str]) -> st.SearchStrategy[Any]:
    ids = st.one_of(st.sampled_from(document_ids), st.uuids().map(str), values.hostile_text(20), values.wrong_json())
    keys = st.fixed_dictionaries({}, optional={"v": values.wrong_json(), "d": ids, "g": values.wrong_json()})
    shapes = st.one_of(keys, values.wrong_json(),
                       st.builds(lambda d, v, g: {"v": v, "d": d, "g": g}, ids,
                                 st.sampled_from([1, 2, 0, "1", 1.0, True, None]), st.sampled_from([0, 1, 2, True])),
                       st.builds(lambda d: {"d": d, "g": 0, "extra": 1}, ids))
    return shapes


@st.composite
def tokens(draw: Any, document_ids: list[str]) -> tuple[str, str]:
    kind = draw(st.sampled_from(["ours", "payload", "other_salt", "forged", "garbage", "truncated"]))
    if kind == "ours":
        return kind, links.make_token(draw(st.sampled_from(document_ids)), guest=draw(st.booleans()))
    if kind == "payload":
        return kind, signing.dumps(draw(_payloads(document_ids)), salt=SALT, compress=draw(st.booleans()))
    if kind == "other_salt":
        return kind, signing.dumps({"v": 1, "d": draw(st.sampled_from(document_ids)), "g": 0},
                                   salt=draw(st.sampled_from(["", "django.core.signing", "saypro_invoicing"])))
    if kind == "truncated":
        token = links.make_token(draw(st.sampled_from(document_ids)))
        cut = draw(st.integers(1, len(token) - 1))
        return kind, token[:cut] + draw(st.sampled_from(["", "A", ":", "x" * 5]))
    if kind == "forged":
        token = links.make_token(str(uuid.uuid4()))
        body, _sep, signature = token.rpartition(":")
        return kind, f"{body}:{draw(st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789_-', min_size=1))}"
    return kind, draw(st.text(alphabet="ABCdef0123456789_-:.", min_size=1, max_size=600))


def test_generated_download_tokens(fuzz_shop, settings):
    settings.SAYPRO_INVOICING = {**settings.SAYPRO_INVOICING, "LINK_TTL_SECONDS": 3600}
    document_ids = [str(d.id) for d in fuzz_shop.docs.values()]
    numbered = {str(d.id) for d in fuzz_shop.docs.values() if d.number}
    client = Client()

    @fuzz_settings(EXAMPLES)
    @given(data=st.data())
    def run(data):
        kind, token = data.draw(tokens(document_ids))
        method = data.draw(st.sampled_from(["head", "head", "get"]))
        try:
            response = getattr(client, method)(URL.format(token=token))
        except Exception as exc:  # noqa: BLE001 - the view let an exception out: that is the finding
            oracle.classify_exception(AREA, exc)
            raise
        status = response.status_code
        if status != 200:
            oracle.check_traceback(AREA, response.content.decode("utf-8", "replace"))
        if status >= 500 and status != 503:
            oracle.record(AREA, "server_error", f"{kind} {token!r}: HTTP {status}")
        if status == 200:
            granted = str(links.read_token(token))
            if granted not in numbered or kind not in ("ours", "payload"):
                oracle.record(AREA, "leak", f"{kind} token opened {granted}")
        elif kind in ("payload", "other_salt", "forged", "garbage", "truncated") and status not in (403, 404):
            oracle.record(AREA, "server_error", f"{kind} token answered {status}")
        oracle.record(AREA, f"{kind}_{status}")

    run()
    assert oracle.total(AREA) >= EXAMPLES * oracle.SCALE


@pytest.mark.parametrize("payload", [
    [1, 2], "a-string", 5, None, {"d": 5}, {"d": "not-a-uuid"}, {"g": 0}, {"v": 2, "d": str(uuid.UUID(int=1)), "g": 0},
    {"v": "1", "d": str(uuid.UUID(int=1)), "g": 0}, {"v": 1, "d": str(uuid.UUID(int=1)), "g": True},
    {"v": 1, "d": str(uuid.UUID(int=1)), "g": 7}, {"v": 1, "d": str(uuid.UUID(int=1)), "g": 0, "x": 1},
    {"d": ["list"]}, {"d": {"nested": 1}},
])
def test_signed_payloads_that_are_not_ours_get_403(db, payload):
    response = Client().get(URL.format(token=signing.dumps(payload, salt=SALT, compress=True)))
    assert response.status_code == 403


def test_a_link_from_before_versioning_still_opens(fuzz_shop):
    document = fuzz_shop.docs["a_invoice"]
    legacy = signing.dumps({"d": str(document.id), "g": 1}, salt=SALT, compress=True)  # links mailed earlier
    assert links.read_token(legacy) == document.id
    assert Client().head(URL.format(token=legacy)).status_code == 200
