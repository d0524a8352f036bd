// Whether the fleet's Airtable writer is full, as every forward of this process sees it: one
// describe of the writer at a time and at most one a second, shared by all forwards, so thousands
// of dispatches waiting to forward cost the Temporal server one request a second per worker.
import { AUDIT_WRITER_FULL_MEMO } from '../../src/contract/audit';

/** The running writer's Memo; undefined when no writer runs. */
export type DescribeWriter = () => Promise<Record<string, unknown> | undefined>;

export class WriterGate {
  private known?: { full: boolean; at: number };
  private asking?: Promise<boolean>;

  constructor(
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True while the writer says it is full. No writer running, or a describe that failed, reads as
   * open: the forward signals (and starts the writer) as it always did.
   */
  full(describe: DescribeWriter): Promise<boolean> {
    if (this.known && this.now() - this.known.at < this.maxAgeMs) return Promise.resolve(this.known.full);
    this.asking ??= describe()
      .then((memo) => memo?.[AUDIT_WRITER_FULL_MEMO] === true, () => false)
      .then((full) => {
        this.known = { full, at: this.now() };
        this.asking = undefined;
        return full;
      });
    return this.asking;
  }
}
