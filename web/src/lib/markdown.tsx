import MarkdownIt from 'markdown-it';

/**
 * User Markdown (ticket messages, answers) rendered without raw HTML: html:false escapes every tag, and
 * markdown-it's link validation drops javascript:, vbscript: and data: links. Links open in a new tab
 * without handing it our window.
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true });
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index].attrSet('rel', 'noopener noreferrer nofollow');
  tokens[index].attrSet('target', '_blank');
  return defaultLinkOpen(tokens, index, options, env, self);
};

export function Markdown({ text, className }: { text: string; className?: string }) {
  return <div className={className ? `markdown ${className}` : 'markdown'} dangerouslySetInnerHTML={{ __html: md.render(text) }} />;
}
