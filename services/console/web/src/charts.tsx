import type { Link, Term } from './api';

/** Red (unlikely) through amber to green (certain): the colour of a link of probability p. */
export function probabilityColour(p: number): string {
  const hue = Math.round(Math.max(0, Math.min(1, p)) * 120);
  return `hsl(${hue}, 70%, 42%)`;
}

/** The match weight of a pair built up term by term: the prior, each comparison's level and weight, the total. */
export function Waterfall({ terms, total, probability }: { terms: Term[]; total: number; probability: number }) {
  const rowH = 26;
  const labelW = 260;
  const chartW = 420;
  let run = 0;
  const bars = terms.map((t) => {
    const from = run;
    run += t.weight;
    return { ...t, from, to: run };
  });
  const ends = [0, total, ...bars.flatMap((b) => [b.from, b.to])];
  const lo = Math.min(...ends);
  const hi = Math.max(...ends);
  const x = (w: number): number => labelW + ((w - lo) / (hi - lo || 1)) * chartW;
  const height = (bars.length + 1) * rowH + 30;
  return (
    <svg data-testid="waterfall" width={labelW + chartW + 80} height={height} role="img" aria-label="waterfall of match weights">
      <line x1={x(0)} x2={x(0)} y1={0} y2={height - 20} stroke="#888" strokeDasharray="3 3" />
      <text x={x(0)} y={height - 6} fontSize={11} textAnchor="middle">0 bits</text>
      {bars.map((b, i) => (
        <g key={`${b.comparison}-${i}`} data-testid="waterfall-term">
          <text x={labelW - 8} y={i * rowH + 17} fontSize={12} textAnchor="end">{b.comparison}: {b.level}</text>
          <rect x={Math.min(x(b.from), x(b.to))} y={i * rowH + 4} width={Math.max(1, Math.abs(x(b.to) - x(b.from)))} height={rowH - 8}
            fill={b.comparison === 'prior' ? '#6b7280' : b.weight >= 0 ? '#15803d' : '#b91c1c'} />
          <text x={Math.max(x(b.from), x(b.to)) + 4} y={i * rowH + 17} fontSize={11}>{b.weight >= 0 ? '+' : ''}{b.weight.toFixed(2)}</text>
        </g>
      ))}
      <g>
        <text x={labelW - 8} y={bars.length * rowH + 17} fontSize={12} fontWeight="bold" textAnchor="end">total (p = {probability.toFixed(4)})</text>
        <rect x={Math.min(x(0), x(total))} y={bars.length * rowH + 4} width={Math.max(1, Math.abs(x(total) - x(0)))} height={rowH - 8} fill="#1d4ed8" />
        <text x={Math.max(x(0), x(total)) + 4} y={bars.length * rowH + 17} fontSize={11} fontWeight="bold">{total.toFixed(2)}</text>
      </g>
    </svg>
  );
}

/** Members on a circle; each link an edge coloured by its probability; links held apart dashed to outside records. */
export function LinkGraph({ members, links, outside, onSelect, selected }: {
  members: string[];
  links: Link[];
  outside: Array<{ recordId: string; otherRecordId: string; probability: number }>;
  onSelect: (l: Link) => void;
  selected: Link | null;
}) {
  const size = 360;
  const r = 130;
  const c = size / 2;
  const others = [...new Set(outside.map((o) => o.otherRecordId))];
  const pos = new Map<string, { x: number; y: number }>();
  members.forEach((m, i) => {
    const t = (2 * Math.PI * i) / members.length - Math.PI / 2;
    pos.set(m, members.length === 1 ? { x: c, y: c } : { x: c + r * Math.cos(t), y: c + r * Math.sin(t) });
  });
  others.forEach((m, i) => {
    const t = (2 * Math.PI * (i + 0.5)) / Math.max(others.length, 1) - Math.PI / 2;
    pos.set(m, { x: c + (r + 40) * Math.cos(t), y: c + (r + 40) * Math.sin(t) });
  });
  return (
    <svg data-testid="link-graph" width={size + 160} height={size + 20} viewBox={`-80 -10 ${size + 160} ${size + 20}`} role="img" aria-label="link graph">
      {outside.map((o) => {
        const p = pos.get(o.recordId)!;
        const q = pos.get(o.otherRecordId)!;
        return <line key={`o-${o.recordId}-${o.otherRecordId}`} x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke={probabilityColour(o.probability)} strokeWidth={2} strokeDasharray="5 4" opacity={0.7} />;
      })}
      {links.map((l) => {
        const p = pos.get(l.a);
        const q = pos.get(l.b);
        if (!p || !q) return null;
        const isSel = selected !== null && selected.a === l.a && selected.b === l.b;
        // The midpoint marker gives every edge a clickable area (a vertical or horizontal line alone has none).
        return (
          <g key={`${l.a}-${l.b}`} data-testid="graph-edge" style={{ cursor: 'pointer' }} onClick={() => onSelect(l)}>
            <title>{`${l.a} — ${l.b}: p = ${l.probability.toFixed(4)}, ${l.matchWeight.toFixed(2)} bits`}</title>
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke={probabilityColour(l.probability)} strokeWidth={isSel ? 7 : 4} />
            <circle cx={(p.x + q.x) / 2} cy={(p.y + q.y) / 2} r={isSel ? 7 : 5} fill={probabilityColour(l.probability)} stroke="white" strokeWidth={1.5} />
          </g>
        );
      })}
      {[...pos].map(([id, p]) => {
        const inside = members.includes(id);
        return (
          <g key={id}>
            <circle cx={p.x} cy={p.y} r={inside ? 9 : 6} fill={inside ? '#1e3a8a' : '#9ca3af'} />
            <text x={p.x} y={p.y - 13} fontSize={10} textAnchor="middle">{id}</text>
          </g>
        );
      })}
    </svg>
  );
}
