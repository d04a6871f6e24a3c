/**
 * Sign-in throttling through the Workers Rate Limiting binding, and the trusted-browser proof
 * that keeps a stranger from locking an account out (OWASP's "device cookie").
 *
 * Every attempt counts against its client address (`SIGN_IN_BY_CLIENT`). A password attempt
 * also counts against the account (`SIGN_IN_BY_ACCOUNT`), unless the browser proves it signed
 * in to that account before: then it counts against that browser alone. So guessing from many
 * addresses is slowed per account, and while a stranger exhausts the account's budget its
 * owner still signs in from their own browsers.
 */
import { hmacHex, randomHex, timingSafeEqual } from './crypto';
import type { User } from './actor';

/** The two rate limiters (bindings of wrangler.toml). */
export type SignInLimiters = { byClient: RateLimit; byAccount: RateLimit };

/** Whether a client may make one more attempt now (the attempt is counted). */
export async function allowClientAttempt(limiters: SignInLimiters, client: string): Promise<boolean> {
  return (await limiters.byClient.limit({ key: `client:${client}` })).success;
}

/**
 * Whether a password attempt on the account `login` names may be made now (counted): against
 * the browser's own budget when `trusted` proves it signed in to this user before, else
 * against the account's.
 */
export async function allowAccountAttempt(limiters: SignInLimiters, login: string, user: User | undefined, trusted: string | undefined): Promise<boolean> {
  const device = user && trusted ? await trustedDevice(user, trusted) : undefined;
  const key = device ? `device:${user!.id}:${device}` : `account:${login.toLowerCase()}`;
  return (await limiters.byAccount.limit({ key })).success;
}

function proofKey(user: User): string | undefined {
  return user.passwordHash ?? undefined;
}

/**
 * A proof that this browser signed in as `user`, for a cookie: `<user id>.<nonce>.<mac>`,
 * keyed by the user's password hash (a new password voids every proof). Undefined for users
 * without a password.
 */
export async function deviceProof(user: User): Promise<string | undefined> {
  const key = proofKey(user);
  if (!key) return undefined;
  const nonce = randomHex(12);
  return `${user.id}.${nonce}.${await hmacHex(key, `${user.id}.${nonce}`)}`;
}

/** The nonce of a valid proof for `user`, or undefined. */
async function trustedDevice(user: User, proof: string): Promise<string | undefined> {
  const [id, nonce, mac] = proof.split('.');
  const key = proofKey(user);
  if (!key || id !== String(user.id) || !nonce || !mac) return undefined;
  const expected = await hmacHex(key, `${id}.${nonce}`);
  const enc = new TextEncoder();
  return timingSafeEqual(enc.encode(expected), enc.encode(mac)) ? nonce : undefined;
}
