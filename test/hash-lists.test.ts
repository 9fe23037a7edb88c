import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../src/matching/lists/index.js';
import {
  isInvalid,
  type HashListEntry,
  type InvalidRecord,
  type ReadListOptions,
} from '../src/matching/lists/types.js';
import { writeVicsHashSet } from '../src/matching/lists/vics-write.js';
import { vicsFormat } from '../src/matching/lists/vics.js';

const dir = mkdtempSync(join(tmpdir(), 'filet-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const write = (text: string | Buffer, ext = 'json') => {
  const f = join(dir, `list${++fileNo}.${ext}`);
  writeFileSync(f, text);
  return f;
};
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const US: ReadListOptions = { categoryScheme: 'vics-us' };

async function readAll(file: string, opts = US): Promise<(HashListEntry | InvalidRecord)[]> {
  const fmt = await detectFormat(file);
  const out: (HashListEntry | InvalidRecord)[] = [];
  for await (const r of fmt.read(file, opts)) out.push(r);
  return out;
}
const entries = (rs: (HashListEntry | InvalidRecord)[]) => rs.filter((r) => !isInvalid(r)) as HashListEntry[];
const invalid = (rs: (HashListEntry | InvalidRecord)[]) => rs.filter(isInvalid);

const V1 = 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media';
const V2 = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata';

describe('VICS JSON', () => {
  it('reads v1 with categories, PDQ from a custom field, unknown fields kept', async () => {
    const [md5a, md5b, pdq] = [hex(16), hex(16), hex(32)];
    const f = write(
      JSON.stringify({
        'odata.metadata': V1,
        value: [
          {
            MediaID: 1,
            Category: 1,
            MD5: md5a.toUpperCase(),
            PDQ: pdq,
            Series: 'S1',
            LocalNote: { x: [1, 2] },
          },
          { MediaID: 2, Category: null, MD5: md5b, SHA1: hex(20) },
        ],
      }),
    );
    expect((await detectFormat(f)).name).toBe('vics');
    const rs = await readAll(f);
    expect(invalid(rs)).toEqual([]);
    const [a, b] = entries(rs);
    expect(a).toMatchObject({
      recordNo: 1,
      entryId: '1',
      md5: md5a,
      pdq,
      category: 'cam',
      categoryLabel: '1',
    });
    expect(a.extra).toEqual({ Series: 'S1', LocalNote: { x: [1, 2] } });
    expect(b).toMatchObject({ recordNo: 2, md5: md5b, category: 'uncategorized', categoryLabel: null });
    expect(b.sha1).toHaveLength(40);
  });

  it('reads a v2 hash set with a BOM, string booleans and a PDQ tag', async () => {
    const pdq = hex(32);
    const body = JSON.stringify({
      '@odata.context': V2 + '#Media',
      value: [
        {
          MediaID: 'a',
          Category: '3',
          MD5: hex(16),
          IsDistributed: 'true',
          VictimIdentified: 'False',
          Tags: ['x', `pdq:${pdq}`],
        },
        { MediaID: 'b', Category: 'B', SHA1: hex(20), SHA256: hex(32) },
      ],
    });
    const f = write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    const rs = entries(await readAll(f));
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({ pdq, category: 'cgi-animation', categoryLabel: '3' });
    expect(rs[0].extra).toMatchObject({ IsDistributed: true, VictimIdentified: false });
    expect(rs[1]).toMatchObject({ category: 'uk-b', categoryLabel: 'B', entryId: 'b' });
  });

  it('reads v2 cases (value[*].Media[*]) and keeps the case fields', async () => {
    const f = write(
      JSON.stringify({
        '@odata.context': V2 + '#Cases',
        value: [
          {
            CaseID: 'c-1',
            CaseNumber: 'SYN-1',
            Media: [
              { MD5: hex(16), Category: 0 },
              { MD5: hex(16), Category: 4 },
            ],
          },
          { CaseID: 'c-2', Media: [{ MD5: hex(16), Category: 2 }], TotalMediaFiles: 'unreliable' },
        ],
      }),
    );
    const rs = entries(await readAll(f));
    expect(rs.map((r) => [r.recordNo, r.category])).toEqual([
      [1, 'non-pertinent'],
      [2, 'comparison'],
      [3, 'exploitive'],
    ]);
    expect(rs[0].extra.case).toMatchObject({ CaseID: 'c-1', CaseNumber: 'SYN-1' });
    expect(rs[2].extra.case).toMatchObject({ CaseID: 'c-2' });
  });

  it('maps the legacy scheme and reports unknown categories with record numbers', async () => {
    const value = [0, 5, 7, 'Z'].map((c) => ({ MD5: hex(16), Category: c }));
    const f = write(JSON.stringify({ '@odata.context': V2 + '#Media', value }));
    const legacy = await readAll(f, { categoryScheme: 'legacy' });
    expect(entries(legacy).map((r) => r.category)).toEqual(['uncategorized', 'non-pertinent']);
    expect(invalid(legacy).map((r) => r.recordNo)).toEqual([3, 4]);
    expect(invalid(legacy)[0].problem).toMatch(/record 3.*unknown category 7/);
    const us = await readAll(f);
    expect(entries(us).map((r) => r.category)).toEqual(['non-pertinent']);
    expect(invalid(us).map((r) => r.recordNo)).toEqual([2, 3, 4]);
  });

  it('reports bad hex and wrong lengths per record and goes on', async () => {
    const value = [
      { MediaID: 10, MD5: 'zz' + hex(15) },
      { MediaID: 11, SHA1: hex(19) },
      { MediaID: 12, MD5: hex(16), PDQ: hex(31) },
      { MediaID: 13, MD5: hex(16) },
    ];
    const rs = await readAll(write(JSON.stringify({ 'odata.metadata': V1, value })));
    const bad = invalid(rs);
    expect(bad.map((r) => r.recordNo)).toEqual([1, 2, 3]);
    expect(bad[0].problem).toMatch(/MediaID 10.*md5 is not hexadecimal/);
    expect(bad[1].problem).toMatch(/sha1 has 38 hex digits, expected 40/);
    expect(bad[2].problem).toMatch(/pdq has 62 hex digits, expected 64/);
    expect(entries(rs).map((r) => r.entryId)).toEqual(['13']);
  });

  it('rejects truncated JSON with the file and the record', async () => {
    const full = JSON.stringify({ 'odata.metadata': V1, value: [1, 2, 3].map(() => ({ MD5: hex(16) })) });
    const f = write(full.slice(0, full.length - 30));
    const seen: unknown[] = [];
    const run = async () => {
      for await (const r of vicsFormat.read(f, US)) seen.push(r);
    };
    await expect(run()).rejects.toThrow(
      new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, record 3: .*(truncated|malformed)`),
    );
    expect(seen).toHaveLength(2);
    const cut = write(full.slice(0, full.length - 2)); // ends cleanly after the array: still incomplete
    await expect(readAll(cut)).rejects.toThrow(/truncated|malformed/);
  });
});

describe('CSV and PDQ text', () => {
  it('reads CSV with mixed-case headers, extra columns and line-numbered errors', async () => {
    const [md5, pdq] = [hex(16), hex(32)];
    const f = write(
      [
        'ID,MD5,Sha-256,PDQ,Category,Label,Source',
        `e1,${md5},,${pdq},1,first,agencyX`,
        '',
        `e2,${hex(15)},,,0,short,agencyX`,
        `e3,,${hex(32)},,9,bad category,agencyX`,
        `"e4",,${hex(32)},,A,quoted,"agency, Y"`,
      ].join('\r\n'),
      'csv',
    );
    expect((await detectFormat(f)).name).toBe('csv');
    const rs = await readAll(f);
    expect(entries(rs)).toEqual([
      expect.objectContaining({
        recordNo: 1,
        entryId: 'e1',
        md5,
        pdq,
        category: 'cam',
        label: 'first',
        extra: { Source: 'agencyX' },
      }),
      expect.objectContaining({
        recordNo: 4,
        entryId: 'e4',
        category: 'uk-a',
        extra: { Source: 'agency, Y' },
      }),
    ]);
    expect(invalid(rs)).toEqual([
      { recordNo: 2, line: 4, problem: 'line 4: md5 has 30 hex digits, expected 32' },
      { recordNo: 3, line: 5, problem: 'line 5: unknown category "9" (scheme vics-us)' },
    ]);
  });

  it('reads a sha1-only CSV and rejects a header without hash columns', async () => {
    const sha1 = hex(20);
    expect(entries(await readAll(write(`sha1\n${sha1}\n`, 'csv')))[0]).toMatchObject({
      sha1,
      category: 'uncategorized',
    });
    const { csvFormat } = await import('../src/matching/lists/csv.js');
    const f = write('name,size\nx,1\n', 'csv');
    const run = async () => {
      for await (const _ of csvFormat.read(f, US));
    };
    await expect(run()).rejects.toThrow(/line 1: CSV header names no hash column/);
  });

  it('reads PDQ text lists with labels, comments and blank lines', async () => {
    const [a, b] = [hex(32), hex(32)];
    const f = write(`# synthetic bank\n\n${a}\n${b.toUpperCase()},near-duplicate set 2\n${hex(30)}\n`, 'txt');
    expect((await detectFormat(f)).name).toBe('pdq');
    const rs = await readAll(f);
    expect(entries(rs).map((r) => [r.recordNo, r.pdq, r.label])).toEqual([
      [1, a, null],
      [2, b, 'near-duplicate set 2'],
    ]);
    expect(invalid(rs)).toEqual([
      { recordNo: 3, line: 5, problem: 'line 5: pdq has 60 hex digits, expected 64' },
    ]);
  });

  it('refuses a file in no known format', async () => {
    await expect(detectFormat(write('hello world\n', 'txt'))).rejects.toThrow(/not a recognized hash list/);
  });
});

describe('VICS writer', () => {
  it('round-trips through the reader', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      md5: hex(16),
      sha1: hex(20),
      size: 1000 + i,
      mimeType: 'image/png',
      pdq: i % 2 ? hex(32) : null,
    }));
    const f = join(dir, 'novel.json');
    expect(await writeVicsHashSet(f, items, { synthetic: true })).toBe(50);
    expect((await detectFormat(f)).name).toBe('vics');
    const rs = await readAll(f);
    expect(invalid(rs)).toEqual([]);
    const got = entries(rs);
    expect(got.map((r) => [r.md5, r.sha1, r.pdq])).toEqual(items.map((e) => [e.md5, e.sha1, e.pdq]));
    expect(got[1].extra).toMatchObject({
      MediaSize: 1001,
      MimeType: 'image/png',
      Comments: 'SYNTHETIC',
      Tags: [`pdq:${items[1].pdq}`],
    });
    expect(got[0].category).toBe('uncategorized');
    expect(got[0].categoryLabel).toBeNull();
  });

  it('streams a ~200 MB VICS file with RSS growth far below its size', { timeout: 300_000 }, async () => {
    const f = join(dir, 'big.json');
    const pad = 'synthetic padding '.repeat(80); // ~1.4 KB of Comments per record
    const count = 120_000;
    await writeVicsHashSet(
      f,
      (function* () {
        for (let i = 0; i < count; i++)
          yield { md5: hex(16), sha1: hex(20), size: i, mimeType: 'image/jpeg', pdq: hex(32), comments: pad };
      })(),
      { synthetic: true },
    );
    const size = statSync(f).size;
    expect(size).toBeGreaterThan(190e6);
    // The reader runs in a child whose heap is capped far below the file size: it can only finish if it
    // streams. Its peak RSS (the whole process, Node itself included) is reported back.
    const script = join(dir, 'read-big.mts');
    const reader = join(process.cwd(), 'src/matching/lists/vics.ts');
    writeFileSync(
      script,
      `import { vicsFormat } from ${JSON.stringify(reader)};
let n = 0;
for await (const r of vicsFormat.read(process.argv[2], { categoryScheme: 'vics-us' })) if (!('problem' in r)) n++;
console.log(JSON.stringify({ n, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`,
    );
    const run = (list: string) => {
      const out = execFileSync(
        process.execPath,
        ['--max-old-space-size=24', '--max-semi-space-size=2', '--import', 'tsx', script, list],
        {
          encoding: 'utf8',
        },
      );
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { n: number; maxRssBytes: number };
    };
    const small = join(dir, 'small.json');
    await writeVicsHashSet(small, [{ md5: hex(16), sha1: null, size: 1, mimeType: null }]);
    const baseline = run(small);
    const big = run(f);
    expect(big.n).toBe(count);
    const growth = big.maxRssBytes - baseline.maxRssBytes;
    console.log(
      `VICS streaming: ${(size / 1e6).toFixed(0)} MB file, peak RSS ${(big.maxRssBytes / 1e6).toFixed(0)} MB ` +
        `vs ${(baseline.maxRssBytes / 1e6).toFixed(0)} MB for a one-record list (growth ${(growth / 1e6).toFixed(0)} MB)`,
    );
    // Finishing at all under a 24 MB old-space cap is the proof of streaming (JSON.parse of the file would
    // need 10× that); the RSS check guards against large off-heap buffering.
    expect(growth).toBeLessThan(size / 3);
  });
});
