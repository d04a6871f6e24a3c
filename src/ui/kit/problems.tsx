/**
 * Refusals shown where they happened: a `Problem` is a domain error the user can fix, tied to the
 * form that caused it and what was typed there, so the page can be drawn again with the message in
 * place and the fields filled in.
 */
import type { Child } from 'hono/jsx';
import { httpStatusOf, type AlreadyExistsError, type ConflictError, type InvalidInputError, type NotFoundError } from '../../errors';

/** A refusal shown in place: the form it belongs to, the message, the field it names, what was typed, its status. */
export type Problem = { form: string; message: string; field?: string; values: Record<string, string>; status: ProblemStatus };

/** The statuses a page drawn with a problem answers with. */
export type ProblemStatus = 400 | 404 | 409;

/** The refusals a form shows in place. */
export type FixableError = InvalidInputError | AlreadyExistsError | ConflictError | NotFoundError;

/** The status a refusal is shown with: the one its error kind has everywhere (`httpStatusOf`). */
export const problemStatus = (error: FixableError) => httpStatusOf(error) as ProblemStatus;

/** A message box read out when it appears (`role="alert"`). */
export function Alert(props: { id?: string; children: Child }) {
  return (
    <p class="alert" role="alert" id={props.id}>
      {props.children}
    </p>
  );
}

/** The error box of form `form`, when the problem is its; `id` lets the form point at it. */
export function FormError(props: { problem?: Problem; form: string; id?: string }) {
  if (!props.problem || props.problem.form !== props.form) return null;
  return <Alert id={props.id}>{props.problem.message}</Alert>;
}

/** What was typed into `field` of `form` when it was refused (to fill the form again), else `fallback`. */
export const typed = (problem: Problem | undefined, form: string, field: string, fallback = '') =>
  problem && problem.form === form ? (problem.values[field] ?? fallback) : fallback;
