// Event histories as a cost: how many events a workflow wrote, by kind, and how many every other
// workflow of the namespace gained meanwhile (the fleet's Airtable writer, the on-call schedule, or
// any entity workflow a dispatch signals), found by listing the namespace before and after.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Event counts by group, in the order they print. */
export type EventCounts = Map<string, number>;

const GROUPS: Array<[string, RegExp]> = [
  ['workflow tasks', /^workflowTask/],
  ['activities', /^activityTask/],
  ['signals', /Signal/i],
  ['updates', /Update/],
  ['timers', /^timer/],
  ['markers', /^marker/],
  ['search attributes', /SearchAttributes|PropertiesModified/],
];

/** The kind of an event: the name of the attributes it carries, e.g. "workflowTaskScheduled". */
function kindOf(event: HistoryEvent): string {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && event[k as keyof HistoryEvent] != null);
  return key?.slice(0, -'EventAttributes'.length) ?? 'unknown';
}

export function countEvents(events: HistoryEvent[]): EventCounts {
  const counts: EventCounts = new Map([['total', 0], ...GROUPS.map(([g]) => [g, 0] as [string, number]), ['other', 0]]);
  for (const event of events) {
    const kind = kindOf(event);
    const group = GROUPS.find(([, test]) => test.test(kind))?.[0] ?? 'other';
    counts.set(group, counts.get(group)! + 1);
    counts.set('total', counts.get('total')! + 1);
  }
  return counts;
}

export function addCounts(into: EventCounts, more: EventCounts): EventCounts {
  for (const [group, n] of more) into.set(group, (into.get(group) ?? 0) + n);
  return into;
}

/** "57 (workflow tasks 24, activities 18, …)": the groups that have events, per `per` workflows. */
export function describeEvents(counts: EventCounts, per = 1): string {
  const fmt = (n: number) => (Number.isInteger(n / per) ? String(n / per) : (n / per).toFixed(1));
  const parts = [...counts].filter(([g, n]) => g !== 'total' && n > 0).map(([g, n]) => `${g} ${fmt(n)}`);
  return `${fmt(counts.get('total') ?? 0)} (${parts.join(', ')})`;
}

export async function historyOf(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
}

/** Splits a history at a moment: the events written before it and those from it on. */
export function splitAt(events: HistoryEvent[], at: number): [HistoryEvent[], HistoryEvent[]] {
  const i = events.findIndex((e) => tsToMs(e.eventTime) >= at);
  return i < 0 ? [events, []] : [events.slice(0, i), events.slice(i)];
}

interface RunLength {
  workflowId: string;
  runId: string;
  type: string;
  length: number;
}

/** Every workflow run of the namespace that `include` keeps, with its history length now. */
export async function historyLengths(client: Client, include: (workflowId: string, type: string) => boolean): Promise<Map<string, RunLength>> {
  const runs = new Map<string, RunLength>();
  for await (const wf of client.workflow.list()) {
    if (!include(wf.workflowId, wf.type)) continue;
    // visibility's length of a running workflow lags; describe has it as of now
    const { historyLength } = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    runs.set(`${wf.workflowId} ${wf.runId}`, { workflowId: wf.workflowId, runId: wf.runId, type: wf.type, length: historyLength });
  }
  return runs;
}

/** The events every run gained since `before` (a run new since then: all of its events), by workflow type. */
export async function eventsGained(client: Client, before: Map<string, RunLength>, after: Map<string, RunLength>): Promise<Map<string, EventCounts>> {
  const byType = new Map<string, EventCounts>();
  for (const [key, run] of after) {
    const from = before.get(key)?.length ?? 0;
    if (run.length <= from) continue;
    const added = (await historyOf(client, run.workflowId, run.runId)).filter((e) => Number(e.eventId) > from);
    byType.set(run.type, addCounts(byType.get(run.type) ?? new Map(), countEvents(added)));
  }
  return byType;
}
