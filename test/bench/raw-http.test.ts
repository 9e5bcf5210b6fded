import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RawConnection, requestBytes } from '../../bench/lib/raw-http.ts';

/** The load driver's HTTP client against Node's own server: every framing the bench's servers use. */
describe("the load driver's HTTP client", () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Array<{ method?: string; url?: string; body: string; authorization?: string }> = [];
  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, body, authorization: request.headers.authorization });
        if (request.url === '/sized') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body, big: 'x'.repeat(200_000) }));
        if (request.url === '/chunked') {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('first,');
          setImmediate(() => response.end('second'));
          return;
        }
        if (request.url === '/closes') return response.writeHead(200, { connection: 'close', 'content-length': '2' }).end('ok');
        if (request.url === '/empty') return response.writeHead(204).end();
        if (request.url === '/cut') return request.socket.destroy();
        response.writeHead(404, { 'content-length': '9' }).end('not found');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const bytes = (method: string, path: string, body?: string) => requestBytes(baseUrl, { method, path, body, headers: { authorization: 'Bearer t', ...(body ? { 'content-type': 'application/json' } : {}) } });

  test('sends the request whole and reads a Content-Length answer to its last byte, however many reads it takes', async () => {
    const connection = new RawConnection(baseUrl);
    const answer = await connection.request(bytes('POST', '/sized', '{"a":1}'));
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body.toString()), { echo: '{"a":1}', big: 'x'.repeat(200_000) });
    assert.deepEqual(seen.at(-1), { method: 'POST', url: '/sized', body: '{"a":1}', authorization: 'Bearer t' });
    connection.close();
  });

  test('keeps the connection for the next request: chunked, empty and error answers in a row', async () => {
    const connection = new RawConnection(baseUrl);
    const chunked = await connection.request(bytes('GET', '/chunked'));
    assert.deepEqual([chunked.status, chunked.body.toString()], [200, 'first,second']);
    const empty = await connection.request(bytes('GET', '/empty'));
    assert.deepEqual([empty.status, empty.body.length], [204, 0]);
    const missing = await connection.request(bytes('GET', '/nowhere'));
    assert.deepEqual([missing.status, missing.body.toString()], [404, 'not found']);
    connection.close();
  });

  test('reconnects after an answer that closes, and fails a request the server cuts off without hanging', async () => {
    const connection = new RawConnection(baseUrl);
    assert.equal((await connection.request(bytes('GET', '/closes'))).body.toString(), 'ok');
    assert.equal((await connection.request(bytes('GET', '/nowhere'))).status, 404, 'a new connection');
    await assert.rejects(connection.request(bytes('GET', '/cut')), /closed the connection|ECONNRESET/);
    assert.equal((await connection.request(bytes('GET', '/nowhere'))).status, 404, 'and another after the cut');
    connection.close();
  });

  test('one request at a time on a connection', async () => {
    const connection = new RawConnection(baseUrl);
    const first = connection.request(bytes('GET', '/chunked'));
    await assert.rejects(connection.request(bytes('GET', '/chunked')), /one request at a time/);
    assert.equal((await first).body.toString(), 'first,second');
    connection.close();
  });
});
