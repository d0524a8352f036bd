import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { HttpError, errorHandler, requireJson } from '../../../src/http/errors';
import { parseDispatchRequest } from '../../../src/http/validation';

const VALID = { callId: 'CA0123456789abcdef_x-1', callerPhone: '(212) 555-0100', urgency: 'emergency', summary: '  No heat  ' };

describe('parseDispatchRequest', () => {
  it('normalises the phone to E.164 and trims text', () => {
    expect(parseDispatchRequest(VALID)).toEqual({
      callId: 'CA0123456789abcdef_x-1',
      callerPhone: '+12125550100',
      urgency: 'emergency',
      summary: 'No heat',
    });
  });

  it('keeps an address, drops a blank one and ignores unknown fields', () => {
    expect(parseDispatchRequest({ ...VALID, address: ' 1 Main St ', extra: true })).toEqual({ ...parseDispatchRequest(VALID), address: '1 Main St' });
    expect(parseDispatchRequest({ ...VALID, address: '   ' })).not.toHaveProperty('address');
  });

  it.each([
    ['+44 20 7183 8750', '+442071838750'],
    ['212.555.0100', '+12125550100'],
    ['+1 (212) 555-0100', '+12125550100'],
  ])('phone %j -> %s', (callerPhone, e164) => {
    expect(parseDispatchRequest({ ...VALID, callerPhone }).callerPhone).toBe(e164);
  });

  it.each([
    ['missing callId', { ...VALID, callId: undefined }, 'callId'],
    ['empty callId', { ...VALID, callId: '' }, 'callId'],
    ['callId too long', { ...VALID, callId: 'a'.repeat(65) }, 'callId'],
    ['callId with a slash', { ...VALID, callId: 'abc/def' }, 'callId'],
    ['invalid phone', { ...VALID, callerPhone: '12345' }, 'callerPhone'],
    ['fictional 555 area code', { ...VALID, callerPhone: '555-555-0100' }, 'callerPhone'],
    ['phone as a number', { ...VALID, callerPhone: 2125550100 }, 'callerPhone'],
    ['unknown urgency', { ...VALID, urgency: 'critical' }, 'urgency'],
    ['blank summary', { ...VALID, summary: '   ' }, 'summary'],
    ['summary too long', { ...VALID, summary: 'x'.repeat(5001) }, 'summary'],
    ['address too long', { ...VALID, address: 'x'.repeat(1001) }, 'address'],
    ['fee answer not a boolean', { ...VALID, feeAccepted: 'yes' }, 'feeAccepted'],
  ])('rejects %s', (_name, body, path) => {
    try {
      parseDispatchRequest(body);
      expect.fail('accepted invalid input');
    } catch (err) {
      expect(err).toBeInstanceOf(ZodError);
      expect(new Set((err as ZodError).issues.map((i) => i.path.join('.')))).toEqual(new Set([path]));
    }
  });

  it('accepts the longest allowed values', () => {
    expect(() => parseDispatchRequest({ ...VALID, callId: 'a'.repeat(64), summary: 'x'.repeat(5000), address: 'y'.repeat(1000) })).not.toThrow();
  });

  it('keeps a long summary with emoji and accents whole, and the fee answer', () => {
    const summary = `Chaudière en panne 🔥🚿 — Zoë says the água is everywhere. ${'Details. '.repeat(500)}`.trim();
    expect(parseDispatchRequest({ ...VALID, summary, feeAccepted: true })).toMatchObject({ summary, feeAccepted: true });
  });
});

describe('JSON API error handling', () => {
  let server: Server;
  let url: string;
  let created = 0;

  beforeAll(async () => {
    const app = express();
    app.post('/api/dispatches', requireJson, express.json({ limit: '2kb' }), (req, res) => {
      const request = parseDispatchRequest(req.body);
      created++;
      res.status(201).json(request);
    });
    app.get('/teapot', () => {
      throw new HttpError(418, 'short and stout', [{ path: 'x', message: 'y' }]);
    });
    app.get('/boom', () => {
      throw new Error('secret internal detail');
    });
    app.use(errorHandler);
    server = app.listen(0);
    await new Promise<void>((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: string, contentType?: string) =>
    fetch(`${url}/api/dispatches`, { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body });

  it('creates with a valid body', async () => {
    const res = await post(JSON.stringify(VALID), 'application/json; charset=utf-8');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ callerPhone: '+12125550100' });
  });

  it.each([
    ['invalid phone', JSON.stringify({ ...VALID, callerPhone: 'call me' }), 'application/json', 400, { error: 'invalid request', details: [{ path: 'callerPhone', message: 'not a valid phone number' }] }],
    ['unknown urgency', JSON.stringify({ ...VALID, urgency: 'asap' }), 'application/json', 400, { error: 'invalid request' }],
    ['missing fields', '{}', 'application/json', 400, { error: 'invalid request' }],
    ['an array', '[]', 'application/json', 400, { error: 'invalid request' }],
    ['malformed JSON', '{"callId": ', 'application/json', 400, { error: 'malformed JSON body' }],
    ['a bare JSON string', '"hello"', 'application/json', 400, { error: 'malformed JSON body' }],
    ['an oversized body', JSON.stringify({ ...VALID, summary: 'x'.repeat(100_000) }), 'application/json', 413, { error: 'request body too large' }],
    ['a form body', new URLSearchParams(VALID).toString(), 'application/x-www-form-urlencoded', 415, { error: 'Content-Type must be application/json' }],
    ['text/plain', JSON.stringify(VALID), 'text/plain', 415, { error: 'Content-Type must be application/json' }],
    ['an unsupported charset', JSON.stringify(VALID), 'application/json; charset=klingon', 415, { error: 'unsupported charset' }],
  ])('answers %s with a JSON 4xx and creates nothing', async (_name, body, contentType, status, expected) => {
    const before = created;
    const res = await post(body, contentType);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject(expected);
    expect(created).toBe(before);
  });

  it('answers 415 without a Content-Type', async () => {
    const res = await fetch(`${url}/api/dispatches`, { method: 'POST' });
    expect(res.status).toBe(415);
  });

  it('passes HttpError status and details through', async () => {
    const res = await fetch(`${url}/teapot`);
    expect(res.status).toBe(418);
    expect(await res.json()).toEqual({ error: 'short and stout', details: [{ path: 'x', message: 'y' }] });
  });

  it('hides unexpected errors behind a 500', async () => {
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
  });
});
