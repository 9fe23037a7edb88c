/** Paging shared by every list: the route's schema bounds `limit` to 1…500. */
export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export function page<T>(all: T[], offset = 0, limit = 50): Page<T> {
  return { total: all.length, offset, limit, items: all.slice(offset, offset + limit) };
}

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** The ISO time of a fact that always has one (a message's, an event's). */
export const isoAt = (ms: number): string => new Date(ms).toISOString();

/** An error a route turns into its status code and message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}
