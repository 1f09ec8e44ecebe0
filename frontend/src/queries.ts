// The GraphQL documents the pages send. Field names are the plugin's schema (Saleor's /graphql/).
export const DOC_FIELDS = `id number type status channel issuedAt dueAt currency total { amount currency }
  paymentStatus paidAt deliveryStatus orderNumber customerName customerEmail voidedAt voidReason`;

export const LIST = `query DashboardList($first: Int, $after: String, $last: Int, $before: String,
  $filter: BillingDocumentFilterInput, $paymentStatus: [BillingDocumentPaymentStatusEnum!], $search: String,
  $sortBy: BillingDocumentSortingInput) {
  billingDocumentChannels
  billingDocumentDashboardList(first: $first, after: $after, last: $last, before: $before, filter: $filter,
      paymentStatus: $paymentStatus, search: $search, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { orderId orderPath document { ${DOC_FIELDS}
      reviewReasons { code field message expected actual }
      correctionRequests { id status reason requestedAt companyName vatId
        billingAddress { companyName streetAddress1 postalCode city country } } } } }
  }
}`;

export const DETAIL = `query DashboardDetail($id: ID!) {
  billingDocumentDashboard(id: $id) {
    orderId orderPath inlinePdfUrl
    timeline { kind channel purpose recipient status attemptNumber detail providerMessageId at finishedAt nextRetryAt }
    auditTrail { action actor message details at }
    document { ${DOC_FIELDS}
      reviewReasons { code field message expected actual }
      correctsDocument { id number type }
      correctedBy { id number type }
      formats { format label mediaType downloadUrl }
    }
  }
}`;

export const ORDER_DOCS = `query OrderDocuments($orderId: ID!) {
  billingDocumentsOfOrder(orderId: $orderId) { orderId orderPath document { ${DOC_FIELDS}
    reviewReasons { code field message expected actual } } }
}`;

const PAYLOAD = "errors { field message code }";

export const RESEND = `mutation Resend($id: ID!, $email: String) {
  billingDocumentResend(id: $id, email: $email) { document { id deliveryStatus } ${PAYLOAD} }
}`;
export const VOID = `mutation Void($id: ID!, $reason: String!) {
  billingDocumentVoid(id: $id, reason: $reason) { document { id status } creditNote { id number } ${PAYLOAD} }
}`;
export const RELEASE = `mutation Release($id: ID!) {
  billingDocumentRelease(id: $id) { document { id number status } ${PAYLOAD} }
}`;
export const ISSUE = `mutation Issue($orderId: ID!, $type: BillingDocumentTypeEnum!) {
  billingDocumentIssue(orderId: $orderId, type: $type) { document { id number type status } ${PAYLOAD} }
}`;
export const RESOLVE = `mutation Resolve($id: ID!, $approve: Boolean!, $message: String) {
  billingDocumentCorrectionResolve(id: $id, approve: $approve, message: $message) {
    correctionRequest { id status resolvedAt } ${PAYLOAD}
  }
}`;

export const SLA = `query Sla($channel: String, $period: String!) {
  billingDocumentChannels
  billingDocumentSlaReport(channel: $channel, period: $period) {
    channel start end definition
    invoices { due deliveredWithin24h missed pending percentWithin24h }
    receipts { due deliveredWithin24h missed pending percentWithin24h }
    deliveryTime { count averageSeconds p50Seconds p95Seconds maxSeconds }
    deliveryChannels { channel attempts accepted bounced failed deferred successRate bounceRate }
    accuracy { gateChecks passed accuracyRate heldForReview stillHeld }
    unpaidInvoices { label count amounts { amount currency } }
    breaches { documentId documentNumber type orderNumber eventAt deadlineAt cause detail }
    breachCauses { cause count }
    mismatches { kind channel orderNumber difference { amount currency } detail }
  }
  billingDocumentSlaSeries(channel: $channel, period: $period, weeks: 8) {
    deliveryTimeBins { label upperSeconds count }
    p50Seconds p95Seconds maxSeconds
    weeks { weekStart invoicesDue invoicesWithin24h invoicesPercent receiptsDue receiptsWithin24h receiptsPercent }
  }
}`;

export const SLA_CSV = `query SlaCsv($channel: String, $period: String!) {
  billingDocumentSlaReportCsv(channel: $channel, period: $period)
}`;

export type Money = { amount: number; currency: string };
export type ReviewReason = { code: string; field: string; message: string; expected: string | null; actual: string | null };
export type Doc = {
  id: string; number: string | null; type: string; status: string; channel: string; issuedAt: string | null;
  dueAt: string | null; currency: string; total: Money; paymentStatus: string; paidAt: string | null;
  deliveryStatus: string; orderNumber: string; customerName: string; customerEmail: string;
  voidedAt: string | null; voidReason: string | null; reviewReasons?: ReviewReason[];
  correctionRequests?: Correction[] | null;
  correctsDocument?: { id: string; number: string; type: string } | null;
  correctedBy?: { id: string; number: string; type: string }[];
  formats?: { format: string; label: string; mediaType: string; downloadUrl: string | null }[];
};
export type Correction = {
  id: string; status: string; reason: string; requestedAt: string; companyName: string; vatId: string;
  billingAddress: { companyName: string; streetAddress1: string; postalCode: string; city: string; country: string } | null;
};
export type Row = { orderId: string; orderPath: string; document: Doc };
export type Payload = { errors: { field: string | null; message: string; code: string }[] };
