/**
 * Whether the sender of a mail is who its From says, as the receiving mail server found: its
 * `Authentication-Results` header (RFC 8601). A From header can say anything; a DMARC pass, or a DKIM
 * signature of the From domain (or of a parent domain) that verified, shows that the domain sent it.
 *
 * Anyone can write an Authentication-Results header into their own message, so only the headers of
 * authserv-ids the operator trusts (INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS) count, and of those only the
 * topmost: a receiving server adds its header on top of what the message came with (and should remove
 * copies claiming its own id, RFC 8601 section 5), so anything below it may have come from the sender.
 */

/** One `method=result` of a header, with its `ptype.property=value` pairs (keys lowercased). */
export type AuthResult = { method: string; result: string; properties: Record<string, string> };
export type AuthResultsHeader = { authservId: string; results: AuthResult[] };

/** Why a sender counts as authenticated: the method that passed and the server that said so. */
export type SenderProof = { method: 'dmarc' | 'dkim'; authservId: string };

/** The header without its comments (nested parentheses, RFC 5322 CFWS) and folding; quoted strings kept. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += value.slice(index, index + 2);
      index++;
    } else if (quoted) {
      out += char;
      if (char === '"') quoted = false;
    } else if (char === '(') depth++;
    else if (char === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (char === '"') quoted = true;
      out += char;
    }
  }
  return out.replace(/\s+/g, ' ');
}

/** Splits on `;` outside quoted strings. */
function clauses(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\' && quoted) {
      current += value.slice(index, index + 2);
      index++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

const unquote = (value: string) => (value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);

/** `key = value` pairs of a result: `dkim/1=pass`, `reason="…"`, `header.d=example.com`. */
const PAIR = /([A-Za-z0-9][\w-]*(?:\s*[./]\s*[\w-]+)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/g;

/** Reads one Authentication-Results header's value; null when it has no authserv-id. */
export function parseAuthResults(value: string): AuthResultsHeader | null {
  const [head, ...rest] = clauses(withoutComments(value));
  // The authserv-id, optionally followed by a version number. Servers that omit it (their header starts
  // with a result) name nobody, and cannot be trusted.
  const id = /^("(?:[^"\\]|\\.)*"|[^\s=]+)(?:\s+\d+)?$/.exec(head);
  if (!id) return null;
  const results: AuthResult[] = [];
  for (const clause of rest) {
    const pairs = [...clause.matchAll(PAIR)].map((match) => [match[1].replace(/\s+/g, '').toLowerCase(), unquote(match[2])] as const);
    if (!pairs.length) continue;
    const [[method, result], ...others] = pairs;
    const properties: Record<string, string> = {};
    for (const [key, propertyValue] of others) if (key.includes('.') && !(key in properties)) properties[key] = propertyValue;
    results.push({ method: method.split('/')[0], result: result.toLowerCase(), properties });
  }
  return { authservId: unquote(id[1]).toLowerCase(), results };
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '');

/** `domain` is `of` itself or a subdomain of it; `of` must have a dot (a signature by a whole TLD is no proof). */
const withinDomain = (domain: string, of: string) => of.includes('.') && (domain === of || domain.endsWith(`.${of}`));

/**
 * The proof that `from` sent this mail, from the topmost Authentication-Results header of a trusted
 * authserv-id: `dmarc=pass` with `header.from` the From domain, or `dkim=pass` whose signing domain
 * (`header.d`, else the domain of `header.i`) is the From domain or a parent of it. Null otherwise.
 */
export function senderProof(headers: readonly string[], from: string, trusted: readonly string[]): SenderProof | null {
  if (!trusted.length) return null;
  const fromDomain = domainOf(from);
  const header = headers.map(parseAuthResults).find((parsed) => parsed !== null && trusted.includes(parsed.authservId));
  if (!header) return null;
  for (const { method, result, properties } of header.results) {
    if (result !== 'pass') continue;
    if (method === 'dmarc' && properties['header.from'] && domainOf(properties['header.from']) === fromDomain) return { method, authservId: header.authservId };
    const signer = properties['header.d'] ?? (properties['header.i']?.includes('@') ? domainOf(properties['header.i']) : undefined);
    if (method === 'dkim' && signer && withinDomain(fromDomain, signer.toLowerCase().replace(/\.$/, ''))) return { method, authservId: header.authservId };
  }
  return null;
}
