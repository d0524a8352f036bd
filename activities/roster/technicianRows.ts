// Validation of roster rows, wherever they come from (Airtable Technicians table or a JSON file).
import { z } from 'zod';
import { toE164 } from '../../src/domain/phone';
import type { Technician, Tier } from '../../src/domain/types';
import type { Logger } from '../../src/observability/logger';

const technicianSchema = z.object({
  name: z.string().trim().min(1, 'name is required'),
  phone: z.string().transform((raw, ctx) => {
    const e164 = toE164(raw);
    if (e164 === null) ctx.addIssue({ code: 'custom', message: `"${raw}" is not a valid phone number` });
    return e164 ?? raw;
  }),
  // Airtable number cells come back as numbers, hand-edited JSON may say "1".
  tier: z.coerce.number().int().min(1).max(3).transform((tier) => tier as Tier),
  // Airtable leaves an unticked checkbox out of the record entirely.
  active: z.boolean().default(false),
});

export interface LabelledRow {
  /** how a person finds the row: an Airtable record id, or a file position */
  label: string;
  row: unknown;
}

/** The valid rows as Technicians; each invalid row is skipped with a warning naming it. */
export function parseTechnicians(rows: LabelledRow[], source: string, logger: Logger): Technician[] {
  const technicians: Technician[] = [];
  for (const { label, row } of rows) {
    const parsed = technicianSchema.safeParse(row);
    if (parsed.success) {
      technicians.push(parsed.data);
    } else {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`);
      logger.warn({ source, row: label, problems }, `roster row ${label} skipped: ${problems.join('; ')}`);
    }
  }
  return technicians;
}
