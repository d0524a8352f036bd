// Configuration from the environment (spec section 7), validated once at start-up.
// A bad value stops the process with one message naming the variable.
import ms from 'ms';
import path from 'node:path';
import { parseBusinessHours } from './domain/dispatch/businessHours';
import { JOB_TIMER_DEFAULTS } from './domain/dispatch/escalationPolicy';
import type { BusinessHours, DispatchPolicy, Urgency } from './domain/types';
import { toE164 } from './domain/phone';
import { PROJECT_ROOT } from './projectRoot';
import { DEFAULT_REQUESTS_PER_SECOND } from './domain/airtable/pace';
import type { OnCallSettings } from './contract/onCall';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  fromNumber: string;
  apiBaseUrl?: string;
}

export interface AirtableConfig {
  apiKey: string;
  baseId: string;
  endpointUrl?: string;
}

export interface TemporalConfig {
  /** unset: the process runs an embedded dev server */
  address?: string;
  namespace: string;
  taskQueue: string;
  /** Temporal Cloud API key, when used */
  apiKey?: string;
  tls: boolean;
}

export interface Timers {
  emergency: { t1Ms: number; t2Ms: number };
  urgent: { t1Ms: number; t2Ms: number };
  maxRounds: number;
  graceMs: number;
  statusCheckMs: number;
  voiceFollowUp: boolean;
  /** unset: every T1 of the urgency */
  ringEveryMs?: number;
  /** after the accept (spec section 11) */
  defaultEtaMs: number;
  arrivalGraceMs: number;
  busyForMs: number;
  /** PAGE_BUNDLE_WINDOW; 0 turns bundling off */
  bundleWindowMs: number;
  /** AUDIT_FLUSH_INTERVAL; 0 hands each moment's rows to the Airtable writer at once */
  auditFlushMs: number;
}

export interface Config {
  port: number;
  publicBaseUrl: string;
  businessName: string;
  officePhone?: string;
  /** spec section 12: the fee the IVR states before sending a technician out (e.g. "$149"); unset: no prompt */
  afterHoursFee?: string;
  businessHours: BusinessHours;
  dispatchApiKey?: string;
  temporal: TemporalConfig;
  /** unset: the built-in Twilio stand-in */
  twilio?: TwilioConfig;
  /** unset: the built-in local Airtable */
  airtable?: AirtableConfig;
  /** pace of the fleet's one Airtable writer (Airtable allows 5 requests/s per base) */
  airtableRequestsPerSecond: number;
  rosterFile: string;
  dataDir: string;
  devServer: { port: number; uiPort: number };
  timers: Timers;
  /** the on-call schedule (spec section 9) */
  schedule: OnCallSettings;
  /** memory one worker process may use, in MiB; unset: derived from the machine (src/roles/workerMemory.ts) */
  workerMemoryMb?: number;
}

/**
 * A duration setting in ms; `fallback` is a duration like "90s", or ms when the default lives in the
 * domain. `zeroTurnsOff`: `0s` is allowed and means off.
 */
function duration(env: Env, name: string, fallback: string | number, zeroTurnsOff = false): number {
  const raw = env[name] ?? fallback;
  if (typeof raw === 'number') return raw;
  const value = /^\d+$/.test(raw) ? Number(raw) * 1000 : ms(raw as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroTurnsOff)) {
    throw new ConfigError(name, `must be a duration like 90s, 2m or 1h (got "${raw}")`);
  }
  return value;
}

/** A short amount the IVR reads out, such as "$149" or "149 dollars"; blank is unset. */
function fee(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length > 40 || !/\d/.test(raw) || /[<>&]/.test(raw)) throw new ConfigError(name, `must be a short amount such as $149 (got "${raw}")`);
  return raw;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : integer(env, name, min, min, max);
}

function url(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name] || fallback;
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (!/^https?:$/.test(parsed.protocol)) throw new Error('scheme');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

function phone(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const e164 = toE164(raw);
  if (!e164) throw new ConfigError(name, `must be a phone number (got "${raw}")`);
  return e164;
}

