/** Small pieces the pages share: htmx-enhanced links, numbers with their full value, times, copy boxes. */
import type { Child } from 'hono/jsx';
import { formatAgo, formatNumber, formatTime, fullNumber, isoTime } from '../format';

/**
 * A GET form that searches as you type: with htmx it swaps `target` (outerHTML) with the
 * fragment its URL answers and keeps the address bar true; without JavaScript it submits.
 */
export function ActiveSearch(props: { action: string; target: string; children: Child }) {
  return (
    <form
      method="get"
      action={props.action}
      class="toolbar"
      role="search"
      hx-get={props.action}
      hx-target={props.target}
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="input changed delay:300ms, change changed, submit"
      hx-indicator="#loading"
    >
      {props.children}
    </form>
  );
}

/**
 * A link that works without JavaScript and, with htmx, swaps `target` (outerHTML) with the
 * fragment the same URL answers, keeping the address bar true.
 */
export function SwapLink(props: { href: string; target: string; children: Child; class?: string; rel?: string; 'aria-label'?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      rel={props.rel}
      aria-label={props['aria-label']}
      hx-get={props.href}
      hx-target={props.target}
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-indicator="#loading"
    >
      {props.children}
    </a>
  );
}

/** A number to 4 significant decimals; hovering shows the full value. */
export function Num(props: { value: number | null | undefined }) {
  if (props.value === null || props.value === undefined) return <span class="muted">—</span>;
  return <span title={fullNumber(props.value)}>{formatNumber(props.value)}</span>;
}

/** A time in UTC, machine-readable too. */
export function Time(props: { ms: number | null | undefined }) {
  if (props.ms == null) return <span class="muted">—</span>;
  return <time datetime={isoTime(props.ms)}>{formatTime(props.ms)}</time>;
}

/** A time relative to now, compactly ("5 min ago"); hovering shows the full time in UTC. */
export function RelativeTime(props: { ms: number | null | undefined; now?: number }) {
  if (props.ms == null) return <span class="muted">—</span>;
  return (
    <time datetime={isoTime(props.ms)} title={formatTime(props.ms)}>
      {formatAgo(props.ms, props.now ?? Date.now())}
    </time>
  );
}

/** Text with a copy button (the button copies the element `id`'s text). */
export function Copyable(props: { id: string; text: string; block?: boolean }) {
  return (
    <span class="copy-row">
      {props.block ? (
        <pre class="snippet" id={props.id}>
          {props.text}
        </pre>
      ) : (
        <code id={props.id}>{props.text}</code>
      )}
      <button type="button" class="secondary" data-copy-target={props.id}>
        Copy
      </button>
    </span>
  );
}

/** A run status badge. */
export function Status(props: { status: string }) {
  return <span class={`status status-${props.status.replace(/[^A-Z]/g, '')}`}>{props.status}</span>;
}
