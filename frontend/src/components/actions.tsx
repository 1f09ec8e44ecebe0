// Actions on a document (resend, void, release) and on an order (issue a missing document).
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useId, useState } from "react";

import { RequestError, useGraphQL } from "../api";
import { useBridge } from "../bridge";
import { Doc, ISSUE, Payload, RELEASE, RESEND, VOID } from "../queries";
import { Notice, TextField } from "./ui";

type Result = { tone: "success" | "error"; text: string } | null;

function useMutation() {
  const run = useGraphQL();
  const { notify } = useBridge();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>(null);
  const call = async <T extends Record<string, Payload>>(query: string, variables: object,
    success: (data: T) => string, failure?: (error: RequestError) => string): Promise<boolean> => {
    setBusy(true);
    setResult(null);
    try {
      const data = await run<T>(query, variables);
      const payload = Object.values(data)[0];
      if (payload.errors.length) {
        const text = payload.errors.map((e) => e.message).join("; ");
        setResult({ tone: "error", text });
        notify("error", text);
        return false;
      }
      const text = success(data);
      setResult({ tone: "success", text });
      notify("success", text);
      return true;
    } catch (error) {
      const text = failure ? failure(error as RequestError) : (error as Error).message;
      setResult({ tone: "error", text });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, result, call };
}

export function DocumentActions({ doc, onChanged }: { doc: Doc; onChanged: () => void }) {
  const { i18n } = useBridge();
  const { t } = i18n;
  const { busy, result, call } = useMutation();
  const [open, setOpen] = useState<"resend" | "void" | null>(null);
  const [email, setEmail] = useState("");
  const [reason, setReason] = useState("");
  const formId = useId();
  const name = doc.number ?? t("held");

  const resend = async () => {
    if (await call(RESEND, { id: doc.id, email: email.trim() || null }, () => t("resendDone"))) {
      setOpen(null);
      onChanged();
    }
  };
  const voidIt = async () => {
    const ok = await call<{ billingDocumentVoid: Payload & { creditNote: { number: string } | null } }>(
      VOID, { id: doc.id, reason },
      (data) => data.billingDocumentVoid.creditNote
        ? `${t("voidDone")} ${t("voidCreditNote", { number: data.billingDocumentVoid.creditNote.number })}`
        : t("voidDone"));
    if (ok) {
      setOpen(null);
      onChanged();
    }
  };
  const release = async () => {
    const ok = await call<{ billingDocumentRelease: Payload & { document: { number: string } } }>(
      RELEASE, { id: doc.id },
      (data) => t("releaseDone", { number: data.billingDocumentRelease.document?.number ?? "" }),
      (error) => (/billingDocumentRelease/.test(error.message) ? t("releaseUnavailable") : error.message));
    if (ok) onChanged();
  };

  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Box display="flex" gap={2} flexWrap="wrap">
        {doc.status === "ISSUED" ? (
          <Button variant="secondary" size="small" disabled={busy} aria-expanded={open === "resend"}
            aria-controls={`${formId}-resend`} aria-label={`${t("resend")} ${name}`}
            onClick={() => setOpen(open === "resend" ? null : "resend")}>{t("resend")}</Button>
        ) : null}
        {doc.status === "NEEDS_REVIEW" ? (
          <Button variant="primary" size="small" disabled={busy} aria-label={`${t("release")} ${name}`}
            onClick={release}>{t("release")}</Button>
        ) : null}
        {doc.status !== "VOID" ? (
          <Button variant="secondary" size="small" disabled={busy} aria-expanded={open === "void"}
            aria-controls={`${formId}-void`} aria-label={`${t("void")} ${name}`}
            onClick={() => setOpen(open === "void" ? null : "void")}>{t("void")}</Button>
        ) : null}
      </Box>
      {open === "resend" ? (
        <Box id={`${formId}-resend`} as="form" display="flex" gap={2} alignItems="flex-end" flexWrap="wrap"
          onSubmit={(event) => { event.preventDefault(); void resend(); }}>
          <TextField id={`${formId}-email`} label={t("resendTo")} type="email" value={email} onChange={setEmail}
            placeholder={doc.customerEmail} />
          <Button type="submit" size="small" disabled={busy}>{t("confirm")}</Button>
          <Button type="button" variant="tertiary" size="small" onClick={() => setOpen(null)}>{t("cancel")}</Button>
        </Box>
      ) : null}
      {open === "void" ? (
        <Box id={`${formId}-void`} as="form" display="flex" flexDirection="column" gap={2}
          onSubmit={(event) => { event.preventDefault(); void voidIt(); }}>
          <div className="sp-field">
            <label htmlFor={`${formId}-reason`}>{t("voidReasonLabel")}</label>
            <textarea id={`${formId}-reason`} required value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <Box display="flex" gap={2}>
            <Button type="submit" variant="secondary" size="small" disabled={busy || !reason.trim()}>{t("confirm")}</Button>
            <Button type="button" variant="tertiary" size="small" onClick={() => setOpen(null)}>{t("cancel")}</Button>
          </Box>
        </Box>
      ) : null}
      {result ? <Notice tone={result.tone} text={result.text} /> : null}
    </Box>
  );
}

export function IssueActions({ orderId, onChanged }: { orderId: string; onChanged: () => void }) {
  const { i18n } = useBridge();
  const { t, label } = i18n;
  const { busy, result, call } = useMutation();
  const issue = async (type: "INVOICE" | "RECEIPT") => {
    const ok = await call<{ billingDocumentIssue: Payload & { document: { number: string | null; type: string } } }>(
      ISSUE, { orderId, type },
      (data) => t("issueDone", { type: label(type), number: data.billingDocumentIssue.document?.number ?? "" }));
    if (ok) onChanged();
  };
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Box display="flex" gap={2}>
        <Button variant="secondary" size="small" disabled={busy} onClick={() => issue("INVOICE")}>
          {t("issueInvoice")}
        </Button>
        <Button variant="secondary" size="small" disabled={busy} onClick={() => issue("RECEIPT")}>
          {t("issueReceipt")}
        </Button>
      </Box>
      {result ? <Notice tone={result.tone} text={result.text} /> : null}
    </Box>
  );
}

export function ReasonList({ doc }: { doc: Doc }) {
  const { i18n } = useBridge();
  const reasons = doc.reviewReasons ?? [];
  if (!reasons.length) return null;
  return (
    <ul aria-label={i18n.t("reasons")}>
      {reasons.map((r, index) => (
        <li key={index}>
          <Text>
            <strong>{r.code}</strong> {r.message}
            {r.expected || r.actual
              ? ` (${i18n.t("expected")}: ${r.expected ?? "–"}, ${i18n.t("actual")}: ${r.actual ?? "–"})`
              : ""}
          </Text>
        </li>
      ))}
    </ul>
  );
}
