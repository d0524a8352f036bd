import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AirtableRequestError } from '../../../activities/airtable/errors';
import type { AirtableGateway } from '../../../activities/airtable/gateway';
import { createRosterSource } from '../../../activities/roster/rosterSource';
import type { Technician } from '../../../src/domain/types';
import { captureLogger, LEVEL } from './logCapture';

function rosterFile(rows: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'roster-')), 'roster.json');
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

/** A gateway whose listTechnicians answers from a queue of results (technicians or an error). */
function scriptedGateway(results: (Technician[] | Error)[]): AirtableGateway & { calls: number } {
  const gateway = {
    calls: 0,
    upsertCalls: () => Promise.reject(new Error('unused')),
    upsertEvents: () => Promise.reject(new Error('unused')),
    listTechnicians: async () => {
      const next = results[gateway.calls++];
      if (!next) throw new Error('no scripted result left');
      if (next instanceof Error) throw next;
      return next;
    },
    listSchedule: async () => ({ rotations: [], overrides: [] }),
  };
  return gateway;
}

const alex: Technician = { name: 'Alex', phone: '+12125550101', tier: 1, active: true };
const sam: Technician = { name: 'Sam', phone: '+12125550103', tier: 2, active: true };

describe('roster file', () => {
  it('loads the example roster: two tier-1, one tier-2, one tier-3, phones in E.164', async () => {
    const { logger, lines } = captureLogger();
    const roster = await createRosterSource({ rosterFile: join(__dirname, '../../../config/roster.example.json'), logger }).loadRoster();
    expect(roster.map((t) => t.tier).sort()).toEqual([1, 1, 2, 3]);
    for (const t of roster) expect(t.phone).toMatch(/^\+1\d{10}$/);
    expect(lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
  });

  it('skips invalid rows with a warning naming each, keeps inactive technicians as inactive', async () => {
    const { logger, lines } = captureLogger();
    const file = rosterFile([
      { name: 'Alex', phone: '(212) 555-0101', tier: 1, active: true },
      { name: 'Bad Phone', phone: '555-0101', tier: 1, active: true },
      { name: 'Tier Four', phone: '+12125550102', tier: 4, active: true },
      { name: 'Resting', phone: '+12125550103', tier: '2', active: false },
      { phone: '+12125550104', tier: 3, active: true },
    ]);
    const roster = await createRosterSource({ rosterFile: file, logger }).loadRoster();

    expect(roster).toEqual([
      { name: 'Alex', phone: '+12125550101', tier: 1, active: true },
      { name: 'Resting', phone: '+12125550103', tier: 2, active: false },
    ]);
    const warnings = lines.filter((l) => l.level === LEVEL.warn).map((l) => l.msg);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/#2 \(Bad Phone\).*"555-0101" is not a valid phone number/);
    expect(warnings[1]).toMatch(/#3 \(Tier Four\).*tier/);
    expect(warnings[2]).toMatch(/#5.*name/);
  });

  it('raises an ops alert when no active tier-1 technician is left, and still returns the roster', async () => {
    const { logger, lines } = captureLogger();
    const file = rosterFile([
      { name: 'Resting', phone: '+12125550101', tier: 1, active: false },
      { name: 'Sam', phone: '+12125550103', tier: 2, active: true },
    ]);
    const roster = await createRosterSource({ rosterFile: file, logger }).loadRoster();
    expect(roster).toHaveLength(2);
    const alerts = lines.filter((l) => l.level === LEVEL.error);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alert: 'roster-no-tier-1' });
  });

  it('fails clearly when the file is unreadable and there never was a roster', async () => {
    const { logger } = captureLogger();
    const source = createRosterSource({ rosterFile: '/nonexistent/roster.json', logger });
    await expect(source.loadRoster()).rejects.toThrow(/roster file \/nonexistent\/roster.json.*no earlier roster/);
  });
});

describe('roster from Airtable', () => {
  it('serves the last roster that loaded when Airtable fails, with a warning', async () => {
    const { logger, lines } = captureLogger();
    const outage = new AirtableRequestError('transient', 'list "Technicians"', 503, 'SERVICE_UNAVAILABLE', 'down');
    const gateway = scriptedGateway([[alex, sam], outage]);
    const source = createRosterSource({ gateway, logger, cacheTtlMs: 0 });

    expect(await source.loadRoster()).toEqual([alex, sam]);
    expect(await source.loadRoster()).toEqual([alex, sam]);
    expect(gateway.calls).toBe(2);
    // Within 30 s of the failure nobody reads again: it would only extend a 429 lock-out.
    expect(await source.loadRoster()).toEqual([alex, sam]);
    expect(gateway.calls).toBe(2);
    expect(lines.filter((l) => l.level === LEVEL.warn).map((l) => l.msg)).toEqual(['roster load failed; using the last roster that loaded']);
  });

  it('throws when Airtable fails before any roster loaded', async () => {
    const { logger } = captureLogger();
    const gateway = scriptedGateway([new AirtableRequestError('permanent', 'list "Technicians"', 401, 'AUTHENTICATION_REQUIRED', 'bad key')]);
    await expect(createRosterSource({ gateway, logger }).loadRoster()).rejects.toThrow(/Airtable Technicians.*AUTHENTICATION_REQUIRED/);
  });

  it('reads Airtable again only after the cache TTL', async () => {
    const { logger } = captureLogger();
    const gateway = scriptedGateway([[alex], [alex, sam]]);
    const cached = createRosterSource({ gateway, logger, cacheTtlMs: 60_000 });
    await cached.loadRoster();
    expect(await cached.loadRoster()).toEqual([alex]);
    expect(gateway.calls).toBe(1);
  });

  it('reads technicians and schedule together, and keeps the last of both when the schedule read fails', async () => {
    const { logger } = captureLogger();
    const rotation = { name: 'Weekly', tier: 1 as const, members: ['Alex'], start: '2026-01-02T17:00', shiftHours: 168, active: true };
    const schedules = [{ rotations: [rotation], overrides: [] }, new AirtableRequestError('transient', 'list "Rotations"', 503, 'SERVICE_UNAVAILABLE', 'down')];
    const gateway = { ...scriptedGateway([[alex], [alex, sam]]), listSchedule: async () => {
      const next = schedules.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no scripted result left');
      return next;
    } };
    const source = createRosterSource({ gateway, logger, cacheTtlMs: 0 });
    expect(await source.loadSnapshot()).toEqual({ technicians: [alex], rotations: [rotation], overrides: [] });
    expect(await source.loadSnapshot()).toEqual({ technicians: [alex], rotations: [rotation], overrides: [] });
  });

  it('needs a gateway or a file', () => {
    const { logger } = captureLogger();
    expect(() => createRosterSource({ logger })).toThrow(/gateway or a roster file/);
  });
});
