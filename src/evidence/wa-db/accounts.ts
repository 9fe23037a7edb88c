import type { Location, ParsedAccount } from '../../model/types.js';
import { phoneOfKey } from './jids.js';

/**
 * Emits each identity once per evidence item, the first time it is met, with every JID it was seen under
 * so far (later JIDs of a known identity are added by a second record, rare in practice).
 */
export class AccountEmitter {
  private readonly jids = new Map<string, Set<string>>();

  constructor(private readonly ownerKey: string) {}

  /** Returns a record to emit when `key` (or this `jid` of it) is new. */
  see(key: string, jid: string | null, loc: Location, displayName?: string | null): ParsedAccount | null {
    let set = this.jids.get(key);
    const isNew = !set;
    if (!set) this.jids.set(key, (set = new Set()));
    if (jid && set.has(jid)) return null;
    if (!isNew && !jid) return null;
    if (jid) set.add(jid);
    return {
      type: 'account',
      key,
      phone: phoneOfKey(key),
      jids: jid ? [jid] : [],
      displayNames: displayName && key !== this.ownerKey ? [displayName] : [],
      loc,
    };
  }

  get size(): number {
    return this.jids.size;
  }
}
