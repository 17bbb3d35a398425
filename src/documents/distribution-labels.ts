/**
 * The words of the distribution documents (the household's receipt and the site's distribution list) in Kazakh,
 * Russian and English. Kept beside labels.ts, in the same shape, so that a translator reviews the words of one
 * document family in one file; the common words (signatures, units, page numbers) stay in labels.ts.
 */
import type { Lang } from './labels';

export interface DistributionLabels {
  readonly householdReceipt: {
    readonly title: string;
    readonly statement: string;
    readonly programme: string;
    readonly round: string;
    readonly site: string;
    readonly recipient: string;
    readonly household: string;
    readonly institution: string;
    readonly size: string;
    readonly settlement: string;
    readonly iin: string;
    readonly receivedBy: string;
    readonly proxy: string;
    readonly head: string;
    readonly deliveredBy: string;
    readonly outcome: { readonly all: string; readonly part: string; readonly none: string };
    readonly reason: string;
    readonly proof: { readonly heading: string; readonly paper: (sheet: string) => string; readonly captured: string };
    readonly columns: {
      readonly index: string;
      readonly item: string;
      readonly unit: string;
      readonly entitled: string;
      readonly received: string;
    };
  };
  readonly distributionList: {
    readonly title: string;
    readonly site: string;
    readonly programme: string;
    readonly round: string;
    readonly date: string;
    readonly settlement: string;
    readonly subtotal: string;
    readonly total: string;
    readonly households: string;
    readonly people: string;
    readonly instruction: string;
    readonly witnesses: string;
    readonly witness: (n: number) => string;
    readonly distributor: string;
    readonly columns: {
      readonly index: string;
      readonly number: string;
      readonly head: string;
      readonly size: string;
      readonly entitlement: string;
      readonly received: string;
      readonly signature: string;
    };
  };
}

const KK: DistributionLabels = {
  householdReceipt: {
    title: 'Гуманитарлық көмек алушының қолхаты',
    statement: 'Мен төменде көрсетілген гуманитарлық көмекті алғанымды растаймын.',
    programme: 'Бағдарлама',
    round: 'Кезең',
    site: 'Тарату пункті',
    recipient: 'Алушы',
    household: 'Отбасы',
    institution: 'Мекеме',
    size: 'Адам саны',
    settlement: 'Елді мекен',
    iin: 'ЖСН',
    receivedBy: 'Алған',
    proxy: 'сенім білдірілген тұлға',
    head: 'отбасы басшысы',
    deliveredBy: 'Тапсырған',
    outcome: { all: 'Толық алынды', part: 'Жартылай алынды', none: 'Алынбады' },
    reason: 'Себебі',
    proof: {
      heading: 'Растау',
      paper: (sheet) => `Қағаз парақта қол қойылды, парақ № ${sheet}`,
      captured: 'Сенсорлық экранда алынған қолтаңба',
    },
    columns: { index: '№', item: 'Атауы', unit: 'Өлш. бірл.', entitled: 'Тиесілі', received: 'Алынды' },
  },
  distributionList: {
    title: 'Гуманитарлық көмекті тарату тізімі',
    site: 'Тарату пункті',
    programme: 'Бағдарлама',
    round: 'Кезең',
    date: 'Күні',
    settlement: 'Елді мекен',
    subtotal: 'Елді мекен бойынша барлығы',
    total: 'Барлығы',
    households: 'Отбасылар',
    people: 'Адамдар',
    instruction:
      'Алушы «Алынды» бағанына алған санын жазып, қол қояды немесе саусақ ізін қалдырады; астына аты-жөнін жазады («X» белгісі қабылданбайды).',
    witnesses: 'Куәгерлер',
    witness: (n) => `Куәгер ${n}`,
    distributor: 'Таратушы',
    columns: {
      index: '№',
      number: 'Отбасы №',
      head: 'Отбасы басшысы',
      size: 'Адам саны',
      entitlement: 'Тиесілі',
      received: 'Алынды',
      signature: 'Қолы / саусақ ізі',
    },
  },
};

