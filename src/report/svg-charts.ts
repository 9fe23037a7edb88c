import { accountLabel, groupLabel, type CaseView } from './case-view.js';
import { esc } from './xml.js';

/**
 * The report's pictures as inline SVG, computed here (no script in the page): the group network laid out
 * circle-per-cluster, weekly activity bars, suspects per country bars. Deterministic: the same case gives
 * the same picture byte for byte.
 */
export const PALETTE = [
  '#2f6db5',
  '#d9822b',
  '#3a9a5b',
  '#8e5fb5',
  '#c4454d',
  '#2a9d9a',
  '#9a7b2f',
  '#5b6b85',
  '#c36aa5',
  '#6b9a2f',
];
const UNCLUSTERED = '#9aa3b2';
const r1 = (x: number) => Math.round(x * 10) / 10;

export function networkSvg(view: CaseView, opts: { suspects?: number } = {}): string {
  const W = 960;
  const H = 640;
  const groups = view.doc.groups;
  const byCluster = new Map<number, typeof groups>();
  for (const g of groups) {
    const k = g.cluster ?? -1;
    (byCluster.get(k) ?? byCluster.set(k, []).get(k)!).push(g);
  }
  const clusters = [...byCluster.keys()].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
  const pos = new Map<number, { x: number; y: number }>();
  const R = clusters.length > 1 ? Math.min(W, H) * 0.3 : 0;
  clusters.forEach((c, i) => {
    const a0 = (2 * Math.PI * i) / clusters.length - Math.PI / 2;
    const cx = W / 2 + R * 1.25 * Math.cos(a0);
    const cy = H / 2 + R * Math.sin(a0);
    const members = byCluster.get(c)!;
    const r = members.length > 1 ? Math.min(150, 40 + 14 * members.length) : 0;
    members.forEach((g, j) => {
      const a = (2 * Math.PI * j) / members.length - Math.PI / 2;
      pos.set(g.id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
    });
  });

  // Fit the layout to the canvas (labels need room below, the legend on the left).
  const xs = [...pos.values()].map((p) => p.x);
  const ys = [...pos.values()].map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const box = { l: 190, r: W - 60, t: 40, b: H - 50 };
  const k = Math.min((box.r - box.l) / Math.max(1, x1 - x0), (box.b - box.t) / Math.max(1, y1 - y0), 1.5);
  const ox = (box.l + box.r) / 2 - (k * (x0 + x1)) / 2;
  const oy = (box.t + box.b) / 2 - (k * (y0 + y1)) / 2;
  for (const p of pos.values()) {
    p.x = ox + k * p.x;
    p.y = oy + k * p.y;
  }

  const out: string[] = [];
  const maxW = Math.max(1, ...view.groupLinks.map((l) => l.sharedMembers + l.sharedMedia));
  for (const l of view.groupLinks) {
    const a = pos.get(l.a);
    const b = pos.get(l.b);
    if (!a || !b) continue;
    const w = l.sharedMembers + l.sharedMedia;
    out.push(
      `<line x1="${r1(a.x)}" y1="${r1(a.y)}" x2="${r1(b.x)}" y2="${r1(b.y)}" stroke="#8d97a8" stroke-opacity="${r1(0.25 + (0.5 * w) / maxW)}" stroke-width="${r1(0.6 + (5 * w) / maxW)}"><title>${esc(`${l.sharedMembers} shared member(s), ${l.sharedMedia} shared media item(s)`)}</title></line>`,
    );
  }
  // The top suspects sit at the centre of the groups they belong to (a bridge lands between clusters).
  const top = view.suspects.slice(0, opts.suspects ?? 15);
  const groupsOf = new Map<number, number[]>();
  for (const m of view.memberships)
    (groupsOf.get(m.accountId) ?? groupsOf.set(m.accountId, []).get(m.accountId)!).push(m.groupId);
  top.forEach((s, i) => {
    const gs = (groupsOf.get(s.id) ?? [])
      .map((g) => pos.get(g))
      .filter((p): p is { x: number; y: number } => !!p);
    if (!gs.length) return;
    const jitter = 14 + (i % 5) * 6;
    const ang = i * 2.399963; // golden angle: spread without overlap, deterministic
    const x = gs.reduce((n, p) => n + p.x, 0) / gs.length + jitter * Math.cos(ang);
    const y = gs.reduce((n, p) => n + p.y, 0) / gs.length + jitter * Math.sin(ang);
    for (const p of gs)
      out.push(
        `<line x1="${r1(x)}" y1="${r1(y)}" x2="${r1(p.x)}" y2="${r1(p.y)}" stroke="#1d2430" stroke-opacity="0.18" stroke-width="0.7"/>`,
      );
    out.push(
      `<rect x="${r1(x - 4)}" y="${r1(y - 4)}" width="8" height="8" fill="#1d2430"><title>${esc(`#${i + 1} ${accountLabel(s)} — score ${s.score?.toFixed(1)} — ${s.roles.join(', ')}`)}</title></rect>`,
    );
  });
  const maxMembers = Math.max(1, ...groups.map((g) => g.members.length));
  for (const g of groups) {
    const p = pos.get(g.id)!;
    const rad = 7 + 16 * Math.sqrt(g.members.length / maxMembers);
    const fill = g.cluster === null ? UNCLUSTERED : PALETTE[g.cluster % PALETTE.length]!;
    const tip = `${groupLabel(g)} — ${g.members.length} members, ${g.messageCount} messages, ${g.knownMaterialCount} known, ${g.novelMediaCount} novel${g.flagged ? ', FLAGGED' : ''}${g.cluster !== null ? `, cluster ${g.cluster}` : ''}`;
    out.push(
      `<g class="group${g.flagged ? ' flagged' : ''}"><title>${esc(tip)}</title>` +
        (g.flagged
          ? `<circle cx="${r1(p.x)}" cy="${r1(p.y)}" r="${r1(rad + 4)}" fill="none" stroke="#b3261e" stroke-width="2.5"/>`
          : '') +
        `<circle cx="${r1(p.x)}" cy="${r1(p.y)}" r="${r1(rad)}" fill="${fill}" fill-opacity="${g.flagged ? 0.95 : 0.45}" stroke="#fff" stroke-width="1.5"/>` +
        `<text x="${r1(p.x)}" y="${r1(p.y + rad + 14)}" text-anchor="middle" font-size="11" fill="#1d2430">${esc(trunc(groupLabel(g), 26))}</text></g>`,
    );
  }
  const legend = [
    ...clusters.map((c, i) => ({
      color: c === -1 ? UNCLUSTERED : PALETTE[c % PALETTE.length]!,
      text: c === -1 ? 'no cluster' : `cluster ${c}`,
      i,
    })),
  ];
  const leg = legend
    .map(
      (l, i) =>
        `<circle cx="16" cy="${18 + i * 18}" r="6" fill="${l.color}"/><text x="28" y="${22 + i * 18}" font-size="11">${esc(l.text)}</text>`,
    )
    .join('');
  const ly = 18 + legend.length * 18;
  const marks =
    `<circle cx="16" cy="${ly}" r="6" fill="none" stroke="#b3261e" stroke-width="2.5"/><text x="28" y="${ly + 4}" font-size="11">flagged group</text>` +
    `<rect x="12" y="${ly + 14}" width="8" height="8" fill="#1d2430"/><text x="28" y="${ly + 22}" font-size="11">top suspect (by score)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Network of groups by cluster"><rect width="${W}" height="${H}" fill="#fff"/>${out.join('')}<g font-family="system-ui,sans-serif">${leg}${marks}</g></svg>`;
}

export function timelineSvg(weekly: CaseView['weekly']): string {
  const W = 960;
  const H = 220;
  const padL = 40;
  const padB = 36;
  if (!weekly.length) return '<p>No messages.</p>';
  const max = Math.max(1, ...weekly.map((w) => w.messages));
  const bw = (W - padL - 10) / weekly.length;
  const bars = weekly
    .map((w, i) => {
      const h = ((H - padB - 12) * w.messages) / max;
      return `<rect x="${r1(padL + i * bw)}" y="${r1(H - padB - h)}" width="${r1(Math.max(0.5, bw - 1))}" height="${r1(h)}" fill="#2f6db5"><title>${esc(`week of ${w.week}: ${w.messages} message(s)`)}</title></rect>`;
    })
    .join('');
  let lastMonth = '';
  let lastLabelX = -Infinity;
  const ticks = weekly
    .map((w, i) => {
      const month = w.week.slice(0, 7);
      if (month === lastMonth) return '';
      lastMonth = month;
      const x = r1(padL + i * bw);
      return (
        `<line x1="${x}" y1="${H - padB}" x2="${x}" y2="${H - padB + 5}" stroke="#5b6678"/>` +
        // A label only where it has room (two months can start one week apart at the edges).
        (x - lastLabelX >= 48 && (lastLabelX = x) > 0
          ? `<text x="${x}" y="${H - padB + 18}" font-size="10" fill="#5b6678">${esc(month)}</text>`
          : '')
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Messages per week"><rect width="${W}" height="${H}" fill="#fff"/><line x1="${padL}" y1="${H - padB}" x2="${W - 10}" y2="${H - padB}" stroke="#5b6678"/><text x="4" y="16" font-size="10" fill="#5b6678">${max}</text><text x="4" y="${H - padB}" font-size="10" fill="#5b6678">0</text>${bars}<g font-family="system-ui,sans-serif">${ticks}</g></svg>`;
}

export function barsSvg(rows: { label: string; value: number; title?: string }[]): string {
  if (!rows.length) return '<p>None.</p>';
  const W = 640;
  const rowH = 22;
  const padL = 110;
  const H = rows.length * rowH + 10;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const body = rows
    .map((r, i) => {
      const w = ((W - padL - 60) * r.value) / max;
      const y = 5 + i * rowH;
      return `<text x="${padL - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(r.label)}</text><rect x="${padL}" y="${y + 3}" width="${r1(Math.max(1, w))}" height="${rowH - 7}" fill="#3a9a5b"><title>${esc(r.title ?? `${r.label}: ${r.value}`)}</title></rect><text x="${r1(padL + w + 6)}" y="${y + 15}" font-size="12">${r.value}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Suspects per country"><rect width="${W}" height="${H}" fill="#fff"/><g font-family="system-ui,sans-serif" fill="#1d2430">${body}</g></svg>`;
}

function trunc(s: string, n: number): string {
  const chars = [...s];
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : s;
}
