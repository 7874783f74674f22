/**
 * Writes the shareable part of the plans, for upload as an artifact: `<stack>.plan.txt` (full plan
 * text, secrets masked), `<stack>.error.txt` for failed plans, and review.json, the record of
 * deletions/replacements that the deploy guard compares against. Never plan.json or the binary
 * plan: those hold secrets in clear text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MANIFEST, operatorMistake, stacksToReport } from '../cli-support';
import { loadStackReports } from '../plans-dir';
import { buildReviewRecord } from '../stack-report';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: DEFAULT_MANIFEST },
    target: { type: 'string' },
    'plans-dir': { type: 'string', default: 'plans' },
    commit: { type: 'string' },
    out: { type: 'string', default: 'plan-review' },
  },
});
if (!values.commit) operatorMistake('plan:export', '--commit <sha of the planned commit> is required');

const stacks = stacksToReport(values.manifest, values.target);
const reports = loadStackReports(values['plans-dir'], stacks);
mkdirSync(values.out, { recursive: true });
for (const report of reports) {
  if (report.status === 'planned')
    writeFileSync(path.join(values.out, `${report.stack}.plan.txt`), report.planText);
  if (report.status === 'failed')
    writeFileSync(path.join(values.out, `${report.stack}.error.txt`), report.error);
}
const record = buildReviewRecord(values.commit, reports);
writeFileSync(path.join(values.out, 'review.json'), `${JSON.stringify(record, null, 2)}\n`);
console.log(`wrote ${values.out}/ for ${reports.length} stacks`);
