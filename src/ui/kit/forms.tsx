/**
 * How a UI form is written: plain HTML forms that work without JavaScript. The page shows a form
 * only to those who `canWrite`, with the hidden `Csrf` field; its route is declared with `write_ml`
 * (`mlForm` in src/http/routes.ts: the 403 page otherwise); its POST goes through `handleForm`: the
 * domain acts, the answer is a 303 to the page to show next — or, for a refusal the user can fix,
 * the page again with the problem in place.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env';
import { formBody } from '../../http/body';
import { can } from '../../access/policy';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from '../../errors';
import { problemStatus, type FixableError, type Problem } from './problems';

/** Whether the visitor may change ML data of the loaded project (developer or above, an `api` session). */
export const canWrite = (c: Context<AppEnv>) => can(c.get('access'), 'write_ml');

/** The hidden CSRF field every form that writes carries. */
export function Csrf(props: { c: Context<AppEnv> }) {
  return <input type="hidden" name="_csrf" value={props.c.get('actor')?.csrfToken ?? ''} />;
}

/** The text fields of a posted form (the CSRF field left out). */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await formBody(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
}

type FormOptions = {
  /** A missing thing is the user's to fix (the form names it, as an alias's version), not a missing page. */
  missingIsFixable?: boolean;
};

function isFixable(error: unknown, missingIsFixable: boolean): error is FixableError {
  if (error instanceof NotFoundError) return missingIsFixable;
  return error instanceof InvalidInputError || error instanceof AlreadyExistsError || error instanceof ConflictError;
}

/**
 * Runs a form (its route requires `write_ml`): `action` runs with the posted fields and the
 * answer is a 303 to the URL it returns. A refusal the user can fix (invalid
 * input, a name taken, a conflict) draws the page again through `rerender`, with the problem at `form`.
 */
export async function handleForm(
  c: Context<AppEnv>,
  form: string,
  action: (fields: Record<string, string>) => Promise<string>,
  rerender: (problem: Problem) => Promise<Response> | Response,
  options: FormOptions = {},
): Promise<Response> {
  const fields = await formFields(c);
  try {
    return c.redirect(await action(fields), 303);
  } catch (error) {
    if (!isFixable(error, options.missingIsFixable ?? false)) throw error;
    const field = error instanceof InvalidInputError ? error.field : undefined;
    return rerender({ form, message: error.message, field, values: fields, status: problemStatus(error) });
  }
}
