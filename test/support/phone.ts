// A technician's or caller's phone, as the tests talk to it: expect a text, reply to it.
import type { TwilioEmulator } from '../../emulators/twilio';
import { waitFor } from './wait';

export class Phone {
  private readonly read = new Set<string>();

  constructor(
    private readonly twilio: TwilioEmulator,
    readonly number: string,
  ) {}

  /** texts our service sent to this phone through the Messages API, oldest first (TwiML answers excluded) */
  texts(): Array<{ sid: string; body: string }> {
    return this.twilio.state.inbox(this.number).filter((m) => m.direction === 'outbound-api');
  }

  private unread() {
    return this.texts().filter((m) => !this.read.has(m.sid));
  }

  /** Waits for the next unread text and checks it says what we expect. */
  async expectSms(expected: RegExp, timeoutMs = 15_000): Promise<string> {
    const next = await waitFor(`${this.number} to receive ${expected}`, () => this.unread()[0], timeoutMs);
    this.read.add(next.sid);
    if (!expected.test(next.body)) throw new Error(`${this.number} expected ${expected} but got: ${next.body}`);
    return next.body;
  }

  /** No text arrived beyond those already read. */
  expectNothingNew(): void {
    const unread = this.unread().map((m) => m.body);
    if (unread.length) throw new Error(`${this.number} got unexpected texts: ${JSON.stringify(unread)}`);
  }

  /** Replies by SMS through the stand-in; returns what our service answered (TwiML <Message>s). */
  async reply(body: string): Promise<string[]> {
    const result = await this.twilio.state.reply(this.number, body);
    if (result.status !== 200) throw new Error(`reply from ${this.number} answered HTTP ${result.status}`);
    return result.replies;
  }
}
