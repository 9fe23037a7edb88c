/**
 * An error the user can act on: the CLI prints its message as one line and exits non-zero, without a
 * stack trace. `where` names the file and the place in it (line, record, table) when known.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly where?: { file?: string; line?: number; record?: number; entry?: string; table?: string },
  ) {
    super(UserError.format(message, where));
    this.name = 'UserError';
  }

  private static format(message: string, where?: UserError['where']): string {
    if (!where) return message;
    const parts: string[] = [];
    if (where.file) parts.push(where.file);
    if (where.entry) parts.push(`entry ${where.entry}`);
    if (where.table) parts.push(`table ${where.table}`);
    if (where.line !== undefined) parts.push(`line ${where.line}`);
    if (where.record !== undefined) parts.push(`record ${where.record}`);
    return parts.length ? `${parts.join(', ')}: ${message}` : message;
  }
}
