import { resolve } from 'node:path';
import type { Command } from 'commander';
import { validateTimeZone } from '../../evidence/ingest.js';
import { detectReader } from '../../evidence/registry.js';
import type { ParsedRecord, ReaderNotes } from '../../model/types.js';
import { UserError } from '../../util/errors.js';

export function register(program: Command): void {
  program
    .command('parse')
    .description('run one evidence reader alone and print what it reads (no case; for inspection and tests)')
    .argument('<path>', 'an evidence file')
    .option('--json', 'JSON lines: one record per line, then the reader notes')
    .option('--device <label>', 'device label for device-scoped identities', 'device')
    .option('--owner <e164>', "the device owner's number")
    .option('--owner-name <name>', "how the owner's own messages are named in an export")
    .option('--tz <zone>', 'IANA time zone assumed for exports', 'UTC')
    .option('--locale <locale>', 'locale hint for ambiguous date orders')
    .option('--key-file <path>', 'key of an encrypted Android backup (files/key, files/encrypted_backup.key)')
    .option('--key <hex>', "a crypt15 backup's 64-digit key (never printed)")
    .addHelpText(
      'after',
      '\nExample:\n  filet parse "WhatsApp Chat with Group.zip" --json --tz Europe/Madrid | head',
    )
    .action(
      async (
        p: string,
        o: {
          json?: boolean;
          device: string;
          owner?: string;
          ownerName?: string;
          tz: string;
          locale?: string;
          keyFile?: string;
          key?: string;
        },
      ) => {
        const path = resolve(p);
        const { reader } = await detectReader(path).catch((err: unknown) => {
          if (err instanceof UserError) throw err;
          throw new UserError(String(err), { file: path });
        });
        const notes: ReaderNotes = {};
        const counts: Record<string, number> = {};
        const opts = {
          deviceLabel: o.device,
          tz: validateTimeZone(o.tz),
          locale: o.locale,
          owner: o.owner,
          ownerName: o.ownerName,
          // An encrypted backup is decrypted into a private temporary folder, removed after reading.
          decryption: { keyFile: o.keyFile, keyHex: o.key },
        };
        for await (const r of reader.read(path, opts, notes) as AsyncIterable<ParsedRecord>) {
          counts[r.type] = (counts[r.type] ?? 0) + 1;
          if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
        }
        if (o.json)
          process.stdout.write(
            JSON.stringify({ type: 'notes', kind: notes.kind ?? reader.kind, notes }) + '\n',
          );
        else {
          console.log(`${path}: ${String(notes.kind ?? reader.kind)}`);
          for (const [k, v] of Object.entries(counts)) console.log(`  ${k.padEnd(13)} ${v}`);
          console.log(`  notes: ${JSON.stringify(notes)}`);
        }
      },
    );
}
