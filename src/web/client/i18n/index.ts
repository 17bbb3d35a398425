/**
 * The interface language: Kazakh, Russian or English, chosen by the user (kept on the device), else the browser's
 * first language we have, else Kazakh. i18next holds the dictionaries; the type declaration below makes every `t()`
 * key checked by the compiler. Numbers and dates use Intl with the locale of the language (see lib/format.ts).
 */
import 'dayjs/locale/kk';
import 'dayjs/locale/ru';
import 'dayjs/locale/en';
import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { type Dictionary, en } from './en';
import { kk } from './kk';
import { ru } from './ru';

export type Lang = 'kk' | 'ru' | 'en';
export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };
/** The Intl locale of each language. */
export const INTL_LOCALE: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

// Date fields parse what people type in their format (31.12.2027).
dayjs.extend(customParseFormat);

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: Dictionary };
    returnNull: false;
  }
}

const STORAGE_KEY = 'asar.lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The stored choice, else the first browser language we have, else Kazakh. */
export function initialLang(stored: string | null, browserLanguages: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'kk';
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function setupI18n(): typeof i18next {
  const lng = initialLang(readStored(), navigator.languages ?? [navigator.language]);
  void i18next.use(initReactI18next).init({
    resources: { kk: { translation: kk }, ru: { translation: ru }, en: { translation: en } },
    lng,
    fallbackLng: { kk: ['ru', 'en'], ru: ['kk', 'en'], default: ['en'] },
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  applyLang(lng);
  i18next.on('languageChanged', (next) => {
    if (isLang(next)) applyLang(next);
  });
  return i18next;
}

function applyLang(lang: Lang): void {
  document.documentElement.lang = lang;
  dayjs.locale(lang);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // A private window may refuse storage: the choice then lasts for this visit.
  }
}

export function currentLang(): Lang {
  return isLang(i18next.language) ? i18next.language : 'kk';
}
