import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiToFirstPage,
  dispatchAccepted,
  dispatchCancelled,
  dispatchStarted,
  dispatchUnanswered,
  metricsHandler,
  observeWebhook,
  recordOutcome,
  registry,
  rosterProblem,
  smsFailed,
  smsSent,
  timeToAccept,
} from '../../../src/observability/metrics';

// Other files of this test thread count into the metrics module too: this file imports a fresh
// copy (the modules are reset before its imports run), so it reads only what it counted itself.
vi.hoisted(() => vi.resetModules());

let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.get('/metrics', metricsHandler);
  app.post('/webhooks/twilio/sms', observeWebhook('sms'), (_req, res) => {
    res.status(204).end();
  });
  server = app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const scrape = async () => {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(registry.contentType);
  return res.text();
};

describe('metrics', () => {
  it('exposes every product metric and the default process metrics', async () => {
    const text = await scrape();
    for (const name of [
      'dispatch_started_total',
      'dispatch_accepted_total',
      'dispatch_unanswered_total',
      'dispatch_cancelled_total',
      'sms_sent_total',
      'sms_failed_total',
      'roster_problem_total',
      'dispatch_time_to_accept_seconds',
      'webhook_duration_seconds',
      'api_to_first_page_seconds',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('dispatch_started_total{urgency="routine"} 0');
  });

  it('records labelled values', async () => {
    dispatchStarted.inc({ urgency: 'urgent' }, 2);
    dispatchAccepted.inc({ urgency: 'emergency' });
    timeToAccept.observe({ urgency: 'emergency' }, 42);
    dispatchUnanswered.inc({ urgency: 'urgent' });
    dispatchCancelled.inc({ urgency: 'routine' });
    smsSent.inc({ kind: 'PAGE' });
    smsFailed.inc({ error_code: '30034' }, 2);
    rosterProblem.inc({ reason: 'opted_out' });
    apiToFirstPage.observe(0.3);
    const text = await scrape();
    expect(text).toContain('dispatch_started_total{urgency="urgent"} 2');
    expect(text).toContain('dispatch_accepted_total{urgency="emergency"} 1');
    expect(text).toContain('dispatch_unanswered_total{urgency="urgent"} 1');
    expect(text).toContain('dispatch_cancelled_total{urgency="routine"} 1');
    expect(text).toContain('sms_sent_total{kind="PAGE"} 1');
    expect(text).toContain('sms_failed_total{error_code="30034"} 2');
    expect(text).toContain('roster_problem_total{reason="opted_out"} 1');
    expect(text).toContain('dispatch_time_to_accept_seconds_bucket{le="60",urgency="emergency"} 1');
    expect(text).toContain('api_to_first_page_seconds_count 1');
  });

  it('counts each outcome a dispatch reports under its own name, and the time to accept', async () => {
    // A series not yet observed is not listed: it counts 0.
    const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
    const series = [
      'dispatch_unanswered_total{urgency="routine"}',
      'dispatch_accepted_total{urgency="routine"}',
      'dispatch_cancelled_total{urgency="routine"}',
      'dispatch_time_to_accept_seconds_count{urgency="routine"}',
    ];
    const before = await scrape();
    recordOutcome({ urgency: 'routine', status: 'UNANSWERED' });
    recordOutcome({ urgency: 'routine', status: 'ACCEPTED', secondsToAccept: 95 });
    recordOutcome({ urgency: 'routine', status: 'CANCELLED' });
    const after = await scrape();
    expect(series.map((s) => value(after, s) - value(before, s))).toEqual([1, 1, 1, 1]);
  });

  it('times webhooks by route and status', async () => {
    const res = await fetch(`${url}/webhooks/twilio/sms`, { method: 'POST' });
    expect(res.status).toBe(204);
    const text = await scrape();
    expect(text).toContain('webhook_duration_seconds_count{route="sms",status="204"} 1');
  });
});
