// The account's link and the plugin's own fields, as the chart keeps them: built key by key (no spreads),
// so what is checked is that they say what a spread would have said.
import { describe, expect, it } from 'vitest';
import { linkAfterLogout, linkAfterReport, linkAfterTask, NO_LINK } from '../../src/machines/channels/link.js';
import { mergeExtra } from '../../src/machines/channels/extra.js';

describe('account link', () => {
  it('a report that changes nothing keeps the same object', () => {
    const link = linkAfterReport(NO_LINK, { connected: true }, 10);
    expect(linkAfterReport(link, { connected: true, busy: false, name: 'x' }, 20)).toBe(link);
  });

  it('a drop starts the connect grace once, and busy keeps its start time', () => {
    let link = linkAfterReport(NO_LINK, { connected: true, busy: true }, 10);
    expect(link).toEqual({ connected: true, disconnectedSince: null, busy: true, busySince: 10 });
    link = linkAfterReport(link, { connected: false }, 20);
    expect(link).toEqual({ connected: false, disconnectedSince: 20, busy: true, busySince: 10 });
    link = linkAfterReport(link, { busy: false }, 30);
    expect(link).toEqual({ connected: false, disconnectedSince: 20, busy: false, busySince: null });
  });

  it('a logout and a task end disconnect a link that had said it was connected, and leave one that never had', () => {
    expect(linkAfterLogout(NO_LINK)).toBe(NO_LINK);
    const link = linkAfterReport(NO_LINK, { connected: true, busy: true }, 10);
    expect(linkAfterLogout(link)).toEqual({ connected: false, disconnectedSince: null, busy: true, busySince: 10 });
    expect(linkAfterTask(link)).toEqual({ connected: false, disconnectedSince: null, busy: false, busySince: null });
  });
});

describe("the plugin's own fields", () => {
  it('the newer fields win, the older stay, and the inputs are left alone', () => {
    const older = { name: 'bot', mode: 'polling' };
    const merged = mergeExtra(older, { mode: 'webhook', region: 'eu' });
    expect(merged).toEqual({ name: 'bot', mode: 'webhook', region: 'eu' });
    expect(older).toEqual({ name: 'bot', mode: 'polling' });
  });

  it('a field named __proto__ is kept as a field, as a spread keeps it, and never becomes the prototype', () => {
    const reported = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const merged = mergeExtra({}, reported);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect((merged as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
