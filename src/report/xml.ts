/**
 * Text for XML and HTML. Case strings are attacker-controlled (group subjects, display names, message
 * text): every one goes through here. Characters XML 1.0 forbids (C0 controls other than tab/newline/CR,
 * lone surrogates, U+FFFE/U+FFFF) would make the whole file unparseable, so they become U+FFFD.
 */
const INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes for element text and (double- or single-quoted) attribute values alike. */
export function esc(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value)
    .replace(INVALID, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** For attribute values: also keeps tabs and line breaks (a parser would otherwise fold them to spaces). */
export function escAttr(value: unknown): string {
  return esc(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
