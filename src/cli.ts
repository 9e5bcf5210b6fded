import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, configDocs, loadConfig, publicUrl } from './config.ts';
import { seedDemo } from './demo/seed.ts';
import { progressBar } from './lib/progress.ts';
import { issueApiToken } from './modules/auth/auth.service.ts';
import { findRepoByFullName } from './modules/repos/repos.repository.ts';
import { findOrCreateUser } from './modules/users/users.repository.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { exportSite, normalizeBasePath } from './web/site-export.ts';

/**
 * `backline` (run as `npm run backline -- <command>`). Each command opens the database named by the
 * environment, like the server does; with the embedded database, stop the server first (one process
 * owns it).
 */
const HELP = `Usage: npm run backline -- <command> [options]

Commands:
  migrate                         Apply pending database migrations.
  user add --email E [--name N] [--github LOGIN] [--admin] [--token]
                                  Create a user (or update an existing one). --admin makes them a
                                  platform operator; --token prints a new API token on the last line.
  repo verify OWNER/NAME          Approve a repository claim as the operator.
  knowledge ingest OWNER/NAME (--path DIR | --git URL [--ref BRANCH]) [--base-url URL]
                                  Ingest a docs folder or Git repository into the repository's AI
                                  knowledge now (unchanged files are skipped), with a progress bar.
                                  --base-url: where passages link to (docs site or GitHub blob URL).
  site export OWNER/NAME --out DIR [--api URL] [--base-path PATH]
                                  Write the repository's support site as static files (for GitHub
                                  Pages) into DIR; it calls the API at --api (default PUBLIC_URL),
                                  which must list the site's origin in CORS_ORIGINS. --base-path:
                                  the path the site is served under (default /NAME/, a project site),
                                  so deep links served by 404.html load it.
  demo seed                       Load the demo data set (idempotent).
  jobs run                        Run every job that is due now, then exit.
  config                          Print every environment variable with its default, as Markdown.
  help                            This text.
`;

