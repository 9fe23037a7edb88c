import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accountLabel, groupLabel, isoOrEmpty, type CaseView } from './case-view.js';

/**
 * CSV tables for i2 Analyst's Notebook (docs/i2-mapping.md): entity tables (accounts, groups, media —
 * hashes only) and link tables (memberships, postings, group links). RFC 4180: comma, CRLF, fields quoted
 * when they hold a comma, quote or line break, quotes doubled. A cell starting with = + - @ (or tab/CR,
 * which some spreadsheets strip first) is prefixed with ' so a spreadsheet never evaluates it as a formula —
 * unless the whole cell is data: an E.164 phone number (`+34612345678`) or a plain number (`-2`, `-0.5`),
 * which is written unaltered, quoted.
 */
export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
/** Whole-cell data that merely starts like a formula: an E.164 number, or a plain decimal number. */
const DATA = /^(?:\+\d{6,15}|-?\d+(?:\.\d+)?)$/;

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  // A number is data, never a formula (a negative one is not prefixed).
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  if (FORMULA_START.test(s)) {
    if (DATA.test(s)) return `"${s}"`;
    s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: Cell[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

export function csvTable(header: string[], rows: Cell[][]): string {
  return csvRow(header) + rows.map(csvRow).join('');
}

export const CSV_FILES = [
  'accounts.csv',
  'groups.csv',
  'media.csv',
  'memberships.csv',
  'postings.csv',
  'group_links.csv',
] as const;

/** The six tables, by file name. */
export function i2Tables(view: CaseView): Record<(typeof CSV_FILES)[number], string> {
  const { doc } = view;
  const acc = (id: number) => view.accountById.get(id)?.key ?? `account:${id}`;
  const grp = (id: number) => view.groupById.get(id)?.key ?? `group:${id}`;
  const synthetic = view.synthetic;
  return {
    'accounts.csv': csvTable(
      [
        'account_id',
        'label',
        'type',
        'phone',
        'jids',
        'display_names',
        'country',
        'roles',
        'score',
        'merged_into',
        'synthetic',
      ],
      doc.accounts.map((a) => [
        a.key,
        accountLabel(a),
        'Account',
        a.phone,
        a.jids.join('; '),
        a.displayNames.join('; '),
        a.country,
        a.roles.join('; '),
        a.score,
        a.mergedInto === null ? null : acc(a.mergedInto),
        synthetic,
      ]),
    ),
    'groups.csv': csvTable(
      [
        'group_id',
        'label',
        'type',
        'jid',
        'created_at',
        'creator_id',
        'members',
        'messages',
        'known_media',
        'novel_media',
        'flagged',
        'cluster',
        'first_material_at',
        'last_material_at',
        'categories',
        'synthetic',
      ],
      doc.groups.map((g) => {
        const an = view.groupAnalysis.get(g.id)?.counts as
          | { firstAt?: number | null; lastAt?: number | null; categories?: Record<string, number> }
          | undefined;
        return [
          g.key,
          groupLabel(g),
          'Group',
          g.jid,
          g.createdAt,
          g.creator === null ? null : acc(g.creator),
          g.members.length,
          g.messageCount,
          g.knownMaterialCount,
          g.novelMediaCount,
          g.flagged,
          g.cluster,
          isoOrEmpty(an?.firstAt ?? null),
          isoOrEmpty(an?.lastAt ?? null),
          Object.keys(an?.categories ?? {}).join('; '),
          synthetic,
        ];
      }),
    ),
    'media.csv': csvTable(
      [
        'sha256',
        'label',
        'type',
        'md5',
        'sha1',
        'pdq',
        'mime',
        'size',
        'status',
        'categories',
        'min_distance',
        'messages',
        'first_seen_at',
        'first_posted_by',
        'synthetic',
      ],
      doc.media.map((m) => [
        m.sha256,
        m.sha256.slice(0, 12),
        m.status === 'known' ? 'Known material' : m.status === 'novel' ? 'Novel media' : 'Media',
        m.md5,
        m.sha1,
        m.pdq,
        m.mime,
        m.size,
        m.status,
        [...new Set(m.matches.map((x) => x.category).filter(Boolean))].join('; '),
        m.matches.length ? Math.min(...m.matches.map((x) => x.distance)) : null,
        m.messageCount,
        m.firstSeenAt,
        m.firstPostedBy === null ? null : acc(m.firstPostedBy),
        synthetic,
      ]),
    ),
    'memberships.csv': csvTable(
      ['account_id', 'group_id', 'link_type', 'admin', 'active', 'first_at', 'last_at'],
      view.memberships.map((m) => [
        acc(m.accountId),
        grp(m.groupId),
        m.admin ? 'Administrator of' : 'Member of',
        m.admin,
        m.active,
        isoOrEmpty(m.firstAt),
        isoOrEmpty(m.lastAt),
      ]),
    ),
    'postings.csv': csvTable(
      [
        'account_id',
        'group_id',
        'link_type',
        'messages',
        'media_posts',
        'known_posts',
        'novel_posts',
        'first_at',
        'last_at',
      ],
      view.postings.map((p) => [
        acc(p.accountId),
        grp(p.groupId),
        'Posted in',
        p.messages,
        p.mediaPosts,
        p.knownPosts,
        p.novelPosts,
        isoOrEmpty(p.firstAt),
        isoOrEmpty(p.lastAt),
      ]),
    ),
    'group_links.csv': csvTable(
      ['group_a_id', 'group_b_id', 'link_type', 'shared_members', 'shared_media', 'weight'],
      view.groupLinks.map((l) => [
        grp(l.a),
        grp(l.b),
        'Linked to',
        l.sharedMembers,
        l.sharedMedia,
        l.sharedMembers + l.sharedMedia,
      ]),
    ),
  };
}

/** Writes the tables into `dir` (created). Returns the files written. */
export function writeI2Csv(view: CaseView, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(i2Tables(view))) {
    const file = join(dir, name);
    // A BOM so spreadsheet imports read UTF-8 (subjects and names are rarely ASCII).
    writeFileSync(`${file}.part`, '\uFEFF' + text);
    renameSync(`${file}.part`, file);
    written.push(file);
  }
  return written;
}
