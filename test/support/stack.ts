// The whole product for a test: Twilio and Airtable stand-ins in the test process, a real Temporal
// dev server, and the API and worker as separate processes started the way operators start them.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startAirtableEmulator, type AirtableEmulator } from '../../emulators/airtable';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulators/twilio';
import { postSigned, type SignedPostAnswer } from '../../emulators/twilio/signedPost';
import type { DispatchState, Technician } from '../../src/domain/types';
import type { Override, Rotation } from '../../src/domain/roster/schedule';
import type { DevServer } from '../../src/temporal/devServer';
import { ARTIFACTS, ROOT } from './paths';
import { Phone } from './phone';
import { RoleProcess } from './processes';
import { startTemporal } from './temporal';
import { freePort, waitFor } from './wait';

export const ACCOUNT_SID = 'ACtest00000000000000000000000000aa';
export const AUTH_TOKEN = 'test-auth-token-0123456789';
export const FROM_NUMBER = '+15005550006';
export const API_KEY = 'test-dispatch-api-key-0123456789';

export const ROSTER: Technician[] = [
  { name: 'Alice Tier1', phone: '+12125550101', tier: 1, active: true },
  { name: 'Bob Tier1', phone: '+12125550102', tier: 1, active: true },
  { name: 'Carol Tier2', phone: '+12125550103', tier: 2, active: true },
  { name: 'Dave Manager', phone: '+12125550104', tier: 3, active: true },
  { name: 'Erin Inactive', phone: '+12125550105', tier: 1, active: false },
];

/** Where a TwiML <Gather> sends the caller's answer (its action URL), if it has one. */
export const gatherAction = (twiml: string): string | undefined => /<Gather[^>]*action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');

export interface TestSchedule {
  rotations?: Rotation[];
  overrides?: Override[];
}

export interface StackOptions {
  /** environment for both roles: timers (DISPATCH_T1 …), business hours … */
  env?: Record<string, string>;
  roster?: Technician[];
  /** rotations and overrides: the roster file then holds the whole schedule (spec section 9) */
  schedule?: TestSchedule;
  temporal?: DevServer;
  workers?: number;
  apis?: number;
  /** run the roles from another checkout (an older release), with its own bundle or none */
  roleRoot?: string;
  workflowBundlePath?: string;
}

export class Stack {
  readonly workers: RoleProcess[] = [];
  readonly apis: RoleProcess[] = [];
  private readonly ownsTemporal: boolean;
  private counter = 0;
  private readonly phones = new Map<string, Phone>();
  /** the checkout the next roles start from */
  roleRoot = ROOT;

