/**
 * An EvidenceFs whose entries are another one's under new names (a UFDR's device paths over its zip members,
 * a full file system zip re-rooted at its file system): duplicate names are kept apart by `NameTable` (the
 * bare name is refused, naming both), and every read can be checked against digests the vendor recorded.
 */
import type { Readable } from 'node:stream';
import {
  NameTable,
  copyEachOpened,
  writeHashed,
  type ContainerDescription,
  type CopyResult,
  type EvidenceFs,
  type RefusedEntry,
  type VfsEntry,
  type VfsKind,
} from '../vfs/index.js';
import { checkedStream, type ExpectedDigests } from './hash-check.js';
import { UserError } from '../../util/errors.js';

export interface MappedEntry {
  /** The name in the underlying EvidenceFs. */
  member: string;
  size: number;
  mtime: number | null;
  /** Digests the vendor recorded for these bytes, checked when the entry is read to its end. */
  expected?: ExpectedDigests;
  /** Why the digests are what they are (named in a mismatch). */
  expectedFrom?: string;
}

export class DescribedFs implements EvidenceFs {
  readonly refused: RefusedEntry[];
  private readonly table = new NameTable<MappedEntry>();

  constructor(
    readonly kind: VfsKind,
    readonly origin: string,
    private readonly inner: EvidenceFs,
    mapped: Array<{ path: string; index: number; entry: MappedEntry }>,
    refused: RefusedEntry[],
    readonly described: ContainerDescription,
  ) {
    this.refused = [...refused];
    for (const m of mapped) this.table.add(m.path, m.index, m.entry);
    for (const d of this.table.duplicates())
      this.refused.push({
        name: d.name,
        reason: `the same path ${d.indexes.length} times: kept apart as ${d.indexes.map((i) => `${d.name}#dup${i}`).join(', ')}`,
      });
  }

  async *entries(): AsyncGenerator<VfsEntry> {
    for (const [name, e] of this.table.listed()) yield this.entry(name, e);
  }

  private entry(path: string, e: MappedEntry): VfsEntry {
    return { path, size: e.size, mtime: e.mtime, ...(e.member !== path ? { rawName: e.member } : {}) };
  }

  async stat(path: string): Promise<VfsEntry | null> {
    const e = this.table.get(path, this.origin);
    return e ? this.entry(path, e) : null;
  }

  async open(path: string): Promise<Readable> {
    const e = this.table.get(path, this.origin);
    if (!e) throw new UserError(`no entry ${path}`, { file: this.origin });
    const src = await this.inner.open(e.member);
    if (!e.expected) return src;
    return checkedStream(
      src,
      e.expected,
      (algo, got, want) =>
        new UserError(
          `${e.expectedFrom ?? 'the extraction'} gives ${algo} ${want} for ${path}, but the bytes of ` +
            `${e.member} have ${got}: the extraction is damaged or inconsistent; nothing from it is read`,
          { file: this.origin, entry: e.member },
        ),
    );
  }

  async copyTo(path: string, dest: string): Promise<CopyResult> {
    return writeHashed(await this.open(path), dest);
  }

  copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>> {
    return copyEachOpened(this, wanted);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
