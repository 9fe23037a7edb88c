import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { IngestOutcome } from '../../evidence/ingest.js';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { ingestAudited } from '../../app/case-actions.js';
import { printJson, withCase } from '../context.js';

interface IngestCliOptions {
  owner?: string;
  ownerName?: string;
  device?: string;
  examiner?: string;
  acquired?: string;
  tz?: string;
  locale?: string;
  store?: string;
  json?: boolean;
  match?: boolean;
  keyFile?: string;
  key?: string;
  backupPassword?: string;
}

/** An iTunes / Finder backup holding a second WhatsApp instance says so (it is not read in this item). */
function backupRemark(notes: Record<string, unknown>): string {
  const others = (notes.backup as { otherWhatsAppInstances?: string[] } | undefined)?.otherWhatsAppInstances;
  return others?.length ? `; also in the backup, not read: ${others.join(', ')}` : '';
}

function describe(o: IngestOutcome): string {
  switch (o.status) {
    case 'ingested': {
      const s = o.stats;
      return (
        `${o.path}: evidence #${o.evidence.id} (${o.evidence.kind}, sha256 ${o.evidence.sha256.slice(0, 16)}…): ` +
        `${s.messages.new} messages new, ${s.messages.duplicate} already known; ${s.events.new} events; ` +
        `${s.accounts.new} identities new; ${s.media.new} media new (${s.media.present} files hashed)` +
        (s.unclassified ? `; ${s.unclassified} lines not classified (kept, see the evidence notes)` : '') +
        backupRemark(o.evidence.notes)
      );
    }
    case 'already-ingested':
      return `${o.path}: already in the case as evidence #${o.evidence.id} (same SHA-256); nothing changed`;
    case 'duplicate-argument':
      return `${o.path}: same file as ${o.sameAs} given earlier in this command; skipped`;
  }
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description('read evidence files into a case, each in one transaction, with provenance')
    .argument('<case>', 'the case folder')
    .argument(
      '<paths...>',
      'evidence files (chat export .txt/.zip, device databases, iTunes / Finder backup folders, …)',
    )
    .option('--device <label>', 'label of the device the evidence comes from')
    .option('--owner <e164>', "the device owner's number, e.g. +34600000123")
    .option('--owner-name <name>', "how the owner's own messages are named in an export")
    .option('--examiner <name>', 'who acquired the evidence')
    .option('--acquired <iso-date>', 'when it was acquired (ISO 8601)')
    .option('--tz <zone>', 'IANA time zone assumed for exports (default UTC, recorded)')
    .option('--locale <locale>', 'locale hint for ambiguous date orders (en-US, es, de, …)')
    .option(
      '--key-file <path>',
      'key of an encrypted Android backup: files/key (crypt12/14), files/encrypted_backup.key (crypt15)',
    )
    .option(
      '--key <hex>',
      "a crypt15 backup's 64-digit end-to-end key (never recorded in the case or its audit log)",
    )
    .option(
      '--backup-password <password>',
      'password of an encrypted iTunes / Finder backup folder (used to decrypt; never stored or audited)',
    )
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--no-match', 'do not compare the new media with the case\'s lists now (they stay "unmatched")')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet ingest ./op-x "WhatsApp Chat with Group.zip" --device phone-A --owner +34600000123 --tz Europe/Madrid' +
        '\n  filet ingest ./op-x Databases/msgstore.db.crypt15 --key-file files/encrypted_backup.key --device phone-B',
    )
    .action(async (dir: string, paths: string[], o: IngestCliOptions) => {
      let acquiredAt: number | null = null;
      if (o.acquired) {
        acquiredAt = Date.parse(o.acquired);
        if (Number.isNaN(acquiredAt))
          throw new UserError(`--acquired: not an ISO 8601 date: "${o.acquired}"`);
      }
      if (o.owner && !/^\+[1-9]\d{6,14}$/.test(o.owner)) {
        throw new UserError(`--owner must be an E.164 number like +34600000123, got "${o.owner}"`);
      }
      const { outcomes, match } = await withCase(dir, o, async ({ store, dir: caseDir }) => {
        const bar = progress('ingest', 0, { quiet: o.json });
        try {
          return await ingestAudited(
            store,
            caseDir,
            paths,
            {
              device: o.device,
              owner: o.owner,
              ownerName: o.ownerName,
              examiner: o.examiner,
              acquiredAt,
              tz: o.tz,
              locale: o.locale,
              keyFile: o.keyFile,
              key: o.key,
              backupPassword: o.backupPassword,
              onProgress: (n) => bar.tick(n),
            },
            {
              paths,
              device: o.device,
              owner: o.owner,
              tz: o.tz ?? 'UTC',
              locale: o.locale,
              examiner: o.examiner,
              ...(o.keyFile ? { keyFile: resolve(o.keyFile) } : {}),
              // The key itself never goes into the audit log.
              ...(o.key ? { key: 'given on the command line (not recorded)' } : {}),
              // --backup-password is deliberately absent: only whether one was given is audited.
              ...(o.backupPassword !== undefined ? { backupPassword: 'given (not recorded)' } : {}),
            },
            { match: o.match !== false },
          );
        } finally {
          bar.stop();
        }
      });
      if (o.json) printJson(outcomes);
      else {
        for (const x of outcomes) console.log(describe(x));
        if (match)
          console.log(
            `matched against the case's lists: ${match.known} known material, ${match.novel} novel, ${match.unmatched} unmatched`,
          );
      }
    });
}
