// The SLA report for a period and channel: 24-hour delivery, distribution, channels, accuracy, breaches,
// unpaid invoices by age, reconciliation mismatches, weekly trend, CSV export.
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { useGraphQL, useQuery } from "../api";
import { useBridge } from "../bridge";
import { Bin, DistributionChart, formatSeconds, TrendChart, Week } from "../components/charts";
import { Empty, ErrorState, Loading, Money, Notice, PageHeader, Section, SelectField, TextField } from "../components/ui";
import { SLA, SLA_CSV } from "../queries";

type Figures = { due: number; deliveredWithin24h: number; missed: number; pending: number; percentWithin24h: number | null };
type Report = {
  channel: string; start: string; end: string; definition: string; invoices: Figures; receipts: Figures;
  deliveryTime: { count: number; averageSeconds: number | null; p50Seconds: number | null; p95Seconds: number | null; maxSeconds: number | null };
  deliveryChannels: { channel: string; attempts: number; accepted: number; bounced: number; failed: number; deferred: number;
    successRate: number | null; bounceRate: number | null }[];
  accuracy: { gateChecks: number; passed: number; accuracyRate: number | null; heldForReview: number; stillHeld: number };
  unpaidInvoices: { label: string; count: number; amounts: { amount: number; currency: string }[] }[];
  breaches: { documentId: string; documentNumber: string; type: string; orderNumber: string; eventAt: string;
    deadlineAt: string; cause: string; detail: string }[];
  breachCauses: { cause: string; count: number }[];
  mismatches: { kind: string; channel: string; orderNumber: string; difference: { amount: number; currency: string }; detail: string }[];
};
type Data = {
  billingDocumentChannels: string[];
  billingDocumentSlaReport: Report;
  billingDocumentSlaSeries: { deliveryTimeBins: Bin[]; p50Seconds: number | null; p95Seconds: number | null;
    maxSeconds: number | null; weeks: Week[] };
};

function Headline({ title, figures }: { title: string; figures: Figures }) {
  const { i18n } = useBridge();
  return (
    <Box padding={4} borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={4} display="flex"
      flexDirection="column" gap={1} data-testid={`headline-${title}`}>
      <Text size={3}>{title}</Text>
      <Text size={9} fontWeight="bold">{i18n.percent(figures.percentWithin24h)}</Text>
      <Text size={3}>{i18n.t("ofDue", { within: figures.deliveredWithin24h, due: figures.due, pending: figures.pending })}</Text>
    </Box>
  );
}

