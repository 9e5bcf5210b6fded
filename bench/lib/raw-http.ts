import net from 'node:net';

/**
 * The load driver's HTTP/1.1 client: one keep-alive connection, one request at a time, requests sent as
 * bytes made up front and answers read to their last byte without being decoded, as wrk does.
 *
 * The driver shares the machine's two cores with the server and PostgreSQL, so every cycle it spends is
 * one the server waits for. undici's `request` cost its thread 0.17 ms per 25 KB queue page (its parser
 * runs in WebAssembly and hands each body to a stream); this reads the status line and the framing
 * headers and counts bytes, for 0.07 ms.
 *
 * It speaks only what the bench's servers answer: Content-Length or chunked bodies, keep-alive or
 * `Connection: close`; anything else fails the request with an error saying so.
 */
export type RawAnswer = { status: number; body: Buffer };

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawConnection {
  private socket: net.Socket | undefined;
  /** What has arrived of the answer in flight (an answer's reads are joined as they come: they are few). */
  private received: Buffer | undefined;
  private pending: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void } | undefined;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
  }

  /** Sends one request (its whole bytes) and settles with the answer once all of it has arrived. */
  request(bytes: Buffer): Promise<RawAnswer> {
    if (this.pending) return Promise.reject(new Error('one request at a time on a connection'));
    const socket = this.socket ?? this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(bytes);
    });
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Only the current socket's end fails the request in flight: one closed on purpose (close()) is no
    // longer current, and its 'close' arrives after the next request may have gone out on a new one.
    const fail = (error: Error) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.received = undefined;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection before answering')));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    const buffered = this.received ? Buffer.concat([this.received, chunk]) : chunk;
    const framed = frame(buffered);
    if (framed === 'incomplete') {
      this.received = buffered;
      return;
    }
    this.received = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (framed instanceof Error) {
      this.close();
      pending?.reject(framed);
      return;
    }
    if (framed.closes) this.close();
    pending?.resolve({ status: framed.status, body: framed.body });
  }
}

/** One whole answer at the start of `buffered`, 'incomplete' while more is to come, or what is wrong with it. */
function frame(buffered: Buffer): { status: number; body: Buffer; closes: boolean } | 'incomplete' | Error {
  const headerEnd = buffered.indexOf(HEADER_END);
  if (headerEnd < 0) return 'incomplete';
  const head = buffered.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  if (!head.startsWith('HTTP/1.') || !Number.isInteger(status)) return new Error(`not an HTTP/1.x answer: ${head.slice(0, 40)}`);
  const start = headerEnd + HEADER_END.length;
  const closes = /\r\nconnection:\s*close/i.test(head);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return buffered.length < end ? 'incomplete' : { status, body: buffered.subarray(start, end), closes };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return chunked(buffered, start, status, closes);
  // No framing: only a body-less answer (204, 304, 1xx) is complete at its headers.
  if (status === 204 || status === 304 || status < 200) return { status, body: Buffer.alloc(0), closes };
  return new Error(`an answer without Content-Length or chunked encoding (status ${status})`);
}

function chunked(buffered: Buffer, start: number, status: number, closes: boolean): { status: number; body: Buffer; closes: boolean } | 'incomplete' {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffered.indexOf('\r\n', at);
    if (lineEnd < 0) return 'incomplete';
    const size = Number.parseInt(buffered.toString('latin1', at, lineEnd), 16);
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // The last chunk, then (no trailers from our servers) the empty line.
      return buffered.length < dataStart + 2 ? 'incomplete' : { status, body: Buffer.concat(parts), closes };
    }
    if (buffered.length < dataStart + size + 2) return 'incomplete';
    parts.push(buffered.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

/** A request's bytes: the request line, Host, the caller's headers, and Content-Length for a body. */
export function requestBytes(baseUrl: string, spec: { method: string; path: string; body?: string; headers: Record<string, string> }): Buffer {
  const url = new URL(baseUrl);
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const headers = [`${spec.method} ${spec.path} HTTP/1.1`, `host: ${url.host}`, ...Object.entries(spec.headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) headers.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}
