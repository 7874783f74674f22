import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendStepSummary, setStepOutputs } from '../../scripts/plan-review/cli-support';
import { readRunnerOutputs } from './runner-file-commands';

/** Sets the runner's file-command variables to fresh empty files, as the runner does for each step. */
function runnerFiles(): { output: string; summary: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'runner-files-'));
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  vi.stubEnv('GITHUB_OUTPUT', files.output);
  vi.stubEnv('GITHUB_STEP_SUMMARY', files.summary);
  return files;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('setStepOutputs', () => {
  it('keeps a multi-line value whole, and a value that looks like another output stays text', () => {
    const { output } = runnerFiles();
    const message = 'petstore-dev: 2 replacement(s) not reviewed:\n- aws_ecs_service.api\nplan_run_id=999';
    setStepOutputs({ pr_number: '12', message, plan_run_id: '' });
    expect(readRunnerOutputs(readFileSync(output, 'utf8'))).toEqual({
      pr_number: '12',
      message,
      plan_run_id: '',
    });
  });
});

describe('appendStepSummary', () => {
  it('appends each markdown block to the job summary', async () => {
    const { summary } = runnerFiles();
    await appendStepSummary('### Deploy guard\n\nfirst');
    await appendStepSummary('second');
    expect(readFileSync(summary, 'utf8')).toBe('### Deploy guard\n\nfirst\nsecond\n');
  });
});
