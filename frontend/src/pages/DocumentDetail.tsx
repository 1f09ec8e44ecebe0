// One document: PDF inline and other formats, the delivery timeline, the audit trail, and actions.
import { Box, Text } from "@saleor/macaw-ui";

import { useQuery } from "../api";
import { useBridge } from "../bridge";
import { DocumentActions, IssueActions, ReasonList } from "../components/actions";
import { Badge, Empty, ErrorState, Loading, Money, PageHeader, Section } from "../components/ui";
import { DETAIL, Doc } from "../queries";
import { hrefFor, navigate } from "../router";

type TimelineEntry = {
  kind: string; channel: string; purpose: string | null; recipient: string; status: string;
  attemptNumber: number | null; detail: string; providerMessageId: string; at: string; finishedAt: string | null;
  nextRetryAt: string | null;
};
type AuditRecord = { action: string; actor: string; message: string; details: string | null; at: string };
type DetailData = {
  billingDocumentDashboard: {
    orderId: string; orderPath: string; inlinePdfUrl: string | null;
    timeline: TimelineEntry[]; auditTrail: AuditRecord[]; document: Doc;
  } | null;
};

export function DocumentDetail({ id }: { id: string }) {
  const { i18n, redirect } = useBridge();
  const { t, label } = i18n;
  const { data, error, loading, reload } = useQuery<DetailData>(DETAIL, { id });
  const detail = data?.billingDocumentDashboard;
  const doc = detail?.document;
  const title = doc ? t("documentTitle", { type: label(doc.type), number: doc.number ?? t("held") }) : t("navDocuments");
  const formats = (doc?.formats ?? []).filter((f) => f.downloadUrl);

  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <PageHeader title={title} current="documents" />
      <Box>
        <a className="sp-link" href={hrefFor("documents")}
          onClick={(event) => { event.preventDefault(); navigate("documents"); }}>← {t("back")}</a>
      </Box>
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !detail ? <Loading /> : null}
      {data && !detail ? <Empty text={t("emptyDocuments")} /> : null}
      {detail && doc ? (
        <>
          <Section title={t("details")} id="details">
            <Box display="flex" gap={2} flexWrap="wrap">
              <Badge value={doc.status} /> <Badge value={doc.deliveryStatus} /> <Badge value={doc.paymentStatus} />
            </Box>
            <dl className="sp-facts" data-testid="document-facts">
              <dt><Text fontWeight="bold">{t("order")}</Text></dt>
              <dd>
                <a className="sp-link" href={detail.orderPath} data-order-path={detail.orderPath}
                  aria-label={t("openOrder", { number: doc.orderNumber })}
                  onClick={(event) => { event.preventDefault(); redirect(detail.orderPath); }}>#{doc.orderNumber}</a>
              </dd>
              <dt><Text fontWeight="bold">{t("customer")}</Text></dt>
              <dd>{doc.customerName} &lt;{doc.customerEmail}&gt;</dd>
              <dt><Text fontWeight="bold">{t("total")}</Text></dt>
              <dd><Money amount={doc.total.amount} currency={doc.total.currency} /></dd>
              <dt><Text fontWeight="bold">{t("issuedAt")}</Text></dt>
              <dd>{i18n.dateTime(doc.issuedAt) || "–"}</dd>
              {doc.dueAt ? (<><dt><Text fontWeight="bold">{t("dueAt")}</Text></dt><dd>{i18n.dateTime(doc.dueAt)}</dd></>) : null}
              {doc.voidedAt ? (
                <><dt><Text fontWeight="bold">{t("voidedAt")}</Text></dt>
                  <dd>{i18n.dateTime(doc.voidedAt)} — {doc.voidReason}</dd></>
              ) : null}
              {doc.correctsDocument ? (
                <><dt><Text fontWeight="bold">{t("corrects")}</Text></dt><dd>{doc.correctsDocument.number}</dd></>
              ) : null}
              {doc.correctedBy?.length ? (
                <><dt><Text fontWeight="bold">{t("correctedBy")}</Text></dt>
                  <dd>{doc.correctedBy.map((d) => `${label(d.type)} ${d.number}`).join(", ")}</dd></>
              ) : null}
            </dl>
            <ReasonList doc={doc} />
            <DocumentActions doc={doc} onChanged={reload} />
            <IssueActions orderId={detail.orderId} onChanged={reload} />
          </Section>
          <Section title={t("pdf")} id="pdf">
            {detail.inlinePdfUrl ? (
              <iframe className="sp-pdf" src={detail.inlinePdfUrl} title={t("pdfFrame", { number: doc.number ?? "" })} />
            ) : (
              <Text>{t("noPdf")}</Text>
            )}
            {formats.length ? (
              <ul aria-label={t("formats")} data-testid="formats">
                {formats.map((format) => (
                  <li key={format.format}>
                    <a className="sp-link" href={format.downloadUrl ?? undefined} target="_blank" rel="noreferrer"
                      data-format={format.format}>
                      {t("download", { name: format.label })}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </Section>
          <Section title={t("timeline")} id="timeline">
            {detail.timeline.length ? (
              <table className="sp-table" data-testid="timeline">
                <thead>
                  <tr>
                    <th scope="col">{t("time")}</th>
                    <th scope="col">{t("channel")}</th>
                    <th scope="col">{t("recipient")}</th>
                    <th scope="col">{t("status")}</th>
                    <th scope="col">{t("reply")}</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.timeline.map((entry, index) => (
                    <tr key={index} data-kind={entry.kind}>
                      <td>
                        {i18n.dateTime(entry.at)}
                        <br />
                        <small>
                          {entry.kind === "ATTEMPT" ? t("attempt", { n: entry.attemptNumber ?? "" }) : t("providerEvent")}
                          {entry.purpose ? ` · ${entry.purpose}` : ""}
                        </small>
                      </td>
                      <td>{label(entry.channel)}</td>
                      <td>{entry.recipient}</td>
                      <td>
                        <Badge value={entry.status} />
                        {entry.nextRetryAt ? <><br /><small>{t("nextRetry", { time: i18n.dateTime(entry.nextRetryAt) })}</small></> : null}
                      </td>
                      <td><code>{entry.detail}</code></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty text={t("emptyTimeline")} />
            )}
          </Section>
          <Section title={t("audit")} id="audit">
            {detail.auditTrail.length ? (
              <table className="sp-table" data-testid="audit">
                <thead>
                  <tr>
                    <th scope="col">{t("time")}</th>
                    <th scope="col">{t("action")}</th>
                    <th scope="col">{t("actor")}</th>
                    <th scope="col">{t("message")}</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.auditTrail.map((record, index) => (
                    <tr key={index}>
                      <td>{i18n.dateTime(record.at)}</td>
                      <td>{record.action}</td>
                      <td>{record.actor}</td>
                      <td>{record.message || (record.details ? <code>{record.details}</code> : "")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty text={t("emptyAudit")} />
            )}
          </Section>
        </>
      ) : null}
    </Box>
  );
}
