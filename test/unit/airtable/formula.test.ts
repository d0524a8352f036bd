import { describe, expect, it } from 'vitest';
import { compileFormula, FormulaError } from '../../../emulators/airtable/formula';

const known = new Set(['Call ID', 'Active', 'Tier', 'Name']);
const matches = (formula: string, fields: Record<string, unknown>) => compileFormula(formula, known)(fields);

describe('filterByFormula evaluator', () => {
  it.each([
    [`{Call ID} = 'CA1'`, { 'Call ID': 'CA1' }, true],
    [`{Call ID} = 'CA1'`, { 'Call ID': 'CA2' }, false],
    [`{Call ID} = "it\\'s"`, { 'Call ID': "it's" }, true],
    [`{Call ID} != 'CA1'`, { 'Call ID': 'CA2' }, true],
    ['{Active}', { Active: true }, true],
    ['{Active}', {}, false],
    ['AND({Active}, {Tier} = 1)', { Active: true, Tier: 1 }, true],
    ['AND({Active}, {Tier} = 1)', { Active: true, Tier: 2 }, false],
    ["OR({Tier} = 3, {Name} = 'Alex')", { Tier: 1, Name: 'Alex' }, true],
    ['NOT({Active})', {}, true],
    ["{Name} = ''", {}, true],
    ['{Tier} = BLANK()', {}, true],
    ['TRUE()', {}, true],
    ['AND(TRUE(), FALSE())', {}, false],
  ])('%s on %j → %s', (formula, fields, expected) => {
    expect(matches(formula, fields)).toBe(expected);
  });

  it.each([`{Nope} = 'x'`, `{Call ID} = 'x`, 'SEARCH("a", {Name})', '{Active} {Tier}', 'AND({Active}'])('rejects %s', (formula) => {
    expect(() => compileFormula(formula, known)).toThrow(FormulaError);
  });
});