/** All of a group's variables or none: a half-configured vendor is a mistake, not a default. */
function group<K extends string>(env: Env, names: readonly K[]): Record<K, string> | undefined {
  const present = names.filter((n) => env[n]);
  if (present.length === 0) return undefined;
  const missing = names.find((n) => !env[n]);
  if (missing) throw new ConfigError(missing, `is required when ${present.join(', ')} ${present.length > 1 ? 'are' : 'is'} set`);
  return Object.fromEntries(names.map((n) => [n, env[n] as string])) as Record<K, string>;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const timeZone = env.BUSINESS_TIMEZONE ?? 'America/New_York';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ConfigError('BUSINESS_TIMEZONE', `must be an IANA time zone such as America/Chicago (got "${timeZone}")`);
  }
  let businessHours: BusinessHours;
  try {
    businessHours = parseBusinessHours(env.BUSINESS_HOURS ?? 'Mon-Fri 08:00-17:00', timeZone);
  } catch (err) {
    throw new ConfigError('BUSINESS_HOURS', `${(err as Error).message} (expected e.g. "Mon-Fri 08:00-17:00")`);
  }

  const twilioVars = group(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'] as const);
  const airtableVars = group(env, ['AIRTABLE_API_KEY', 'AIRTABLE_BASE_ID'] as const);

  const t1 = duration(env, 'DISPATCH_T1', '2m');
  const t2 = duration(env, 'DISPATCH_T2', '5m');
  const dataDir = path.resolve(PROJECT_ROOT, env.DATA_DIR ?? '.data');

  const config: Config = {
    port,
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL', `http://localhost:${port}`)!,
    businessName: env.BUSINESS_NAME ?? 'After-Hours Dispatch',
    officePhone: phone(env, 'OFFICE_PHONE'),
    afterHoursFee: fee(env, 'AFTER_HOURS_FEE'),
    businessHours,
    dispatchApiKey: env.DISPATCH_API_KEY || undefined,
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'dispatch',
      apiKey: env.TEMPORAL_API_KEY || undefined,
      tls: env.TEMPORAL_TLS === 'true' || Boolean(env.TEMPORAL_API_KEY),
    },
    twilio: twilioVars && {
      accountSid: twilioVars.TWILIO_ACCOUNT_SID,
      authToken: twilioVars.TWILIO_AUTH_TOKEN,
      fromNumber: phone(env, 'TWILIO_FROM_NUMBER')!,
      apiBaseUrl: url(env, 'TWILIO_API_BASE_URL'),
    },
    airtable: airtableVars && {
      apiKey: airtableVars.AIRTABLE_API_KEY,
      baseId: airtableVars.AIRTABLE_BASE_ID,
      endpointUrl: url(env, 'AIRTABLE_ENDPOINT_URL'),
    },
    airtableRequestsPerSecond: Number(env.AIRTABLE_REQUESTS_PER_SECOND ?? DEFAULT_REQUESTS_PER_SECOND),
    rosterFile: path.resolve(PROJECT_ROOT, env.ROSTER_FILE ?? 'config/roster.example.json'),
    dataDir,
    devServer: {
      port: integer(env, 'TEMPORAL_DEV_PORT', 7233, 1, 65535),
      uiPort: integer(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535),
    },
    timers: {
      emergency: { t1Ms: t1, t2Ms: t2 },
      // Urgent calls wait longer; by default 2.5×T1 and 2×T2 (5 and 10 minutes).
      urgent: {
        t1Ms: env.DISPATCH_URGENT_T1 ? duration(env, 'DISPATCH_URGENT_T1', '5m') : Math.round(t1 * 2.5),
        t2Ms: env.DISPATCH_URGENT_T2 ? duration(env, 'DISPATCH_URGENT_T2', '10m') : t2 * 2,
      },
      maxRounds: integer(env, 'DISPATCH_MAX_ROUNDS', 2, 1, 10),
      graceMs: duration(env, 'DISPATCH_GRACE', '30m'),
      statusCheckMs: duration(env, 'DISPATCH_STATUS_CHECK', '60s'),
      voiceFollowUp: boolean(env, 'DISPATCH_VOICE', true),
      ringEveryMs: env.DISPATCH_VOICE_REPEAT ? duration(env, 'DISPATCH_VOICE_REPEAT', '2m') : undefined,
      defaultEtaMs: duration(env, 'DEFAULT_ETA', JOB_TIMER_DEFAULTS.defaultEtaMs),
      arrivalGraceMs: duration(env, 'ARRIVAL_GRACE', JOB_TIMER_DEFAULTS.arrivalGraceMs),
      busyForMs: duration(env, 'BUSY_FOR', JOB_TIMER_DEFAULTS.busyForMs),
      bundleWindowMs: duration(env, 'PAGE_BUNDLE_WINDOW', '10s', true),
      auditFlushMs: duration(env, 'AUDIT_FLUSH_INTERVAL', '5s', true),
    },
    schedule: {
      refreshMs: duration(env, 'ROSTER_REFRESH', '60s'),
      leadMs: duration(env, 'ONCALL_REMINDER_LEAD', '1h'),
      horizonMs: duration(env, 'COVERAGE_HORIZON', '7d'),
    },
    // below 300 MiB an idle worker alone would not fit
    workerMemoryMb: optionalInteger(env, 'WORKER_MEMORY_MB', 300, 1_048_576),
  };
  if (!Number.isFinite(config.airtableRequestsPerSecond) || config.airtableRequestsPerSecond <= 0 || config.airtableRequestsPerSecond > 5) {
    throw new ConfigError('AIRTABLE_REQUESTS_PER_SECOND', 'must be a number above 0 and at most 5 (Airtable\'s limit per base)');
  }
  return config;
}

