import { TOOL_VERSION } from '../version.js';
import { accountLabel, groupLabel, isoOrEmpty, type CaseView } from './case-view.js';
import { esc, escAttr } from './xml.js';

/**
 * The case network for Gephi and other graph tools, as GraphML or GEXF 1.3: accounts and groups as nodes,
 * membership edges (account–group, admin flag, first/last dates, messages posted) and group–group edges
 * (shared members, shared media; weight = their sum). Undirected. Media are not nodes: hashes stay in
 * the CSV and referral exports.
 */
type AttrType = 'string' | 'boolean' | 'int' | 'double';
interface AttrDef {
  id: string;
  type: AttrType;
}
type Value = string | number | boolean | null;
interface Item {
  id: string;
  label?: string;
  source?: string;
  target?: string;
  weight?: number;
  attrs: Record<string, Value>;
}

export const NODE_ATTRS: AttrDef[] = [
  { id: 'kind', type: 'string' },
  { id: 'label', type: 'string' },
  { id: 'key', type: 'string' },
  { id: 'country', type: 'string' },
  { id: 'roles', type: 'string' },
  { id: 'score', type: 'double' },
  { id: 'cluster', type: 'int' },
  { id: 'flagged', type: 'boolean' },
  { id: 'members', type: 'int' },
  { id: 'messages', type: 'int' },
  { id: 'knownMedia', type: 'int' },
  { id: 'novelMedia', type: 'int' },
  { id: 'groups', type: 'int' },
];

export const EDGE_ATTRS: AttrDef[] = [
  { id: 'kind', type: 'string' },
  { id: 'admin', type: 'boolean' },
  { id: 'active', type: 'boolean' },
  { id: 'first', type: 'string' },
  { id: 'last', type: 'string' },
  { id: 'messages', type: 'int' },
  { id: 'sharedMembers', type: 'int' },
  { id: 'sharedMedia', type: 'int' },
  { id: 'weight', type: 'double' },
];

export const accountNode = (id: number) => `a${id}`;
export const groupNode = (id: number) => `g${id}`;

/** Nodes and edges with their attributes, in a stable order (ids ascending). */
export function graphItems(view: CaseView): { nodes: Item[]; edges: Item[] } {
  const groupsOf = new Map<number, number>();
  for (const m of view.memberships) groupsOf.set(m.accountId, (groupsOf.get(m.accountId) ?? 0) + 1);
  const msgs = new Map<number, number>();
  for (const p of view.postings) msgs.set(p.accountId, (msgs.get(p.accountId) ?? 0) + p.messages);
  const posted = new Map(view.postings.map((p) => [`${p.accountId}:${p.groupId}`, p]));

  const nodes: Item[] = [
    ...view.doc.accounts.map((a) => ({
      id: accountNode(a.id),
      label: accountLabel(a),
      attrs: {
        kind: 'account',
        label: accountLabel(a),
        key: a.key,
        country: a.country,
        roles: a.roles.join(';'),
        score: a.score,
        cluster: null,
        flagged: null,
        members: null,
        messages: msgs.get(a.id) ?? 0,
        knownMedia: null,
        novelMedia: null,
        groups: groupsOf.get(a.id) ?? 0,
      },
    })),
    ...view.doc.groups.map((g) => ({
      id: groupNode(g.id),
      label: groupLabel(g),
      attrs: {
        kind: 'group',
        label: groupLabel(g),
        key: g.key,
        country: null,
        roles: null,
        score: null,
        cluster: g.cluster,
        flagged: g.flagged,
        members: g.members.length,
        messages: g.messageCount,
        knownMedia: g.knownMaterialCount,
        novelMedia: g.novelMediaCount,
        groups: null,
      },
    })),
  ];
  const edges: Item[] = [
    ...view.memberships.map((m, i) => ({
      id: `m${i + 1}`,
      source: accountNode(m.accountId),
      target: groupNode(m.groupId),
      weight: 1,
      attrs: {
        kind: 'membership',
        admin: m.admin,
        active: m.active,
        first: isoOrEmpty(m.firstAt) || null,
        last: isoOrEmpty(m.lastAt) || null,
        messages: posted.get(`${m.accountId}:${m.groupId}`)?.messages ?? 0,
        sharedMembers: null,
        sharedMedia: null,
        weight: 1,
      },
    })),
    ...view.groupLinks.map((l, i) => ({
      id: `l${i + 1}`,
      source: groupNode(l.a),
      target: groupNode(l.b),
      weight: l.sharedMembers + l.sharedMedia,
      attrs: {
        kind: 'group-link',
        admin: null,
        active: null,
        first: null,
        last: null,
        messages: null,
        sharedMembers: l.sharedMembers,
        sharedMedia: l.sharedMedia,
        weight: l.sharedMembers + l.sharedMedia,
      },
    })),
  ];
  return { nodes, edges };
}

