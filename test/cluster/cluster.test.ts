// The production topology, run for real (`npm run test:cluster`): the Temporal server built at the
// pinned version on PostgreSQL (schemas and search attributes set up by the compose one-shot
// scripts), two APIs and two workers of the product as processes. A mixed batch of dispatches with
// webhooks to either API, the Temporal server restarted mid-wait and a worker killed with SIGKILL:
// every dispatch ends right, no text goes out twice, no audit row is written twice, and replies are
// routed through this server's PostgreSQL visibility store.
import { Connection } from '@temporalio/client';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freeClusterPorts, startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { SEARCH_ATTRIBUTES } from '../../src/contract/searchAttributes';
import type { DispatchState } from '../../src/domain/types';
import { ARTIFACTS } from '../support/paths';
import { ROSTER, Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const [alice, bob, carol, dave] = ROSTER;
const tier1 = [alice!, bob!];
const T1_MS = 20_000;
const T2_MS = 5_000;
const CALLER = '+12125550160';

type Plan = 'accept-early' | 'decline-then-tier2-accepts' | 'accept-after-restart' | 'cancel-after-restart' | 'silence';
const PLANS: Plan[] = ['accept-early', 'decline-then-tier2-accepts', 'accept-after-restart', 'cancel-after-restart', 'silence'];
const FINAL: Record<Plan, DispatchState['status']> = {
  'accept-early': 'ACCEPTED',
  'decline-then-tier2-accepts': 'ACCEPTED',
  'accept-after-restart': 'ACCEPTED',
  'cancel-after-restart': 'CANCELLED',
  silence: 'UNANSWERED',
};

/** Deterministic choices, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

let cluster: Cluster | undefined;
let stack: Stack | undefined;

const textsWith = (phone: string, code: string) =>
  stack!.twilio.state.messages({ to: phone }).filter((m) => m.direction === 'outbound-api' && m.body.includes(code));

function psql(database: string, sql: string): string {
  const pg = cluster!.postgres;
  const r = spawnSync(path.join(pg.bindir, 'psql'), ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', database, '-tAc', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: pg.password },
  });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

beforeAll(async () => {
  const dataDir = path.join(ARTIFACTS, `cluster-${randomUUID().slice(0, 8)}`);
  cluster = await startCluster({ dataDir, ports: await freeClusterPorts(), log: (l) => console.log(`[cluster] ${l}`) });
  stack = await Stack.start({
    temporal: cluster.temporal,
    apis: 2,
    workers: 2,
    env: {
      TEMPORAL_NAMESPACE: cluster.namespace,
      DISPATCH_T1: `${T1_MS / 1000}s`,
      DISPATCH_T2: `${T2_MS / 1000}s`,
      DISPATCH_MAX_ROUNDS: '1',
      DISPATCH_GRACE: '2s',
      // An accepted job frees its technician at once: every dispatch of the batch follows up to
      // tier 1 as its plan expects, where a busy technician would be skipped (spec section 10; the
      // storm test covers busy technicians).
      BUSY_FOR: '1ms',
    },
  });
}, 30 * 60_000);

afterAll(async () => {
  await stack?.stop();
  // The databases are throwaway; the logs stay in test-artifacts for a look.
  await cluster?.destroy();
}, 120_000);

describe('the production topology: PostgreSQL-backed Temporal, two APIs, two workers', () => {
  test('runs the pinned server version on PostgreSQL, with the product search attributes registered', async () => {
    const connection = await Connection.connect({ address: cluster!.temporal.address });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBe(cluster!.topology.temporal.version);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: cluster!.namespace });
      expect(Object.keys(customAttributes ?? {}).sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    } finally {
      await connection.close();
    }
    // Both stores are the PostgreSQL databases the schema one-shot created.
    expect(Number(psql(cluster!.topology.postgresql.database, 'SELECT count(*) FROM namespaces'))).toBeGreaterThanOrEqual(2);
    expect(psql(cluster!.topology.postgresql.visibilityDatabase, "SELECT to_regclass('executions_visibility') IS NOT NULL")).toBe('t');
  });

  test('a mixed batch through either API survives a Temporal restart mid-wait and a kill -9 of one worker', async () => {
    const s = stack!;
    const random = seeded(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const plans = Array.from({ length: 30 }, (_, i) => ({
      callId: `CAcluster${i}x${randomUUID().slice(0, 8)}`,
      plan: PLANS[i % PLANS.length]!,
      api: pick(s.apiUrls),
      tech: pick(tier1),
      code: '',
    }));

    // Every dispatch starts through one of the two APIs and pages tier 1.
    await Promise.all(
      plans.map(async (p) => {
        const res = await s.request('POST', '/api/dispatches', { callId: p.callId, callerPhone: CALLER, urgency: 'emergency', summary: `Cluster ${p.plan}` }, p.api);
        expect(res.status).toBe(201);
        p.code = res.body.dispatch.replyCode;
        for (const t of tier1) await waitFor(`${p.callId} paged to ${t.name}`, () => textsWith(t.phone, p.code).length > 0, 30_000);
      }),
    );
    const pagedAt = Date.now();

    // Before anything goes wrong: accepts, and declines that escalate at once to tier 2.
    await Promise.all(
      plans.map(async (p) => {
        if (p.plan === 'accept-early') {
          expect(await s.replyVia(pick(s.apiUrls), p.tech.phone, `YES ${p.code}`)).toContain(CALLER);
        } else if (p.plan === 'decline-then-tier2-accepts') {
          for (const t of tier1) expect(await s.replyVia(pick(s.apiUrls), t.phone, `NO ${p.code}`)).toMatch(/declin/i);
          await waitFor(`${p.callId} tier 2`, () => textsWith(carol!.phone, p.code).length > 0, 30_000);
          expect(await s.replyVia(pick(s.apiUrls), carol!.phone, `YES ${p.code}`)).toContain(CALLER);
        }
      }),
    );
    const waiting = plans.filter((p) => ['accept-after-restart', 'cancel-after-restart', 'silence'].includes(p.plan));
    expect(waiting.every((p) => textsWith(alice!.phone, p.code).length === 1)).toBe(true);
    const firstPageAt = (p: (typeof plans)[number]) => Math.min(...textsWith(alice!.phone, p.code).map((m) => m.dateCreated.getTime()));

    // Mid-wait, one worker dies without a chance to clean up.
    const killed = s.workers[0]!;
    await killed.stop('SIGKILL');
    expect(killed.running).toBe(false);

    // The Temporal server stops while the rest wait on T1, stays down until every T1 has come due,
    // and starts again on the same databases.
    await s.temporal.stop();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, pagedAt + T1_MS + 1_000 - Date.now())));
    const restartedAt = Date.now();
    s.temporal = await cluster!.startTemporal();
    console.log(`[cluster test] Temporal down ${((restartedAt - downAt) / 1000).toFixed(1)} s, serving again after ${((Date.now() - restartedAt) / 1000).toFixed(1)} s`);
    // An orchestrator would replace the dead worker; it joins the one that carried on.
    await s.startWorker();

    // Every waiting dispatch's T1 came due while the server was down; each follows up after the restart.
    for (const p of waiting) {
      expect(firstPageAt(p) + T1_MS, `${p.callId} T1 due while down`).toBeGreaterThan(downAt);
      expect(firstPageAt(p) + T1_MS, `${p.callId} T1 due while down`).toBeLessThan(restartedAt);
    }
    await Promise.all(
      waiting.flatMap((p) => tier1.map((t) => waitFor(`${p.callId} follow-up to ${t.name}`, () => textsWith(t.phone, p.code).find((m) => m.body.startsWith('FOLLOW-UP')), 60_000))),
    );
    for (const p of waiting) {
      for (const t of tier1) {
        const followUps = textsWith(t.phone, p.code).filter((m) => m.body.startsWith('FOLLOW-UP'));
        expect(followUps, `${p.callId} ${t.name}`).toHaveLength(1);
        expect(followUps[0]!.dateCreated.getTime()).toBeGreaterThanOrEqual(restartedAt);
      }
    }

    // Replies after the restart find their dispatch through PostgreSQL visibility, via either API.
    await Promise.all(
      waiting.map(async (p) => {
        if (p.plan === 'accept-after-restart') {
          expect(await s.replyVia(pick(s.apiUrls), p.tech.phone, `YES ${p.code}`)).toContain(CALLER);
        } else if (p.plan === 'cancel-after-restart') {
          const res = await s.request('POST', `/api/dispatches/${p.callId}/cancel`, undefined, pick(s.apiUrls));
          expect(res.status).toBeLessThan(300);
        }
      }),
    );

    // Every dispatch ends right.
    const finals = await Promise.all(plans.map((p) => s.waitForStatus(p.callId, FINAL[p.plan], 90_000)));
    for (const [i, p] of plans.entries()) {
      const final = finals[i]!;
      if (p.plan === 'accept-early' || p.plan === 'accept-after-restart') expect(final.assigned?.phone, p.callId).toBe(p.tech.phone);
      if (p.plan === 'decline-then-tier2-accepts') expect(final.assigned?.phone, p.callId).toBe(carol!.phone);
    }

    // No text went out twice: a silence paged and followed up tier 1 once each, then tiers 2 and 3 once.
    const seen = new Map<string, number>();
    for (const m of s.twilio.state.messages()) {
      if (m.direction !== 'outbound-api') continue;
      seen.set(`${m.to}|${m.body}`, (seen.get(`${m.to}|${m.body}`) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    for (const p of plans.filter((x) => x.plan === 'silence')) {
      for (const t of tier1) expect(textsWith(t.phone, p.code).filter((m) => /EMERGENCY job/.test(m.body)), `${p.callId} ${t.name}`).toHaveLength(2);
      expect(textsWith(carol!.phone, p.code).filter((m) => /EMERGENCY job/.test(m.body))).toHaveLength(1);
      expect(textsWith(dave!.phone, p.code).filter((m) => /EMERGENCY job/.test(m.body))).toHaveLength(1);
    }

    // The Airtable record is complete and has no duplicate row.
    await waitFor('a Calls row for every dispatch', () => {
      const calls = s.airtable.state.records('Calls').map((r) => r.fields['Call ID']);
      return plans.every((p) => calls.includes(p.callId));
    }, 180_000, 500);
    const callRows = s.airtable.state.records('Calls').map((r) => String(r.fields['Call ID']));
    expect(callRows.length).toBe(new Set(callRows).size);
    const eventKeys = s.airtable.state.records('Dispatch Events').map((r) => String(r.fields['Event Key']));
    expect(eventKeys.length).toBe(new Set(eventKeys).size);

    // The visibility store agrees with every dispatch's final status.
    const connection = await Connection.connect({ address: s.temporal.address });
    try {
      const { Client } = await import('@temporalio/client');
      const client = new Client({ connection, namespace: cluster!.namespace });
      for (const status of ['ACCEPTED', 'CANCELLED', 'UNANSWERED'] as const) {
        const expected = plans.filter((p) => FINAL[p.plan] === status).length;
        const query = `TaskQueue = '${s.env.TEMPORAL_TASK_QUEUE}' AND DispatchStatus = '${status}'`;
        await waitFor(`${expected} ${status} in visibility`, async () => (await client.workflow.count(query)).count === expected, 30_000, 250);
      }
    } finally {
      await connection.close();
    }
  });
});
