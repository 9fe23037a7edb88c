import type { CaseStore } from '../../src/store/case-store.js';

/**
 * What "the same case" means when one evidence shape is compared with another (a container against the bare
 * database it holds): the same messages (by key), events, media (by SHA-256), groups and memberships.
 */
export async function caseFacts(store: CaseStore) {
  const keys: string[] = [];
  for await (const page of store.messages()) for (const m of page) keys.push(m.key);
  const counts = await store.counts();
  return {
    messages: counts.messages,
    events: counts.events,
    media: counts.media,
    groups: counts.groups,
    members: (await store.memberships()).length,
    messageKeys: keys.sort(),
    mediaSha256: (await store.media()).map((m) => m.sha256).sort(),
    presentMedia: (await store.media()).filter((m) => m.present).length,
  };
}
