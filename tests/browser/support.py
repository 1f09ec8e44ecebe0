"""Playing Saleor's dashboard for the app's pages in headless Debian chromium (Playwright, no download).

The dashboard frames an extension's URL with ?id, saleorApiUrl, theme, locale (and orderId on an
order's page), posts the App Bridge handshake {type: "handshake", payload: {token, version}} when the
frame has loaded, and answers each action the app dispatches with {type: "response", payload:
{actionId, ok}}. ``HOST_PAGE`` does exactly that, from the live server's origin (document.referrer
must match the origin of the messages), and records the actions for the tests.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "build" / "dashboard-screenshots"
PLUGIN_ROOT = "/plugins/channel/default-channel/saypro.invoicing/"
HOST_PATH = "/__dashboard_host__"

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard host</title>
<style>body{margin:0} iframe{border:0;width:1280px;height:900px;display:block}</style></head>
<body><iframe id="app" title="SayPro Invoicing"></iframe>
<script>
window.__actions = [];
const frame = document.getElementById("app");
window.addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow) return;
  const data = event.data || {};
  window.__actions.push(data);
  if (data.payload && data.payload.actionId) {
    frame.contentWindow.postMessage({type: "response", payload: {actionId: data.payload.actionId, ok: true}}, "*");
  }
});
frame.addEventListener("load", () => {
  frame.contentWindow.postMessage({type: "handshake", payload: {token: __TOKEN__, version: 1}}, "*");
});
frame.src = __SRC__;
</script></body></html>"""


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def dashboard_token(email: str = "olga@shop.io") -> str:
    """A JWT-shaped token like the dashboard's (the App Bridge decodes its payload), short enough for the
    sandbox's app-token column; the sandbox host authenticates it as an app with MANAGE_ORDERS."""
    return f"{_b64({'alg': 'none'})}.{_b64({'email': email})}.x"


def app_url(base: str, page: str, *, locale: str = "en", theme: str = "light", **extra: str) -> str:
    query = {"id": "QXBwOjE=", "saleorApiUrl": f"{base}/graphql/", "theme": theme, "locale": locale, **extra}
    return f"{base}{PLUGIN_ROOT}dashboard/app/{page}?{urlencode(query)}"


class Dashboard:
    """One browser page hosting the app's iframe."""

    def __init__(self, page: Any, base: str, token: str):
        self.page, self.base, self.token = page, base, token
        page.route(f"{base}{HOST_PATH}**", self._serve_host)
        self._src = ""

    def _serve_host(self, route: Any) -> None:
        html = HOST_PAGE.replace("__TOKEN__", json.dumps(self.token)).replace("__SRC__", json.dumps(self._src))
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def open(self, page: str, **options: str) -> Any:
        self._src = app_url(self.base, page, **options)
        self.page.goto(f"{self.base}{HOST_PATH}?page={page}")
        return self.app

    @property
    def app(self) -> Any:
        return self.page.frame_locator("iframe#app")

    @property
    def frame(self) -> Any:
        return self.page.query_selector("iframe#app").content_frame()

    def actions(self, kind: str | None = None) -> list[dict[str, Any]]:
        recorded = self.page.evaluate("window.__actions")
        return [a for a in recorded if kind is None or a.get("type") == kind]

    def fit(self) -> None:
        self.page.evaluate(
            "() => { const f = document.getElementById('app');"
            " f.style.height = f.contentDocument.documentElement.scrollHeight + 'px'; }")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.fit()
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe_serious(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the app's document."""
        frame = self.frame
        frame.add_script_tag(path=str(AXE))
        result = frame.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"],
                 "nodes": [(n["html"][:160], n.get("failureSummary", "")[:300]) for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and AXE.exists() and shutil.which(CHROMIUM) is not None
