/**
 * Plain PDQ lists as Meta's Hasher-Matcher-Actioner banks use them: one 64-hex PDQ per line, optionally
 * `hash,label`; blank lines and `#` comments are skipped. Record numbers count data lines only.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkHex, head } from './common.js';
import type { HashListEntry, HashListFormat, InvalidRecord } from './types.js';

async function* readPdqText(file: string): AsyncGenerator<HashListEntry | InvalidRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  let recordNo = 0;
  for await (const raw of lines) {
    line++;
    const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (!text || text.startsWith('#')) continue;
    recordNo++;
    const comma = text.indexOf(',');
    const hex = comma < 0 ? text : text.slice(0, comma).trim();
    const label = comma < 0 ? null : text.slice(comma + 1).trim() || null;
    const r = checkHex('pdq', hex);
    if ('problem' in r || !r.value) {
      yield { recordNo, line, problem: `line ${line}: ${'problem' in r ? r.problem : 'empty PDQ'}` };
      continue;
    }
    yield {
      recordNo,
      entryId: null,
      md5: null,
      sha1: null,
      sha256: null,
      pdq: r.value,
      photoDna: null,
      category: null,
      categoryLabel: null,
      label,
      extra: {},
    };
  }
}

export const pdqTextFormat: HashListFormat = {
  name: 'pdq',
  async detect(file) {
    const first = (await head(file, 4096))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('#'));
    return first && /^[0-9a-f]{64}(\s*,.*)?$/i.test(first) ? 0.95 : 0;
  },
  read: (file) => readPdqText(file),
};
