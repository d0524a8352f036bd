// How far apart Airtable requests go (Airtable allows 5 requests/s per base). One formula for the
// fleet's writer, which holds each write for its slot, and for a process's own request spacing.

/** Under Airtable's 5 requests/s per base, with room for network jitter. */
export const DEFAULT_REQUESTS_PER_SECOND = 4;

export function requestIntervalMs(requestsPerSecond: number): number {
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) throw new RangeError('requestsPerSecond must be a positive number');
  return 1000 / requestsPerSecond;
}
