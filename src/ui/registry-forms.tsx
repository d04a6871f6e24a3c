/**
 * What the model registry pages share: their URLs, the CSRF field, an error shown where its
 * form is, and the rule every registry form follows: check `write_ml` (403 otherwise), call the
 * domain, then redirect (303) — or show the domain's refusal next to the form that caused it.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { requireAbility } from '../http/middleware';
import { can } from '../access/policy';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from '../errors';
import { routes } from '../http/routes';
import { projectParams, withQuery } from './paths';

type ProjectRef = { namespace: string; path: string };

/** The models list. */
export const modelsPath = (p: ProjectRef) => routes.ui.models.link(projectParams(p));
/** A registered model's page. */
export const modelPath = (p: ProjectRef, name: string) => routes.ui.model.link({ ...projectParams(p), name });
/** A model version's page. */
export const versionPath = (p: ProjectRef, name: string, version: number) => routes.ui.modelVersion.link({ ...projectParams(p), name, version });
/** The "promote to model version" form of a candidate. */
export const promotePath = (p: ProjectRef, candidateId: number) => routes.ui.promoteCandidate.link({ ...projectParams(p), candidate_id: candidateId });
export { withQuery };

/** Whether the visitor may change the registry (developer or above, an `api` session). */
export const canWrite = (c: Context<AppEnv>) => can(c.get('access'), 'write_ml');

/** The hidden CSRF field every form that writes carries. */
export function Csrf(props: { c: Context<AppEnv> }) {
  return <input type="hidden" name="_csrf" value={props.c.get('actor')?.csrfToken ?? ''} />;
}

/** A refusal shown in place: which form it belongs to, the message and what was typed. */
export type Problem = { form: string; message: string; field?: string; values: Record<string, string> };

/** The error box of form `form`, when the problem is its. */
export function FormError(props: { problem?: Problem; form: string }) {
  if (!props.problem || props.problem.form !== props.form) return null;
  return (
    <p class="alert" role="alert" id={`${props.form}-error`}>
      {props.problem.message}
    </p>
  );
}

/** What was typed into `field` of `form` when it was refused (to fill the form again). */
export const typed = (problem: Problem | undefined, form: string, field: string, fallback = '') =>
  problem && problem.form === form ? (problem.values[field] ?? fallback) : fallback;

/** The status a refusal is shown with. */
export function problemStatus(error: unknown): 400 | 404 | 409 {
  if (error instanceof AlreadyExistsError || error instanceof ConflictError) return 409;
  if (error instanceof NotFoundError) return 404;
  return 400;
}

/** The text fields of a posted form. */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
}

/**
 * Runs a registry form: `write_ml` is required (ForbiddenError → the 403 page), then `action`
 * runs and answers a redirect to the URL it returns. A refusal the user can fix (invalid input,
 * a name taken, a missing version or alias target) re-renders the page with the error at `form`.
 */
export async function handleForm(
  c: Context<AppEnv>,
  form: string,
  action: (fields: Record<string, string>) => Promise<string>,
  rerender: (problem: Problem, status: 400 | 404 | 409) => Promise<Response> | Response,
): Promise<Response> {
  requireAbility(c, 'write_ml');
  const fields = await formFields(c);
  try {
    return c.redirect(await action(fields), 303);
  } catch (error) {
    const fixable = error instanceof InvalidInputError || error instanceof AlreadyExistsError || error instanceof ConflictError;
    // a missing model or version named in the form (not in the URL) is the user's to fix too
    const missingTarget = error instanceof NotFoundError && form.startsWith('alias');
    if (!fixable && !missingTarget) throw error;
    const field = error instanceof InvalidInputError ? error.field : undefined;
    return rerender({ form, message: (error as Error).message, field, values: fields }, problemStatus(error));
  }
}
