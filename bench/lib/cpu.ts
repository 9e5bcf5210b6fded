import fs from 'node:fs';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';

/**
 * CPU time spent during a measure: by the server (every thread of this process, the search thread and
 * V8's garbage-collection helpers included, less the load driver's own thread, which reports what it
 * used) and, on a PostgreSQL server on this machine, by the backends connected to the bench's database.
 * On a shared machine latencies move with other people's work; CPU per request does not, so it is what
 * a change is judged by. PostgreSQL's figure is absent when its processes cannot be read (PGlite runs
 * inside the server's thread; a remote server's processes are not here).
 */
export type CpuUse = { serverMs: number; postgresMs?: number; stolenPercent?: number; /** The load driver's own thread: it shares the machine, so it is shown beside the server's. */ driverMs?: number };

const TICK_MS = 10; // USER_HZ is 100 on Linux

function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last parenthesis): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * The machine's CPU time so far, and how much of it the hypervisor gave to other guests (steal, the 8th
 * figure of /proc/stat's first line). A virtual machine whose host is busy loses whole slices of time,
 * to the bare routes as much as to the app: a run's latencies are read next to how much was stolen.
 */
function machineTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((sum, value) => sum + value, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

function stolenSince(start: ReturnType<typeof machineTicks>): number | undefined {
  const end = machineTicks();
  if (!start || !end || end.total === start.total) return undefined;
  return (100 * (end.steal - start.steal)) / (end.total - start.total);
}

/** Starts measuring (see runLoad's `cpu`); `stop` takes the CPU the load driver's thread used, which is not the server's. */
export async function startCpuMeasure(db: Database, engine: string): Promise<(clientCpuMs: number) => Promise<CpuUse>> {
  const serverStart = process.cpuUsage();
  const machineStart = machineTicks();
  const serverMs = (clientCpuMs: number) => {
    const used = process.cpuUsage(serverStart);
    return (used.user + used.system) / 1000 - clientCpuMs;
  };
  if (engine !== 'postgres' || !fs.existsSync('/proc/self/stat')) {
    return async (clientCpuMs) => ({ serverMs: serverMs(clientCpuMs), stolenPercent: stolenSince(machineStart) });
  }
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const backends = async () =>
    (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`.execute(db)).rows.map((row) => row.pid);
  // Backends come and go with the pool: they are sampled while the measure runs, and one seen only later counts from zero.
  const sample = async (initial: boolean) => {
    for (const pid of await backends()) {
      const ms = processCpuMs(pid);
      if (ms === undefined) continue;
      if (!first.has(pid)) first.set(pid, initial ? ms : 0);
      last.set(pid, ms);
    }
  };
  await sample(true);
  const timer = setInterval(() => void sample(false).catch(() => {}), 250);
  return async (clientCpuMs) => {
    clearInterval(timer);
    const server = serverMs(clientCpuMs);
    const stolenPercent = stolenSince(machineStart);
    await sample(false);
    let postgresMs = 0;
    for (const [pid, ms] of last) postgresMs += ms - (first.get(pid) ?? 0);
    return { serverMs: server, postgresMs: postgresMs > 0 || first.size > 0 ? postgresMs : undefined, stolenPercent };
  };
}