const GRAPHML_TYPE: Record<AttrType, string> = {
  string: 'string',
  boolean: 'boolean',
  int: 'int',
  double: 'double',
};

export function toGraphML(view: CaseView): string {
  const { nodes, edges } = graphItems(view);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    `  <!-- ${esc(TOOL_VERSION)}${view.synthetic ? ' · SYNTHETIC case: generated data, no real people' : ''} -->`,
  ];
  for (const a of NODE_ATTRS)
    out.push(`  <key id="n_${a.id}" for="node" attr.name="${a.id}" attr.type="${GRAPHML_TYPE[a.type]}"/>`);
  for (const a of EDGE_ATTRS)
    out.push(`  <key id="e_${a.id}" for="edge" attr.name="${a.id}" attr.type="${GRAPHML_TYPE[a.type]}"/>`);
  out.push(`  <graph id="${escAttr(view.doc.case.id)}" edgedefault="undirected">`);
  const data = (prefix: string, attrs: Record<string, Value>) =>
    Object.entries(attrs)
      .filter(([, v]) => v !== null && v !== '')
      .map(([k, v]) => `<data key="${prefix}_${k}">${esc(v)}</data>`)
      .join('');
  for (const n of nodes) out.push(`    <node id="${n.id}">${data('n', n.attrs)}</node>`);
  for (const e of edges)
    out.push(`    <edge id="${e.id}" source="${e.source}" target="${e.target}">${data('e', e.attrs)}</edge>`);
  out.push('  </graph>', '</graphml>', '');
  return out.join('\n');
}

const GEXF_TYPE: Record<AttrType, string> = {
  string: 'string',
  boolean: 'boolean',
  int: 'integer',
  double: 'double',
};

export function toGexf(view: CaseView): string {
  const { nodes, edges } = graphItems(view);
  const day = new Date().toISOString().slice(0, 10);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
    `  <meta lastmodifieddate="${day}"><creator>${esc(TOOL_VERSION)}</creator><description>${esc(
      `case ${view.doc.case.name ?? view.doc.case.id}${view.synthetic ? ' (SYNTHETIC: generated data, no real people)' : ''}`,
    )}</description></meta>`,
    '  <graph defaultedgetype="undirected" mode="static">',
  ];
  const decl = (cls: string, defs: AttrDef[]) => {
    out.push(`    <attributes class="${cls}">`);
    for (const a of defs)
      out.push(`      <attribute id="${a.id}" title="${a.id}" type="${GEXF_TYPE[a.type]}"/>`);
    out.push('    </attributes>');
  };
  decl('node', NODE_ATTRS);
  decl('edge', EDGE_ATTRS);
  const values = (attrs: Record<string, Value>) =>
    '<attvalues>' +
    Object.entries(attrs)
      .filter(([, v]) => v !== null && v !== '')
      .map(([k, v]) => `<attvalue for="${k}" value="${escAttr(v)}"/>`)
      .join('') +
    '</attvalues>';
  out.push('    <nodes>');
  for (const n of nodes)
    out.push(`      <node id="${n.id}" label="${escAttr(n.label)}">${values(n.attrs)}</node>`);
  out.push('    </nodes>', '    <edges>');
  for (const e of edges)
    out.push(
      `      <edge id="${e.id}" source="${e.source}" target="${e.target}" weight="${e.weight}" label="${String(e.attrs.kind)}">${values(e.attrs)}</edge>`,
    );
  out.push('    </edges>', '  </graph>', '</gexf>', '');
  return out.join('\n');
}
