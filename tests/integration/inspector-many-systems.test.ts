// Machines built by other parts of the product show up in the inspector through the same generic code:
// a connection pool's root and its entries (each invoking the connection machine), fed by the pool's
// `inspect` option, appear in the actor tree data with their machine ids, parents and drawn charts.
import { request } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createConnectionPool } from '../../src/index.js';
import { startInspector, type Inspector } from '../../src/inspector/index.js';
import { startFakeGateway, type FakeGateway } from '../../src/testing/index.js';

let inspector: Inspector | undefined;
let fake: FakeGateway | undefined;
let closePool: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closePool?.();
  await fake?.close();
  await inspector?.close();
});

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

it('a connection pool and its entries appear with their machine ids, parents and charts, with no code of their own', async () => {
  inspector = await startInspector({});
  fake = await startFakeGateway();
  const pool = createConnectionPool({ inspect: (event) => inspector!.observe(event) });
  closePool = () => pool.close();
  const handle = await pool.acquire({ id: 'user-1', url: fake.url, token: 'pool-secret-token' });
  const machines = JSON.parse(await get(inspector.apiUrl('/api/machines'))) as Array<{ actorId: string; machineId?: string; systemId?: string }>;
  const ids = machines.map((m) => m.machineId);
  expect(ids).toEqual(expect.arrayContaining(['pool', 'poolEntry', 'connection']));
  const entry = machines.find((m) => m.machineId === 'poolEntry')!;
  expect(entry.systemId).toMatch(/^pool-entry:/);
  const actorRecords = inspector.records().filter((r) => r.kind === 'actor');
  const entryRecord = actorRecords.find((r) => r.actorId === entry.actorId)!;
  const root = machines.find((m) => m.machineId === 'pool')!;
  expect(entryRecord.parentId).toBe(root.actorId);
  const chart = await get(inspector.apiUrl(`/api/chart?actor=${entry.actorId}`));
  expect(chart).toContain('<svg');
  expect(chart).toContain('data-state="');
  expect(inspector.trace()).not.toContain('pool-secret-token');
  await handle.release();
});
