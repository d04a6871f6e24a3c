/**
 * The pager under a list: a link back (to the first or the previous page) and one to the next
 * page, shown only when there is one. With `target` the links swap that element through htmx
 * (keeping the address bar true); without, they are plain links.
 */
import type { Child } from 'hono/jsx';
import { SwapLink } from './components';

/** One link of the pager. */
export type PageLink = { href: string; label: string };

/** `back` and `next` (absent: no such page), then `children` (e.g. a download link). */
export function Pager(props: { back?: PageLink; next?: PageLink; target?: string; children?: Child }) {
  const { back, next, target } = props;
  const link = (to: PageLink, rel?: string) =>
    target ? (
      <SwapLink href={to.href} target={target} rel={rel}>
        {to.label}
      </SwapLink>
    ) : (
      <a href={to.href} rel={rel}>
        {to.label}
      </a>
    );
  return (
    <nav class="pager" aria-label="Pages">
      {back ? link(back, 'prev') : null}
      {next ? link(next, 'next') : null}
      {props.children}
    </nav>
  );
}

/** The 1-based `?page=` of an offset-paged list, clamped to 1…`max` (anything else is page 1). */
export const pageNumber = (raw: string | undefined, max = 100_000) => Math.max(1, Math.min(max, Number.parseInt(raw ?? '1', 10) || 1));