export function SlaReport() {
  const { i18n } = useBridge();
  const { t, label } = i18n;
  const run = useGraphQL();
  const [periodText, setPeriodText] = useState("last-30-days");
  const [channelChoice, setChannelChoice] = useState("");
  const [query, setQuery] = useState({ period: "last-30-days", channel: "" });
  const [csvError, setCsvError] = useState<string | null>(null);
  const { data, error, loading, reload } = useQuery<Data>(SLA, { period: query.period, channel: query.channel || null });
  const report = data?.billingDocumentSlaReport;
  const series = data?.billingDocumentSlaSeries;

  const exportCsv = async () => {
    setCsvError(null);
    try {
      const result = await run<{ billingDocumentSlaReportCsv: string }>(SLA_CSV, {
        period: query.period, channel: query.channel || null,
      });
      const blob = new Blob([result.billingDocumentSlaReportCsv], { type: "text/csv;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `sla-report-${query.channel || "all"}-${query.period}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (failure) {
      setCsvError((failure as Error).message);
    }
  };

  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <PageHeader title={t("slaTitle")} current="sla" />
      <Box as="form" display="flex" gap={3} alignItems="flex-end" flexWrap="wrap" aria-label={t("filters")}
        onSubmit={(event) => { event.preventDefault(); setQuery({ period: periodText.trim(), channel: channelChoice }); }}>
        <TextField id="sla-period" label={t("period")} value={periodText} onChange={setPeriodText}
          describedBy="sla-period-help" />
        <SelectField id="sla-channel" label={t("channel")} value={channelChoice} onChange={setChannelChoice}
          options={[{ value: "", label: t("allChannels") },
            ...(data?.billingDocumentChannels ?? []).map((c) => ({ value: c, label: c }))]} />
        <Button type="submit" variant="primary">{t("show")}</Button>
        <Button type="button" variant="secondary" onClick={exportCsv} disabled={!report}>{t("exportCsv")}</Button>
      </Box>
      <Text id="sla-period-help" size={2}>{t("periodHelp")}</Text>
      {csvError ? <Notice tone="error" text={csvError} /> : null}
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !report ? <Loading /> : null}
      {report && series ? (
        <>
          <Box display="grid" gridTemplateColumns={2} gap={4}>
            <Headline title={t("invoicesWithin24h")} figures={report.invoices} />
            <Headline title={t("receiptsWithin24h")} figures={report.receipts} />
          </Box>
          <Section title={t("distribution")} id="distribution">
            <Text data-testid="percentiles">
              {t("p50")} {formatSeconds(series.p50Seconds)} · {t("p95")} {formatSeconds(series.p95Seconds)} ·{" "}
              {t("max")} {formatSeconds(series.maxSeconds)} · {report.deliveryTime.count} {t("documentsCount")}
            </Text>
            <DistributionChart bins={series.deliveryTimeBins} marks={[
              { name: t("p50"), seconds: series.p50Seconds }, { name: t("p95"), seconds: series.p95Seconds },
              { name: t("max"), seconds: series.maxSeconds }]} />
          </Section>
          <Section title={t("trend")} id="trend">
            <TrendChart weeks={series.weeks} />
          </Section>
          <Section title={t("channels")} id="channels">
            <table className="sp-table" data-testid="channels-table">
              <thead>
                <tr>
                  <th scope="col">{t("channel")}</th><th scope="col" className="sp-num">{t("attempts")}</th>
                  <th scope="col" className="sp-num">{t("accepted")}</th><th scope="col" className="sp-num">{t("bounced")}</th>
                  <th scope="col" className="sp-num">{t("failed")}</th><th scope="col" className="sp-num">{t("successRate")}</th>
                  <th scope="col" className="sp-num">{t("bounceRate")}</th>
                </tr>
              </thead>
              <tbody>
                {report.deliveryChannels.map((row) => (
                  <tr key={row.channel}>
                    <th scope="row">{label(row.channel)}</th><td className="sp-num">{row.attempts}</td>
                    <td className="sp-num">{row.accepted}</td><td className="sp-num">{row.bounced}</td>
                    <td className="sp-num">{row.failed}</td><td className="sp-num">{i18n.percent(row.successRate)}</td>
                    <td className="sp-num">{i18n.percent(row.bounceRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t("accuracy")} id="accuracy">
            <Text size={7} fontWeight="bold" data-testid="accuracy-rate">
              {t("accuracyRate")}: {i18n.percent(report.accuracy.accuracyRate)}
            </Text>
            <Text>{t("gateChecks", { passed: report.accuracy.passed, checks: report.accuracy.gateChecks,
              held: report.accuracy.heldForReview, still: report.accuracy.stillHeld })}</Text>
          </Section>
          <Section title={t("breaches")} id="breaches">
            {report.breachCauses.length ? (
              <Text>{report.breachCauses.map((c) => `${c.cause}: ${c.count}`).join(" · ")}</Text>
            ) : null}
            {report.breaches.length ? (
              <table className="sp-table" data-testid="breaches-table">
                <thead>
                  <tr><th scope="col">{t("number")}</th><th scope="col">{t("order")}</th>
                    <th scope="col">{t("deadline")}</th><th scope="col">{t("cause")}</th><th scope="col">{t("message")}</th></tr>
                </thead>
                <tbody>
                  {report.breaches.map((b) => (
                    <tr key={b.documentId}>
                      <td>{label(b.type.toUpperCase())} {b.documentNumber}</td><td>#{b.orderNumber}</td>
                      <td>{i18n.dateTime(b.deadlineAt)}</td><td>{b.cause}</td><td>{b.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : <Empty text={t("noBreaches")} />}
          </Section>
          <Section title={t("unpaid")} id="unpaid">
            <table className="sp-table" data-testid="aging-table">
              <thead><tr><th scope="col">{t("age")}</th><th scope="col" className="sp-num">{t("count")}</th>
                <th scope="col" className="sp-num">{t("amount")}</th></tr></thead>
              <tbody>
                {report.unpaidInvoices.map((bucket) => (
                  <tr key={bucket.label}>
                    <th scope="row">{bucket.label}</th><td className="sp-num">{bucket.count}</td>
                    <td className="sp-num">{bucket.amounts.length ? bucket.amounts.map((a, i) => (
                      <span key={i}>{i ? ", " : ""}<Money amount={a.amount} currency={a.currency} /></span>)) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t("mismatches")} id="mismatches">
            {report.mismatches.length ? (
              <table className="sp-table" data-testid="mismatches-table">
                <thead><tr><th scope="col">{t("kind")}</th><th scope="col">{t("order")}</th>
                  <th scope="col" className="sp-num">{t("difference")}</th><th scope="col">{t("message")}</th></tr></thead>
                <tbody>
                  {report.mismatches.map((m, index) => (
                    <tr key={index}>
                      <td>{m.kind}</td><td>#{m.orderNumber}</td>
                      <td className="sp-num"><Money amount={m.difference.amount} currency={m.difference.currency} /></td>
                      <td>{m.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : <Empty text={t("noMismatches")} />}
          </Section>
          <Text size={2}><strong>{t("definition")}:</strong> {report.definition}</Text>
        </>
      ) : null}
    </Box>
  );
}
