// A freeze night against real processes (spec section 10): two workers, the Twilio stand-in, the
// dev server. A reply typed 10 ms after its page arrives is matched; a burst of 30 calls in 5 s
// gives each free tier-1 phone a page and then bundles, at most 4 texts before T1 and one wake-up
// call per T1, through a lost Twilio answer and a kill -9 of a worker mid-burst, with no text twice
// and every job paged and followed up once in the audit trail. The reply and start paths ask
// visibility nothing (the API's counter).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob] = ROSTER;
const T1_MS = 30_000;
const CALLER = '+12125550177';
/** How much later than decided a wake-up call may reach Twilio on a loaded machine. */
const RING_LAG_MS = 5_000;

/** The API's visibility requests by purpose, from its /metrics. */
async function visibilityRequests(stack: Stack): Promise<Record<string, number>> {
  const res = await fetch(`${stack.apiUrl}/metrics`);
  const counts: Record<string, number> = {};
  for (const match of (await res.text()).matchAll(/^temporal_visibility_requests_total\{purpose="([^"]+)"\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

/** Texts the service sent to `to` since `since` (ms), oldest first. */
function texts(stack: Stack, to: string, since = 0) {
  return stack.twilio.state
    .messages({ to })
    .filter((m) => m.direction === 'outbound-api' && m.dateCreated.getTime() >= since)
    .reverse();
}

describe('a freeze night: two workers, 30 calls in 5 s', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      workers: 2,
      env: { DISPATCH_T1: `${T1_MS / 1000}s`, DISPATCH_T2: '60s', DISPATCH_MAX_ROUNDS: '1', PAGE_BUNDLE_WINDOW: '10s', DISPATCH_STATUS_CHECK: '5s' },
    });
  });
  afterAll(async () => stack?.stop());

  test('a YES sent 10 ms after the page arrives is matched to it, asking visibility nothing', async () => {
    const before = await visibilityRequests(stack);
    const callId = `CAfast${randomUUID().slice(0, 8)}`;
    const { dispatch } = await stack.startDispatch({ callId, callerPhone: CALLER, urgency: 'emergency', summary: 'Gas smell' });
    const page = await waitFor('the page', () => texts(stack, alice!.phone).find((m) => m.body.includes(dispatch.replyCode)), 10_000, 2);
    await new Promise((r) => setTimeout(r, 10));
    expect(await stack.replyVia(stack.apiUrl, alice!.phone, `yes ${dispatch.replyCode.toLowerCase()} on my way`)).toContain(CALLER);
    expect(page.body).toContain(`Reply YES ${dispatch.replyCode}`);
    expect(await stack.replyVia(stack.apiUrl, alice!.phone, `DONE ${dispatch.replyCode}`)).toMatch(/complete/i);
    await stack.waitForStatus(callId, 'COMPLETED', 20_000);
    const after = await visibilityRequests(stack);
    const asked = Object.entries(after).filter(([purpose, n]) => purpose !== 'health' && n !== (before[purpose] ?? 0));
    expect(asked).toEqual([]);
  });

  test('30 calls in 5 s, a lost Twilio answer and a kill -9 mid-burst: each tier-1 phone gets at most 4 texts before T1 and one wake-up call per T1; every job one page and one follow-up each; nothing twice', async () => {
    stack.twilio.state.loseResponseNext(2, 'reset');
    const callIds = Array.from({ length: 30 }, (_, i) => `CAstorm${i}x${randomUUID().slice(0, 6)}`);
    const burstStart = Date.now();
    const started: Promise<unknown>[] = [];
    for (const [i, callId] of callIds.entries()) {
      started.push(stack.startDispatch({ callId, callerPhone: CALLER, urgency: 'emergency', summary: `Frozen pipe burst at house ${i + 1}` }));
      if (i === 12) await stack.workers[0]!.stop('SIGKILL');
      if (i === 14) started.push(stack.startWorker());
      await new Promise((r) => setTimeout(r, 5_000 / 30));
    }
    const sentMs = Date.now() - burstStart;
    await Promise.all(started);
    const answeredMs = Date.now() - burstStart;
    const codes = new Map((await Promise.all(callIds.map((id) => stack.dispatch(id)))).map((d) => [d.replyCode, d.callId]));

    // Before T1: the first page of each phone at once, the rest bundled.
    const figures: string[] = [`30 starts sent to the API in ${(sentMs / 1000).toFixed(1)} s, the last answered ${(answeredMs / 1000).toFixed(1)} s after the first was sent`];
    for (const tech of [alice!, bob!]) {
      const first = await waitFor(`${tech.name}'s first page`, () => texts(stack, tech.phone, burstStart)[0], 20_000);
      const t0 = first.dateCreated.getTime();
      const unlisted = () => {
        const listed = texts(stack, tech.phone, burstStart).filter((m) => m.dateCreated.getTime() < t0 + T1_MS).map((m) => m.body);
        return [...codes].filter(([code]) => !listed.some((b) => b.includes(code))).map(([code, callId]) => `${callId} (${code})`);
      };
      await waitFor(`every job listed for ${tech.name}`, () => (unlisted().length === 0 ? true : undefined), T1_MS, 100).catch((err: Error) => {
        throw new Error(`${err.message}; not listed: ${unlisted().join(', ')}`);
      });
      const beforeT1 = texts(stack, tech.phone, burstStart).filter((m) => m.dateCreated.getTime() < t0 + T1_MS);
      figures.push(`${tech.name}: ${beforeT1.length} SMS before T1 (${beforeT1.map((m) => m.body.length).join(', ')} characters)`);
      expect(beforeT1.length).toBeLessThanOrEqual(4);
    }

    // After T1: each job's follow-up; the audit trail has one page and one follow-up per job and phone.
    for (const callId of callIds) {
      await waitFor(`${callId} followed up`, async () => {
        const d = await stack.dispatch(callId);
        return [alice!, bob!].every((t) => d.messages.filter((m) => m.to === t.phone && m.kind === 'FOLLOW_UP' && m.messageSid).length === 1) ? true : undefined;
      }, 60_000, 250);
    }
    // 30 jobs follow up at T1, each with a wake-up call due: one call per phone per T1 (spec section
    // 10). A ring is decided on the dispatch's clock and reaches Twilio a moment later, so two
    // decided a T1 apart may land a little closer; never 30 within a T1.
    for (const tech of [alice!, bob!]) {
      // (The first test's job was accepted before any follow-up: it rang nobody.)
      const rang = stack.twilio.state
        .calls()
        .filter((c) => c.direction === 'outbound-api' && c.to === tech.phone)
        .map((c) => c.startedAt.getTime())
        .sort((a, b) => a - b);
      figures.push(`${tech.name}: ${rang.length} wake-up call(s) for 30 follow-ups, ${rang.slice(1).map((t, i) => `${((t - rang[i]!) / 1000).toFixed(1)} s`).join(', ') || 'none'} apart`);
      expect(rang.length).toBeGreaterThanOrEqual(1);
      for (const [i, at] of rang.slice(1).entries()) expect(at - rang[i]!).toBeGreaterThan(T1_MS - RING_LAG_MS);
    }
    console.log(`storm figures:\n  ${figures.join('\n  ')}`);
    const rows = () => stack.airtable.state.records('Dispatch Events').map((r) => r.fields);
    // Texts only: a wake-up call has a FOLLOW_UP_SENT row of its own (Method VOICE).
    const sentRows = (callId: string, phone: string, type: 'PAGE_SENT' | 'FOLLOW_UP_SENT') =>
      rows().filter((f) => f['Call ID'] === callId && f.Recipient === phone && f.Method === 'SMS' && f['Event Type'] === type);
    const pairs = callIds.flatMap((callId) => [alice!, bob!].map((tech) => [callId, tech.phone] as const));
    // The rows reach Airtable through the writer, after the texts: wait for this burst's own rows
    // (the first test's job has rows of its own, which must not stand in for a missing one).
    const unrecorded = () => pairs.filter(([callId, phone]) => !sentRows(callId, phone, 'PAGE_SENT').length || !sentRows(callId, phone, 'FOLLOW_UP_SENT').length);
    await waitFor('the audit rows of every page and follow-up', () => (unrecorded().length === 0 ? true : undefined), 90_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; missing for: ${unrecorded().map((p) => p.join(' to ')).join(', ')}`);
    });
    for (const [callId, phone] of pairs) {
      expect(sentRows(callId, phone, 'PAGE_SENT')).toHaveLength(1);
      expect(sentRows(callId, phone, 'FOLLOW_UP_SENT')).toHaveLength(1);
    }
    // Exactly once: no phone holds the same text twice.
    const seen = new Map<string, number>();
    for (const m of stack.twilio.state.messages().filter((x) => x.direction === 'outbound-api')) seen.set(`${m.to}|${m.body}`, (seen.get(`${m.to}|${m.body}`) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);

    await Promise.all(callIds.map((id) => stack.request('POST', `/api/dispatches/${id}/cancel`)));
  });
});
