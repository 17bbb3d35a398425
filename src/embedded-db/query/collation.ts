/**
 * Collation (https://www.mongodb.com/docs/manual/reference/collation/) on the platform's ICU through Intl.Collator.
 *
 * A collation document is parsed once per operation into a string comparator; `undefined` stands for the simple
 * (binary) collation, so an operation without a collation takes exactly the code paths it took before.
 * Only the options Intl.Collator can honour are accepted: a value it cannot reproduce is refused with an error rather
 * than answered in a silently different order.
 */
import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import { compareStrings, isPlainObject, type StringCompare } from './values';

export interface Collation {
  /** The full specification, as mongod reports it (listIndexes, listCollections). */
  spec: Doc;
  compare: StringCompare;
}

/** The locales Asar uses; mongod knows many more, which the embedded database answers as unknown. */
const LOCALES = new Set(['en', 'kk', 'ru']);
/** ICU's collation version in the ICU release mongod 7 bundles; it is what mongod reports. */
const VERSION = '57.1';

const FIELDS = new Set([
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

const cache = new Map<string, Collation>();

function invalid(field: string, spec: Doc): never {
  throw mongoError('BadValue', `Field '${field}' is invalid in: ${JSON.stringify(spec)}`);
}

function boolField(spec: Doc, field: string): boolean {
  const v = spec[field];
  if (v === undefined) return false;
  if (typeof v !== 'boolean')
    throw mongoError('TypeMismatch', `Field '${field}' must be of type bool in: ${JSON.stringify(spec)}`);
  return v;
}

function stringField(spec: Doc, field: string, allowed: string[], fallback: string): string {
  const v = spec[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'string')
    throw mongoError('TypeMismatch', `Field '${field}' must be of type string in: ${JSON.stringify(spec)}`);
  if (!allowed.includes(v)) invalid(field, spec);
  return v;
}

function strengthField(spec: Doc): number {
  const v = spec.strength;
  if (v === undefined) return 3;
  const n = typeof v === 'number' ? v : Number((v as { valueOf(): unknown })?.valueOf?.());
  if (!Number.isInteger(n))
    throw mongoError('TypeMismatch', `Field 'strength' must be of numeric type in: ${JSON.stringify(spec)}`);
  if (n < 1 || n > 5) invalid('strength', spec);
  return n;
}

/** The Intl sensitivity for an ICU strength: primary is the base letter, secondary adds accents, tertiary case. */
function sensitivity(strength: number, caseLevel: boolean): 'base' | 'accent' | 'case' | 'variant' {
  if (strength === 1) return caseLevel ? 'case' : 'base';
  if (strength === 2) return caseLevel ? 'variant' : 'accent';
  return 'variant';
}

function build(spec: Doc): Collation {
  const intl = new Intl.Collator(spec.locale as string, {
    usage: 'sort',
    sensitivity: sensitivity(spec.strength as number, spec.caseLevel as boolean),
    numeric: spec.numericOrdering as boolean,
    caseFirst: spec.caseFirst === 'off' ? 'false' : (spec.caseFirst as 'upper' | 'lower'),
    ignorePunctuation: spec.alternate === 'shifted',
  });
  const base = intl.compare;
  // Identical strength breaks the remaining ties by code point, as ICU does after the tertiary (and quaternary) level.
  const compare: StringCompare =
    spec.strength === 5
      ? (a, b) => base(a, b) || compareStrings(a.normalize('NFD'), b.normalize('NFD'))
      : (a, b) => (a === b ? 0 : base(a, b));
  return { spec, compare };
}

/**
 * Parses an operation's `collation` document. `undefined` (absent) and `{ locale: 'simple' }` are the simple
 * collation; a locale outside the supported ones answers BadValue as mongod does for an unknown locale.
 */
export function parseCollation(value: unknown): Collation | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value))
    throw mongoError('TypeMismatch', "BSON field 'collation' is the wrong type 'object', expected type 'object'");
  for (const field of Object.keys(value)) {
    if (!FIELDS.has(field)) throw new MongoCommandError(40415, `BSON field 'collation.${field}' is an unknown field.`);
  }
  const locale = value.locale;
  if (locale === undefined)
    throw new MongoCommandError(40414, "BSON field 'collation.locale' is missing but a required field");
  if (typeof locale !== 'string')
    throw mongoError('TypeMismatch', `Field 'locale' must be of type string in: ${JSON.stringify(value)}`);
  if (locale === 'simple') {
    if (Object.keys(value).length > 1)
      throw mongoError('BadValue', "If 'locale' is set to 'simple', no other fields may be set");
    return undefined;
  }
  if (!LOCALES.has(locale)) invalid('locale', value);
  const spec: Doc = {
    locale,
    caseLevel: boolField(value, 'caseLevel'),
    caseFirst: stringField(value, 'caseFirst', ['upper', 'lower', 'off'], 'off'),
    strength: strengthField(value),
    numericOrdering: boolField(value, 'numericOrdering'),
    alternate: stringField(value, 'alternate', ['non-ignorable', 'shifted'], 'non-ignorable'),
    maxVariable: stringField(value, 'maxVariable', ['punct', 'space'], 'punct'),
    normalization: boolField(value, 'normalization'),
    backwards: boolField(value, 'backwards'),
    version: VERSION,
  };
  if (value.version !== undefined && value.version !== VERSION) invalid('version', value);
  // Intl.Collator offers no French secondary ordering, and `shifted` only up to punctuation.
  if (spec.backwards)
    throw mongoError('BadValue', "the embedded database does not support collation 'backwards: true'");
  if (spec.alternate === 'shifted' && spec.maxVariable === 'space')
    throw mongoError('BadValue', 'the embedded database does not support collation \'maxVariable: "space"\'');
  const key = JSON.stringify(spec);
  let collation = cache.get(key);
  if (!collation) {
    collation = build(spec);
    cache.set(key, collation);
  }
  return collation;
}

/** Two collations (undefined meaning simple) order every string alike. */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return a === b;
}

/** Whether a collation can change how `v` compares: it is, or holds, a string (or a BSON symbol). */
export function holdsStrings(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(holdsStrings);
  if (isPlainObject(v)) return Object.values(v).some(holdsStrings);
  return (v as { _bsontype?: string })._bsontype === 'BSONSymbol';
}
