// The inspector page in a real browser (Debian's chromium driven by playwright-core) against one
// supervised real gateway: the page shows `running`; after a SIGKILL of the child it shows the recovery
// and `running` again with a new pid; scrubbing the timeline back shows the earlier pid; the restart
// button starts a new child; every request the page made went to the inspector's own address. The trace
// recorded along the way (with the SIGKILL and the recovery) then replays on the pure machine with no
// divergence. Screenshots go to tests/artifacts/ (ignored by git).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, startInspector, type GatewaySupervisor, type Inspector, type InspectorOptions } from '../../src/index.js';
import { supervisorCommands } from '../../src/inspector/index.js';
import { gatewayMachine } from '../../src/machines/index.js';
import { replayTrace } from '../../src/testing/index.js';
import { freePort } from '../support/free-port.js';
import { managedOptions } from '../support/real-gateway.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
// Bounds, not expectations: a gateway start takes 10-17 s on an idle machine, several times that on a busy one.
const WAIT_MS = 120_000;

let stateDir: string;
let profileDir: string;
let supervisor: GatewaySupervisor;
let inspector: Inspector;
let context: BrowserContext;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  stateDir = await mkdtemp(join(tmpdir(), 'ocs-inspector-'));
  profileDir = await mkdtemp(join(tmpdir(), 'ocs-chromium-'));
  const commands: NonNullable<InspectorOptions['commands']> = {};
  inspector = await startInspector({ commands });
  supervisor = createGatewaySupervisor({
    ...managedOptions(stateDir, await freePort()),
    inspect: (event) => inspector.observe(event),
  });
  Object.assign(commands, supervisorCommands(supervisor));
  // launchPersistentContext is how playwright takes a fresh --user-data-dir.
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1600, height: 1000 },
  });
  context.on('request', (r) => requested.push(r.url()));
  page = context.pages()[0] ?? (await context.newPage());
}, WAIT_MS);

afterAll(async () => {
  await context?.close();
  await supervisor?.dispose();
  await inspector?.close();
  await rm(stateDir, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
});

const field = (name: string) => page.locator(`#card [data-field="${name}"]`);
const lifecycle = () => page.locator('#lifecycle');

describe('the inspector page in a real browser (real gateway)', () => {
  let firstPid: number;
  let recoveredPid: number;
  let recordsBeforeKill: number;

  it(
    'shows the gateway running, with its pid, drawn statechart and actor tree',
    async () => {
      const status = await supervisor.start();
      firstPid = status.pid!;
      await page.goto(inspector.url);
      await page.locator(`[data-actor="${supervisor.actor.sessionId}"]`).click();
      await expect.poll(() => lifecycle().textContent(), { timeout: WAIT_MS }).toBe('running');
      await expect.poll(() => field('pid').textContent()).toBe(String(firstPid));
      // The drawn chart: the active states lit, transitions as labelled arrows.
      expect(await page.locator('#chart svg g.sc-state.active').count()).toBeGreaterThan(0);
      expect(await page.locator('#chart svg g.sc-edge text').count()).toBeGreaterThan(20);
      // Every actor of the system is in the tree: the gateway and its connection. The refresh child is not
      // there yet: it is spawned by the first restart or reload (the restart test below finds it).
      const tree = await page.locator('#tree').textContent();
      expect(tree).toContain('gateway:default');
      expect(tree).toContain('connection');
      expect(tree).not.toContain('refresh:default');
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-1-running.png'), fullPage: true });
    },
    WAIT_MS,
  );

  it(
    'shows the recovery after a SIGKILL of the child, then running again with a new pid',
    async () => {
      recordsBeforeKill = inspector.records().length;
      process.kill(firstPid, 'SIGKILL');
      await expect.poll(() => page.locator('#log').textContent(), { timeout: WAIT_MS }).toContain('process.exited');
      await expect.poll(async () => Number(await field('pid').textContent()), { timeout: WAIT_MS }).not.toBe(firstPid);
      await expect.poll(() => lifecycle().textContent(), { timeout: WAIT_MS }).toBe('running');
      recoveredPid = Number(await field('pid').textContent());
      expect(recoveredPid).toBe(supervisor.getStatus().pid);
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-2-recovered.png'), fullPage: true });
    },
    WAIT_MS,
  );

  it(
    'scrubbing the timeline back shows the earlier state and pid',
    async () => {
      await page.locator('#timeline').evaluate((el, index) => {
        // Runs in the page; the tests are type-checked without the DOM library.
        const input = el as unknown as { value: string; dispatchEvent(event: Event): boolean };
        input.value = String(index);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, recordsBeforeKill - 1);
      await expect.poll(() => field('pid').textContent()).toBe(String(firstPid));
      expect(await lifecycle().textContent()).toBe('running');
      expect(await page.locator('#when').textContent()).toContain(`at #${recordsBeforeKill}`);
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-3-time-travel.png'), fullPage: true });
      await page.locator('#live').click();
      await expect.poll(() => field('pid').textContent()).toBe(String(recoveredPid));
    },
    WAIT_MS,
  );

  it(
    'the restart button restarts the gateway through the public API, logged as coming from the page',
    async () => {
      await page.locator('#commands [data-command="restart"]').click();
      await expect.poll(() => page.locator('#log').textContent(), { timeout: WAIT_MS }).toContain('from page: restart');
      await expect.poll(async () => Number(await field('pid').textContent()), { timeout: WAIT_MS }).not.toBe(recoveredPid);
      await expect.poll(() => lifecycle().textContent(), { timeout: WAIT_MS }).toBe('running');
      await expect.poll(() => page.locator('#log').textContent(), { timeout: WAIT_MS }).toMatch(/from page: restart → gateway:default ok/);
      expect(Number(await field('pid').textContent())).toBe(supervisor.getStatus().pid);
      await expect.poll(() => page.locator('#tree').textContent(), { timeout: WAIT_MS }).toContain('refresh:default');
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-4-restarted.png'), fullPage: true });
    },
    WAIT_MS,
  );

  it('every request the page made went to the inspector itself, and a request without the key or with another Host gets 403', async () => {
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) expect(url.startsWith(`${inspector.origin}/`)).toBe(true);
    expect(await status(`${inspector.origin}/`)).toBe(403);
    expect(await status(inspector.url, { host: `localhost:${inspector.port}` })).toBe(403);
    expect(await status(inspector.url)).toBe(200);
  });

  it('the recorded trace (SIGKILL, recovery, restart from the page) replays on the pure machine with no divergence', async () => {
    const trace = inspector.trace();
    await writeFile(join(ARTIFACTS, 'real-gateway-trace.jsonl'), trace);
    const result = replayTrace(gatewayMachine, trace, { actor: 'gateway:default' });
    expect(result.divergence).toBeUndefined();
    const types = result.steps.map((s) => s.eventType);
    expect(types).toContain('process.exited');
    expect(types).toContain('connection.ready');
    expect(types.filter((t) => t === 'process.spawned').length).toBeGreaterThanOrEqual(3);
  });
});

function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}
