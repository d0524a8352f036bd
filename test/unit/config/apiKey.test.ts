// The JSON API key and where the API listens: the documented local key is for the sandbox (no real
// Twilio credentials) and then only on loopback; real credentials need a strong DISPATCH_API_KEY.
import { describe, expect, it } from 'vitest';
import { apiAccess, apiRequirements, ConfigError, loadConfig, LOCAL_DISPATCH_API_KEY, MIN_DISPATCH_API_KEY_LENGTH } from '../../../src/config';

const TWILIO = { TWILIO_ACCOUNT_SID: 'ACx', TWILIO_AUTH_TOKEN: 'twilio-auth-token-value', TWILIO_FROM_NUMBER: '+15005550006' };
const STRONG = 'k'.repeat(MIN_DISPATCH_API_KEY_LENGTH);

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('npm start: apiAccess', () => {
  it('sandbox without a key: the documented local key, on loopback only', () => {
    expect(apiAccess(loadConfig({}))).toEqual({ dispatchApiKey: LOCAL_DISPATCH_API_KEY, host: '127.0.0.1', sandbox: true });
  });

  it('sandbox with a key of any length: that key, still on loopback only', () => {
    expect(apiAccess(loadConfig({ DISPATCH_API_KEY: 'short' }))).toEqual({ dispatchApiKey: 'short', host: '127.0.0.1', sandbox: true });
  });

  it('real Twilio credentials and a strong key: that key, on every interface', () => {
    const access = apiAccess(loadConfig({ ...TWILIO, DISPATCH_API_KEY: STRONG }));
    expect(access).toEqual({ dispatchApiKey: STRONG, sandbox: false });
    expect(access.host).toBeUndefined();
  });

  it.each([
    ['no key', {}],
    ['an empty key', { DISPATCH_API_KEY: '' }],
    ['the documented local key', { DISPATCH_API_KEY: LOCAL_DISPATCH_API_KEY }],
    [`a key of ${MIN_DISPATCH_API_KEY_LENGTH - 1} characters`, { DISPATCH_API_KEY: 'k'.repeat(MIN_DISPATCH_API_KEY_LENGTH - 1) }],
  ])('real Twilio credentials and %s: stops, naming DISPATCH_API_KEY and never its value', (_, env: Record<string, string>) => {
    const err = configError(() => apiAccess(loadConfig({ ...TWILIO, ...env })));
    expect(err.variable).toBe('DISPATCH_API_KEY');
    expect(err.message).toMatch(/^Configuration error: DISPATCH_API_KEY /);
    if (env.DISPATCH_API_KEY) expect(err.message).not.toContain(env.DISPATCH_API_KEY);
    expect(err.message).not.toContain(TWILIO.TWILIO_AUTH_TOKEN);
  });
});

describe('npm run api: apiRequirements', () => {
  const base = { ...TWILIO, TEMPORAL_ADDRESS: '127.0.0.1:7233' };

  it('takes a key of at least 24 characters', () => {
    expect(MIN_DISPATCH_API_KEY_LENGTH).toBe(24);
    expect(apiRequirements(loadConfig({ ...base, DISPATCH_API_KEY: STRONG })).dispatchApiKey).toBe(STRONG);
  });

  it.each([undefined, LOCAL_DISPATCH_API_KEY, 'k'.repeat(23)])('refuses %s', (key) => {
    const err = configError(() => apiRequirements(loadConfig({ ...base, ...(key === undefined ? {} : { DISPATCH_API_KEY: key }) })));
    expect(err.variable).toBe('DISPATCH_API_KEY');
    if (key) expect(err.message).not.toContain(key);
  });
});