const RU: DistributionLabels = {
  householdReceipt: {
    title: 'Расписка получателя гуманитарной помощи',
    statement: 'Подтверждаю получение перечисленной ниже гуманитарной помощи.',
    programme: 'Программа',
    round: 'Раунд',
    site: 'Пункт выдачи',
    recipient: 'Получатель',
    household: 'Семья',
    institution: 'Учреждение',
    size: 'Членов семьи',
    settlement: 'Населённый пункт',
    iin: 'ИИН',
    receivedBy: 'Получил(а)',
    proxy: 'доверенное лицо',
    head: 'глава семьи',
    deliveredBy: 'Выдал(а)',
    outcome: { all: 'Получено полностью', part: 'Получено частично', none: 'Не получено' },
    reason: 'Причина',
    proof: {
      heading: 'Подтверждение',
      paper: (sheet) => `Подписано на бумажном листе № ${sheet}`,
      captured: 'Подпись, снятая с сенсорного экрана',
    },
    columns: { index: '№', item: 'Наименование', unit: 'Ед. изм.', entitled: 'Положено', received: 'Получено' },
  },
  distributionList: {
    title: 'Ведомость выдачи гуманитарной помощи',
    site: 'Пункт выдачи',
    programme: 'Программа',
    round: 'Раунд',
    date: 'Дата',
    settlement: 'Населённый пункт',
    subtotal: 'Итого по населённому пункту',
    total: 'Итого',
    households: 'Семей',
    people: 'Человек',
    instruction:
      'Получатель пишет полученное количество в графе «Получено» и ставит подпись или отпечаток пальца, под ним — фамилию и имя («X» не принимается).',
    witnesses: 'Свидетели',
    witness: (n) => `Свидетель ${n}`,
    distributor: 'Выдающий',
    columns: {
      index: '№',
      number: '№ семьи',
      head: 'Глава семьи',
      size: 'Членов семьи',
      entitlement: 'Положено',
      received: 'Получено',
      signature: 'Подпись / отпечаток',
    },
  },
};

const EN: DistributionLabels = {
  householdReceipt: {
    title: 'Humanitarian aid recipient’s receipt',
    statement: 'I confirm that I received the humanitarian aid listed below.',
    programme: 'Programme',
    round: 'Round',
    site: 'Distribution site',
    recipient: 'Recipient',
    household: 'Household',
    institution: 'Institution',
    size: 'Household size',
    settlement: 'Settlement',
    iin: 'IIN',
    receivedBy: 'Received by',
    proxy: 'proxy',
    head: 'head of household',
    deliveredBy: 'Handed over by',
    outcome: { all: 'Received in full', part: 'Received in part', none: 'Not received' },
    reason: 'Reason',
    proof: {
      heading: 'Proof',
      paper: (sheet) => `Signed on paper, sheet No. ${sheet}`,
      captured: 'Signature captured on a touch screen',
    },
    columns: { index: '#', item: 'Item', unit: 'Unit', entitled: 'Entitled', received: 'Received' },
  },
  distributionList: {
    title: 'Humanitarian aid distribution list',
    site: 'Distribution site',
    programme: 'Programme',
    round: 'Round',
    date: 'Date',
    settlement: 'Settlement',
    subtotal: 'Settlement total',
    total: 'Total',
    households: 'Households',
    people: 'People',
    instruction:
      'The recipient writes the quantity received and signs or leaves a thumbprint, with the name written under it (an “X” is not accepted).',
    witnesses: 'Witnesses',
    witness: (n) => `Witness ${n}`,
    distributor: 'Distributed by',
    columns: {
      index: '#',
      number: 'Household No.',
      head: 'Head of household',
      size: 'Size',
      entitlement: 'Entitlement',
      received: 'Received',
      signature: 'Signature / thumbprint',
    },
  },
};

const LABELS: Readonly<Record<Lang, DistributionLabels>> = { kk: KK, ru: RU, en: EN };

export function distributionLabels(lang: Lang): DistributionLabels {
  return LABELS[lang];
}
