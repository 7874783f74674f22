import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// No Docker engine here, so the image's rules are checked on the Dockerfile itself.

const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(`${root}app/Dockerfile`, 'utf8');
const dockerignore = readFileSync(`${root}app/Dockerfile.dockerignore`, 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with their line continuations joined and comments dropped, grouped by stage. */
function stagesOf(text: string): Instruction[][] {
  const logicalLines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logicalLines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const stages = stagesOf(dockerfile);
const finalStage = stages.at(-1) ?? [];
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);

describe('app/Dockerfile', () => {
  it('is multi-stage: a build stage, then a runtime stage that copies only the bundle from it', () => {
    expect(stages.length).toBe(2);
    expect(find(stages[0] ?? [], 'FROM')[0]?.args).toMatch(/ AS build$/i);
    const copies = find(finalStage, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.args).toMatch(/^--from=build /);
      expect(copy.args).not.toMatch(/node_modules/);
    }
    expect(copies.map((copy) => copy.args).join(' ')).toContain('/src/app/dist/server.js');
  });

  it('builds with the project’s own lockfile and build script', () => {
    const runs = find(stages[0] ?? [], 'RUN').map((run) => run.args);
    expect(runs).toContain('npm ci --ignore-scripts --no-audit --no-fund');
    expect(runs).toContain('npm run build');
    const scripts = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts;
    expect(scripts.build).toEqual(expect.any(String));
  });

  it('pins every base image to a full Node version of a current LTS line on Alpine', () => {
    for (const stage of stages) {
      const image = find(stage, 'FROM')[0]?.args.split(' ')[0] ?? '';
      const match = /^node:(\d+)\.\d+\.\d+-alpine\d+\.\d+$/.exec(image);
      expect(match, image).not.toBeNull();
      const major = Number(match?.[1]);
      // Even majors are the LTS lines; 22 is the SDK's floor from 2027 and is already in maintenance.
      expect(major % 2).toBe(0);
      expect(major).toBeGreaterThanOrEqual(24);
    }
  });

  it('ships no package manager and no install step in the final image', () => {
    const runs = find(finalStage, 'RUN').map((run) => run.args);
    expect(runs.join(' ')).not.toMatch(/npm (ci|install|i )|yarn add/);
    expect(runs.join(' ')).toContain('rm -rf /usr/local/lib/node_modules');
  });

  it('runs the bundle as a non-root user, listening on 8080', () => {
    const user = find(finalStage, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    const keywords = finalStage.map((i) => i.keyword);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
    expect(find(finalStage, 'CMD').at(-1)?.args).toBe('["node", "/app/server.js"]');
    expect(find(finalStage, 'EXPOSE').at(-1)?.args).toBe('8080');
  });

  it('checks health with node, which the image is sure to have', () => {
    expect(find(finalStage, 'HEALTHCHECK').at(-1)?.args).toMatch(/CMD \["node", "\/app\/healthcheck\.js"\]$/);
    expect(
      find(finalStage, 'COPY')
        .map((copy) => copy.args)
        .join(' '),
    ).toContain('/src/app/dist/healthcheck.js');
  });

  it('sends the build only what it copies, and never node_modules', () => {
    const rules = dockerignore
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    const copied = find(stages[0] ?? [], 'COPY').flatMap((copy) => copy.args.split(' ').slice(0, -1));
    for (const source of copied) {
      expect(existsSync(`${root}${source}`), source).toBe(true);
      expect(rules).toContain(`!${source}${source === 'app' ? '/' : ''}`);
    }
    expect(rules).toContain('app/dist/');
    expect(rules.some((rule) => rule.includes('node_modules') && rule.startsWith('!'))).toBe(false);
  });
});
