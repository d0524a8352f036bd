import { describe, expect, it } from 'vitest';
import { parseEtaMinutes, parseReply } from '../../../src/domain/dispatch/replyParser';

describe('parseReply', () => {
  it.each([
    ['YES', { kind: 'accept' }],
    ['yes', { kind: 'accept' }],
    ['  Y  ', { kind: 'accept' }],
    ['1', { kind: 'accept' }],
    ['Accept', { kind: 'accept' }],
    ['ok', { kind: 'accept' }],
    ['yes ab23', { kind: 'accept', code: 'AB23' }],
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
    // Words no code can be (too short or long, 0/O/1/I/L, a leading digit) are the technician's own.
    ['yes please', { kind: 'accept' }],
    ['yes AB', { kind: 'accept' }],
    ['yes ABCDEFGHI', { kind: 'accept' }],
    ['yes AB-12', { kind: 'accept' }],
    ['ok on my way', { kind: 'accept' }],
    ['NO sorry, sick', { kind: 'decline' }],
    ['yes thanks', { kind: 'accept', code: 'THANKS' }], // could be a code: the webhook answers "unknown code" with the open ones
    ['yes AB23 now', { kind: 'accept', code: 'AB23' }], // extra words after the code do not stop an accept
    ['YES K7QP on my way', { kind: 'accept', code: 'K7QP' }],
    // Any case and spacing, punctuation around words ignored.
    ['Yes, k7qp!', { kind: 'accept', code: 'K7QP' }],
    ['  yes   K7QP   40 ', { kind: 'accept', code: 'K7QP', etaMinutes: 40 }],
    ['"No" x7k9.', { kind: 'decline', code: 'X7K9' }],
    ['Done.', { kind: 'done' }],
    ['yesAB12', { kind: 'unknown' }],
    ['stop ab23', { kind: 'unknown' }],
  ])('%j -> %j', (body, expected) => {
    expect(parseReply(body)).toEqual(expected);
  });
});

describe('parseReply after the accept (spec section 11)', () => {
  it.each([
    ['YES K7QP 40', { kind: 'accept', code: 'K7QP', etaMinutes: 40 }],
    ['yes k7qp 40m', { kind: 'accept', code: 'K7QP', etaMinutes: 40 }],
    ['YES K7QP 1h', { kind: 'accept', code: 'K7QP', etaMinutes: 60 }],
    ['YES K7QP 1h30', { kind: 'accept', code: 'K7QP', etaMinutes: 90 }],
    ['YES K7QP 1h30m on my way', { kind: 'accept', code: 'K7QP', etaMinutes: 90 }],
    ['YES K7QP 40 min', { kind: 'accept', code: 'K7QP', etaMinutes: 40 }],
    ['YES 40', { kind: 'accept', etaMinutes: 40 }],
    ['y 25', { kind: 'accept', etaMinutes: 25 }],
    ['YES 2h', { kind: 'accept', etaMinutes: 120 }],
    ['ok 1:15', { kind: 'accept', etaMinutes: 75 }],
    ['YES K7QP 0', { kind: 'accept', code: 'K7QP' }], // no usable ETA: an accept all the same
    ['NO K7QP 40', { kind: 'decline', code: 'K7QP' }],
    ['ETA K7QP 40', { kind: 'eta', code: 'K7QP', etaMinutes: 40 }],
    ['eta k7qp 1h30', { kind: 'eta', code: 'K7QP', etaMinutes: 90 }],
    ['ETA 20', { kind: 'eta', etaMinutes: 20 }],
    ['eta 20 mins stuck in traffic', { kind: 'eta', etaMinutes: 20 }],
    ['ETA 45m', { kind: 'eta', etaMinutes: 45 }],
    ['ETA K7QP', { kind: 'unknown' }],
    ['ETA', { kind: 'unknown' }],
    ['ETA soon', { kind: 'unknown' }],
    ['ETA K7QP 0', { kind: 'unknown' }],
    ['ETA K7QP 25h', { kind: 'unknown' }],
    ['ETA 1441', { kind: 'unknown' }],
    ['ETA 1440', { kind: 'eta', etaMinutes: 1440 }],
    ['ARRIVED', { kind: 'arrived' }],
    ['arrived k7qp', { kind: 'arrived', code: 'K7QP' }],
    ['Onsite', { kind: 'arrived' }],
    ['on-site', { kind: 'arrived' }],
    ['HERE K7QP', { kind: 'arrived', code: 'K7QP' }],
    ['here!', { kind: 'arrived' }],
    ['arrived at the house', { kind: 'arrived' }],
    ['DONE', { kind: 'done' }],
    ['done K7QP all fixed', { kind: 'done', code: 'K7QP' }],
    ['Complete', { kind: 'done' }],
    ['COMPLETED k7qp', { kind: 'done', code: 'K7QP' }],
    ['fixed.', { kind: 'done' }],
  ])('%j -> %j', (body, expected) => {
    expect(parseReply(body)).toEqual(expected);
  });

  it.each([
    ['40', 40],
    ['40m', 40],
    ['40MIN', 40],
    ['1h', 60],
    ['1H30', 90],
    ['1h30m', 90],
    ['2hrs', 120],
    ['1:05', 65],
    ['0', undefined],
    ['-5', undefined],
    ['1.5h', undefined],
    ['soon', undefined],
    ['24h', 1440],
    ['24h1', undefined],
  ])('minutes %j -> %j', (word, minutes) => {
    expect(parseEtaMinutes(word)).toBe(minutes);
  });
});
