import type { Database } from '../db/client';
import { setFlag } from '../flags/flags';
import { createProject } from './projects';
import { createToken, hasUsers } from './tokens';
import { createUser } from './users';
import { AlreadyExistsError } from '../errors';

/** The first admin's username. */
export const BOOTSTRAP_USERNAME = 'root';

/**
 * Creates the instance's first admin, `root`, whose token is `secret`, if no user exists yet.
 * With `demo`, also a project `root/demo` with ml_experiment_tracking on for it (local runs).
 * Returns whether it created anything.
 */
export async function bootstrapInstance(db: Database, kv: KVNamespace, secret: string, demo: boolean): Promise<boolean> {
  if (await hasUsers(db)) return false;
  let admin;
  try {
    admin = await createUser(db, { username: BOOTSTRAP_USERNAME, name: 'Administrator', email: 'root@flaretrack.invalid', isAdmin: true });
  } catch (e) {
    if (e instanceof AlreadyExistsError) return false; // a concurrent request won the race
    throw e;
  }
  // The bootstrap token is the deployment's own secret: it does not expire (rotate the secret instead).
  await createToken(db, { userId: admin.id, name: 'bootstrap', scopes: ['api'], expiresAt: null, secret });
  if (demo) {
    const project = await createProject(db, admin.id, { namespace: 'root', path: 'demo', name: 'Demo' });
    await setFlag(kv, 'ml_experiment_tracking', true, project.id);
  }
  return true;
}
