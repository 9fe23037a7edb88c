import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CASE_FILE, caseIdOf } from '../store/case-dir.js';
import { CaseStore } from '../store/case-store.js';
import type { SqlDriver } from '../store/driver.js';
import type { Workspace } from '../store/workspace.js';
import { UserError } from '../util/errors.js';
import { BossQueue } from './boss-queue.js';
import { LocalQueue } from './local-queue.js';
import type { JobTarget } from './runner.js';
import type { JobQueue } from './types.js';

/**
 * How a PostgreSQL worker finds the case a delivery names: through the workspace when it has one, else
 * at the folder the job was created from (the same path on every machine: a shared evidence volume).
 */
export function caseResolver(
  db: SqlDriver,
  opts: { workspace?: Workspace; known?: JobTarget[] } = {},
): (caseId: string, caseDir: string | null) => Promise<JobTarget> {
  const cache = new Map<string, JobTarget>();
  for (const t of opts.known ?? []) cache.set(t.store.caseId, t);
  return async (caseId, caseDir) => {
    const hit = cache.get(caseId);
    if (hit) return hit;
    let target: JobTarget | null = null;
    if (opts.workspace) {
      const c = await opts.workspace.openCase(caseId);
      if (c) target = { store: c.store, dir: c.dir };
    }
    if (!target) {
      if (!caseDir)
        throw new UserError(
          `a job of case ${caseId} names no case folder and this worker has no workspace holding the case: run the worker with --workspace`,
        );
      if (!existsSync(join(caseDir, CASE_FILE)))
        throw new UserError(
          `case ${caseId}: its folder ${caseDir} is not reachable from ${hostname()}: mount the evidence share at the same path, or run the worker with --workspace`,
        );
      if (caseIdOf(caseDir) !== caseId)
        throw new UserError(`the folder ${caseDir} holds another case than ${caseId}`, { file: caseDir });
      const store = new CaseStore(db, caseId, caseDir);
      if (!(await store.getCase()))
        throw new UserError(`case ${caseId} is not in the database at ${db.location}`, { file: caseDir });
      target = { store, dir: caseDir };
    }
    cache.set(caseId, target);
    return target;
  };
}

/**
 * The queue for putting a case's jobs in: pg-boss when the case lives in PostgreSQL (`url`), else the case
 * file's own table. Close it when done.
 */
export async function queueForCase(target: JobTarget, url: string | null): Promise<JobQueue> {
  if (!url) return new LocalQueue(async () => [target]);
  return BossQueue.open({
    url,
    db: target.store.db,
    resolve: caseResolver(target.store.db, { known: [target] }),
  });
}
