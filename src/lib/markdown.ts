import MarkdownIt from 'markdown-it';

/**
 * User Markdown becomes HTML with raw HTML switched off (tags are shown as text, never run) and
 * markdown-it's link validation, which refuses javascript:, vbscript: and data: URLs other than images.
 * Links open without handing over the opener.
 */
const renderer = new MarkdownIt({ html: false, linkify: true, breaks: false });

const defaultLinkOpen =
  renderer.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
renderer.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'nofollow noopener noreferrer');
  tokens[idx].attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(source: string): string {
  return renderer.render(source);
}
