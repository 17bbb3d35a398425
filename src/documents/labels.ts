/**
 * Every word printed on an Asar document, in Kazakh, Russian and English. Renderers never hard-code text: they
 * take `labels(lang)`, so a new document adds its own group here and a translator reviews one file.
 */

export type Lang = 'kk' | 'ru' | 'en';

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];

/** Text the caller supplies: either one string for every language or a translation per language. */
export type LocalizedText = string | Readonly<Partial<Record<Lang, string>>>;

/**
 * Which translation to use when the one asked for is missing. Most readers in Kazakhstan read both Kazakh and
 * Russian, so those two fall back on each other before English; an English reader is likelier to manage Russian.
 */
const FALLBACK: Record<Lang, readonly Lang[]> = {
  kk: ['kk', 'ru', 'en'],
  ru: ['ru', 'kk', 'en'],
  en: ['en', 'ru', 'kk'],
};

/** The languages tried for a text in `lang`, in order (a list sorted by names uses it too). */
export function translationOrder(lang: Lang): readonly Lang[] {
  return FALLBACK[lang];
}

/** The text in `lang`, else the nearest translation; '' only when no translation is given at all. */
export function pickText(text: LocalizedText | undefined, lang: Lang): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  for (const candidate of FALLBACK[lang]) {
    const value = text[candidate];
    if (value !== undefined && value.trim() !== '') return value;
  }
  return '';
}

export const UNIT_CODES = [
  'piece',
  'pair',
  'set',
  'kit',
  'pack',
  'box',
  'bag',
  'pallet',
  'g',
  'kg',
  'tonne',
  'ml',
  'litre',
  'm3',
] as const;
export type UnitCode = (typeof UNIT_CODES)[number];

export const ITEM_CONDITIONS = ['new', 'good', 'used', 'damaged'] as const;
export type ItemCondition = (typeof ITEM_CONDITIONS)[number];

export interface Labels {
  /** Intl locale used for numbers and dates. */
  readonly locale: string;
  readonly common: {
    readonly bin: string;
    readonly date: string;
    readonly number: string;
    readonly notes: string;
    readonly continued: string;
    readonly none: string;
    readonly pageOf: (page: number, total: number) => string;
  };
  readonly units: Readonly<Record<UnitCode, string>>;
  readonly conditions: Readonly<Record<ItemCondition, string>>;
  readonly signature: {
    readonly fullName: string;
    readonly signature: string;
    readonly date: string;
    readonly stamp: string;
  };
  readonly donationReceipt: {
    readonly title: string;
    readonly statement: string;
    readonly donor: string;
    readonly anonymousDonor: string;
    readonly warehouse: string;
    readonly receivedOn: string;
    readonly receivedBy: string;
    readonly verification: string;
    readonly scanToVerify: string;
    readonly columns: {
      readonly index: string;
      readonly item: string;
      readonly quantity: string;
      readonly unit: string;
      readonly condition: string;
      readonly lotExpiry: string;
      readonly weightKg: string;
      readonly value: string;
    };
    readonly totals: {
      readonly heading: string;
      readonly lines: string;
      readonly pieces: string;
      readonly weight: string;
      readonly value: string;
    };
    readonly handedOverBy: string;
    readonly acceptedBy: string;
  };
}

const KK: Labels = {
  locale: 'kk-KZ',
  common: {
    bin: 'БСН',
    date: 'Күні',
    number: '№',
    notes: 'Ескертпелер',
    continued: 'жалғасы',
    none: '—',
    pageOf: (page, total) => `Бет ${page} / ${total}`,
  },
  units: {
    piece: 'дана',
    pair: 'жұп',
    set: 'жинақ',
    kit: 'жиынтық',
    pack: 'орам',
    box: 'қорап',
    bag: 'қап',
    pallet: 'паллет',
    g: 'г',
    kg: 'кг',
    tonne: 'т',
    ml: 'мл',
    litre: 'л',
    m3: 'м³',
  },
  conditions: { new: 'жаңа', good: 'жақсы', used: 'қолданылған', damaged: 'зақымдалған' },
  signature: { fullName: 'Т. А. Ә.', signature: 'Қолы', date: 'Күні', stamp: 'М. О.' },
  donationReceipt: {
    // Wording as given in the brief; a native speaker should confirm it (the usual word is «Қайырымдылық»).
    title: 'Қайырымдылық көмекті қабылдау түбіртегі',
    statement: 'Төменде көрсетілген тауарлар гуманитарлық көмекке қайырымдылық ретінде қабылданды.',
    donor: 'Донор',
    anonymousDonor: 'Анонимді донор',
    warehouse: 'Қабылдаған қойма',
    receivedOn: 'Қабылданған күні',
    receivedBy: 'Қабылдаған қызметкер',
    verification: 'Тексеру коды',
    scanToVerify: 'Түбіртекті тексеру үшін сканерлеңіз',
    columns: {
      index: '№',
      item: 'Атауы',
      quantity: 'Саны',
      unit: 'Өлш. бірл.',
      condition: 'Күйі',
      lotExpiry: 'Партия / жарамдылық мерзімі',
      weightKg: 'Салмағы, кг',
      value: 'Бағалау құны',
    },
    totals: {
      heading: 'Барлығы',
      lines: 'Позициялар саны',
      pieces: 'Дана саны',
      weight: 'Жалпы салмағы',
      value: 'Бағалау құны',
    },
    handedOverBy: 'Тапсырған (донор)',
    acceptedBy: 'Қабылдаған (қойма)',
  },
};

