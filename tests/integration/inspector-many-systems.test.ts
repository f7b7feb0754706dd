// Machines built by other parts of the product show up in the inspector through the same generic code:
// a connection pool's root and its entries (each invoking the connection machine), and channel accounts
// (children of their manager's host actor, in its one system), fed by their hosts' `inspect` option, appear in the actor tree
// data with their machine ids, parents and drawn charts.
import { request } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createConnectionPool } from '../../src/index.js';
import { channelManagerCommands, startInspector, type Inspector, type InspectorOptions } from '../../src/inspector/index.js';
import { createChannelManager } from '../../src/runtime/channel-manager.js';
import { startFakeGateway, type FakeGateway } from '../../src/testing/index.js';
import { configWith, quietLogger, scriptedPlugin, until } from '../support/channel-plugins.js';

let inspector: Inspector | undefined;
let fake: FakeGateway | undefined;
let closePool: (() => Promise<void>) | undefined;
let closeManager: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeManager?.();
  await closePool?.();
  await fake?.close();
  await inspector?.close();
  [closeManager, closePool, fake, inspector] = [undefined, undefined, undefined, undefined];
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
  // The pool's option takes `unknown` events (its schema cannot name xstate's type): they are xstate's.
  const pool = createConnectionPool({ inspect: (event) => inspector!.observe(event as InspectionEvent) });
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

it('channel accounts, children of the manager in its one system, appear under it with their drawn charts', async () => {
  const commands: NonNullable<InspectorOptions['commands']> = {};
  inspector = await startInspector({ commands });
  const plugin = scriptedPlugin();
  const manager = createChannelManager({
    plugins: [plugin.plugin],
    loadConfig: () => configWith('chat', ['a1', 'a2']),
    logger: quietLogger,
    inspect: (event) => inspector!.observe(event),
  });
  closeManager = () => manager.close();
  Object.assign(commands, channelManagerCommands(manager));
  await manager.startChannels();
  await until(() => inspector!.records().filter((r) => r.kind === 'actor' && r.machineId === 'account').length >= 2, 3_000, 'two accounts');
  const machines = JSON.parse(await get(inspector.apiUrl('/api/machines'))) as Array<{ actorId: string; machineId?: string; systemId?: string }>;
  const accounts = machines.filter((m) => m.machineId === 'account');
  expect(accounts.map((a) => a.systemId).sort()).toEqual(['account:chat/a1', 'account:chat/a2']);
  const host = inspector.records().find((r) => r.kind === 'actor' && r.id === 'channels' && r.parentId === undefined)!;
  expect(host).toBeDefined();
  for (const account of accounts) {
    const record = inspector.records().find((r) => r.kind === 'actor' && r.actorId === account.actorId)!;
    expect(record.parentId).toBe(host.actorId);
    expect(record.rootId).toBe(host.actorId);
  }
  const chart = await get(inspector.apiUrl(`/api/chart?actor=${accounts[0]!.actorId}`));
  expect(chart).toContain('data-state="');

  // The page's stop button for a1 goes through the manager's public stopChannel, and only for accounts.
  const a1 = accounts.find((a) => a.systemId === 'account:chat/a1')!;
  const listed = JSON.parse(await get(inspector.apiUrl('/api/machines'))) as Array<{ actorId: string; commands: Array<{ name: string }> }>;
  expect(listed.find((m) => m.actorId === a1.actorId)?.commands.map((c) => c.name)).toEqual(['stopAccount', 'startAccount']);
  expect(await post(inspector.apiUrl('/api/command'), { command: 'stopAccount', actorId: a1.actorId })).toBe(200);
  expect(manager.isManuallyStopped('chat', 'a1')).toBe(true);
  expect(manager.isManuallyStopped('chat', 'a2')).toBe(false);
  expect(inspector.records().some((r) => r.kind === 'command' && r.command === 'stopAccount' && r.source === 'page' && r.outcome === 'ok')).toBe(
    true,
  );
});

function post(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end(JSON.stringify(body));
  });
}
