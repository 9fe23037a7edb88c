/**
 * Vendor extractions as EvidenceFs views, registered with the VFS so that discovery, `filet ingest` and
 * nested containers in folders meet them like any container:
 * - Cellebrite UFDR (a zip with report.xml at its root, by content): src/evidence/cellebrite/ufdr.ts;
 * - Cellebrite full file system: the `.ufd`, the `.ufdx` listing it, or the zip a `.ufd` beside it names
 *   in `[Dumps]` (the folder holding them is searched as a folder and meets the zip): ffs.ts, ufd.ts;
 * - GrayKey `<UDID>_files_full.zip`: ffs.ts.
 */
import { basename } from 'node:path';
import { UserError } from '../../util/errors.js';
import { containerKind, registerFsOpener } from '../vfs/index.js';
import { GRAYKEY_NAME, openFfs, openGrayKey } from './ffs.js';
import { looksLikeUfd, looksLikeUfdx, readUfdx, ufdNamingZip, ufdxExtractions } from './ufd.js';
import { looksLikeUfdr, openUfdr } from './ufdr.js';

const isZip = async (path: string) => (await containerKind(path).catch(() => null)) === 'zip';

registerFsOpener({
  name: 'cellebrite-ufdr',
  claims: async (path) => (await isZip(path)) && looksLikeUfdr(path),
  open: openUfdr,
});

registerFsOpener({
  name: 'cellebrite-ufdx',
  claims: looksLikeUfdx,
  expand: async (path) => ufdxExtractions(await readUfdx(path)),
  open: async (path) => {
    const ufds = await ufdxExtractions(await readUfdx(path));
    if (ufds.length !== 1)
      throw new UserError(
        `the .ufdx lists ${ufds.length} extractions: give them one at a time (${ufds.join(', ')})`,
        {
          file: path,
        },
      );
    return openFfs(ufds[0]!);
  },
});

registerFsOpener({ name: 'cellebrite-ufd', claims: looksLikeUfd, open: openFfs });

registerFsOpener({
  name: 'cellebrite-ffs-zip',
  // The zip is the dump of the .ufd beside it that names it; two such .ufd files are an error, not a choice.
  claims: async (path) => (await isZip(path)) && (await ufdNamingZip(path)) !== null,
  open: async (path) => {
    const ufd = await ufdNamingZip(path);
    if (!ufd) throw new UserError('no .ufd beside this zip names it in [Dumps]', { file: path });
    return openFfs(ufd);
  },
});

registerFsOpener({
  name: 'graykey',
  claims: async (path) => GRAYKEY_NAME.test(basename(path)) && (await isZip(path)),
  open: openGrayKey,
});
