import type { users } from '../db/schema';

/** A user row as the domain sees it. */
export type User = typeof users.$inferSelect;

/** Token scopes, as GitLab names them. */
export type Scope = 'api' | 'read_api';

/** Who is calling, and through what: a token's scopes bound what they may do. */
export type Actor = {
  user: User;
  /** `api` may do everything the user may; `read_api` only reads. */
  scopes: readonly Scope[];
  via: 'token' | 'session';
  /** For sessions: the CSRF token every state-changing request must carry. */
  csrfToken?: string;
  /** The token presented, or the token the session was started with (null: a password session). */
  tokenId: number | null;
  /** When the credential stops working (null: never); tokens it creates expire no later. */
  expiresAt: number | null;
};

/** True when the actor's scopes allow writing (not only reading). */
export function canWrite(actor: Actor): boolean {
  return actor.scopes.includes('api');
}
