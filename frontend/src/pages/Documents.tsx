// Billing documents (under Orders): filters, search, sorting, pagination; rows link to the order.
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { useQuery } from "../api";
import { useBridge } from "../bridge";
import { Badge, Empty, ErrorState, Loading, Money, PageHeader, SelectField, TextField } from "../components/ui";
import { LIST, Row } from "../queries";
import { hrefFor, navigate } from "../router";

type ListData = {
  billingDocumentChannels: string[];
  billingDocumentDashboardList: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    edges: { node: Row }[];
  };
};

const EMPTY_FILTERS = { type: "", status: "", delivery: "", payment: "", channel: "", correction: "", from: "", to: "" };
const PAGE_SIZE = 20;

export function Documents() {
  const { i18n, redirect } = useBridge();
  const { t, label } = i18n;
  const [filters, setFilters] = useState(EMPTY_FILTERS);
  const [searchText, setSearchText] = useState("");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ field: string; direction: "ASC" | "DESC" }>({ field: "ISSUED_AT", direction: "DESC" });
  const [cursor, setCursor] = useState<{ after?: string; before?: string }>({});

  const filter: Record<string, unknown> = {};
  if (filters.type) filter.type = [filters.type];
  if (filters.status) filter.status = [filters.status];
  if (filters.delivery) filter.deliveryStatus = [filters.delivery];
  if (filters.correction) filter.correctionStatus = [filters.correction];
  if (filters.channel) filter.channel = filters.channel;
  if (filters.from || filters.to) {
    filter.issuedAt = {
      ...(filters.from ? { gte: `${filters.from}T00:00:00+00:00` } : {}),
      ...(filters.to ? { lte: `${filters.to}T23:59:59+00:00` } : {}),
    };
  }
  const variables = {
    ...(cursor.before ? { last: PAGE_SIZE, before: cursor.before } : { first: PAGE_SIZE, after: cursor.after ?? null }),
    filter,
    paymentStatus: filters.payment ? [filters.payment] : null,
    search: search || null,
    sortBy: sort,
  };
  const { data, error, loading, reload } = useQuery<ListData>(LIST, variables);

  const set = (key: keyof typeof EMPTY_FILTERS) => (value: string) => {
    setFilters({ ...filters, [key]: value });
    setCursor({});
  };
  const options = (values: string[]) => [{ value: "", label: t("any") }, ...values.map((v) => ({ value: v, label: label(v) }))];
  const sortHeader = (field: string, text: string, numeric = false) => {
    const active = sort.field === field;
    const next = active && sort.direction === "DESC" ? "ASC" : "DESC";
    return (
      <th scope="col" className={numeric ? "sp-num" : undefined}
        aria-sort={active ? (sort.direction === "ASC" ? "ascending" : "descending") : "none"}>
        <button type="button" onClick={() => { setSort({ field, direction: next }); setCursor({}); }}>
          {text}{active ? (sort.direction === "ASC" ? " ▲" : " ▼") : ""}
          <span className="sp-visually-hidden"> ({t("sortBy", { column: text })})</span>
        </button>
      </th>
    );
  };
  const list = data?.billingDocumentDashboardList;
  const channels = data?.billingDocumentChannels ?? [];

  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <PageHeader title={t("navDocuments")} current="documents" />
      <Box as="form" role="search" aria-label={t("filters")} display="flex" gap={3} flexWrap="wrap" alignItems="flex-end"
        onSubmit={(event) => { event.preventDefault(); setSearch(searchText.trim()); setCursor({}); }}>
        <TextField id="f-search" label={t("search")} value={searchText} onChange={setSearchText}
          placeholder={t("searchPlaceholder")} type="search" />
        <Button type="submit" variant="primary">{t("search")}</Button>
        <SelectField id="f-type" label={t("type")} value={filters.type} onChange={set("type")}
          options={options(["INVOICE", "RECEIPT", "CREDIT_NOTE"])} />
        <SelectField id="f-status" label={t("status")} value={filters.status} onChange={set("status")}
          options={options(["ISSUED", "NEEDS_REVIEW", "VOID"])} />
        <SelectField id="f-delivery" label={t("deliveryStatus")} value={filters.delivery} onChange={set("delivery")}
          options={options(["QUEUED", "SENT", "DELIVERED", "BOUNCED", "FAILED"])} />
        <SelectField id="f-payment" label={t("paymentStatus")} value={filters.payment} onChange={set("payment")}
          options={options(["UNPAID", "PARTIALLY_PAID", "PAID", "REFUNDED", "CREDITED"])} />
        <SelectField id="f-channel" label={t("channel")} value={filters.channel} onChange={set("channel")}
          options={[{ value: "", label: t("any") }, ...channels.map((c) => ({ value: c, label: c }))]} />
        <SelectField id="f-correction" label={t("correctionStatus")} value={filters.correction}
          onChange={set("correction")} options={options(["OPEN", "APPROVED", "REJECTED"])} />
        <TextField id="f-from" label={t("issuedFrom")} type="date" value={filters.from} onChange={set("from")} />
        <TextField id="f-to" label={t("issuedTo")} type="date" value={filters.to} onChange={set("to")} />
        <Button type="button" variant="tertiary"
          onClick={() => { setFilters(EMPTY_FILTERS); setSearch(""); setSearchText(""); setCursor({}); }}>
          {t("reset")}
        </Button>
      </Box>
      {error ? <ErrorState message={error} onRetry={reload} /> : null}
      {loading && !list ? <Loading /> : null}
      {list && !list.edges.length ? <Empty text={t("emptyDocuments")} /> : null}
      {list && list.edges.length ? (
        <Box display="flex" flexDirection="column" gap={3} aria-busy={loading}>
          <Text role="status">{t("resultCount", { count: list.totalCount })}</Text>
          <table className="sp-table" data-testid="documents-table">
            <caption className="sp-visually-hidden">{t("navDocuments")}</caption>
            <thead>
              <tr>
                {sortHeader("NUMBER", t("number"))}
                <th scope="col">{t("type")}</th>
                <th scope="col">{t("status")}</th>
                <th scope="col">{t("deliveryStatus")}</th>
                <th scope="col">{t("paymentStatus")}</th>
                <th scope="col">{t("order")}</th>
                <th scope="col">{t("customer")}</th>
                <th scope="col">{t("channel")}</th>
                {sortHeader("ISSUED_AT", t("issuedAt"))}
                {sortHeader("TOTAL", t("total"), true)}
              </tr>
            </thead>
            <tbody>
              {list.edges.map(({ node }) => {
                const doc = node.document;
                const name = doc.number ?? t("held");
                return (
                  <tr key={doc.id} data-document-id={doc.id}>
                    <td>
                      <a className="sp-link" href={hrefFor("documents", doc.id)}
                        aria-label={t("openDocument", { number: name })}
                        onClick={(event) => { event.preventDefault(); navigate("documents", doc.id); }}>
                        {name}
                      </a>
                    </td>
                    <td>{label(doc.type)}</td>
                    <td><Badge value={doc.status} /></td>
                    <td><Badge value={doc.deliveryStatus} /></td>
                    <td><Badge value={doc.paymentStatus} /></td>
                    <td>
                      <a className="sp-link" href={node.orderPath} data-order-path={node.orderPath}
                        aria-label={t("openOrder", { number: doc.orderNumber })}
                        onClick={(event) => { event.preventDefault(); redirect(node.orderPath); }}>
                        #{doc.orderNumber}
                      </a>
                    </td>
                    <td>{doc.customerName || doc.customerEmail}<br /><small>{doc.customerEmail}</small></td>
                    <td>{doc.channel}</td>
                    <td>{i18n.dateTime(doc.issuedAt)}</td>
                    <td className="sp-num"><Money amount={doc.total.amount} currency={doc.total.currency} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Box as="nav" aria-label={t("pagination")} display="flex" gap={2}>
            <Button variant="secondary" disabled={!list.pageInfo.hasPreviousPage}
              onClick={() => setCursor({ before: list.pageInfo.startCursor ?? undefined })}>{t("previousPage")}</Button>
            <Button variant="secondary" disabled={!list.pageInfo.hasNextPage}
              onClick={() => setCursor({ after: list.pageInfo.endCursor ?? undefined })}>{t("nextPage")}</Button>
          </Box>
        </Box>
      ) : null}
    </Box>
  );
}
