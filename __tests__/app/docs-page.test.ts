// `npm run dev`: the service on its own local DynamoDB, and its page of the API in a real browser
// (Debian's chromium, driven by playwright-core): it lists the routes and tries one against the running
// service, with nothing fetched from elsewhere.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PET_ROUTES } from '../../app/contract';
import { DOCS_PATH } from '../../app/docs-page';

const CHROMIUM = '/usr/bin/chromium';

let dev: ChildProcess;
let baseUrl: string;
let profile: string;

beforeAll(async () => {
  dev = spawn(process.execPath, ['--import', 'tsx', 'app/dev.ts'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  dev.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const port = await new Promise<string>((resolve, reject) => {
    dev.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    dev.once('exit', (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
  });
  baseUrl = `http://127.0.0.1:${port}`;
  profile = mkdtempSync(join(tmpdir(), 'chromium-'));
}, 60_000);

afterAll(async () => {
  if (dev?.exitCode === null) dev.kill('SIGKILL');
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('npm run dev', () => {
  test('serves the API with its own local DynamoDB', async () => {
    const created = await fetch(`${baseUrl}/petstore/pets/docs-pet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Shown on the page' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${baseUrl}/petstore/pets?limit=10`)).status).toBe(200);
  });

  test('lists every route at /docs, and "Execute" on list pets sends a GET to the service and shows its answer', async () => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // No sandbox as root; no background calls to Google, which this machine's network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      // Offline: whatever the page asks of another origin is refused, and an asset (a CDN's script,
      // style, font or image) counted. The page also reads the security scheme's OpenID discovery URL,
      // which in dev names no pool: that is no asset.
      const elsewhere: string[] = [];
      await context.route('**/*', (route) => {
        const request = route.request();
        if (request.url().startsWith(baseUrl)) return route.continue();
        if (['script', 'stylesheet', 'font', 'image', 'document'].includes(request.resourceType()))
          elsewhere.push(request.url());
        return route.abort();
      });
      const page = await context.newPage();
      const serviceCalls: string[] = [];
      page.on('request', (request) => {
        if (request.url().startsWith(`${baseUrl}/petstore/`))
          serviceCalls.push(`${request.method()} ${request.url()}`);
      });
      await page.goto(`${baseUrl}${DOCS_PATH}`);

      const summaries = page.locator('.opblock-summary');
      await summaries.first().waitFor();
      const shown = (await summaries.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
      for (const route of Object.values(PET_ROUTES)) {
        expect(
          shown.some((text) => text.includes(route.method) && text.includes(route.path)),
          `${route.method} ${route.path} in ${shown.join(' | ')}`,
        ).toBe(true);
      }

      const listPets = page.locator('#operations-default-listPets');
      await listPets.locator('.opblock-summary').click();
      await listPets.locator('button.execute').click();
      // The answer the page received, under its header row.
      const live = listPets.locator('.live-responses-table');
      const status = live.locator('tr.response .response-col_status');
      await status.waitFor();
      expect((await status.innerText()).trim()).toBe('200');
      expect(await live.innerText()).toContain('Shown on the page');
      expect(serviceCalls).toContain(`GET ${baseUrl}/petstore/pets`);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('exits 0 on SIGTERM', async () => {
    const exited = once(dev, 'exit');
    dev.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});
