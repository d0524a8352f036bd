import { describe, expect, it } from 'vitest';
import { parseReply } from '../../../src/domain/dispatch/replyParser';

describe('parseReply', () => {
  it.each([
    ['YES', { kind: 'accept' }],
    ['yes', { kind: 'accept' }],
    ['  Y  ', { kind: 'accept' }],
    ['1', { kind: 'accept' }],
    ['Accept', { kind: 'accept' }],
    ['ok', { kind: 'accept' }],
    ['yes ab12', { kind: 'accept', code: 'AB12' }],
    ['OK\tk7m', { kind: 'accept', code: 'K7M' }],
    ['1 ABCDEFGH', { kind: 'accept', code: 'ABCDEFGH' }],
    ['NO', { kind: 'decline' }],
    ['n', { kind: 'decline' }],
    ['2', { kind: 'decline' }],
    ['decline', { kind: 'decline' }],
    [' NO  X7K9 ', { kind: 'decline', code: 'X7K9' }],
    ['STOP', { kind: 'optout' }],
    ['stopall', { kind: 'optout' }],
    ['Unsubscribe', { kind: 'optout' }],
    ['cancel', { kind: 'optout' }],
    ['END', { kind: 'optout' }],
    ['quit', { kind: 'optout' }],
    ['START', { kind: 'optin' }],
    ['unstop', { kind: 'optin' }],
    ['HELP', { kind: 'help' }],
    ['info', { kind: 'help' }],
    ['', { kind: 'unknown' }],
    ['   ', { kind: 'unknown' }],
    ['maybe', { kind: 'unknown' }],
    ['yes please', { kind: 'accept', code: 'PLEASE' }], // looks like a code: the webhook answers "unknown code"
    ['yes AB', { kind: 'unknown' }],
    ['yes ABCDEFGHI', { kind: 'unknown' }],
    ['yes AB-12', { kind: 'unknown' }],
    ['yes AB12 now', { kind: 'unknown' }],
    ['yesAB12', { kind: 'unknown' }],
    ['stop ab12', { kind: 'unknown' }],
  ])('%j -> %j', (body, expected) => {
    expect(parseReply(body)).toEqual(expected);
  });
});
