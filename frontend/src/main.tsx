// Entry point: the App Bridge, macaw-ui's theme, and the page the dashboard opened.
import { Box, ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { useEffect } from "react";
import { createRoot } from "react-dom/client";

import { BridgeProvider, useBridge } from "./bridge";
import { Loading } from "./components/ui";
import { Corrections } from "./pages/Corrections";
import { DocumentDetail } from "./pages/DocumentDetail";
import { Documents } from "./pages/Documents";
import { OrderWidget } from "./pages/OrderWidget";
import { ReviewQueue } from "./pages/ReviewQueue";
import { SlaReport } from "./pages/SlaReport";
import { useRoute } from "./router";

function Page() {
  const route = useRoute();
  switch (route.page) {
    case "order-widget":
      return <OrderWidget compact />;
    case "order-documents":
      return <OrderWidget compact={false} />;
    case "review":
      return <ReviewQueue />;
    case "corrections":
      return <Corrections />;
    case "sla":
      return <SlaReport />;
    default:
      return route.id ? <DocumentDetail id={route.id} /> : <Documents />;
  }
}

function App() {
  const { ready, theme, i18n } = useBridge();
  const { setTheme } = useTheme();
  useEffect(() => setTheme(theme === "dark" ? "defaultDark" : "defaultLight"), [theme, setTheme]);
  const route = useRoute();
  const widget = route.page.startsWith("order-");
  if (!ready) {
    return (
      <Box padding={6} data-state="waiting">
        <p>{i18n.t("waitingForDashboard")}</p>
        <Loading />
      </Box>
    );
  }
  if (widget) return <Page />;
  return (
    <Box as="main" padding={6} backgroundColor="default1" color="default1" data-ready="true">
      <Page />
    </Box>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <ThemeProvider>
    <BridgeProvider>
      <App />
    </BridgeProvider>
  </ThemeProvider>,
);
