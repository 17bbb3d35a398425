import { describe, expect, test } from 'vitest';
import { initialLang } from '../../../src/web/client/i18n';
import { en } from '../../../src/web/client/i18n/en';
import { kk } from '../../../src/web/client/i18n/kk';
import { ru } from '../../../src/web/client/i18n/ru';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : leaves(value, `${prefix}${key}.`),
  );
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  test('when a key exists in English, then Kazakh and Russian have it with the same placeholders', () => {
    const english = new Map(leaves(en));
    for (const [name, dictionary] of [
      ['kk', kk],
      ['ru', ru],
    ] as const) {
      const translated = new Map(leaves(dictionary));
      expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, text] of english) {
        expect({ name, key, placeholders: placeholders(translated.get(key) ?? '') }).toEqual({
          name,
          key,
          placeholders: placeholders(text),
        });
      }
    }
  });

  test('when the interface is in Kazakh, then it is written with Kazakh letters, not Russian stand-ins', () => {
    const all = leaves(kk)
      .map(([, text]) => text)
      .join(' ');
    expect(all).toMatch(/[әғқңөұүһі]/);
    // Words that are Kazakh only when spelled with their own letters.
    expect(kk.nav.stock).toBe('Қалдықтар');
    expect(kk.signIn.password).toBe('Құпиясөз');
    // No Latin look-alikes inside Cyrillic words (a common slip when typing Kazakh on a Latin layout).
    const mixed = leaves(kk).filter(([, text]) => /[а-яәғқңөұүһі][a-z]|[a-z][а-яәғқңөұүһі]/i.test(text));
    expect(mixed).toEqual([]);
  });
});

describe('initialLang', () => {
  test('when the user chose a language, then it wins over the browser', () => {
    expect(initialLang('ru', ['kk-KZ'])).toBe('ru');
  });

  test('when nothing was chosen, then the first browser language we have is used, else Kazakh', () => {
    expect(initialLang(null, ['de-DE', 'ru-RU', 'en'])).toBe('ru');
    expect(initialLang(null, ['en-US'])).toBe('en');
    expect(initialLang('xx', ['fr'])).toBe('kk');
  });
});
