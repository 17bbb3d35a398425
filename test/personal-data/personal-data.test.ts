import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf, resolvePersonalDataKeys } from '../../src/personal-data/keys';
import {
  keyedHash,
  mask,
  normaliseName,
  open,
  PersonalDataError,
  personKey,
  seal,
} from '../../src/personal-data/personal-data';

const KEY = Buffer.alloc(32, 7);
const SECRET = Buffer.alloc(32, 9);
const keys = resolvePersonalDataKeys({
  env: 'test',
  personalData: { encryptionKey: KEY, hashSecret: SECRET, developmentKeyFile: '/nonexistent' },
});
const IIN = '900101300017';

describe('seal and open', () => {
  test('when a value is sealed, then it opens to the same text and the stored form carries no part of it', () => {
    const sealed = seal(IIN, 'iin', keys);
    expect(sealed).toMatch(/^pd1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(IIN);
    expect(sealed).not.toContain('0017');
    expect(open(sealed, 'iin', keys)).toBe(IIN);
  });

  test('when the same value is sealed twice, then the ciphertexts differ (a fresh nonce each time)', () => {
    expect(seal(IIN, 'iin', keys)).not.toBe(seal(IIN, 'iin', keys));
  });

  test('when one character of a sealed value changes, then opening fails authentication', () => {
    const sealed = seal('+7 701 234 56 78', 'phone', keys);
    // Not the last character: its low bits may be padding that decoding drops. One well inside the ciphertext.
    const at = sealed.length - 6;
    const changed = sealed[at] === 'A' ? 'B' : 'A';
    expect(() => open(`${sealed.slice(0, at)}${changed}${sealed.slice(at + 1)}`, 'phone', keys)).toThrow(
      PersonalDataError,
    );
  });

  test('when a value sealed as an IIN is opened as a phone, then it does not open', () => {
    expect(() => open(seal(IIN, 'iin', keys), 'phone', keys)).toThrow(/another purpose/);
  });

  test('when a value was sealed under another key, then opening names the key id', () => {
    const other = resolvePersonalDataKeys({
      env: 'test',
      personalData: { encryptionKey: Buffer.alloc(32, 1), hashSecret: SECRET, developmentKeyFile: '/nonexistent' },
    });
    expect(() => open(seal(IIN, 'iin', other), 'iin', keys)).toThrow(new RegExp(keyIdOf(Buffer.alloc(32, 1))));
  });

  test('when the text is not a sealed value, then opening refuses it', () => {
    expect(() => open(IIN, 'iin', keys)).toThrow(PersonalDataError);
  });
});

describe('keyedHash', () => {
  test('when the same IIN is hashed twice, then the hashes agree; another secret gives another hash', () => {
    const other = resolvePersonalDataKeys({
      env: 'test',
      personalData: { encryptionKey: KEY, hashSecret: Buffer.alloc(32, 3), developmentKeyFile: '/nonexistent' },
    });
    expect(keyedHash(IIN, 'iin', keys)).toBe(keyedHash(IIN, 'iin', keys));
    expect(keyedHash(IIN, 'iin', keys)).toHaveLength(43);
    expect(keyedHash(IIN, 'iin', other)).not.toBe(keyedHash(IIN, 'iin', keys));
  });

  test('when the purpose differs, then the hash differs (domains are separated)', () => {
    expect(keyedHash(IIN, 'iin', keys)).not.toBe(keyedHash(IIN, 'phone', keys));
  });
});

describe('mask', () => {
  test('when an IIN or a phone is masked, then only the last four digits remain', () => {
    expect(mask(IIN)).toBe('******0017');
    expect(mask('+7 701 234 56 78')).toBe('******5678');
    expect(mask(null)).toBeNull();
  });
});

describe('normaliseName and personKey', () => {
  test('when a name differs only in case, word order, ё and punctuation, then it normalises the same', () => {
    expect(normaliseName('Мамырбаев  Айдар')).toBe(normaliseName('айдар мамырбаев'));
    expect(normaliseName('Семёнова-Ким Алёна')).toBe(normaliseName('семенова ким алена'));
    expect(normaliseName('Әлия Нұрланқызы')).toBe('нұрланқызы әлия');
  });

  test('when name, birth date and settlement agree, then the person keys agree; another date gives another key', () => {
    const born = new Date('1985-04-12T00:00:00Z');
    expect(personKey('Айдар Мамырбаев', born, 'Талгар')).toBe(personKey('МАМЫРБАЕВ айдар', born, 'талгар'));
    expect(personKey('Айдар Мамырбаев', born, 'Талгар')).not.toBe(
      personKey('Айдар Мамырбаев', new Date('1985-04-13T00:00:00Z'), 'Талгар'),
    );
  });
});

describe('resolvePersonalDataKeys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'asar-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when production has no keys, then they are refused', () => {
    expect(() =>
      resolvePersonalDataKeys({ env: 'production', personalData: { developmentKeyFile: join(dir, 'k.json') } }),
    ).toThrow(/required in production/);
  });

  test('when only one of the two keys is configured, then it is refused', () => {
    expect(() =>
      resolvePersonalDataKeys({
        env: 'development',
        personalData: { encryptionKey: KEY, developmentKeyFile: join(dir, 'k.json') },
      }),
    ).toThrow(/both/);
  });

  test('when development has no keys, then a key file is generated once (mode 0600) and reused after a restart', () => {
    const file = join(dir, 'data', 'personal-data-keys.json');
    const first = resolvePersonalDataKeys({ env: 'development', personalData: { developmentKeyFile: file } });
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.source).toBe('development-key-file');
    const second = resolvePersonalDataKeys({ env: 'development', personalData: { developmentKeyFile: file } });
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(open(seal(IIN, 'iin', first), 'iin', second)).toBe(IIN);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      encryptionKey: expect.any(String),
      hashSecret: expect.any(String),
    });
  });

  test('when tests have no keys, then random keys live as long as the process', () => {
    const a = resolvePersonalDataKeys({ env: 'test', personalData: { developmentKeyFile: join(dir, 'k.json') } });
    expect(a.source).toBe('ephemeral');
    expect(existsSync(join(dir, 'k.json'))).toBe(false);
  });
});
