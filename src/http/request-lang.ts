/**
 * The language a request is answered in: `?lang=` when the caller names it (the web client names the language its
 * reader chose), else the best of the Accept-Language header among kk, ru and en, else en.
 */
import type { Request } from 'express';
import { NAME_LANGS, type NameLang } from '../core/collation';

export function requestLang(req: Request, asked?: NameLang): NameLang {
  if (asked) return asked;
  if (!req.get('accept-language')) return 'en';
  const best = req.acceptsLanguages(...NAME_LANGS);
  return best === false ? 'en' : (best as NameLang);
}
