// Two small SVG charts; each has a text alternative (a table for screen readers).
import { useBridge } from "../bridge";

export type Bin = { label: string; upperSeconds: number | null; count: number };
export type Week = {
  weekStart: string; invoicesDue: number; invoicesWithin24h: number; invoicesPercent: number | null;
  receiptsDue: number; receiptsWithin24h: number; receiptsPercent: number | null;
};

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function binIndex(bins: Bin[], seconds: number): number {
  const index = bins.findIndex((bin) => bin.upperSeconds === null || seconds < bin.upperSeconds);
  return index < 0 ? bins.length - 1 : index;
}

export function DistributionChart({ bins, marks }: { bins: Bin[]; marks: { name: string; seconds: number | null }[] }) {
  const { i18n } = useBridge();
  const width = 640, height = 240, left = 36, bottom = 40, top = 56;
  const barWidth = (width - left) / bins.length;
  const most = Math.max(1, ...bins.map((b) => b.count));
  const y = (count: number) => top + (height - top - bottom) * (1 - count / most);
  const titleId = "distribution-title";
  return (
    <figure style={{ margin: 0 }}>
      <svg className="sp-chart" role="img" aria-labelledby={titleId} viewBox={`0 0 ${width} ${height}`} width="100%"
        data-testid="distribution-chart">
        <title id={titleId}>
          {i18n.t("distribution")}: {marks.map((m) => `${m.name} ${formatSeconds(m.seconds)}`).join(", ")}
        </title>
        {bins.map((bin, index) => (
          <g key={bin.label}>
            <rect x={left + index * barWidth + 4} y={y(bin.count)} width={barWidth - 8}
              height={height - bottom - y(bin.count)} fill="#3b82f6" />
            <text x={left + index * barWidth + barWidth / 2} y={height - bottom + 14} textAnchor="middle">{bin.label}</text>
            <text x={left + index * barWidth + barWidth / 2} y={y(bin.count) - 4} textAnchor="middle">{bin.count}</text>
          </g>
        ))}
        {marks.filter((m) => m.seconds !== null).map((mark, index) => {
          const bin = binIndex(bins, mark.seconds as number);
          const x = left + bin * barWidth + barWidth / 2 + (index - 1) * 8;
          // Labels stacked above the bars, so marks in one bin stay readable.
          const labelY = 12 + index * 14;
          return (
            <g key={mark.name} data-mark={mark.name} data-bin={bin}>
              <line x1={x} x2={x} y1={labelY + 3} y2={height - bottom} stroke="#b91c1c" strokeDasharray="4 3" />
              <text x={x > width - 160 ? x - 4 : x + 4} y={labelY} textAnchor={x > width - 160 ? "end" : "start"}
                fill="#b91c1c">
                {mark.name} {formatSeconds(mark.seconds)}
              </text>
            </g>
          );
        })}
        <line x1={left} x2={width} y1={height - bottom} y2={height - bottom} stroke="currentColor" />
      </svg>
      <table className="sp-visually-hidden">
        <caption>{i18n.t("distribution")}</caption>
        <tbody>
          {bins.map((bin) => (
            <tr key={bin.label}><th scope="row">{bin.label}</th><td>{bin.count}</td></tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function TrendChart({ weeks }: { weeks: Week[] }) {
  const { i18n } = useBridge();
  const width = 640, height = 220, left = 40, bottom = 40, top = 16;
  const groupWidth = (width - left) / Math.max(1, weeks.length);
  const y = (value: number) => top + (height - top - bottom) * (1 - value / 100);
  const day = (iso: string) => iso.slice(5, 10);
  return (
    <figure style={{ margin: 0 }}>
      <svg className="sp-chart" role="img" aria-labelledby="trend-title" viewBox={`0 0 ${width} ${height}`} width="100%"
        data-testid="trend-chart">
        <title id="trend-title">{i18n.t("trend")}</title>
        {[0, 50, 100].map((tick) => (
          <g key={tick}>
            <line x1={left} x2={width} y1={y(tick)} y2={y(tick)} stroke="#d1d5db" />
            <text x={left - 6} y={y(tick) + 4} textAnchor="end">{tick}%</text>
          </g>
        ))}
        {weeks.map((week, index) => {
          const x = left + index * groupWidth;
          const bar = (value: number | null, offset: number, color: string) =>
            value === null ? null : (
              <rect x={x + offset} y={y(value)} width={groupWidth / 2 - 6} height={height - bottom - y(value)} fill={color} />
            );
          return (
            <g key={week.weekStart}>
              {bar(week.invoicesPercent, 4, "#2563eb")}
              {bar(week.receiptsPercent, groupWidth / 2, "#059669")}
              <text x={x + groupWidth / 2} y={height - bottom + 14} textAnchor="middle">{day(week.weekStart)}</text>
            </g>
          );
        })}
        <g>
          <rect x={left} y={height - 14} width={10} height={10} fill="#2563eb" />
          <text x={left + 14} y={height - 5}>{i18n.t("invoices")}</text>
          <rect x={left + 110} y={height - 14} width={10} height={10} fill="#059669" />
          <text x={left + 124} y={height - 5}>{i18n.t("receipts")}</text>
        </g>
      </svg>
      <table className="sp-table">
        <caption className="sp-visually-hidden">{i18n.t("trend")}</caption>
        <thead>
          <tr>
            <th scope="col">{i18n.t("week")}</th>
            <th scope="col" className="sp-num">{i18n.t("invoices")}</th>
            <th scope="col" className="sp-num">{i18n.t("receipts")}</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.weekStart}>
              <th scope="row">{i18n.dateTime(week.weekStart).split(",")[0]}</th>
              <td className="sp-num">{i18n.percent(week.invoicesPercent)} ({week.invoicesWithin24h}/{week.invoicesDue})</td>
              <td className="sp-num">{i18n.percent(week.receiptsPercent)} ({week.receiptsWithin24h}/{week.receiptsDue})</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
