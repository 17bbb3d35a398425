/**
 * Lists of people's and items' names sort in the reader's language. In byte order every Kazakh letter (Ә, Ғ, Қ, Ң,
 * Ө, Ұ, Ү, Һ, І) would come after Я; with the language's collation each sits where its alphabet puts it. A list
 * sorts with `nameCollation(lang)`, and its model declares with `indexNamesForSort` one index per language carrying
 * that collation, since a database uses an index for a sort only when both have the same collation.
 */
import type { CollationOptions } from 'mongodb';
import type { IndexDefinition, Schema } from 'mongoose';

export const NAME_LANGS = ['kk', 'ru', 'en'] as const;
export type NameLang = (typeof NAME_LANGS)[number];

/** The collation of a name sort in this language (ICU's tertiary strength: case breaks the last ties). */
export function nameCollation(lang: NameLang): CollationOptions {
  return { locale: lang };
}

/** Declares the index `keys(lang)` with each language's name collation, named `<keys>_<lang>`. */
export function indexNamesForSort<T>(schema: Schema<T>, keys: (lang: NameLang) => IndexDefinition): void {
  for (const lang of NAME_LANGS) {
    const definition = keys(lang);
    schema.index(definition, {
      name: `${Object.entries(definition)
        .map(([field, order]) => `${field}_${String(order)}`)
        .join('_')}_${lang}`,
      collation: nameCollation(lang),
    });
  }
}
