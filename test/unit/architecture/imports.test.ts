// Imports run one way (domain ← contract ← activities and workflows ← http and roles ← entry
// points); the rules live in .dependency-cruiser.cjs and this test holds the tree to them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/paths';

async function violations(baseDir: string, folders: string[]): Promise<string[]> {
  const { cruise } = await import('dependency-cruiser');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, '.dependency-cruiser.cjs'));
  const result = await cruise(folders, { ...config.options, ruleSet: { forbidden: config.forbidden }, baseDir, validate: true }, undefined, {
    tsConfig: { fileName: path.join(ROOT, 'tsconfig.json') },
  } as never);
  if (typeof result.output === 'string') throw new Error(result.output);
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('import direction', () => {
  it('the product, its workflows, activities and stand-ins import only downwards', async () => {
    expect(await violations(ROOT, ['src', 'activities', 'workflows', 'emulators'])).toEqual([]);
  }, 60_000);

  it('names an import against the direction', async () => {
    const found = await violations(path.join(__dirname, 'fixture'), ['src', 'activities', 'workflows']);
    expect(found).toEqual(
      expect.arrayContaining([
        'domain-is-pure: src/domain/rule.ts → src/http/route.ts',
        'activities-over-contract: activities/send.ts → workflows/story.ts',
      ]),
    );
  }, 60_000);
});
