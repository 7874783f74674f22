import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const dockerfile = readFileSync(new URL('../../app/Dockerfile', import.meta.url), 'utf8');
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('one Node line everywhere', () => {
  // The line is the `node` devDependency's; `engines` names only the Node that runs npm itself.
  const line = major(packageJson.devDependencies.node);

  test('the tests run on it: npm scripts take the `node` devDependency, whatever the system Node is', () => {
    expect(line).toBeGreaterThanOrEqual(26);
    expect(major(process.versions.node)).toBe(line);
    expect(major(packageJson.engines.node)).toBeLessThan(line);
  });

  test('the image runs it too', () => {
    const bases = [...dockerfile.matchAll(/^FROM node:(\S+)/gm)].map((match) => match[1] as string);
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(major(base)).toBe(line);
  });
});
