// On an order's page (widget, and the popup from "more actions"): the order's documents and the same actions.
import { Box, Text } from "@saleor/macaw-ui";
import { useEffect } from "react";

import { useQuery } from "../api";
import { useBridge } from "../bridge";
import { DocumentActions, IssueActions, ReasonList } from "../components/actions";
import { Badge, Empty, ErrorState, Loading, Money } from "../components/ui";
import { ORDER_DOCS, Row } from "../queries";
import { queryParam } from "../router";

type Data = { billingDocumentsOfOrder: Row[] };

export function OrderWidget({ compact }: { compact: boolean }) {
  const { i18n, resize } = useBridge();
  const { t, label } = i18n;
  const orderId = queryParam("orderId");
  const { data, error, loading, reload } = useQuery<Data>(ORDER_DOCS, { orderId }, !orderId);
  const rows = data?.billingDocumentsOfOrder ?? [];

  useEffect(() => {
    document.title = t("widgetTitle");
  }, [t]);

  useEffect(() => {
    if (!compact) return undefined;
    const observer = new ResizeObserver(() => resize(document.documentElement.scrollHeight));
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [compact, resize]);

  if (!orderId) return <ErrorState message={t("orderMissing")} />;
  return (
    <Box as="main" display="flex" flexDirection="column" gap={3} padding={compact ? 2 : 5}>
      <Text as="h1" size={compact ? 5 : 8} fontWeight="bold">{t("widgetTitle")}</Text>
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && !rows.length ? <Empty text={t("emptyOrder")} /> : null}
      {rows.length ? (
        <ul className="sp-card-list" data-testid="order-documents">
          {rows.map(({ document: doc }) => (
            <li key={doc.id} data-document-id={doc.id}>
              <Box as="article" aria-label={`${label(doc.type)} ${doc.number ?? t("held")}`} display="flex"
                flexDirection="column" gap={2} padding={3} borderStyle="solid" borderWidth={1} borderColor="default1"
                borderRadius={3}>
                <Text fontWeight="bold">
                  {label(doc.type)} {doc.number ?? t("held")} · <Money amount={doc.total.amount} currency={doc.total.currency} />
                </Text>
                <Box display="flex" gap={2} flexWrap="wrap">
                  <Badge value={doc.status} /> <Badge value={doc.deliveryStatus} /> <Badge value={doc.paymentStatus} />
                </Box>
                <Text size={2}>{i18n.dateTime(doc.issuedAt)}</Text>
                <ReasonList doc={doc} />
                <DocumentActions doc={doc} onChanged={reload} />
              </Box>
            </li>
          ))}
        </ul>
      ) : null}
      {data ? <IssueActions orderId={orderId} onChanged={reload} /> : null}
    </Box>
  );
}
