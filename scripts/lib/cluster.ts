import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Database } from '../../src/db/database.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { issueApiToken } from '../../src/modules/auth/auth.service.ts';
import { findOrCreateUser } from '../../src/modules/users/users.repository.ts';

/**
 * Backline as separate processes on one PostgreSQL, for the fault script and the scale benchmark: a
 * database of its own, server and worker processes started and killed, readiness polling and a small
 * JSON client that survives a dead server.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A new, empty database on the server of TEST_DATABASE_URL or DATABASE_URL; `drop()` removes it. */
export async function scratchDatabase(prefix: string) {
  const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${process.pid}`;
  const admin = async <T>(run: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  return { name, url, admin, drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/** Server and worker processes with one environment; every process started is killed by `stopAll()`. */
export function processes(env: NodeJS.ProcessEnv) {
  const children = new Set<ChildProcess>();
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    start(entry: 'src/server.ts' | 'src/worker.ts', extra: Record<string, string> = {}): ChildProcess {
      const child = spawn(process.execPath, [entry], { env: { ...env, ...extra }, stdio: ['ignore', 'inherit', 'inherit'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    kill,
    async stopAll() {
      for (const child of [...children]) await kill(child);
    },
  };
}

/** Polls /readyz until it answers 200 and returns how long that took. */
export async function ready(base: string, timeoutMs = 90_000): Promise<number> {
  const since = Date.now();
  while (Date.now() - since < timeoutMs) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return Date.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${base}/readyz did not answer 200 within ${timeoutMs} ms`);
}

export type Answer = { status: number; body: any };

/** JSON over HTTP as a bearer-token user; a network error (a dead server) is status 0, never a throw. */
export async function call(base: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: 0, body: null };
  }
}

/** A user with an API token, written straight to the database (as `backline user add --token` does). */
export async function userWithToken(db: Database, email: string, operator = false): Promise<{ id: string; token: string }> {
  const row = await findOrCreateUser(db, new Date(), { email, isOperator: operator, githubLogin: null });
  return { id: row.id, token: (await issueApiToken({ db, clock: systemClock }, row.id, 'cluster')).token };
}
