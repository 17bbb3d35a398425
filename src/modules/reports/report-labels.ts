/**
 * The words a report prints for the codes it groups by (regions, categories, donor types, purposes), in kk/ru/en.
 * JSON answers keep the code (`group`) beside the printed label, so a client can sort and translate by itself.
 */
import type { Lang } from '../../documents/labels';

export type Text = Record<Lang, string>;

export const text = (en: string, ru: string, kk: string): Text => ({ en, ru, kk });

const REGION_NAMES: Record<string, Text> = {
  astana: text('Astana', 'Астана', 'Астана'),
  almaty_city: text('Almaty', 'Алматы', 'Алматы'),
  shymkent: text('Shymkent', 'Шымкент', 'Шымкент'),
  abai: text('Abai Region', 'Абайская область', 'Абай облысы'),
  akmola: text('Akmola Region', 'Акмолинская область', 'Ақмола облысы'),
  aktobe: text('Aktobe Region', 'Актюбинская область', 'Ақтөбе облысы'),
  almaty_region: text('Almaty Region', 'Алматинская область', 'Алматы облысы'),
  atyrau: text('Atyrau Region', 'Атырауская область', 'Атырау облысы'),
  east_kazakhstan: text('East Kazakhstan Region', 'Восточно-Казахстанская область', 'Шығыс Қазақстан облысы'),
  zhambyl: text('Zhambyl Region', 'Жамбылская область', 'Жамбыл облысы'),
  zhetisu: text('Zhetisu Region', 'Область Жетісу', 'Жетісу облысы'),
  west_kazakhstan: text('West Kazakhstan Region', 'Западно-Казахстанская область', 'Батыс Қазақстан облысы'),
  karaganda: text('Karaganda Region', 'Карагандинская область', 'Қарағанды облысы'),
  kostanay: text('Kostanay Region', 'Костанайская область', 'Қостанай облысы'),
  kyzylorda: text('Kyzylorda Region', 'Кызылординская область', 'Қызылорда облысы'),
  mangystau: text('Mangystau Region', 'Мангистауская область', 'Маңғыстау облысы'),
  pavlodar: text('Pavlodar Region', 'Павлодарская область', 'Павлодар облысы'),
  north_kazakhstan: text('North Kazakhstan Region', 'Северо-Казахстанская область', 'Солтүстік Қазақстан облысы'),
  turkistan: text('Turkistan Region', 'Туркестанская область', 'Түркістан облысы'),
  ulytau: text('Ulytau Region', 'Область Ұлытау', 'Ұлытау облысы'),
};

const CATEGORY_NAMES: Record<string, Text> = {
  food: text('Food', 'Продукты питания', 'Азық-түлік'),
  water: text('Drinking water', 'Питьевая вода', 'Ауыз су'),
  medicine: text('Medicine', 'Медикаменты', 'Дәрі-дәрмек'),
  hygiene: text('Hygiene', 'Гигиена', 'Гигиена'),
  clothing: text('Clothing', 'Одежда', 'Киім'),
  bedding: text('Bedding', 'Постельные принадлежности', 'Төсек-орын'),
  furniture: text('Furniture', 'Мебель', 'Жиһаз'),
  shelter: text('Shelter', 'Укрытие', 'Баспана'),
  heating: text('Heating', 'Отопление', 'Жылыту'),
  education: text('Education', 'Образование', 'Білім беру'),
  other: text('Other', 'Прочее', 'Басқа'),
};

const DONOR_TYPE_NAMES: Record<string, Text> = {
  individual: text('Individuals', 'Частные лица', 'Жеке тұлғалар'),
  company: text('Companies', 'Компании', 'Компаниялар'),
  ngo: text('NGOs', 'НКО', 'ҮЕҰ'),
  government: text('Government bodies', 'Государственные органы', 'Мемлекеттік органдар'),
  foreign_organisation: text('Foreign organisations', 'Иностранные организации', 'Шетелдік ұйымдар'),
};

const PURPOSE_NAMES: Record<string, Text> = {
  shipment: text('Shipments', 'Отгрузки', 'Жөнелтімдер'),
  distribution: text('Distributions to households', 'Раздачи семьям', 'Отбасыларға тарату'),
  issue: text('Direct issues', 'Прямые выдачи', 'Тікелей шығару'),
};

const SHIPMENT_KIND_NAMES: Record<string, Text> = {
  outbound: text('Outbound (abroad)', 'Международная отправка', 'Шетелге жөнелту'),
  delivery: text('Deliveries to other organisations', 'Передачи другим организациям', 'Басқа ұйымдарға беру'),
  transfer: text('Transfers between own warehouses', 'Перемещения между своими складами', 'Өз қоймалары арасында'),
};

const VULNERABILITY_NAMES: Record<string, Text> = {
  single_parent: text('Single-parent households', 'Неполные семьи', 'Толық емес отбасылар'),
  disability: text('With a person with a disability', 'С человеком с инвалидностью', 'Мүгедектігі бар адаммен'),
  large_family: text('Large families (4+ children)', 'Многодетные семьи', 'Көпбалалы отбасылар'),
  lone_pensioner: text('Pensioners living alone', 'Одинокие пенсионеры', 'Жалғыз тұратын зейнеткерлер'),
  displaced_by_disaster: text('Displaced by a disaster', 'Пострадавшие от бедствия', 'Апаттан зардап шеккендер'),
  low_income: text('Low income', 'Малообеспеченные', 'Аз қамтылғандар'),
};

export const NOT_STATED = text('(not stated)', '(не указано)', '(көрсетілмеген)');

export type Vocabulary = 'region' | 'category' | 'donor_type' | 'purpose' | 'shipment_kind' | 'vulnerability';

const VOCABULARIES: Record<Vocabulary, Record<string, Text>> = {
  region: REGION_NAMES,
  category: CATEGORY_NAMES,
  donor_type: DONOR_TYPE_NAMES,
  purpose: PURPOSE_NAMES,
  shipment_kind: SHIPMENT_KIND_NAMES,
  vulnerability: VULNERABILITY_NAMES,
};

/** The printed name of a code; an unknown code prints as itself (in every language). */
export function nameOf(vocabulary: Vocabulary, code: string | null | undefined): Text {
  if (!code) return NOT_STATED;
  return VOCABULARIES[vocabulary][code] ?? text(code, code, code);
}

/** The same text in every language (a warehouse's code and name, a month, a country code). */
export function verbatim(value: string): Text {
  return text(value, value, value);
}
