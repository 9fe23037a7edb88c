import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { openCase } from '../src/store/case-dir.js';
import { REPO, filet, filetAsync } from './helpers/cli.js';
import { tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

let op: { dir: string; devices: DeviceInfo[] };

async function caseState(dir: string) {
  const { store } = await openCase(dir);
  try {
    return { counts: await store.counts(), evidence: (await store.listEvidence()).map((e) => e.sha256) };
  } finally {
    await store.close();
  }
}

function ingestDevice(caseDir: string, d: DeviceInfo, extra: string[] = []) {
  return filet([
    'ingest',
    caseDir,
    ...d.files.map((f) => join(op.dir, f)),
    '--device',
    d.label,
    '--owner',
    d.owner,
    '--owner-name',
    d.ownerName,
    '--tz',
    d.tz,
    '--locale',
    d.locale,
    ...extra,
  ]);
}

beforeAll(async () => {
  op = await synthOperation(7);
});

describe('filet CLI', () => {
  it('has help with an example for every command', async () => {
    const r = filet(['--help']);
    expect(r.code).toBe(0);
    // Each command's help, in-process (a process per command would only measure start-up time).
    const commands = [
      ['init'],
      ['ingest'],
      ['verify'],
      ['audit', 'verify'],
      ['export'],
      ['hash'],
      ['hashes', 'import'],
      ['match'],
      ['synth'],
      ['demo'],
    ];
    for (const c of commands) {
      expect(r.stdout).toContain(c[0]);
      let out = '';
      const program = buildProgram();
      program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      for (const sub of program.commands)
        sub.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      for (const sub of program.commands.flatMap((x) => x.commands))
        sub.configureOutput({ writeOut: (s) => (out += s) });
      await program.parseAsync(['node', 'filet', ...c, '--help']).catch(() => undefined);
      expect(out, c.join(' ')).toMatch(/Example/);
    }
  });

  it('ingests synthetic exports, says so when a file is already in the case, and exports schema-valid JSON', async () => {
    const dir = join(tempDir(), 'case');
    expect(filet(['init', dir]).code).toBe(0);
    const d = op.devices[0]!;
    const first = ingestDevice(dir, d);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/evidence #1/);
    const before = await caseState(dir);
    const again = ingestDevice(dir, d);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already in the case as evidence #1 .*nothing changed/);
    expect(await caseState(dir)).toEqual(before);

    const out = join(dir, 'exports', 'case.json');
    const ex = filet(['export', dir, '--format', 'json', '--out', out, '--with-provenance']);
    expect(ex.code, ex.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const schema = JSON.parse(readFileSync(join(REPO, 'docs/schema/case-export.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(doc.evidence.length).toBe(d.files.length);
    expect(doc.messageCount).toBe(before.counts.messages);
    expect(doc.groups.length).toBeGreaterThan(0);
    expect(doc.provenance.length).toBeGreaterThan(doc.messageCount);
    // The owner's own messages belong to the owner's number, not to a display name.
    expect(doc.accounts.some((a: { phone: string | null }) => a.phone === d.owner)).toBe(true);
  });

  it('audit verify passes on an intact log and names an entry whose bytes were edited', () => {
    const dir = join(tempDir(), 'case');
    filet(['init', dir]);
    ingestDevice(dir, op.devices[1]!);
    filet(['verify', dir]);
    const ok = filet(['audit', 'verify', dir]);
    expect(ok.code).toBe(0);
    // The genesis entry (written when the case was created), init, one entry per evidence item (each
    // committed with its item), verify.
    expect(ok.stdout).toMatch(new RegExp(`intact: ${3 + op.devices[1]!.files.length} entries`));
    const db = new Database(join(dir, 'case.sqlite'));
    const row = db.prepare('SELECT args FROM audit WHERE seq = 2').get() as { args: string };
    // One byte: the first digit or letter of the arguments changes.
    const i = row.args.search(/[a-z0-9]/i);
    const edited = row.args.slice(0, i) + (row.args[i] === 'a' ? 'b' : 'a') + row.args.slice(i + 1);
    db.prepare('UPDATE audit SET args = ? WHERE seq = 2').run(edited);
    db.close();
    const bad = filet(['audit', 'verify', dir]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/entry 2: edited/);
  });

  it('filet verify detects an evidence file that changed after ingest', () => {
    const dir = join(tempDir(), 'case');
    const copyDir = tempDir();
    const src = join(op.dir, op.devices[2]!.files[0]!);
    const copy = join(copyDir, 'export.zip');
    copyFileSync(src, copy);
    filet(['init', dir]);
    expect(filet(['ingest', dir, copy, '--tz', 'Europe/Madrid']).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    writeFileSync(copy, Buffer.concat([readFileSync(copy), Buffer.from('x')]));
    const r = filet(['verify', dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/CHANGED/);
  });

  describe('bad input gives one clear line, a non-zero exit and an unchanged case', () => {
    let dir: string;
    let before: Awaited<ReturnType<typeof caseState>>;
    beforeAll(async () => {
      dir = join(tempDir(), 'case');
      filet(['init', dir]);
      ingestDevice(dir, op.devices[0]!);
      before = await caseState(dir);
    });

    const expectRejected = async (path: string, pattern: RegExp) => {
      const r = filet(['ingest', dir, path]);
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length, r.stderr).toBe(1);
      expect(lines[0]).toContain(path);
      expect(lines[0]).toMatch(pattern);
      expect(await caseState(dir)).toEqual(before);
    };

    it('a missing path', () => expectRejected(join(tempDir(), 'nope.zip'), /no such file/));

    it('an unreadable file', async () => {
      const p = join(tempDir(), 'locked.txt');
      writeFileSync(p, '06/03/2017, 00:45 - +34 600 00 01 23: hola\n');
      chmodSync(p, 0o000);
      // root reads anything: there, an empty directory stands in (a folder is searched for WhatsApp
      // artifacts since issue 10; finding none is the error).
      const asRoot = process.getuid?.() === 0;
      await expectRejected(
        asRoot ? tempDir() : p,
        asRoot ? /no WhatsApp artifact found/ : /permission denied/,
      );
    });

    it('a truncated zip', async () => {
      const src = readFileSync(join(op.dir, op.devices[0]!.files[0]!));
      const p = join(tempDir(), 'truncated.zip');
      writeFileSync(p, src.subarray(0, Math.floor(src.length / 2)));
      await expectRejected(p, /zip|truncated|corrupt|not a recognised/i);
    });

    it('a non-UTF-8 export', async () => {
      const p = join(tempDir(), 'latin1.txt');
      const lines = [
        '06/03/2017, 00:45 - +34 600 00 01 23: hola',
        '06/03/2017, 00:46 - +34 600 00 01 24: adi\xf3s',
      ];
      writeFileSync(p, Buffer.from(lines.join('\n') + '\n', 'latin1'));
      await expectRejected(p, /UTF-8/i);
    });
  });

  it('SIGKILL in the middle of an evidence item leaves the case as it was; ingesting again completes it', async () => {
    const work = tempDir();
    const big = join(work, 'WhatsApp Chat with Big Synthetic Group.txt');
    const ws = createWriteStream(big);
    const N = 120_000;
    for (let i = 0; i < N; i++) {
      const min = i % 60;
      const hour = Math.floor(i / 60) % 24;
      const day = 1 + (Math.floor(i / 1440) % 28);
      const line = `${String(day).padStart(2, '0')}/03/2017, ${String(hour).padStart(2, '0')}:${String(min).padStart(2, '0')} - +34 600 00 ${String((i % 90) + 10)} ${String((i % 77) + 10)}: synthetic message ${i}\n`;
      if (!ws.write(line)) await new Promise<void>((r) => ws.once('drain', () => r()));
    }
    await new Promise<void>((r) => ws.end(() => r()));
    const small = join(op.dir, op.devices[0]!.files[0]!);

    // Reference: the case after both items, ingested without interruption.
    const ref = join(work, 'ref');
    filet(['init', ref]);
    filet(['ingest', ref, small]);
    const full = filet(['ingest', ref, big]);
    expect(full.code, full.stderr).toBe(0);
    const complete = await caseState(ref);

    const dir = join(work, 'case');
    filet(['init', dir]);
    filet(['ingest', dir, small]);
    const before = await caseState(dir);
    // Progress as JSON lines: the kill lands once 20,000 records of the big item are in its transaction.
    const child = filetAsync(['ingest', dir, big], { FILET_PROGRESS: 'json' });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stderr!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const p = l.startsWith('{') ? (JSON.parse(l) as { progress: string; done: number }) : null;
          if (p?.progress === 'ingest' && p.done >= 20_000 && seen === 0) {
            seen = p.done;
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.once('exit', () => (seen ? resolve() : reject(new Error('ingest ended before the kill point'))));
    });
    await new Promise((r) => (child.exitCode !== null || child.signalCode ? r(null) : child.once('exit', r)));
    expect(child.signalCode).toBe('SIGKILL');
    expect(seen).toBeGreaterThanOrEqual(20_000);
    const walBefore = `killed after ${seen} records`;
    expect(await caseState(dir), walBefore).toEqual(before);
    const again = filet(['ingest', dir, big]);
    expect(again.code, again.stderr).toBe(0);
    expect(await caseState(dir)).toEqual(complete);
    expect(filet(['audit', 'verify', dir]).code).toBe(0);
  });

  it('bin/filet.js runs the built CLI', () => {
    mkdirSync(join(REPO, 'dist'), { recursive: true });
    const r = spawnSync(process.execPath, [join(REPO, 'bin/filet.js'), '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr + ' (run npm run build first)').toBe(0);
    expect(r.stdout).toMatch(/filet \d+\.\d+\.\d+/);
  });
});
