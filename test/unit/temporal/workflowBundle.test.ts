// The workflow bundle keeps the source map the SDK needs, without the sources' text.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkWorkflowBundle, WORKFLOW_BUNDLE, withoutSourceTexts } from '../../../src/temporal/workflowBundle';

const INLINE_MAP = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
const inlineMap = (code: string) => JSON.parse(Buffer.from(code.slice(code.lastIndexOf(INLINE_MAP) + INLINE_MAP.length), 'base64').toString('utf8'));
const withMap = (code: string, map: object) => `${code}\n${INLINE_MAP}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;

describe('withoutSourceTexts', () => {
  const map = { version: 3, file: 'bundle.js', sources: ['webpack://workflows/dispatch.ts'], sourcesContent: ['export const x = 1;'], names: [], mappings: 'AAAA' };

  it('leaves out the sources\' text and keeps the code and the mappings', () => {
    const stripped = withoutSourceTexts(withMap('var x = 1;', map));
    expect(stripped.startsWith('var x = 1;\n')).toBe(true);
    const { sourcesContent, ...kept } = map;
    expect(sourcesContent).toBeDefined();
    expect(inlineMap(stripped)).toEqual(kept);
  });

  it('refuses a bundle without an inline source map (the SDK could not load it)', () => {
    expect(() => withoutSourceTexts('var x = 1;')).toThrow(/no inline source map/);
  });
});

describe('the built workflow bundle', () => {
  it('is fresh, and its source map maps to the workflow sources without their text', () => {
    expect(checkWorkflowBundle()).toEqual({ fresh: true });
    const map = inlineMap(fs.readFileSync(WORKFLOW_BUNDLE.codePath, 'utf8'));
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources).toEqual(expect.arrayContaining([expect.stringMatching(/workflows\/dispatch\/dispatchWorkflow\.ts$/)]));
    expect(map.mappings.length).toBeGreaterThan(10_000);
  });
});
