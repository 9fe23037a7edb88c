import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../src/evidence/ingest.js';
import { buildCaseExport } from '../src/report/export-json.js';
import { initCase } from '../src/store/case-dir.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

interface TruthGroup {
  jid: string;
  exportKey: string;
  members: { phone: string }[];
  exportedMessageCount: number;
  exportedMediaSha256: string[];
  heldMessageCount: number;
  heldMediaSha256: string[];
}

let op: { dir: string; devices: DeviceInfo[] };
let truth: { groups: TruthGroup[] };

beforeAll(async () => {
  op = await synthOperation(7);
  truth = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8'));
});

describe.each(STORE_TARGETS)('synth → ingest → export round trip on $name', ({ store: storeArg }) => {
  it('reproduces the truth: groups, members, deduplicated message counts, media hashes', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      for (const d of op.devices) {
        await ingestPaths(
          store,
          d.files.map((f) => join(op.dir, f)),
          { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
        );
      }
      const doc = await buildCaseExport(store);
      const phoneOf = new Map(doc.accounts.map((a) => [a.id, a.phone]));
      const visible = truth.groups.filter((g) => g.heldMessageCount > 0);
      expect(doc.groups.length).toBe(visible.length);
      let total = 0;
      for (const t of visible) {
        const g = doc.groups.find(
          (x) => x.jid === t.jid || x.key === t.exportKey || x.subject === t.exportKey.slice(7),
        );
        expect(g, t.exportKey).toBeDefined();
        const expected = t.heldMessageCount;
        expect(g!.messageCount, `${t.exportKey}: messages after deduplication`).toBe(expected);
        total += expected;
        // Every member the evidence shows was a member in truth; names a device saved are the exception.
        const truthPhones = new Set(t.members.map((m) => m.phone));
        const shown = g!.members.map((m) => phoneOf.get(m.account)).filter((p): p is string => !!p);
        for (const p of shown)
          expect(truthPhones.has(p), `${t.exportKey}: ${p} is not a member in truth`).toBe(true);
        expect(shown.length).toBeGreaterThan(0);
      }
      expect(doc.messageCount).toBe(total);
      const mediaTruth = new Set(visible.flatMap((t) => t.heldMediaSha256));
      const mediaCase = new Set(doc.media.map((m) => m.sha256));
      expect([...mediaTruth].filter((h) => !mediaCase.has(h))).toEqual([]);
      expect([...mediaCase].filter((h) => !mediaTruth.has(h))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
