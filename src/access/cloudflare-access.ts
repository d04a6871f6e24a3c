/**
 * Single sign-on through Cloudflare Access. An instance behind Access receives, on every request
 * that passed the team's policy, the `Cf-Access-Jwt-Assertion` JWT: signed (RS256) by the team's
 * keys, issued by `https://<team>.cloudflareaccess.com`, for the application's audience tag. It is
 * verified with jose against the team's published keys; the identity's email names the user.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { users } from '../db/schema';
import { AlreadyExistsError, ForbiddenError, UnauthenticatedError } from '../errors';
import type { User } from './actor';
import { createUser } from './users';

/** The settings of an instance behind Access (from its vars). */
export type AccessSettings = {
  /** The team domain: `myteam`, `myteam.cloudflareaccess.com` or its https URL. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience (AUD) tag. */
  ACCESS_AUD?: string;
  /** "true": a verified email without a user gets one on first sign-in. */
  ACCESS_CREATE_USERS?: string;
  /** A JSON key set used instead of the team's published certs (tests; no network). */
  ACCESS_JWKS?: string;
};

/** How this instance checks Access JWTs. */
export type AccessConfig = { issuer: string; audience: string; createUsers: boolean; keys: JWTVerifyGetKey };

// One key set per source and isolate: the remote set caches the team's keys between requests.
const keySets = new Map<string, JWTVerifyGetKey>();

function keySet(source: string, make: () => JWTVerifyGetKey): JWTVerifyGetKey {
  let keys = keySets.get(source);
  if (!keys) keySets.set(source, (keys = make()));
  return keys;
}

/** The Access configuration, or null when the instance is not behind Access. */
export function accessConfig(settings: AccessSettings): AccessConfig | null {
  const team = settings.ACCESS_TEAM_DOMAIN?.trim();
  const audience = settings.ACCESS_AUD?.trim();
  if (!team || !audience) return null;
  const host = team.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const issuer = `https://${host.includes('.') ? host : `${host}.cloudflareaccess.com`}`;
  const local = settings.ACCESS_JWKS;
  const keys = local
    ? keySet(local, () => createLocalJWKSet(JSON.parse(local) as JSONWebKeySet))
    : keySet(issuer, () => createRemoteJWKSet(new URL(`${issuer}/cdn-cgi/access/certs`)));
  return { issuer, audience, createUsers: settings.ACCESS_CREATE_USERS === 'true', keys };
}

/** A verified Access identity: a person (email) or a service token (no email). */
export type AccessIdentity = { email: string | null; subject: string };

/** Verifies an Access JWT; UnauthenticatedError saying why when it does not check out. */
export async function verifyAccessJwt(config: AccessConfig, token: string): Promise<AccessIdentity> {
  try {
    const { payload } = await jwtVerify(token, config.keys, { issuer: config.issuer, audience: config.audience, algorithms: ['RS256'] });
    return { email: typeof payload.email === 'string' && payload.email ? payload.email : null, subject: payload.sub ?? '' };
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new UnauthenticatedError('the Cloudflare Access token has expired; reload the page to sign in again');
    if (e instanceof errors.JWTClaimValidationFailed) throw new UnauthenticatedError(`the Cloudflare Access token is not for this application (${e.claim})`);
    if (e instanceof errors.JOSEError && !(e instanceof errors.JWKSTimeout)) throw new UnauthenticatedError('the Cloudflare Access token is not valid');
    throw e;
  }
}

/** A username from an email's local part; later attempts add a number. */
function usernameFor(email: string, attempt: number): string {
  const base = email.split('@')[0].replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 200) || 'user';
  return attempt === 0 ? base : `${base}${attempt + 1}`;
}

/**
 * The user an Access email belongs to (case-insensitive). Created on first sign-in when the
 * instance allows it; else ForbiddenError. A blocked user is refused.
 */
export async function accessUser(db: Database, email: string, create: boolean): Promise<User> {
  const find = () => db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).get();
  let user = await find();
  for (let attempt = 0; !user && attempt < 20; attempt++) {
    if (!create) throw new ForbiddenError(`${email} has no flaretrack user; ask an administrator to create one`);
    try {
      user = await createUser(db, { username: usernameFor(email, attempt), name: email.split('@')[0] || email, email });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      user = await find(); // created meanwhile by a concurrent sign-in, else the username was taken
    }
  }
  if (!user) throw new ForbiddenError(`no username is free for ${email}; ask an administrator to create the user`);
  if (user.isBlocked) throw new ForbiddenError('this user is blocked');
  return user;
}

/** Whether a user row belongs to a verified email. */
export const isUserOf = (user: User, email: string) => user.email.toLowerCase() === email.toLowerCase();
