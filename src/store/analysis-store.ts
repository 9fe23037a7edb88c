import type { AnalysisResult } from '../network/analyze.js';
import type { Reason } from '../network/reasons.js';
import type { Role } from '../network/roles.js';
import type { CaseStore } from './case-store.js';

/**
 * Network-analysis results in the case (migration 2). A run replaces the previous results whole, in one
 * transaction; `analysis_runs` keeps every run's parameters and summary for the record.
 */
export interface StoredAnalysisAccount {
  accountId: number;
  roles: Role[];
  score: number;
  points: Record<string, number>;
  reasons: Reason[];
  country: string | null;
  countryReason: string | null;
  numberType: string | null;
  betweenness: number;
}

export interface StoredAnalysisGroup {
  chatId: number;
  flagged: boolean;
  rule: string | null;
  cluster: number | null;
  component: number | null;
  counts: Record<string, unknown>;
}

export interface StoredAnalysisCluster {
  id: number;
  component: number;
  groups: number[];
  bridges: number[];
  links: unknown[];
  memberCount: number;
}

export interface AnalysisRun {
  id: number;
  at: number;
  toolVersion: string;
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
}

const json = (v: unknown) => JSON.stringify(v);

export class AnalysisStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get caseId() {
    return this.store.caseId;
  }

  /** Replaces the stored results with `r` and records the run. Returns the run id. */
  async save(r: AnalysisResult, summary: Record<string, unknown>): Promise<number> {
    const c = this.caseId;
    return this.store.transaction(async (s) => {
      await s.bumpGeneration();
      const last = await s.db.get<{ m: number | null }>(
        'SELECT MAX(id) AS m FROM analysis_runs WHERE case_id = ?',
        [c],
      );
      const id = Number(last?.m ?? 0) + 1;
      await s.db.run(
        'INSERT INTO analysis_runs (case_id, id, at, tool_version, params, summary) VALUES (?, ?, ?, ?, ?, ?)',
        [c, id, r.at, r.toolVersion, json({ ...r.params, centrality: r.centrality }), json(summary)],
      );
      for (const t of ['analysis_accounts', 'analysis_groups', 'analysis_clusters', 'analysis_countries'])
        await s.db.run(`DELETE FROM ${t} WHERE case_id = ?`, [c]);
      await s.db.insertMany(
        'analysis_accounts',
        [
          'case_id',
          'account_id',
          'roles',
          'score',
          'points',
          'reasons',
          'country',
          'country_reason',
          'number_type',
          'betweenness',
        ],
        r.accounts.map((a) => [
          c,
          a.accountId,
          json(a.roles),
          a.score,
          json(a.points),
          json(a.reasons),
          a.jurisdiction.country,
          a.jurisdiction.unresolvedReason,
          a.jurisdiction.numberType,
          a.betweenness,
        ]),
      );
      await s.db.insertMany(
        'analysis_groups',
        ['case_id', 'chat_id', 'flagged', 'rule', 'cluster', 'component', 'counts'],
        r.groups.map((g) => {
          const { groupId, flagged, rule, cluster, component, ...counts } = g;
          return [c, groupId, flagged ? 1 : 0, rule, cluster, component, json(counts)];
        }),
      );
      await s.db.insertMany(
        'analysis_clusters',
        ['case_id', 'id', 'component', 'groups', 'bridges', 'links', 'member_count'],
        r.clusters.map((k) => [
          c,
          k.id,
          k.component,
          json(k.groupIds),
          json(k.bridgeAccounts),
          json(k.links),
          k.memberCount,
        ]),
      );
      await s.db.insertMany(
        'analysis_countries',
        ['case_id', 'country', 'summary'],
        r.countries.map((k) => [c, k.country, json(k)]),
      );
      return id;
    });
  }

  async latestRun(): Promise<AnalysisRun | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM analysis_runs WHERE case_id = ? ORDER BY id DESC LIMIT 1',
      [this.caseId],
    );
    if (!r) return null;
    return {
      id: Number(r.id),
      at: Number(r.at),
      toolVersion: String(r.tool_version),
      params: JSON.parse(String(r.params)) as Record<string, unknown>,
      summary: JSON.parse(String(r.summary)) as Record<string, unknown>,
    };
  }

  async accounts(): Promise<StoredAnalysisAccount[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM analysis_accounts WHERE case_id = ? ORDER BY score DESC, account_id',
      [this.caseId],
    );
    return rows.map((r) => ({
      accountId: Number(r.account_id),
      roles: JSON.parse(String(r.roles)) as Role[],
      score: Number(r.score),
      points: JSON.parse(String(r.points)) as Record<string, number>,
      reasons: JSON.parse(String(r.reasons)) as Reason[],
      country: (r.country as string | null) ?? null,
      countryReason: (r.country_reason as string | null) ?? null,
      numberType: (r.number_type as string | null) ?? null,
      betweenness: Number(r.betweenness),
    }));
  }

  async groups(): Promise<StoredAnalysisGroup[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM analysis_groups WHERE case_id = ? ORDER BY chat_id',
      [this.caseId],
    );
    return rows.map((r) => ({
      chatId: Number(r.chat_id),
      flagged: Number(r.flagged) === 1,
      rule: (r.rule as string | null) ?? null,
      cluster: r.cluster === null ? null : Number(r.cluster),
      component: r.component === null ? null : Number(r.component),
      counts: JSON.parse(String(r.counts)) as Record<string, unknown>,
    }));
  }

  async clusters(): Promise<StoredAnalysisCluster[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM analysis_clusters WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      component: Number(r.component),
      groups: JSON.parse(String(r.groups)) as number[],
      bridges: JSON.parse(String(r.bridges)) as number[],
      links: JSON.parse(String(r.links)) as unknown[],
      memberCount: Number(r.member_count),
    }));
  }

  async countries(): Promise<Record<string, unknown>[]> {
    const rows = await this.db.all<{ summary: string }>(
      'SELECT summary FROM analysis_countries WHERE case_id = ? ORDER BY country',
      [this.caseId],
    );
    return rows.map((r) => JSON.parse(r.summary) as Record<string, unknown>);
  }
}
