// Open correction requests: reason, requested changes, the 48-hour clock; approve or reject with a message.
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { useGraphQL, useQuery } from "../api";
import { useBridge } from "../bridge";
import { Empty, ErrorState, Loading, Notice, PageHeader } from "../components/ui";
import { Correction, Doc, LIST, Payload, RESOLVE, Row } from "../queries";
import { hrefFor, navigate } from "../router";

type Data = { billingDocumentDashboardList: { edges: { node: Row }[] } };
const WINDOW_MS = 48 * 3600 * 1000;

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function Clock({ requestedAt, now }: { requestedAt: string; now: number }) {
  const { i18n } = useBridge();
  const left = new Date(requestedAt).getTime() + WINDOW_MS - now;
  const minutes = Math.floor(Math.abs(left) / 60000);
  const values = { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
  return (
    <span className={`sp-badge ${left < 0 ? "sp-badge-bad" : left < 6 * 3600 * 1000 ? "sp-badge-warn" : "sp-badge-info"}`}
      data-clock={left < 0 ? "overdue" : "running"}>
      {left < 0 ? i18n.t("overdue", values) : i18n.t("timeLeft", values)}
    </span>
  );
}

function RequestCard({ doc, request, now, onChanged }: { doc: Doc; request: Correction; now: number; onChanged: () => void }) {
  const { i18n, notify } = useBridge();
  const { t, label } = i18n;
  const run = useGraphQL();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const fieldId = `reply-${request.id}`;
  const resolve = async (approve: boolean) => {
    setBusy(true);
    setResult(null);
    try {
      const data = await run<{ billingDocumentCorrectionResolve: Payload }>(RESOLVE, { id: request.id, approve, message });
      const errors = data.billingDocumentCorrectionResolve.errors;
      if (errors.length) {
        setResult({ tone: "error", text: errors.map((e) => e.message).join("; ") });
      } else {
        const text = approve ? t("approveDone") : t("rejectDone");
        setResult({ tone: "success", text });
        notify("success", text);
        onChanged();
      }
    } catch (error) {
      setResult({ tone: "error", text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const address = request.billingAddress;
  return (
    <Box as="article" aria-label={`${label(doc.type)} ${doc.number ?? ""}`} padding={4} borderStyle="solid" borderWidth={1}
      borderColor="default1" borderRadius={4} display="flex" flexDirection="column" gap={2} data-request-id={request.id}>
      <Text as="h2" size={5} fontWeight="bold">
        <a className="sp-link" href={hrefFor("documents", doc.id)}
          onClick={(event) => { event.preventDefault(); navigate("documents", doc.id); }}>
          {label(doc.type)} {doc.number}
        </a>{" "}· {doc.customerName} &lt;{doc.customerEmail}&gt;
      </Text>
      <dl className="sp-facts">
        <dt><Text fontWeight="bold">{t("requestedAt")}</Text></dt>
        <dd>{i18n.dateTime(request.requestedAt)}</dd>
        <dt><Text fontWeight="bold">{t("clock")}</Text></dt>
        <dd><Clock requestedAt={request.requestedAt} now={now} /></dd>
        <dt><Text fontWeight="bold">{t("reason")}</Text></dt>
        <dd>{request.reason}</dd>
        <dt><Text fontWeight="bold">{t("requestedChanges")}</Text></dt>
        <dd>
          <ul>
            {request.companyName ? <li>{t("companyName")}: {request.companyName}</li> : null}
            {request.vatId ? <li>{t("vatId")}: {request.vatId}</li> : null}
            {address && (address.streetAddress1 || address.city || address.country) ? (
              <li>{t("billingAddress")}: {[address.companyName, address.streetAddress1, address.postalCode, address.city,
                address.country].filter(Boolean).join(", ")}</li>
            ) : null}
          </ul>
        </dd>
      </dl>
      <div className="sp-field">
        <label htmlFor={fieldId}>{t("replyMessage")}</label>
        <textarea id={fieldId} value={message} onChange={(event) => setMessage(event.target.value)} />
      </div>
      <Box display="flex" gap={2}>
        <Button variant="primary" disabled={busy} onClick={() => resolve(true)}>{t("approve")}</Button>
        <Button variant="secondary" disabled={busy} onClick={() => resolve(false)}>{t("reject")}</Button>
      </Box>
      {result ? <Notice tone={result.tone} text={result.text} /> : null}
    </Box>
  );
}

export function Corrections() {
  const { i18n } = useBridge();
  const { t } = i18n;
  const now = useNow();
  const { data, error, loading, reload } = useQuery<Data>(LIST, {
    first: 100, filter: { correctionStatus: ["OPEN"] }, sortBy: { field: "ISSUED_AT", direction: "ASC" },
  });
  const items = (data?.billingDocumentDashboardList.edges ?? []).flatMap(({ node }) =>
    (node.document.correctionRequests ?? []).filter((r) => r.status === "OPEN").map((request) => ({ doc: node.document, request })),
  ).sort((a, b) => a.request.requestedAt.localeCompare(b.request.requestedAt));
  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <PageHeader title={t("correctionsTitle")} current="corrections" />
      <Text>{t("correctionsIntro")}</Text>
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && !items.length ? <Empty text={t("emptyCorrections")} /> : null}
      {items.length ? (
        <ul className="sp-card-list" data-testid="corrections-list">
          {items.map(({ doc, request }) => (
            <li key={request.id}><RequestCard doc={doc} request={request} now={now} onChanged={reload} /></li>
          ))}
        </ul>
      ) : null}
    </Box>
  );
}
