// Small building blocks shared by the pages: states, badges, fields, the page header.
import { Box, Button, Skeleton, Text } from "@saleor/macaw-ui";
import { ReactNode } from "react";

import { useBridge } from "../bridge";
import { Messages } from "../i18n";
import { hrefFor, navigate } from "../router";

export function Loading() {
  const { i18n } = useBridge();
  return (
    <Box role="status" aria-live="polite" display="flex" flexDirection="column" gap={2} data-state="loading">
      <span className="sp-visually-hidden">{i18n.t("loading")}</span>
      <Skeleton />
      <Skeleton />
      <Skeleton />
    </Box>
  );
}

export function Empty({ text }: { text: string }) {
  return (
    <Box padding={6} borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={3} data-state="empty">
      <Text size={4}>{text}</Text>
    </Box>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const { i18n } = useBridge();
  return (
    <Box role="alert" padding={4} borderRadius={3} backgroundColor="critical1" data-state="error"
      display="flex" flexDirection="column" gap={2}>
      <Text size={5} fontWeight="bold">{i18n.t("errorTitle")}</Text>
      <Text>{message}</Text>
      {onRetry ? (
        <Box>
          <Button variant="secondary" onClick={onRetry}>{i18n.t("retry")}</Button>
        </Box>
      ) : null}
    </Box>
  );
}

const tone: Record<string, string> = {
  ISSUED: "ok", DELIVERED: "ok", PAID: "ok", APPROVED: "ok", sent: "ok", delivered: "ok",
  NEEDS_REVIEW: "warn", QUEUED: "info", SENT: "info", PARTIALLY_PAID: "warn", OPEN: "warn", deferred: "warn",
  sending: "info", opened: "info",
  VOID: "neutral", REFUNDED: "neutral", CREDITED: "neutral", UNPAID: "warn",
  FAILED: "bad", BOUNCED: "bad", REJECTED: "bad", bounced: "bad", failed: "bad", suppressed: "bad",
  complained: "bad", rejected: "bad",
};

export function Badge({ value }: { value: string | null | undefined }) {
  const { i18n } = useBridge();
  if (!value) return null;
  return <span className={`sp-badge sp-badge-${tone[value] ?? "neutral"}`}>{i18n.label(value)}</span>;
}

export function SelectField({ id, label, value, options, onChange }: {
  id: string; label: string; value: string; options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="sp-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>{option.label}</option>
        ))}
      </select>
    </div>
  );
}

export function TextField({ id, label, value, onChange, type = "text", placeholder, describedBy }: {
  id: string; label: string; value: string; onChange: (value: string) => void; type?: string;
  placeholder?: string; describedBy?: string;
}) {
  return (
    <div className="sp-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} placeholder={placeholder} aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)} />
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? title.replace(/\W+/g, "-").toLowerCase()}-heading`;
  return (
    <Box as="section" aria-labelledby={headingId} display="flex" flexDirection="column" gap={3}
      padding={5} borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={4}>
      <Text as="h2" id={headingId} size={6} fontWeight="bold">{title}</Text>
      {children}
    </Box>
  );
}

const NAV: [string, keyof Messages][] = [
  ["documents", "navDocuments"], ["review", "navReview"], ["corrections", "navCorrections"], ["sla", "navSla"],
];

export function PageHeader({ title, current }: { title: string; current: string }) {
  const { i18n } = useBridge();
  return (
    <Box as="header" display="flex" flexDirection="column" gap={3}>
      <nav aria-label={i18n.t("pagesNav")}>
        <Box as="ul" display="flex" gap={4} margin={0} padding={0}>
          {NAV.map(([page, key]) => (
            <li key={page}>
              <a className="sp-link" href={hrefFor(page)} aria-current={page === current ? "page" : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(page);
                }}>
                {i18n.t(key)}
              </a>
            </li>
          ))}
        </Box>
      </nav>
      <Text as="h1" size={8} fontWeight="bold">{title}</Text>
    </Box>
  );
}

export function Money({ amount, currency }: { amount: number; currency: string }) {
  const { i18n } = useBridge();
  return <>{i18n.money(amount, currency)}</>;
}

export function Notice({ text, tone: kind }: { text: string; tone: "success" | "error" }) {
  return (
    <Box role={kind === "error" ? "alert" : "status"} padding={3} borderRadius={3}
      backgroundColor={kind === "error" ? "critical1" : "success1"} data-notice={kind}>
      <Text>{text}</Text>
    </Box>
  );
}
