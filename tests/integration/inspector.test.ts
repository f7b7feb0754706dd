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

function get(url: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    })
      .on('error', reject)
      .end();
  });
}

function firstStreamRecords(url: string, count: number): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}api/stream`, (res) => {
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
    const machines = JSON.parse((await get(`${inspector.url}api/machines`)).body) as Array<{
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
    const streamed = firstStreamRecords(inspector.url, before + 3);
    await new Promise((r) => setTimeout(r, 50));
    actor.send({ type: 'door.open' });
    const records = await streamed;
    const step = records.find((r) => r.kind === 'microstep');
    expect(step?.eventType).toBe('door.open');
    expect(JSON.stringify(records)).not.toContain('super-secret-token');
    expect(JSON.stringify(records)).toContain('[redacted]');
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

describe('the inspector page logic', () => {
  it('lights the active states and lists the transitions that can be taken, from streamed records', async () => {
    const { INSPECTOR_PAGE } = await import('../../src/inspector/page.js');
    const { describeMachine } = await import('../../src/inspector/machine-graph.js');
    const { runInNewContext } = await import('node:vm');
    const script = /<script>([\s\S]*)<\/script>/.exec(INSPECTOR_PAGE)![1]!;
    const elements = new Map<string, { innerHTML: string; textContent: string; value: string; oninput?: () => void }>();
    const element = (id: string) => {
      if (!elements.has(id)) elements.set(id, { innerHTML: '', textContent: '', value: '' });
      return elements.get(id)!;
    };
    const source: { onmessage?: (m: { data: string }) => void; onopen?: () => void } = {};
    const context = {
      document: { getElementById: element },
      requestAnimationFrame: (fn: () => void) => fn(),
      fetch: async () => ({ json: async () => [{ actorId: 'x:1', systemId: 'door', definition: describeMachine(door) }] }),
      // Called with `new`: returning an object makes it the instance, so the page's handlers land on `source`.
      EventSource: function EventSource() {
        return source;
      },
      Date,
      JSON,
      Map,
      Set,
      Object,
      String,
    };
    runInNewContext(script, context);
    await vi.waitFor(() => expect(element('machines').innerHTML).toContain('door'));
    source.onopen?.();
    source.onmessage?.({
      data: JSON.stringify({ seq: 1, at: 0, kind: 'snapshot', actorId: 'x:1', rootId: 'x:1', value: { open: 'swinging' }, status: 'active' }),
    });
    source.onmessage?.({
      data: JSON.stringify({
        seq: 2,
        at: 1,
        kind: 'microstep',
        actorId: 'x:1',
        rootId: 'x:1',
        eventType: 'door.open',
        value: { open: 'swinging' },
        transitions: [{ source: 'door.closed', targets: ['door.open'], eventType: 'door.open' }],
      }),
    });
    const html = element('machines').innerHTML;
    expect(html).toMatch(/class="st compound active[^"]*" title="door\.open"/);
    expect(html).toMatch(/class="st {2}active[^"]*" title="door\.open\.swinging"/);
    expect(html).not.toMatch(/class="st[^"]*active[^"]*" title="door\.closed"/);
    expect(html).toContain('<span>door.close</span>');
    expect(html).toContain('<span>door.stop</span>');
    expect(element('log').innerHTML).toContain('door.open');
    expect(element('conn').textContent).toBe('live');
  });
});
