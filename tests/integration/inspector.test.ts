import { request } from 'node:http';
import { createInspector } from '@statelyai/inspect';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, createMachine, setup, type AnyActorRef } from 'xstate';
import { startInspector, type Inspector } from '../../src/inspector/index.js';

const door = setup({ types: { context: {} as { token: string } } }).createMachine({
  id: 'door',
  context: { token: 'super-secret-token' },
  initial: 'closed',
  states: {
    closed: { on: { 'door.open': 'open' } },
    open: { on: { 'door.close': 'closed' }, initial: 'swinging', states: { swinging: { on: { 'door.stop': 'still' } }, still: {} } },
  },
});

let inspector: Inspector | undefined;
let actors: AnyActorRef[] = [];
afterEach(async () => {
  await inspector?.close();
  inspector = undefined;
  for (const a of actors) a.stop();
  actors = [];
});

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    })
      .on('error', reject)
      .end(body);
  });
}

function firstStreamRecords(inspector: Inspector, count: number): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const req = request(inspector.apiUrl('/api/stream'), (res) => {
      const out: Array<Record<string, unknown>> = [];
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (block.startsWith('data: ')) out.push(JSON.parse(block.slice(6)));
          if (out.length >= count) {
            req.destroy();
            resolve(out);
            return;
          }
        }
      });
    });
    req.on('error', (e) => (e.message.includes('aborted') ? undefined : reject(e)));
    req.end();
  });
}

describe('the live inspector', () => {
  it('serves a self-contained page that loads nothing from the internet', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    inspector = await startInspector({ actors: [actor] });
    const page = await get(inspector.url);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(page.body).not.toMatch(/<script[^>]+src=/);
  });

  it('describes the machines of an actor that was running before it attached', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    actor.send({ type: 'door.open' });
    inspector = await startInspector({ actors: [actor] });
    const machines = JSON.parse((await get(inspector.apiUrl('/api/machines'))).body) as Array<{
      definition: { id: string; states: Array<{ key: string }> };
    }>;
    expect(machines).toHaveLength(1);
    expect(machines[0]?.definition.states.map((s) => s.key)).toEqual(['closed', 'open']);
    const attached = inspector.records().find((r) => r.kind === 'snapshot');
    expect(attached?.value).toEqual({ open: 'swinging' });
  });

  it('streams transitions as they happen, with secrets in context redacted', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    inspector = await startInspector({ actors: [actor] });
    const before = inspector.records().length;
    const streamed = firstStreamRecords(inspector, before + 3);
    await new Promise((r) => setTimeout(r, 50));
    actor.send({ type: 'door.open' });
    const records = await streamed;
    const step = records.find((r) => r.kind === 'microstep');
    expect(step?.eventType).toBe('door.open');
    expect(JSON.stringify(records)).not.toContain('super-secret-token');
    expect(JSON.stringify(records)).toContain('[redacted]');
  });

  it('answers 403 without the per-run key, with a wrong key, another Host or another Origin', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    inspector = await startInspector({ actors: [actor] });
    expect(inspector.url).toContain(`key=${inspector.secret}`);
    expect((await get(inspector.url)).status).toBe(200);
    expect((await get(`${inspector.origin}/`)).status).toBe(403);
    expect((await get(`${inspector.origin}/api/trace`)).status).toBe(403);
    expect((await get(`${inspector.origin}/api/stream?key=${'x'.repeat(inspector.secret.length)}`)).status).toBe(403);
    expect((await get(inspector.url, { host: `localhost:${inspector.port}` })).status).toBe(403);
    expect((await get(inspector.url, { host: `evil.example:${inspector.port}` })).status).toBe(403);
    expect((await get(inspector.apiUrl('/api/machines'), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`${inspector.origin}/api/machines`, { 'x-inspector-key': inspector.secret })).status).toBe(200);
  });

  it('runs only allow-listed commands for the actors they apply to, and logs them as coming from the page', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    const ran: string[] = [];
    inspector = await startInspector({
      actors: [actor],
      commands: { open: { appliesTo: (a) => a.machineId === 'door', run: () => void ran.push('open') } },
    });
    const post = (body: unknown) => get(inspector!.apiUrl('/api/command'), { 'content-type': 'application/json' }, 'POST', JSON.stringify(body));
    expect((await post({ command: 'open', actorId: actor.sessionId })).status).toBe(200);
    expect((await post({ command: 'toString', actorId: actor.sessionId })).status).toBe(403);
    expect((await post({ command: 'open', actorId: 'x:404' })).status).toBe(403);
    expect((await post('not json')).status).toBe(403);
    expect(ran).toEqual(['open']);
    const commands = inspector.records().filter((r) => r.kind === 'command');
    expect(commands.map((r) => [r.command, r.source, r.outcome])).toEqual([
      ['open', 'page', undefined],
      ['open', 'page', 'ok'],
    ]);
  });

  it('serves the trace as versioned JSON lines with secrets redacted, and the drawn statechart as SVG', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    inspector = await startInspector({ actors: [actor], redact: ['swinging-secret-value'] });
    actor.send({ type: 'door.open', note: 'swinging-secret-value' } as never);
    const trace = await get(inspector.apiUrl('/api/trace'));
    const lines = trace.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { v: number; kind: string });
    expect(lines[0]).toMatchObject({ v: 1, kind: 'header' });
    expect(lines.every((l) => l.v === 1)).toBe(true);
    expect(lines.some((l) => l.kind === 'microstep')).toBe(true);
    expect(trace.body).not.toContain('super-secret-token');
    expect(trace.body).not.toContain('swinging-secret-value');
    const chart = await get(inspector.apiUrl(`/api/chart?actor=${actor.sessionId}`));
    expect(chart.type).toContain('image/svg+xml');
    expect(chart.body).toContain('data-state="door.open.swinging"');
    expect(chart.body).toContain('data-edge="door.closed|door.open|door.open"');
  });

  it('refuses to listen on anything but loopback', async () => {
    await expect(startInspector({ actors: [], host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'host' });
  });

  it('stops streaming and releases the port on close', async () => {
    const actor = createActor(door, { id: 'door' }).start();
    actors.push(actor);
    const live = await startInspector({ actors: [actor] });
    await live.close();
    const count = live.records().length;
    actor.send({ type: 'door.open' });
    expect(live.records().length).toBe(count);
    await expect(get(live.url)).rejects.toThrow();
  });

  it('interoperates with @statelyai/inspect: our actors feed its inspector unchanged', async () => {
    const seen: string[] = [];
    const stately = createInspector({ send: (event) => seen.push(event.type) });
    const actor = createActor(createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } }), {
      inspect: stately.inspect,
    }).start();
    actors.push(actor);
    actor.send({ type: 'go' });
    // @statelyai/inspect defers its sends with setTimeout(0).
    await vi.waitFor(() => expect(seen).toContain('@xstate.actor'));
    expect(seen).toContain('@xstate.event');
    expect(seen).toContain('@xstate.snapshot');
  });
});

describe('the inspector page script', () => {
  it('parses as JavaScript (a syntax error would leave the page blank without any test noticing)', async () => {
    const { INSPECTOR_PAGE } = await import('../../src/inspector/page.js');
    const script = /<script>([\s\S]*)<\/script>/.exec(INSPECTOR_PAGE)?.[1];
    expect(script).toBeDefined();
    const { Script } = await import('node:vm');
    expect(() => new Script(script!)).not.toThrow();
  });
});