const RU: Labels = {
  locale: 'ru-RU',
  common: {
    bin: 'БИН',
    date: 'Дата',
    number: '№',
    notes: 'Примечания',
    continued: 'продолжение',
    none: '—',
    pageOf: (page, total) => `Страница ${page} из ${total}`,
  },
  units: {
    piece: 'шт.',
    pair: 'пара',
    set: 'набор',
    kit: 'компл.',
    pack: 'уп.',
    box: 'кор.',
    bag: 'меш.',
    pallet: 'палл.',
    g: 'г',
    kg: 'кг',
    tonne: 'т',
    ml: 'мл',
    litre: 'л',
    m3: 'м³',
  },
  conditions: { new: 'новое', good: 'хорошее', used: 'б/у', damaged: 'повреждено' },
  signature: { fullName: 'Ф. И. О.', signature: 'Подпись', date: 'Дата', stamp: 'М. П.' },
  donationReceipt: {
    title: 'Квитанция о приёме пожертвования',
    statement: 'Перечисленные ниже товары приняты в качестве пожертвования на гуманитарную помощь.',
    donor: 'Жертвователь',
    anonymousDonor: 'Анонимный жертвователь',
    warehouse: 'Склад приёма',
    receivedOn: 'Дата приёма',
    receivedBy: 'Принял сотрудник',
    verification: 'Код проверки',
    scanToVerify: 'Отсканируйте для проверки квитанции',
    columns: {
      index: '№',
      item: 'Наименование',
      quantity: 'Кол-во',
      unit: 'Ед. изм.',
      condition: 'Состояние',
      lotExpiry: 'Партия / срок годности',
      weightKg: 'Вес, кг',
      value: 'Оценочная стоимость',
    },
    totals: {
      heading: 'Итого',
      lines: 'Позиций',
      pieces: 'Штук',
      weight: 'Общий вес',
      value: 'Оценочная стоимость',
    },
    handedOverBy: 'Сдал (жертвователь)',
    acceptedBy: 'Принял (склад)',
  },
};

const EN: Labels = {
  locale: 'en-GB',
  common: {
    bin: 'BIN',
    date: 'Date',
    number: 'No.',
    notes: 'Notes',
    continued: 'continued',
    none: '—',
    pageOf: (page, total) => `Page ${page} of ${total}`,
  },
  units: {
    piece: 'pcs',
    pair: 'pair',
    set: 'set',
    kit: 'kit',
    pack: 'pack',
    box: 'box',
    bag: 'bag',
    pallet: 'pallet',
    g: 'g',
    kg: 'kg',
    tonne: 't',
    ml: 'ml',
    litre: 'l',
    m3: 'm³',
  },
  conditions: { new: 'New', good: 'Good', used: 'Used', damaged: 'Damaged' },
  signature: { fullName: 'Full name', signature: 'Signature', date: 'Date', stamp: 'Stamp' },
  donationReceipt: {
    title: 'Donation receipt',
    statement: 'The goods listed below were received as a donation for humanitarian aid.',
    donor: 'Donor',
    anonymousDonor: 'Anonymous donor',
    warehouse: 'Receiving warehouse',
    receivedOn: 'Received on',
    receivedBy: 'Received by',
    verification: 'Verification reference',
    scanToVerify: 'Scan to verify this receipt',
    columns: {
      index: '#',
      item: 'Item',
      quantity: 'Quantity',
      unit: 'Unit',
      condition: 'Condition',
      lotExpiry: 'Lot / expiry',
      weightKg: 'Weight, kg',
      value: 'Estimated value',
    },
    totals: {
      heading: 'Totals',
      lines: 'Lines',
      pieces: 'Pieces',
      weight: 'Total weight',
      value: 'Estimated value',
    },
    handedOverBy: 'Handed over by (donor)',
    acceptedBy: 'Received by (warehouse)',
  },
};

const LABELS: Readonly<Record<Lang, Labels>> = { kk: KK, ru: RU, en: EN };

export function labels(lang: Lang): Labels {
  return LABELS[lang];
}

export function isLang(value: unknown): value is Lang {
  return value === 'kk' || value === 'ru' || value === 'en';
}

function isUnitCode(value: string): value is UnitCode {
  return (UNIT_CODES as readonly string[]).includes(value);
}

/** A unit code from the catalog becomes its short name; any other text (e.g. "box of 12") is printed as given. */
export function unitLabel(unit: UnitCode | LocalizedText, lang: Lang): string {
  if (typeof unit === 'string' && isUnitCode(unit)) return LABELS[lang].units[unit];
  return pickText(unit, lang);
}
