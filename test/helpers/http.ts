import type { TestContext } from './app.ts';

export type Response<T = any> = { status: number; body: T; headers: Record<string, unknown> };

/** JSON over the app's inject(), as a bearer-token user or anonymously. */
export function client(ctx: TestContext, token?: string) {
  async function send<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const response = await ctx.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = response.body;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.statusCode, body: parsed as T, headers: response.headers };
  }
  return {
    get: <T = any>(url: string, headers?: Record<string, string>) => send<T>('GET', url, undefined, headers),
    post: <T = any>(url: string, body: unknown = {}, headers?: Record<string, string>) => send<T>('POST', url, body, headers),
    patch: <T = any>(url: string, body: unknown, headers?: Record<string, string>) => send<T>('PATCH', url, body, headers),
    put: <T = any>(url: string, body: unknown, headers?: Record<string, string>) => send<T>('PUT', url, body, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) => send<T>('DELETE', url, undefined, headers),
  };
}

export type Client = ReturnType<typeof client>;

/** The header of a money request: a new Idempotency-Key per attempt (as a client generates one), or the given one to retry. */
export const withKey = (key: string = crypto.randomUUID()) => ({ 'idempotency-key': key });
