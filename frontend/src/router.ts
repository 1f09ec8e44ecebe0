// In-app navigation with history.pushState: the iframe never reloads, so the handshake stays valid.
import { useEffect, useState } from "react";

export type Route = { page: string; id: string | null };

function appRoot(): string {
  return document.getElementById("root")?.dataset.appRoot ?? "/";
}

export function currentRoute(): Route {
  const rest = window.location.pathname.startsWith(appRoot())
    ? window.location.pathname.slice(appRoot().length)
    : "documents";
  const [page, id] = rest.split("/");
  return { page: page || "documents", id: id ? decodeURIComponent(id) : null };
}

export function hrefFor(page: string, id?: string | null): string {
  // The dashboard's parameters (saleorApiUrl, theme, locale, id, orderId) stay in the query string.
  return `${appRoot()}${page}${id ? `/${encodeURIComponent(id)}` : ""}${window.location.search}`;
}

export function navigate(page: string, id?: string | null): void {
  window.history.pushState({}, "", hrefFor(page, id));
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return route;
}

export function queryParam(name: string): string | null {
  return new URL(window.location.href).searchParams.get(name);
}