type Command = (runtime: Runtime, args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  async migrate() {
    console.log('Migrations are up to date.');
  },

  async 'user add'(runtime, args) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        github: { type: 'string' },
        admin: { type: 'boolean', default: false },
        token: { type: 'boolean', default: false },
      },
    });
    if (!values.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) throw new UsageError('--email must be an email address');
    const { db, clock } = runtime.deps;
    const user = await findOrCreateUser(db, clock.now(), { email: values.email, displayName: values.name });
    await db
      .updateTable('users')
      .set({
        is_operator: values.admin ? true : undefined,
        github_login: values.github,
        display_name: values.name,
        updated_at: clock.now(),
      })
      .where('id', '=', user.id)
      .execute();
    console.log(`User ${values.email} (${user.id})${values.admin ? ' is a platform operator' : ''}.`);
    if (values.token) {
      const { token } = await issueApiToken(runtime.deps, user.id, 'cli');
      console.log('API token (shown once):');
      console.log(token);
    }
  },

  async 'repo verify'(runtime, args) {
    const fullName = args[0];
    if (!fullName || !fullName.includes('/')) throw new UsageError('give the repository as OWNER/NAME');
    const updated = await runtime.deps.db
      .updateTable('repos')
      .set({ status: 'verified', verification_method: 'operator', verified_at: runtime.deps.clock.now(), updated_at: runtime.deps.clock.now() })
      .where((eb) => eb(eb.fn('lower', ['full_name']), '=', fullName.toLowerCase()))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new UsageError(`no repository ${fullName} is registered`);
    console.log(`${fullName} is verified.`);
  },

  async 'knowledge ingest'(runtime, args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { path: { type: 'string' }, git: { type: 'string' }, ref: { type: 'string' }, 'base-url': { type: 'string' } },
    });
    const fullName = positionals[0];
    if (!fullName || !fullName.includes('/')) throw new UsageError('give the repository as OWNER/NAME');
    if (Boolean(values.path) === Boolean(values.git)) throw new UsageError('give exactly one of --path DIR or --git URL');
    const repo = await findRepoByFullName(runtime.deps.db, fullName);
    if (!repo) throw new UsageError(`no repository ${fullName} is registered`);
    if (values.git) process.stderr.write(`Cloning ${values.git} ...\n`);
    const report = await runtime.services.knowledge.sources.ingestLocal(
      repo,
      { path: values.path ? path.resolve(values.path) : undefined, git: values.git, ref: values.ref, baseUrl: values['base-url'] },
      (done, total) => progressBar('Indexing', done, total),
    );
    if (report.status !== 'succeeded') throw new Error(`Ingestion failed: ${report.error}`);
    console.log(`${fullName}: ${report.filesIndexed} file(s) indexed, ${report.filesUnchanged} unchanged, ${report.filesRemoved} removed; ${report.passagesAdded} passage(s) added, ${report.passagesRemoved} removed.`);
    for (const skipped of report.skipped) console.log(`  skipped ${skipped.path}: ${skipped.reason}`);
  },

  async 'site export'(runtime, args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, api: { type: 'string' }, 'base-path': { type: 'string' } } });
    const fullName = positionals[0];
    if (!fullName || !fullName.includes('/')) throw new UsageError('give the repository as OWNER/NAME');
    if (!values.out) throw new UsageError('give the folder to write with --out DIR');
    const apiBase = (values.api ?? publicUrl(runtime.deps.config)).replace(/\/$/, '');
    if (!/^https?:\/\/[^/]+/.test(apiBase)) throw new UsageError('--api must be the platform\'s http(s) address');
    // The platform the site will call must list the repository: asked over its API when --api names it
    // (a CI job has no copy of the platform's database), or in this server's database otherwise.
    const listed = values.api ? await listedByApi(apiBase, fullName) : await findRepoByFullName(runtime.deps.db, fullName).then((row) => (row?.status === 'verified' ? row.full_name : null));
    if (!listed) throw new UsageError(`${fullName} is not a listed (verified) repository on ${apiBase}`);
    const outDir = path.resolve(values.out);
    let basePath: string | undefined;
    try {
      basePath = values['base-path'] === undefined ? undefined : normalizeBasePath(values['base-path']);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { files } = await exportSite({ repo: listed, outDir, apiBase, basePath, onProgress: (step, done, total) => progressBar(`Exporting ${listed}: ${step}`, done, total) });
    console.log(`Wrote the support site of ${listed} to ${outDir} (${files} files), calling ${apiBase}.`);
    console.log(`The platform must list the site's origin (on GitHub Pages: https://${listed.split('/')[0].toLowerCase()}.github.io) in CORS_ORIGINS.`);
  },

  async 'demo seed'(runtime) {
    await seedDemo(runtime.deps, runtime.services);
  },

  async 'jobs run'(runtime) {
    const ran = await runtime.jobs.drain();
    console.log(`${ran} job(s) ran.`);
  },
};

class UsageError extends Error {}

/** The repository's canonical "owner/name" when the platform at apiBase lists it, else null. */
async function listedByApi(apiBase: string, fullName: string): Promise<string | null> {
  const response = await fetch(`${apiBase}/api/v1/repos/${fullName.split('/').map(encodeURIComponent).join('/')}`, { headers: { accept: 'application/json' } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${apiBase} answered ${response.status} for ${fullName}`);
  const repo = (await response.json()) as { fullName: string; status: string };
  return repo.status === 'verified' ? repo.fullName : null;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    console.log(HELP);
    return;
  }
  if (argv[0] === 'config') {
    console.log('| variable | default | meaning |\n|---|---|---|');
    for (const entry of configDocs) console.log(`| \`${entry.name}\` | ${entry.defaultValue ? `\`${entry.defaultValue}\`` : ''} | ${entry.doc} |`);
    return;
  }
  const name = commands[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0];
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${argv.join(' ')}"`);
  const rest = argv.slice(name.split(' ').length);
  const runtime = await startRuntime({ ...loadConfig(), LOG_LEVEL: process.env.LOG_LEVEL ? loadConfig().LOG_LEVEL : 'warn' });
  try {
    await command(runtime, rest);
  } finally {
    await runtime.handle.close();
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(`backline: ${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
