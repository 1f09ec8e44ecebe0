// The App Bridge: the dashboard's token, theme and locale, and the actions the pages send back.
import { actions, AppBridge } from "@saleor/app-sdk/app-bridge";
import { createContext, ReactNode, useContext, useEffect, useMemo, useState } from "react";

import { I18n, makeT, pickLocale } from "./i18n";

export type BridgeState = {
  ready: boolean;
  token: string;
  theme: "light" | "dark";
  apiUrl: string;
  i18n: I18n;
  redirect: (to: string) => void;
  notify: (status: "success" | "error", title: string) => void;
  resize: (height: number) => void;
};

const BridgeContext = createContext<BridgeState | null>(null);

// Created when the script runs, before the iframe's load event: the dashboard sends the handshake on load.
const appBridge = new AppBridge({ autoNotifyReady: true });

export function BridgeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(() => appBridge.getState());

  useEffect(() => {
    const refresh = () => setState({ ...appBridge.getState() });
    const stops = (["handshake", "theme", "localeChanged", "tokenRefresh"] as const).map((event) =>
      appBridge.subscribe(event, refresh),
    );
    refresh();
    return () => stops.forEach((stop) => stop());
  }, [appBridge]);

  const value = useMemo<BridgeState>(() => {
    const i18n = makeT(pickLocale(state.locale));
    return {
      ready: Boolean(state.ready && state.token),
      token: state.token ?? "",
      theme: state.theme === "dark" ? "dark" : "light",
      apiUrl: state.saleorApiUrl,
      i18n,
      redirect: (to: string) => {
        appBridge.dispatch(actions.Redirect({ to })).catch(() => undefined);
      },
      notify: (status, title) => {
        appBridge.dispatch(actions.Notification({ status, title })).catch(() => undefined);
      },
      // Widgets only (Saleor 3.23.7+): the dashboard sizes the widget's frame to its content.
      resize: (height: number) => {
        if (height > 0) appBridge.dispatch(actions.WidgetResize({ height: Math.ceil(height) })).catch(() => undefined);
      },
    };
  }, [state, appBridge]);

  useEffect(() => {
    document.documentElement.lang = value.i18n.locale;
    document.documentElement.dataset.theme = value.theme;
  }, [value.i18n.locale, value.theme]);

  return <BridgeContext.Provider value={value}>{children}</BridgeContext.Provider>;
}

export function useBridge(): BridgeState {
  const value = useContext(BridgeContext);
  if (!value) throw new Error("useBridge outside BridgeProvider");
  return value;
}
