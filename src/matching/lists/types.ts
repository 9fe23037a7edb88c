/** Common shapes of the known-material hash-list readers (one plug-in per exchange format). */

/** Normalized categories; the list's own value is always kept beside them in `categoryLabel`. */
export type NormalizedCategory =
  | 'uncategorized'
  | 'non-pertinent'
  | 'cam'
  | 'exploitive'
  | 'cgi-animation'
  | 'comparison'
  | 'uk-a'
  | 'uk-b'
  | 'uk-c';

export interface HashListEntry {
  /** 1-based position of the record in the list (media records for VICS, data lines for text lists). */
  recordNo: number;
  entryId: string | null;
  /** Lower-case hex, validated for length. */
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  pdq: string | null;
  /** Kept as written: PhotoDNA cannot be computed here, only matched by equality. */
  photoDna: string | null;
  category: NormalizedCategory | null;
  categoryLabel: string | null;
  label: string | null;
  /** Fields this reader does not map, kept as read (booleans written as strings normalized). */
  extra: Record<string, unknown>;
}

/** A record that could not be read: reported with its place, never silently dropped. */
export interface InvalidRecord {
  recordNo: number;
  line?: number;
  problem: string;
}

export type CategoryScheme = 'vics-us' | 'legacy';

export interface ReadListOptions {
  categoryScheme: CategoryScheme;
}

export interface HashListFormat {
  name: 'vics' | 'csv' | 'pdq';
  /** 0 (not this format) … 1 (certainly), decided from the first bytes of the file. */
  detect(file: string): Promise<number>;
  /** Throws `UserError` (naming the file and place) when the file as a whole cannot be read. */
  read(file: string, opts: ReadListOptions): AsyncIterable<HashListEntry | InvalidRecord>;
}

export function isInvalid(r: HashListEntry | InvalidRecord): r is InvalidRecord {
  return 'problem' in r;
}
