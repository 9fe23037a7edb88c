import type { CaseStore } from '../store/case-store.js';
import { InstallationStore } from '../store/installation-store.js';
import { UserStore, type CaseRole } from '../store/user-store.js';
import { UserError } from '../util/errors.js';

/**
 * Who works on which case, as the CLI (`filet workspace member …`) and the web app (a lead's team page)
 * change it. Both run these inside the transaction of their audit entry (`s`), so the rules — an active
 * user, and a case that keeps at least one lead — are checked on what the change commits against.
 */
export async function setCaseMember(
  s: CaseStore,
  m: { caseId: string; userName: string; role: CaseRole; by: string },
): Promise<{ before: CaseRole | null }> {
  const inst = new InstallationStore(s);
  const u = await new UserStore(s).getUser(m.userName);
  if (!u || u.disabledAt !== null) throw new UserError(`no active user "${m.userName}" in this workspace`);
  const before = await inst.roleIn(m.userName, m.caseId);
  if (before === 'lead' && m.role !== 'lead' && (await leadsBesides(inst, m.caseId, m.userName)) === 0)
    throw new UserError('a case keeps at least one lead');
  await inst.setMember({
    caseId: m.caseId,
    userName: m.userName,
    role: m.role,
    addedAt: Date.now(),
    addedBy: m.by,
  });
  return { before };
}

export async function removeCaseMember(
  s: CaseStore,
  m: { caseId: string; caseName: string; userName: string },
): Promise<void> {
  const inst = new InstallationStore(s);
  if (
    (await inst.roleIn(m.userName, m.caseId)) === 'lead' &&
    (await leadsBesides(inst, m.caseId, m.userName)) === 0
  )
    throw new UserError('a case keeps at least one lead');
  if (!(await inst.removeMember(m.caseId, m.userName)))
    throw new UserError(`"${m.userName}" is not a member of "${m.caseName}"`);
}

async function leadsBesides(inst: InstallationStore, caseId: string, userName: string): Promise<number> {
  return (await inst.members(caseId)).filter((m) => m.role === 'lead' && m.userName !== userName).length;
}
