/** The "Description" section of a registered model or version: the text as Markdown (markdown.ts), and its edit form for a writer. */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env';
import { canWrite, Csrf } from './forms';
import { FormError, typed, type Problem } from './problems';
import { Markdown } from '../markdown';

/** The description, with an edit form (problem form `description`) for those who may write. */
export function DescriptionEditor(props: { c: Context<AppEnv>; description: string; action: string; problem?: Problem }) {
  const { c, problem } = props;
  return (
    <section aria-labelledby="description-title">
      <h2 id="description-title">Description</h2>
      {props.description ? <Markdown text={props.description} id="description-text" /> : null}
      {canWrite(c) ? (
        <form method="post" action={props.action} class="stack" id="description-form">
          <Csrf c={c} />
          <FormError problem={problem} form="description" id="description-error" />
          <label>
            <span class="muted">{props.description ? 'Edit the description' : 'Write a description'} (Markdown)</span>
            <textarea name="description" rows={4} maxlength={5000}>
              {typed(problem, 'description', 'description', props.description)}
            </textarea>
          </label>
          <div>
            <button type="submit">Save description</button>
          </div>
        </form>
      ) : props.description ? null : (
        <p class="empty">No description.</p>
      )}
    </section>
  );
}
