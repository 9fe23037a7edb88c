import { readFileSync } from 'node:fs';
import { openCase } from './src/store/case-dir.js';
import { AnalysisStore } from './src/store/analysis-store.js';
import { phoneOfKey } from './test/analysis-accuracy.lib.js';
const truth = JSON.parse(readFileSync('/tmp/prio/demo/operation/truth.json', 'utf8'));
const { store } = await openCase('/tmp/prio/demo/case');
const acc = await new AnalysisStore(store).accounts();
const keys = new Map((await store.accounts()).map((a) => [a.id, a.key]));
const phoneOf = phoneOfKey(truth);
const tr = new Map(truth.accounts.map((a: any) => [a.phone, a]));
acc.slice(0, 15).forEach((a, i) => {
  const ph = phoneOf(keys.get(a.accountId)!);
  const t: any = ph ? tr.get(ph) : null;
  console.log(i + 1, a.score, keys.get(a.accountId), a.roles.join(','), '| truth:', t?.roles.join(','), '| obs:', t?.observableRoles.join(','), JSON.stringify(a.points));
});
console.log('truth producers', truth.accounts.filter((a: any) => a.roles.includes('producer')).map((a: any) => [a.phone, a.observableRoles.join(',')]));
await store.close();
