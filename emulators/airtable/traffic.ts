// Request accounting for the emulator: Airtable's per-base rate limit (a sliding 1 s window),
// a request log, and the figures tests and load checks read (429s, busiest second).

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  table?: string;
  status: number;
  /** records in a write's body (create, update, upsert); absent for reads */
  records?: number;
}

export interface TrafficStats {
  requests: number;
  rateLimited: number;
  /** most requests that arrived within any 1 s window, refused ones included */
  peakRequestsPerSecond: number;
  outage: number | null;
}

const WINDOW_MS = 1000;
const LOG_LIMIT = 10_000;

export class Traffic {
  /** arrival times within the last second, and those of them that were let through */
  private arrivals: number[] = [];
  private admitted: number[] = [];
  private log: RequestLogEntry[] = [];
  private counts = { requests: 0, rateLimited: 0, peak: 0 };

  constructor(private readonly requestsPerSecond: number) {}

  /** Counts an arriving request; false when it goes over the limit. Refused requests do not
   *  take a slot, so a client that stops for a second gets through again. */
  admit(now = Date.now()): boolean {
    const since = now - WINDOW_MS;
    this.arrivals = this.arrivals.filter((t) => t > since);
    this.admitted = this.admitted.filter((t) => t > since);
    this.arrivals.push(now);
    this.counts.requests++;
    this.counts.peak = Math.max(this.counts.peak, this.arrivals.length);
    if (this.admitted.length >= this.requestsPerSecond) {
      this.counts.rateLimited++;
      return false;
    }
    this.admitted.push(now);
    return true;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  requestLog(): RequestLogEntry[] {
    return [...this.log];
  }

  stats(outage: number | null): TrafficStats {
    return { requests: this.counts.requests, rateLimited: this.counts.rateLimited, peakRequestsPerSecond: this.counts.peak, outage };
  }

  reset(): void {
    this.arrivals = [];
    this.admitted = [];
    this.log = [];
    this.counts = { requests: 0, rateLimited: 0, peak: 0 };
  }
}
