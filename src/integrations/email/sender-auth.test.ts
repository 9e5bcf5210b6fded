import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAuthResults, senderProof } from './sender-auth.ts';

const TRUSTED = ['mx.backline.test'];

describe('Authentication-Results (RFC 8601)', () => {
  test('reads the authserv-id, each method and result, and properties; comments, quoted strings and versions do not confuse it', () => {
    const header = 'MX.Backline.test 1; dkim=pass (2048-bit key; unprotected) header.d=Example.com header.s=s1 header.b="ab;cd";\r\n spf=pass (domain of a@example.com; designates 192.0.2.1) smtp.mailfrom=a@example.com; dmarc/1 = pass (p=REJECT sp=NONE) header.from=example.com';
    assert.deepEqual(parseAuthResults(header), {
      authservId: 'mx.backline.test',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'Example.com', 'header.s': 's1', 'header.b': 'ab;cd' } },
        { method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'a@example.com' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'example.com' } },
      ],
    });
    assert.deepEqual(parseAuthResults('mx.backline.test; none'), { authservId: 'mx.backline.test', results: [] });
    assert.equal(parseAuthResults('spf=pass smtp.mailfrom=a@example.com; dmarc=pass header.from=example.com'), null, 'a header without an authserv-id names nobody');
  });

  test('a trusted dmarc=pass for the From domain, or a trusted dkim=pass by that domain or a parent of it, authenticates', () => {
    assert.deepEqual(senderProof(['mx.backline.test; dmarc=pass header.from=example.com'], 'Frank@Example.COM', TRUSTED), { method: 'dmarc', authservId: 'mx.backline.test' });
    assert.deepEqual(senderProof(['mx.backline.test; dkim=pass header.d=example.com'], 'frank@mail.example.com', TRUSTED), { method: 'dkim', authservId: 'mx.backline.test' });
    assert.deepEqual(senderProof(['mx.backline.test; dkim=pass header.i=@example.com'], 'frank@example.com', TRUSTED), { method: 'dkim', authservId: 'mx.backline.test' }, 'header.i when header.d is missing (Gmail)');
  });

  test('nothing else does: another domain, a child or a look-alike domain, a TLD, a failure, an untrusted id, a header below the topmost trusted one', () => {
    const refused: [string[], string][] = [
      [['mx.backline.test; dmarc=pass header.from=other.example'], 'another domain passed DMARC'],
      [['mx.backline.test; dmarc=pass'], 'DMARC without the domain it is for'],
      [['mx.backline.test; dkim=pass header.d=mail.example.com'], 'a signature by a subdomain is not one by the From domain'],
      [['mx.backline.test; dkim=pass header.d=badexample.com'], 'a look-alike suffix'],
      [['mx.backline.test; dkim=pass header.d=com'], 'a whole TLD'],
      [['mx.backline.test; dkim=fail header.d=example.com; dmarc=fail header.from=example.com'], 'failures'],
      [['mx.backline.test; dkim=pass (header.d=example.com)'], 'a domain only in a comment'],
      [['evil.example; dmarc=pass header.from=example.com'], 'an untrusted authserv-id'],
      [['mx.backline.test; dmarc=fail header.from=example.com', 'mx.backline.test; dmarc=pass header.from=example.com'], 'a pass below the topmost trusted header came with the message'],
    ];
    for (const [headers, why] of refused) assert.equal(senderProof(headers, 'frank@example.com', TRUSTED), null, why);
    assert.equal(senderProof(['mx.backline.test; dmarc=pass header.from=example.com'], 'frank@example.com', []), null, 'no trusted ids: nobody is authenticated');
  });
});
