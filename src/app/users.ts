import { checkPasswordStrength, hashPassword } from '../server/passwords.js';
import type { CaseStore } from '../store/case-store.js';
import { USER_ROLES, UserStore, type AccountRole } from '../store/user-store.js';
import { UserError } from '../util/errors.js';

/**
 * Adds a web user to a scope: a case's own users (a role in it) or an installation's (admin or member), with
 * the password hashed with scrypt here (it never reaches the store). The CLI and the web app's
 * administration both come here, so the name and password rules are one.
 */
export async function addUser(
  store: CaseStore,
  name: string,
  role: AccountRole,
  password: string,
  allowed: readonly AccountRole[] = USER_ROLES,
): Promise<void> {
  if (!/^[\w.@-]{1,100}$/.test(name))
    throw new UserError(`user names are 1-100 letters, digits, . _ @ or -; got "${name}"`);
  if (!allowed.includes(role)) throw new UserError(`unknown role "${role}" (use ${allowed.join(', ')})`);
  // The one place a password is set: the rule (length, common passwords, patterns, the name) applies here.
  const weak = checkPasswordStrength(password, name);
  if (weak) throw new UserError(weak);
  const users = new UserStore(store);
  if (await users.getUser(name)) throw new UserError(`user "${name}" already exists`);
  const h = await hashPassword(password);
  await users.addUser({
    name,
    role,
    passwordHash: h.hash,
    passwordSalt: h.salt,
    passwordParams: h.params,
    createdAt: Date.now(),
  });
}
