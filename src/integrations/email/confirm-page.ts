import { escapeHtml } from '../../lib/html.ts';
import { CONFIRM_PATH, type RequestState } from './requests.ts';

/**
 * The page of a confirmation link. Plain HTML with a form and no script (the strict Content-Security-Policy):
 * opening the link only shows it, so a mail scanner or a link preview that fetches it opens nothing; the
 * button posts, and only that opens the ticket.
 */
function page(title: string, body: string, options: { refresh?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${options.refresh ? '<meta http-equiv="refresh" content="3">\n' : ''}<title>${escapeHtml(title)} — Backline</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
  button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border: 0; border-radius: 6px; background: #1f883d; color: #fff; cursor: pointer; }
  .note { color: #59636e; font-size: .9rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export function confirmPage(state: RequestState, token: string, ticketUrl: (id: string) => string): string {
  const repo = escapeHtml(state.repo);
  switch (state.state) {
    case 'held':
      return page(`Confirm your support request to ${state.repo}`, `<p>An email from your address asked ${repo} for support${state.subject ? `: <strong>${escapeHtml(state.subject)}</strong>` : ''}.</p>
<form method="post" action="${CONFIRM_PATH}"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Open my ticket</button></form>
<p class="note">If you did not write to ${repo}, close this page: nothing is opened in your name.</p>`);
    case 'opening':
      return page('Your ticket is being opened', `<p>Thank you: your request to ${repo} is confirmed. We are opening the ticket and will email you its link; this page shows it too in a moment.</p>`, { refresh: true });
    case 'opened':
      return page('Your ticket is open', `<p>Your request to ${repo} is a ticket now: <a href="${escapeHtml(ticketUrl(state.ticketId))}">follow it here</a>. Replies come to you by email, and answering them adds to the ticket.</p>`);
    case 'refused':
      return page('Your ticket could not be opened', `<p>${escapeHtml(state.refusal)}</p><p class="note">We emailed you this reason with what you wrote.</p>`);
  }
}

/** A link that does not work (altered, expired): the reason, as a page, since a person followed it. */
export function confirmErrorPage(message: string): string {
  return page('This link does not work', `<p>${escapeHtml(message)}</p>`);
}