  private constructor(
    readonly twilio: TwilioEmulator,
    readonly airtable: AirtableEmulator,
    public temporal: DevServer,
    readonly env: Record<string, string>,
    readonly apiUrls: string[],
    ownsTemporal: boolean,
    private readonly roster: Technician[],
  ) {
    this.ownsTemporal = ownsTemporal;
  }

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const id = randomUUID().slice(0, 8);
    const twilio = await startTwilioEmulator({ port: 0, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ourNumber: FROM_NUMBER, callbackDelayMs: 20 });
    const airtable = await startAirtableEmulator({ port: 0, apiKey: 'patTest', baseId: 'appTest' });
    const temporal = opts.temporal ?? (await startTemporal());
    const rosterFile = path.join(ARTIFACTS, `roster-${id}.json`);
    writeRosterFile(rosterFile, opts.roster ?? ROSTER, opts.schedule);
    const apiPorts = await Promise.all(Array.from({ length: opts.apis ?? 1 }, () => freePort()));
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `dispatch-${id}`,
      PUBLIC_BASE_URL: apiUrls[0]!,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM_NUMBER: FROM_NUMBER,
      TWILIO_API_BASE_URL: twilio.url,
      AIRTABLE_API_KEY: 'patTest',
      AIRTABLE_BASE_ID: 'appTest',
      AIRTABLE_ENDPOINT_URL: airtable.url,
      DISPATCH_API_KEY: API_KEY,
      ROSTER_FILE: rosterFile,
      // an older checkout's roles load the bundle they are given; this checkout's build their own
      ...(opts.workflowBundlePath ? { WORKFLOW_BUNDLE_PATH: opts.workflowBundlePath } : {}),
      BUSINESS_NAME: 'Acme Plumbing',
      LOG_LEVEL: 'info',
      // One dispatch's texts each on their own, as most scenarios read them; the storm test bundles.
      PAGE_BUNDLE_WINDOW: '0s',
      ...opts.env,
    };
    twilio.setAppBaseUrl(apiUrls[0]!, apiUrls[0]!);
    const stack = new Stack(twilio, airtable, temporal, env, apiUrls, !opts.temporal, opts.roster ?? ROSTER);
    if (opts.roleRoot) stack.roleRoot = opts.roleRoot;
    try {
      await Promise.all([
        ...Array.from({ length: opts.workers ?? 1 }, () => stack.startWorker()),
        ...apiPorts.map((port) => stack.startApi(port)),
      ]);
    } catch (err) {
      await stack.stop(); // never leave a half-started stack's processes behind
      throw err;
    }
    return stack;
  }

  async startWorker(): Promise<RoleProcess> {
    const worker = new RoleProcess('worker', `worker-${this.env.TEMPORAL_TASK_QUEUE}-${++this.counter}`, this.env, this.roleRoot);
    this.workers.push(worker);
    await worker.waitForLine(/workers polling/);
    return worker;
  }

  async startApi(port: number): Promise<RoleProcess> {
    const api = new RoleProcess('api', `api-${this.env.TEMPORAL_TASK_QUEUE}-${++this.counter}`, { ...this.env, PORT: String(port) }, this.roleRoot);
    this.apis.push(api);
    await api.waitForLine(/API listening/);
    return api;
  }

  /** Rewrites the schedule, as an office would edit it; it takes effect within ROSTER_REFRESH. */
  setSchedule(schedule: TestSchedule): void {
    writeRosterFile(this.env.ROSTER_FILE!, this.roster, schedule);
  }

  get apiUrl(): string {
    return this.apiUrls[0]!;
  }

  /** The same Phone for a number all along, so what a test has read stays read. */
  phone(number: string): Phone {
    let phone = this.phones.get(number);
    if (!phone) this.phones.set(number, (phone = new Phone(this.twilio, number)));
    return phone;
  }

  async request(method: 'GET' | 'POST', route: string, body?: unknown, apiUrl = this.apiUrl): Promise<{ status: number; body: any }> {
    const res = await fetch(`${apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** A form POST as Twilio sends one: signed over `signedUrl` (the public URL), delivered to `url`. */
  private twilioPost(url: string, signedUrl: string, params: Record<string, string>): Promise<SignedPostAnswer> {
    return postSigned({ url, signedUrl, params, authToken: AUTH_TOKEN });
  }

  /**
   * Posts to a Voice webhook (`path` with its query) as Twilio would. Its TwiML; throws on anything
   * but a 200 with XML.
   */
  async voice(path: string, params: Record<string, string>): Promise<string> {
    const url = `${this.apiUrl}${path}`;
    const res = await this.twilioPost(url, url, params);
    if (res.status !== 200 || !/xml/.test(res.contentType)) throw new Error(`${path} answered HTTP ${res.status} ${res.contentType}: ${res.text.slice(0, 300)}`);
    return res.text;
  }

  /** A status callback as Twilio posts one to a message's StatusCallback URL; the HTTP status answered. */
  async statusCallback(url: string, params: Record<string, string>): Promise<number> {
    return (await this.twilioPost(url, url, params)).status;
  }

  /**
   * A technician's SMS as Twilio would deliver it to one chosen API instance (behind a load
   * balancer), signed for the public URL; returns the text of the TwiML answer.
   */
  async replyVia(apiUrl: string, from: string, body: string): Promise<string> {
    const params = { From: from, To: FROM_NUMBER, Body: body, MessageSid: `SM${randomUUID().replace(/-/g, '')}` };
    const res = await this.twilioPost(`${apiUrl}/webhooks/twilio/sms`, `${this.env.PUBLIC_BASE_URL}/webhooks/twilio/sms`, params);
    if (res.status !== 200) throw new Error(`reply from ${from} to ${apiUrl} answered HTTP ${res.status}`);
    return res.text.replace(/<[^>]+>/g, ' ').trim();
  }

  async startDispatch(body: Record<string, unknown>): Promise<{ status: number; dispatch: DispatchState }> {
    const res = await this.request('POST', '/api/dispatches', body);
    if (res.status >= 300) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { status: res.status, dispatch: res.body.dispatch };
  }

  async dispatch(callId: string): Promise<DispatchState> {
    const res = await this.request('GET', `/api/dispatches/${encodeURIComponent(callId)}`);
    if (res.status !== 200) throw new Error(`get ${callId}: ${res.status}`);
    return res.body.dispatch;
  }

  waitForStatus(callId: string, status: DispatchState['status'], timeoutMs = 30_000): Promise<DispatchState> {
    return waitFor(`${callId} to be ${status}`, async () => {
      const d = await this.dispatch(callId);
      return d.status === status ? d : undefined;
    }, timeoutMs, 100);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((p) => p.stop('SIGKILL')));
    if (this.ownsTemporal) await this.temporal.stop();
    await this.twilio.close();
    await this.airtable.close();
  }
}

function writeRosterFile(file: string, technicians: Technician[], schedule: TestSchedule | undefined): void {
  const content = schedule ? { technicians, rotations: schedule.rotations ?? [], overrides: schedule.overrides ?? [] } : technicians;
  // Written whole, then renamed: a reader never sees half a file.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(content));
  fs.renameSync(`${file}.tmp`, file);
}