/** The timers one dispatch runs with; routine calls page like urgent ones once the office opens. */
export function policyFor(config: Config, urgency: Urgency): DispatchPolicy {
  const timers = urgency === 'emergency' ? config.timers.emergency : config.timers.urgent;
  return {
    ...timers,
    maxRounds: config.timers.maxRounds,
    graceMs: config.timers.graceMs,
    statusCheckMs: config.timers.statusCheckMs,
    // A sleeping technician wakes for a ringing phone, not for a text: emergencies only.
    voiceFollowUp: urgency === 'emergency' && config.timers.voiceFollowUp,
    ringEveryMs: config.timers.ringEveryMs ?? timers.t1Ms,
    businessHours: config.businessHours,
    defaultEtaMs: config.timers.defaultEtaMs,
    arrivalGraceMs: config.timers.arrivalGraceMs,
    busyForMs: config.timers.busyForMs,
    bundleWindowMs: config.timers.bundleWindowMs,
    auditFlushMs: config.timers.auditFlushMs,
  };
}

/** Loads configuration or ends the process with the one message that names the variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** The JSON API key documented for the sandbox (README). Never accepted with real Twilio credentials. */
export const LOCAL_DISPATCH_API_KEY = 'local-dispatch-key';
/** Shortest DISPATCH_API_KEY accepted with real Twilio credentials (`openssl rand -hex 24` gives 48). */
export const MIN_DISPATCH_API_KEY_LENGTH = 24;

/** DISPATCH_API_KEY where real credentials make the API worth attacking: set, and long enough. */
function strongApiKey(config: Config, when: string): string {
  const key = config.dispatchApiKey;
  const how = 'generate one with: openssl rand -hex 24';
  if (!key) throw new ConfigError('DISPATCH_API_KEY', `is required ${when} (the documented local key is for the sandbox only); ${how}`);
  if (key.length < MIN_DISPATCH_API_KEY_LENGTH) {
    throw new ConfigError('DISPATCH_API_KEY', `must be at least ${MIN_DISPATCH_API_KEY_LENGTH} characters ${when}; ${how}`);
  }
  return key;
}

/**
 * The JSON API's key and interface under `npm start`. Without Twilio credentials (the sandbox) the
 * API listens on loopback only and takes the documented local key unless DISPATCH_API_KEY is set;
 * with real credentials it listens on every interface and DISPATCH_API_KEY must be a strong key.
 */
export function apiAccess(config: Config): { dispatchApiKey: string; host?: string; sandbox: boolean } {
  if (!config.twilio) return { dispatchApiKey: config.dispatchApiKey ?? LOCAL_DISPATCH_API_KEY, host: '127.0.0.1', sandbox: true };
  return { dispatchApiKey: strongApiKey(config, 'when real Twilio credentials are set'), sandbox: false };
}

/** What the API run on its own (`npm run api`) cannot do without. */
export function apiRequirements(config: Config): { address: string; twilio: TwilioConfig; dispatchApiKey: string } {
  const address = requireAddress(config, 'api');
  if (!config.twilio) throw new ConfigError('TWILIO_ACCOUNT_SID', 'is required for npm run api (npm start runs a local Twilio stand-in)');
  return { address, twilio: config.twilio, dispatchApiKey: strongApiKey(config, 'for npm run api') };
}

/** What a worker run on its own (`npm run worker`) cannot do without. */
export function workerRequirements(config: Config): { address: string; twilio: TwilioConfig; airtable: AirtableConfig } {
  const address = requireAddress(config, 'worker');
  if (!config.twilio) throw new ConfigError('TWILIO_ACCOUNT_SID', 'is required for npm run worker (npm start runs a local Twilio stand-in)');
  if (!config.airtable) throw new ConfigError('AIRTABLE_API_KEY', 'is required for npm run worker (npm start keeps the tables locally)');
  return { address, twilio: config.twilio, airtable: config.airtable };
}

function requireAddress(config: Config, role: string): string {
  if (!config.temporal.address) throw new ConfigError('TEMPORAL_ADDRESS', `is required for npm run ${role} (npm start runs an embedded server)`);
  return config.temporal.address;
}
