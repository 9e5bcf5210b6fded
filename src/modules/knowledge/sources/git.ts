import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { badRequest } from '../../../errors.ts';
import { vetHost } from '../../../lib/safe-fetch.ts';

export type CloneOptions = {
  ref?: string | null;
  timeoutMs: number;
  /** file:// URLs read the server's own disk: only for trusted callers (the CLI, operators, tests). */
  allowFile: boolean;
  allowAddresses?: readonly string[];
};

/** Checks a clone URL before anything runs: https (or file:// for trusted callers), and a public host. */
export async function checkGitUrl(raw: string, options: Pick<CloneOptions, 'allowFile' | 'allowAddresses'>): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`"${raw}" is not a URL; give the https:// address of a Git repository.`, [{ path: 'body.url', message: 'must be a URL' }]);
  }
  if (url.protocol === 'file:') {
    if (!options.allowFile) throw badRequest('file:// Git URLs are for operators and the CLI only.', [{ path: 'body.url', message: 'file:// is not allowed' }]);
    return url;
  }
  if (url.protocol !== 'https:') throw badRequest('Git repositories are cloned over https:// only.', [{ path: 'body.url', message: 'must be https://' }]);
  if (url.username || url.password) throw badRequest('Put no credentials in the Git URL; public repositories only.', [{ path: 'body.url', message: 'has credentials' }]);
  await vetHost(url.hostname, options.allowAddresses);
  return url;
}

/**
 * A shallow clone (depth 1, one branch, no tags) into a fresh temporary folder, with a time limit.
 * `--` ends git's options so a URL cannot pose as one, the ext:: transport (which runs commands) is
 * off, and git never prompts for credentials. The caller removes the folder with `cleanup`.
 */
export async function cloneRepository(raw: string, options: CloneOptions): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const url = await checkGitUrl(raw, options);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'backline-git-'));
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  const args = [
    '-c', 'protocol.ext.allow=never',
    '-c', `protocol.file.allow=${options.allowFile ? 'always' : 'never'}`,
    'clone', '--depth', '1', '--single-branch', '--no-tags', '--quiet',
    ...(options.ref ? ['--branch', options.ref] : []),
    '--', url.toString(), path.join(dir, 'repo'),
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('git', args, { timeout: options.timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' } }, (error, _stdout, stderr) => {
        if (!error) return resolve();
        const reason = (error as { killed?: boolean }).killed ? `took longer than ${Math.round(options.timeoutMs / 1000)} s` : stderr.trim().split('\n').pop() || error.message;
        reject(badRequest(`git clone ${url} failed: ${reason}`));
      });
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { dir: path.join(dir, 'repo'), cleanup };
}
