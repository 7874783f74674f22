/**
 * Deploy guard: run between `terraform plan -out` and `terraform apply` of a stack. Compares the new
 * plan's deletions and replacements with the review record of the merged pull request's plan and
 * exits 1 when one was not reviewed, unless --accept-unreviewed. Writes its verdict to --out (the
 * stack's guard.json) so the deploy comment can show it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { classifyPlan } from '../classify';
import { annotate, appendStepSummary, operatorMistake } from '../cli-support';
import {
  checkAgainstReview,
  describeDestructiveKey,
  guardAllowsApply,
  parseReviewRecord,
  type ReviewRecord,
} from '../guard';
import { parseTerraformPlan } from '../terraform-plan';

const { values } = parseArgs({
  options: {
    stack: { type: 'string' },
    plan: { type: 'string' },
    review: { type: 'string' },
    'expected-commit': { type: 'string' },
    'accept-unreviewed': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!values.stack || !values.plan)
  operatorMistake('plan:guard', '--stack <name> and --plan <terraform show -json file> are required');

let review: ReviewRecord | undefined;
if (values.review && existsSync(values.review))
  review = parseReviewRecord(readFileSync(values.review, 'utf8'));

const verdict = checkAgainstReview({
  stack: values.stack,
  summary: classifyPlan(parseTerraformPlan(readFileSync(values.plan, 'utf8'))),
  review,
  expectedCommit: values['expected-commit'] || undefined,
  acceptUnreviewed: values['accept-unreviewed'],
});
if (values.out) writeFileSync(values.out, `${JSON.stringify(verdict, null, 2)}\n`);

const against = verdict.reviewedCommit
  ? `reviewed plan of ${verdict.reviewedCommit}`
  : `no reviewed plan: ${verdict.reviewMissing}`;
if (verdict.unreviewed.length === 0) {
  console.log(`${values.stack}: no unreviewed deletions or replacements (${against}).`);
} else {
  const list = verdict.unreviewed.map((change) => `- ${describeDestructiveKey(change)}`).join('\n');
  const message = `${values.stack}: ${verdict.unreviewed.length} deletion(s)/replacement(s) not in the reviewed plan (${against}):\n${list}`;
  await appendStepSummary(`### Deploy guard\n\n${message}\n`);
  if (guardAllowsApply(verdict)) {
    annotate('warning', `${message}\nApplying anyway: accept_unreviewed_destruction was set.`);
  } else {
    annotate(
      'error',
      `${message}\nNot applied. If these are intended, re-run the Deploy workflow by hand with accept_unreviewed_destruction.`,
    );
    process.exitCode = 1;
  }
}
