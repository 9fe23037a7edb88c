import { readFileSync } from 'node:fs';

/** The tool version recorded on every evidence item and case (chain of custody asks which tool read it). */
export const TOOL_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return `filet ${pkg.version}`;
  } catch {
    return 'filet (unknown version)';
  }
})();
