/** The confirmation page of a deletion: one POST button and a way back; works without JavaScript. */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env';
import { page, type Crumb } from '../layout';
import { Csrf } from './forms';

/** What is deleted (`what`), what goes with it (`consequence`), where the POST goes and where Cancel leads. */
export type Confirmation = { title: string; what: string; consequence: string; action: string; cancel: string; crumbs: Crumb[] };

/** Answers the confirmation page. */
export function confirmPage(c: Context<AppEnv>, opts: Confirmation) {
  return page(c, {
    title: opts.title,
    crumbs: opts.crumbs,
    styles: ['/assets/ml.css'],
    body: (
      <section class="narrow">
        <h1>{opts.title}</h1>
        <p>
          Delete <strong>{opts.what}</strong>? {opts.consequence} This cannot be undone.
        </p>
        <form method="post" action={opts.action} class="toolbar">
          <Csrf c={c} />
          <button type="submit" class="danger">
            Delete
          </button>
          <a class="button secondary" href={opts.cancel}>
            Cancel
          </a>
        </form>
      </section>
    ),
  });
}
