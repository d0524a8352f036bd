// The workflow cache is sized from the memory a worker may use: WORKER_MEMORY_MB, else 75 % of a
// container's limit, else 600 MiB.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';
import { CACHED_DISPATCH_MIB, IDLE_WORKER_MIB, workerMemory } from '../../../src/roles/workerMemory';

describe('workerMemory', () => {
  it('without a setting or a container limit: 600 MiB', () => {
    const m = workerMemory(loadConfig({}), undefined);
    expect(m).toMatchObject({ budgetMib: 600, source: 'default', cachedDispatches: 85, workflowHeapMib: 128 });
  });

  it('in a container: three quarters of its limit', () => {
    expect(workerMemory(loadConfig({}), 2048)).toMatchObject({ budgetMib: 1536, source: 'container limit' });
  });

  it('WORKER_MEMORY_MB wins over a container limit', () => {
    expect(workerMemory(loadConfig({ WORKER_MEMORY_MB: '1024' }), 4096)).toMatchObject({ budgetMib: 1024, source: 'WORKER_MEMORY_MB' });
  });

  it('fills 40 % of the memory above an idle worker with cached dispatches, and grows with it', () => {
    const at = (mib: number) => workerMemory({ workerMemoryMb: mib }).cachedDispatches;
    expect(at(512)).toBe(Math.floor(((512 - IDLE_WORKER_MIB) * 0.4) / CACHED_DISPATCH_MIB));
    expect(IDLE_WORKER_MIB + at(512) * CACHED_DISPATCH_MIB).toBeLessThan(512);
    expect(at(2048)).toBeGreaterThan(at(1024));
    expect(at(1024)).toBeGreaterThan(at(512));
  });

  it('limits the dispatch thread\'s heap to 40 % of the memory above an idle worker (never below 128 MiB), the audit thread\'s to 128 MiB, the phones\' to 96', () => {
    expect(workerMemory({ workerMemoryMb: 512 }).workflowHeapMib).toBe(128);
    expect(workerMemory({ workerMemoryMb: 1024 }).workflowHeapMib).toBe(297);
    expect(workerMemory({ workerMemoryMb: 300 }).workflowHeapMib).toBe(128);
    expect(workerMemory(loadConfig({}), 200).workflowHeapMib).toBe(128);
    expect(workerMemory({ workerMemoryMb: 512 }).auditHeapMib).toBe(128);
    expect(workerMemory({ workerMemoryMb: 512 }).phonesHeapMib).toBe(96);
  });

  it('keeps a small cache even in a small container', () => {
    expect(workerMemory(loadConfig({}), 256).cachedDispatches).toBe(20);
  });

  it.each(['lots', '299', '1.5'])('WORKER_MEMORY_MB=%s stops start-up naming it', (value) => {
    expect(() => loadConfig({ WORKER_MEMORY_MB: value })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_MEMORY_MB: value })).toThrow(/^Configuration error: WORKER_MEMORY_MB /);
  });
});
