// Documents held by the accuracy gate, with their reasons (expected vs actual); release after a fix.
import { Box, Text } from "@saleor/macaw-ui";

import { useQuery } from "../api";
import { useBridge } from "../bridge";
import { DocumentActions, ReasonList } from "../components/actions";
import { Empty, ErrorState, Loading, Money, PageHeader } from "../components/ui";
import { LIST, Row } from "../queries";
import { hrefFor, navigate } from "../router";

type Data = { billingDocumentDashboardList: { totalCount: number; edges: { node: Row }[] } };

export function ReviewQueue() {
  const { i18n, redirect } = useBridge();
  const { t, label } = i18n;
  const { data, error, loading, reload } = useQuery<Data>(LIST, {
    first: 100, filter: { status: ["NEEDS_REVIEW"] }, sortBy: { field: "ISSUED_AT", direction: "ASC" },
  });
  const rows = data?.billingDocumentDashboardList.edges.map((e) => e.node) ?? [];
  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <PageHeader title={t("reviewTitle")} current="review" />
      <Text>{t("reviewIntro")}</Text>
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !data ? <Loading /> : null}
      {data && !rows.length ? <Empty text={t("emptyReview")} /> : null}
      {rows.length ? (
        <ul className="sp-card-list" data-testid="review-list">
          {rows.map(({ document: doc, orderPath }) => (
            <li key={doc.id} data-document-id={doc.id}>
              <Box as="article" aria-label={`${label(doc.type)} #${doc.orderNumber}`} padding={4} borderStyle="solid"
                borderWidth={1} borderColor="default1" borderRadius={4} display="flex" flexDirection="column" gap={2}>
                <Text as="h2" size={5} fontWeight="bold">
                  {label(doc.type)} · {t("order")}{" "}
                  <a className="sp-link" href={orderPath}
                    onClick={(event) => { event.preventDefault(); redirect(orderPath); }}>#{doc.orderNumber}</a>
                  {" · "}<Money amount={doc.total.amount} currency={doc.total.currency} />
                </Text>
                <Text>{doc.customerName} &lt;{doc.customerEmail}&gt; · {doc.channel}</Text>
                <Text fontWeight="bold">{t("reasons")}</Text>
                <ReasonList doc={doc} />
                <Box display="flex" gap={3} alignItems="center">
                  <a className="sp-link" href={hrefFor("documents", doc.id)}
                    onClick={(event) => { event.preventDefault(); navigate("documents", doc.id); }}>
                    {t("details")}
                  </a>
                </Box>
                <DocumentActions doc={doc} onChanged={reload} />
              </Box>
            </li>
          ))}
        </ul>
      ) : null}
    </Box>
  );
}
