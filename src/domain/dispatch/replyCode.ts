// Short code a technician quotes to say which dispatch a reply is about. Pure and deterministic
// (no node:crypto) because the workflow sandbox derives it too.

/** No 0/O, 1/I/L: codes are read off a phone screen and typed back. */
export const REPLY_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/**
 * A code starts with a letter: every ETA a technician types starts with a digit (`40`, `1h30`,
 * `234m`), so `YES <code>` never reads as an accept with minutes (a code like 8H45 did).
 */
const FIRST_CHARACTER_ALPHABET = REPLY_CODE_ALPHABET.replace(/[0-9]/g, '');

const CODE_SHAPE = new RegExp(`^[${FIRST_CHARACTER_ALPHABET}][${REPLY_CODE_ALPHABET}]{2,7}$`);

/** Whether a word typed by a technician can be a reply code; other words are their own (`YES please`). */
export function isReplyCodeShaped(word: string): boolean {
  return CODE_SHAPE.test(word.toUpperCase());
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-16 code units of `text`, seeded so each code character differs. */
function fnv1a(text: string, seed: number): number {
  let hash = (FNV_OFFSET_BASIS ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/**
 * MurmurHash3's finaliser. FNV-1a mixes its last input characters poorly, and call ids often
 * differ only at the end, so without this the codes of similar ids cluster.
 */
function avalanche(hash: number): number {
  let h = hash;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function replyCodeFor(callId: string, length = 4): string {
  if (!Number.isInteger(length) || length < 3 || length > 8) {
    throw new Error(`reply code length must be an integer from 3 to 8, got ${length}`);
  }
  // One hash per character keeps every position near-uniform; a single 32-bit hash would not
  // carry enough bits for 8 characters of a 31-letter alphabet.
  let code = '';
  for (let position = 0; position < length; position++) {
    const alphabet = position === 0 ? FIRST_CHARACTER_ALPHABET : REPLY_CODE_ALPHABET;
    code += alphabet[avalanche(fnv1a(callId, position)) % alphabet.length];
  }
  return code;
}
