import type { Prng } from './prng.js';

/*
 * Random strings for string fields: names that break naive validation (reserved prefixes, prototype keys, path
 * segments), filter syntax, unicode (astral, lone surrogates, bidi controls), control characters, lengths around the
 * broker's limits (topic 127, group 255, property 16 KiB) and far past them.
 */

const ODD_STRINGS = [
  '',
  ' ',
  '*',
  '||',
  'a||',
  '%DLQ%',
  '%RETRY%',
  '%DLQ%fz-g1',
  '%RETRY%fz-g1',
  '\u0000',
  'a\u0000b',
  '\n',
  '\r\n',
  '\t',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udc00x',
  '😀',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'é',
  '日本語',
  'ﬀ',
  '../../etc/passwd',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e400',
  '9223372036854775808',
  "' OR 1=1 --",
  'a = 1',
  'TAGS IS NOT NULL',
  '(((((',
  'a AND (b OR',
  "x IN ('a'",
  'a BETWEEN 1 AND',
  'a BETWEEN 2 AND 1',
  'a > 9223372036854775808',
  'a IS NULL AND b IS NOT NULL OR c = TRUE',
  "a LIKE '%'",
  '\\',
  '"',
  '%s%s%n',
  'TBW102',
  'DefaultCluster',
  'SCHEDULE_TOPIC_XXXX',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  '__sys_timer',
  '__sys_revive',
  '__sys_txn_half',
  '127.0.0.1',
  '127.0.0.1:0',
  '[::1]:8081',
  'AAAAAAAAAAAAAAAAAAAAAAAAA',
  'AQAAAAAAAAAAAAAAAAAAAAAAAAA',
  '____________________________',
];
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-%|';

export function randomString(rng: Prng): string {
  return rng.weighted<() => string>([
    [4, () => rng.pick(ODD_STRINGS)],
    [3, () => randomFrom(rng, NAME_CHARS, rng.int(0, 140))],
    [1, () => randomUnicode(rng, rng.int(0, 40))],
    [1, () => randomControl(rng, rng.int(1, 12))],
    [1, () => rng.pick(['a', 'x', '%', 'A1_']).repeat(rng.pick([126, 127, 128, 255, 256, 1024, 16385]))],
    [0.2, () => randomFrom(rng, NAME_CHARS, rng.int(20_000, 70_000))],
    [0.02, () => 'z'.repeat(1 << 20)],
  ])();
}

export function mutateString(rng: Prng, s: string): string {
  const at = rng.int(0, s.length);
  return rng.weighted<() => string>([
    [2, () => s.slice(0, at) + randomString(rng).slice(0, 8) + s.slice(at)],
    [2, () => s.slice(0, at) + s.slice(at + rng.int(1, 4))],
    [2, () => s.slice(0, at) + String.fromCharCode(rng.int(0, 0xffff)) + s.slice(at + 1)],
    [1, () => s.slice(0, at)],
    [1, () => s + s],
    [1, () => s.toUpperCase()],
    [1, () => `${s}\u0000`],
    [1, () => ` ${s} `],
    [0.3, () => s.repeat(s.length > 10_000 ? 2 : 200)],
  ])();
}

function randomFrom(rng: Prng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

function randomUnicode(rng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const cp = rng.weighted([
      [3, rng.int(0x20, 0x7e)],
      [2, rng.int(0x80, 0x7ff)],
      [2, rng.int(0x800, 0xffff)],
      [1, rng.int(0x10000, 0x10ffff)],
    ]);
    s += String.fromCodePoint(cp);
  }
  return s;
}

function randomControl(rng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(rng.pick([0, 1, 7, 8, 9, 10, 13, 27, 127, 0x85, 0x2028]));
  return s;
}
