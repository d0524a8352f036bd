import { describe, expect, test } from 'vitest';
import { PhoneBatches } from '../../../activities/phone/phoneBatches';

/** A phone's workflow stand-in: records each batch and answers it when told to. */
function phoneWorkflow() {
  const batches: Array<{ phone: string; requests: number[]; answer(fail?: Error): void }> = [];
  const send = (phone: string, requests: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ phone, requests, answer: (fail) => (fail ? reject(fail) : resolve(requests.map((r) => `plan ${r}`))) });
    });
  return { batches, send };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('requests to one phone workflow from one worker process', () => {
  test('the first goes at once; those that arrive while the slots are taken go together in the next batch, each answered in order', async () => {
    const phone = phoneWorkflow();
    const batches = new PhoneBatches<number, string, 'client'>(phone.send, 2);
    const answers = Array.from({ length: 7 }, (_, i) => batches.submit('+1', i, 'client'));
    await settle();
    expect(phone.batches.map((b) => b.requests)).toEqual([[0], [1]]);
    phone.batches[0]!.answer();
    await settle();
    expect(phone.batches.map((b) => b.requests)).toEqual([[0], [1], [2, 3, 4, 5, 6]]);
    phone.batches[1]!.answer();
    phone.batches[2]!.answer();
    expect(await Promise.all(answers)).toEqual(['plan 0', 'plan 1', 'plan 2', 'plan 3', 'plan 4', 'plan 5', 'plan 6']);
    expect(batches.size).toBe(0);
  });

  test('phones do not share slots', async () => {
    const phone = phoneWorkflow();
    const batches = new PhoneBatches<number, string, 'client'>(phone.send, 1);
    const answers = ['+1', '+2', '+3'].map((p, i) => batches.submit(p, i, 'client'));
    await settle();
    expect(phone.batches.map((b) => b.phone)).toEqual(['+1', '+2', '+3']);
    phone.batches.forEach((b) => b.answer());
    await Promise.all(answers);
  });

  test('a failed batch fails each of its requests and frees its slot for the next', async () => {
    const phone = phoneWorkflow();
    const batches = new PhoneBatches<number, string, 'client'>(phone.send, 1);
    const first = batches.submit('+1', 1, 'client');
    const queued = [batches.submit('+1', 2, 'client'), batches.submit('+1', 3, 'client')];
    await settle();
    phone.batches[0]!.answer(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await settle();
    expect(phone.batches[1]!.requests).toEqual([2, 3]);
    phone.batches[1]!.answer(new Error('aborted'));
    for (const q of queued) await expect(q).rejects.toThrow('aborted');
    expect(batches.size).toBe(0);
  });
});
