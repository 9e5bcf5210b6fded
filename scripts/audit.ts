/**
 * `npm run audit`: fails when `npm audit` reports a known high or critical vulnerability in the
 * production dependencies. When the registry cannot answer (offline, a mirror without the audit
 * endpoint, an outage) it says so and passes: no answer is not a finding, and CI must not depend on it.
 */
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report: { error?: unknown; statusCode?: number; metadata?: { vulnerabilities?: Record<string, number> }; vulnerabilities?: Record<string, { severity: string; via: unknown[] }> } | undefined;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const reason = report?.statusCode ? `HTTP ${report.statusCode}` : (run.error?.message ?? 'no report');
  console.warn(`audit: the registry did not answer (${reason}); no verdict on the production dependencies.`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`audit: production dependencies: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low.`);
if (serious > 0) {
  for (const [name, finding] of Object.entries(report?.vulnerabilities ?? {})) {
    if (finding.severity === 'high' || finding.severity === 'critical') console.error(`  ${finding.severity}: ${name}`);
  }
  process.exit(1);
}
