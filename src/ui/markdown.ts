/**
 * Markdown for untrusted text (artifacts, descriptions): markdown-it with raw HTML turned off,
 * so every `<tag>` in the source comes out as text, and with its link check, which refuses
 * `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs. markdown-it is chosen over
 * marked + a sanitiser because it needs no DOM (Workers have none) and nothing has to be taken
 * out afterwards: what would be unsafe is never produced.
 */
import MarkdownIt from 'markdown-it';
import { raw } from 'hono/html';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const renderLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return renderLinkOpen(tokens, idx, options, env, self);
};

/** The HTML of `text` rendered as Markdown (safe to put in a page as is). */
export function markdownHtml(text: string): string {
  return md.render(text);
}

/** `text` rendered as Markdown, inside `<div class="markdown">`, for JSX. */
export function Markdown(props: { text: string; id?: string }) {
  return raw(`<div class="markdown"${props.id ? ` id="${md.utils.escapeHtml(props.id)}"` : ''}>${markdownHtml(props.text)}</div>`);
}
