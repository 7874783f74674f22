import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from './fixtures';
import { commentOnPlans, workspace } from './plan-cli';

// The cost line needs the price table, which the CLI reads as it runs: this shows it does, as shipped.
test('plan:comment prices a real plan: the first deploy of dev adds its monthly cost', async () => {
  const ws = workspace({ 'petstore-dev': 'no-changes' });
  for (const file of ['plan.json', 'plan.txt']) {
    copyFileSync(
      path.join(FIXTURES_DIR, 'real/dev-first-deploy', file),
      path.join(ws.plans, 'petstore-dev', file),
    );
  }
  const out = path.join(ws.dir, 'comment.md');
  expect((await commentOnPlans(ws, out)).code).toBe(0);
  expect(readFileSync(out, 'utf8')).toMatch(/<code>petstore-dev<\/code>: [^<]* · \+\$[\d,.]+\/month \(/);
});
