import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, configDocs, cookieSecure, loadConfig, publicUrl } from './config.ts';

/** The ConfigError that loading this environment throws (fails the test if it loads). */
function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('configuration', () => {
  test('an empty environment gives working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.BACKLINE_DATA_DIR, './data');
    assert.equal(config.BACKLINE_DEMO, false);
    assert.equal(config.BACKLINE_WORKER, 'inline');
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.SESSION_TTL_HOURS, 336);
    assert.equal(config.SESSION_ROTATE_HOURS, 24);
    assert.equal(config.MAGIC_LINK_TTL_MINUTES, 15);
    assert.equal(config.BODY_LIMIT_BYTES, 1_048_576);
    assert.equal(config.RATE_LIMIT_PER_MINUTE, 300);
    assert.equal(config.SIGNIN_RATE_LIMIT_PER_HOUR, 10);
    assert.equal(config.CORS_ORIGINS, '');
    assert.equal(config.SMTP_URL, undefined);
    assert.equal(config.GITHUB_API_URL, 'https://api.github.com');
    assert.deepEqual([config.PLATFORM_FEE_BPS, config.COMMISSION_BPS_DEFAULT, config.COMMISSION_BPS_MIN, config.COMMISSION_BPS_MAX], [500, 1000, 0, 3000]);
    assert.equal(config.ESCROW_GRACE_DAYS, 5);
    assert.equal(publicUrl(config), 'http://localhost:3000');
    assert.equal(cookieSecure(config), false);
  });

  test('values are parsed: numbers, booleans, and empty strings count as unset', () => {
    const config = loadConfig({ PORT: '8080', BACKLINE_DEMO: 'yes', LOG_LEVEL: 'debug', SESSION_TTL_HOURS: '48', HOST: '', COOKIE_SECURE: 'false' });
    assert.equal(config.PORT, 8080);
    assert.equal(config.BACKLINE_DEMO, true);
    assert.equal(config.LOG_LEVEL, 'debug');
    assert.equal(config.SESSION_TTL_HOURS, 48);
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.COOKIE_SECURE, false);
    for (const [value, expected] of [['1', true], ['true', true], ['0', false], ['no', false]] as const) {
      assert.equal(loadConfig({ BACKLINE_DEMO: value }).BACKLINE_DEMO, expected);
    }
  });

  test('lists are split on commas, trimmed and lowercased; unset is empty', () => {
    assert.deepEqual(loadConfig({ INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS: ' MX.Google.com,, mx.backline.test ' }).INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS, ['mx.google.com', 'mx.backline.test']);
    assert.deepEqual(loadConfig({}).INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS, []);
    assert.equal(loadConfig({}).INBOUND_EMAIL_REQUESTS_PER_HOUR, 10);
  });

  test('PUBLIC_URL sets the links in emails and, when https, secure cookies', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://support.example.org/' });
    assert.equal(publicUrl(config), 'https://support.example.org');
    assert.equal(cookieSecure(config), true);
    assert.equal(cookieSecure(loadConfig({ PUBLIC_URL: 'https://support.example.org', COOKIE_SECURE: '0' })), false, 'an explicit setting wins');
    assert.equal(publicUrl(loadConfig({ PORT: '4000' })), 'http://localhost:4000');
  });

  test('a bad value is a ConfigError that names the variable', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
      [{ BACKLINE_DEMO: 'maybe' }, 'BACKLINE_DEMO'],
      [{ BACKLINE_WORKER: 'separate' }, 'BACKLINE_WORKER'],
      [{ SESSION_TTL_HOURS: '0' }, 'SESSION_TTL_HOURS'],
      [{ SESSION_TTL_HOURS: '1.5' }, 'SESSION_TTL_HOURS'],
      [{ MAGIC_LINK_TTL_MINUTES: '-5' }, 'MAGIC_LINK_TTL_MINUTES'],
      [{ BODY_LIMIT_BYTES: '100' }, 'BODY_LIMIT_BYTES'],
      [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
      [{ PUBLIC_URL: 'localhost:3000' }, 'PUBLIC_URL'],
      [{ PUBLIC_URL: 'ftp://files.example.org' }, 'PUBLIC_URL'],
      [{ GITHUB_API_URL: 'github.example.org:443' }, 'GITHUB_API_URL'],
      [{ PLATFORM_FEE_BPS: '10001' }, 'PLATFORM_FEE_BPS'],
      [{ COMMISSION_BPS_MAX: 'lots' }, 'COMMISSION_BPS_MAX'],
      [{ ESCROW_GRACE_DAYS: '365' }, 'ESCROW_GRACE_DAYS'],
      [{ INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS: 'mx.google.com, mx google com' }, 'INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS'],
      [{ INBOUND_EMAIL_REQUESTS_PER_HOUR: '0' }, 'INBOUND_EMAIL_REQUESTS_PER_HOUR'],
    ];
    for (const [env, variable] of cases) {
      const error = errorOf(env);
      assert.match(error.message, new RegExp(`^Invalid configuration`), JSON.stringify(env));
      assert.match(error.message, new RegExp(`\\b${variable}: `), `${JSON.stringify(env)} names ${variable}: ${error.message}`);
    }
  });

  test('every bad variable is reported at once', () => {
    const error = errorOf({ PORT: 'x', LOG_LEVEL: 'loud', RATE_LIMIT_PER_MINUTE: '0' });
    for (const variable of ['PORT', 'LOG_LEVEL', 'RATE_LIMIT_PER_MINUTE']) assert.match(error.message, new RegExp(`${variable}: `));
  });

  test('commission bounds must be consistent: MIN <= DEFAULT <= MAX', () => {
    assert.match(errorOf({ COMMISSION_BPS_MIN: '2000', COMMISSION_BPS_MAX: '1000', COMMISSION_BPS_DEFAULT: '1500' }).message, /COMMISSION_BPS_MIN is above COMMISSION_BPS_MAX/);
    assert.match(errorOf({ COMMISSION_BPS_DEFAULT: '4000' }).message, /COMMISSION_BPS_DEFAULT must lie between COMMISSION_BPS_MIN and COMMISSION_BPS_MAX/);
    assert.match(errorOf({ COMMISSION_BPS_MIN: '1500' }).message, /COMMISSION_BPS_DEFAULT/, 'the default 1000 is below a raised minimum');
    const edge = loadConfig({ COMMISSION_BPS_MIN: '1000', COMMISSION_BPS_DEFAULT: '1000', COMMISSION_BPS_MAX: '1000' });
    assert.deepEqual([edge.COMMISSION_BPS_MIN, edge.COMMISSION_BPS_DEFAULT, edge.COMMISSION_BPS_MAX], [1000, 1000, 1000]);
  });

  test('Slack needs its OAuth credentials and a valid encryption key for the bot tokens', () => {
    assert.match(errorOf({ SLACK_SIGNING_SECRET: 'secret' }).message, /also needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY/);
    const slack = { SLACK_SIGNING_SECRET: 'secret', SLACK_CLIENT_ID: '1234.5678', SLACK_CLIENT_SECRET: 'client-secret' };
    assert.match(errorOf({ ...slack, TOKEN_ENCRYPTION_KEY: 'too-short' }).message, /TOKEN_ENCRYPTION_KEY: must be 32 random bytes/);
    assert.equal(loadConfig({ ...slack, TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) }).SLACK_CLIENT_ID, '1234.5678');
    assert.equal(loadConfig({ ...slack, TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).SLACK_SIGNING_SECRET, 'secret');
  });

  test('GitHub sign-in needs both the client id and the client secret', () => {
    assert.match(errorOf({ GITHUB_CLIENT_ID: 'Iv23li' }).message, /GitHub sign-in needs both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
    assert.match(errorOf({ GITHUB_CLIENT_SECRET: 'secret' }).message, /needs both/);
    assert.match(errorOf({ GITHUB_WEB_URL: 'github.com' }).message, /GITHUB_WEB_URL/);
    const github = loadConfig({ GITHUB_CLIENT_ID: 'Iv23li', GITHUB_CLIENT_SECRET: 'secret' });
    assert.equal(github.GITHUB_WEB_URL, 'https://github.com');
  });

  test('sessions must rotate before they expire', () => {
    assert.match(errorOf({ SESSION_TTL_HOURS: '12' }).message, /SESSION_ROTATE_HOURS/, 'the default rotation (24 h) would never happen');
    assert.match(errorOf({ SESSION_TTL_HOURS: '48', SESSION_ROTATE_HOURS: '48' }).message, /SESSION_ROTATE_HOURS must be below SESSION_TTL_HOURS/);
    assert.equal(loadConfig({ SESSION_TTL_HOURS: '12', SESSION_ROTATE_HOURS: '2' }).SESSION_ROTATE_HOURS, 2);
  });

  test('every variable has a doc line, and the docs show the defaults', () => {
    const byName = new Map(configDocs.map((entry) => [entry.name, entry]));
    for (const entry of configDocs) assert.ok(entry.doc.length >= 8 && entry.doc.endsWith('.'), `${entry.name} is documented`);
    assert.equal(byName.get('PORT')?.defaultValue, '3000');
    assert.equal(byName.get('BACKLINE_DEMO')?.defaultValue, 'false');
    assert.equal(byName.get('DATABASE_URL')?.defaultValue, '');
    assert.equal(byName.get('COMMISSION_BPS_MAX')?.defaultValue, '3000');
    assert.deepEqual(Object.keys(loadConfig({})).sort(), [...byName.keys()].sort(), 'the docs list exactly the variables read');
  });
});
