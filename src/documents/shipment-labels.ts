/**
 * Every word printed on the shipment documents (cargo manifest, waybill, packing list, gift certificate, goods
 * received note, handling-unit labels) in Kazakh, Russian and English. Kept beside labels.ts rather than inside it
 * so that the shipment documents' vocabulary is reviewed in one place; words shared by every document (units,
 * conditions, signature lines, "page X of Y") still come from labels.ts.
 */
import type { Lang } from './labels';

export const HANDLING_UNIT_KINDS = ['pallet', 'box', 'bale', 'bundle', 'crate', 'bag', 'other'] as const;
export type HandlingUnitKind = (typeof HANDLING_UNIT_KINDS)[number];

export const TRANSPORT_MODES = ['road', 'rail', 'sea', 'air'] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

export const SHIPMENT_KINDS = ['inbound', 'outbound', 'transfer', 'delivery'] as const;
export type ShipmentKind = (typeof SHIPMENT_KINDS)[number];

export interface ShipmentLabels {
  readonly kinds: Readonly<Record<ShipmentKind, string>>;
  readonly modes: Readonly<Record<TransportMode, string>>;
  readonly handlingUnits: Readonly<Record<HandlingUnitKind, string>>;
  /** Units the catalog knows that labels.ts does not name (its list is the donation receipt's). */
  readonly extraUnits: Readonly<Record<'roll' | 'sheet', string>>;
  readonly fields: {
    readonly shipment: string;
    readonly kind: string;
    readonly shipper: string;
    readonly consignee: string;
    readonly origin: string;
    readonly destination: string;
    readonly donors: string;
    readonly mode: string;
    readonly carrier: string;
    readonly vehicle: string;
    readonly truckPlate: string;
    readonly trailerPlate: string;
    readonly driver: string;
    readonly container: string;
    readonly containerType: string;
    readonly seals: string;
    readonly plannedDispatch: string;
    readonly dispatchedOn: string;
    readonly arrivedOn: string;
    readonly receivedOn: string;
    readonly billOfLading: string;
    readonly airWaybill: string;
    readonly cmr: string;
    readonly customsDeclaration: string;
    readonly aidPermit: string;
    readonly waybill: string;
    readonly transportUnit: string;
    readonly verification: string;
    readonly scanToVerify: string;
    readonly declaredValue: string;
  };
  readonly columns: {
    readonly index: string;
    readonly package: string;
    readonly item: string;
    readonly contents: string;
    readonly quantity: string;
    readonly condition: string;
    readonly lotExpiry: string;
    readonly unitWeight: string;
    readonly netKg: string;
    readonly grossKg: string;
    readonly weightKg: string;
    readonly dimensions: string;
    readonly volume: string;
    readonly hsCode: string;
    readonly originCountry: string;
    readonly unitValue: string;
    readonly value: string;
    readonly sent: string;
    readonly receivedGood: string;
    readonly receivedDamaged: string;
    readonly short: string;
    readonly excess: string;
    readonly reason: string;
    readonly bin: string;
  };
  readonly totals: {
    readonly heading: string;
    readonly packages: string;
    readonly lines: string;
    readonly netWeight: string;
    readonly grossWeight: string;
    readonly volume: string;
    readonly value: string;
    readonly received: string;
    readonly damaged: string;
    readonly short: string;
    readonly excess: string;
  };
  readonly manifest: { readonly title: string; readonly unitTitle: string; readonly unitHeading: string };
  readonly waybill: {
    readonly title: string;
    readonly signatureRows: { readonly loadedBy: string; readonly transportedBy: string; readonly receivedBy: string };
    readonly signatureColumns: {
      readonly party: string;
      readonly date: string;
      readonly function: string;
      readonly name: string;
      readonly signature: string;
      readonly condition: string;
    };
    readonly remarks: string;
  };
  readonly packingList: { readonly title: string; readonly packedBy: string };
  readonly giftCertificate: {
    readonly title: string;
    readonly statement: string;
    readonly customsOnly: string;
    readonly donor: string;
    readonly beneficiary: string;
    readonly signatory: string;
    readonly receivedBy: string;
    readonly placeAndDate: string;
  };
  readonly goodsReceived: {
    readonly title: string;
    readonly receipt: string;
    readonly expectedOn: string;
    readonly blind: string;
    readonly deliveredBy: string;
    readonly receivedBy: string;
    readonly partial: string;
  };
  readonly label: { readonly title: string; readonly from: string; readonly to: string; readonly weight: string };
}

const KK: ShipmentLabels = {
  kinds: {
    inbound: 'Кіріс халықаралық',
    outbound: 'Шығыс халықаралық',
    transfer: 'Қоймалар арасындағы тасымал',
    delivery: 'Басқа ұйымға жеткізу',
  },
  modes: { road: 'автомобиль', rail: 'темір жол', sea: 'теңіз', air: 'әуе' },
  handlingUnits: {
    pallet: 'Паллет',
    box: 'Қорап',
    bale: 'Бума',
    bundle: 'Байлам',
    crate: 'Жәшік',
    bag: 'Қап',
    other: 'Орын',
  },
  extraUnits: { roll: 'орам', sheet: 'парақ' },
  fields: {
    shipment: 'Жөнелтілім',
    kind: 'Түрі',
    shipper: 'Жүк жөнелтуші',
    consignee: 'Жүк алушы',
    origin: 'Жөнелту орны',
    destination: 'Жеткізу орны',
    donors: 'Донорлар',
    mode: 'Тасымал түрі',
    carrier: 'Тасымалдаушы',
    vehicle: 'Көлік',
    truckPlate: 'Тартқыш нөмірі',
    trailerPlate: 'Тіркеме нөмірі',
    driver: 'Жүргізуші',
    container: 'Контейнер',
    containerType: 'Контейнер түрі',
    seals: 'Пломбалар',
    plannedDispatch: 'Жоспарлы жөнелту күні',
    dispatchedOn: 'Жөнелтілген күні',
    arrivedOn: 'Келген күні',
    receivedOn: 'Қабылданған күні',
    billOfLading: 'Коносамент',
    airWaybill: 'Әуе жүкқұжаты',
    cmr: 'CMR жүкқұжаты',
    customsDeclaration: 'Кедендік декларация',
    aidPermit: 'Гуманитарлық көмекке рұқсат',
    waybill: 'Жүкқұжат',
    transportUnit: 'Көлік бірлігі',
    verification: 'Тексеру коды',
    scanToVerify: 'Құжатты тексеру үшін сканерлеңіз',
    declaredValue: 'Мәлімделген құны',
  },
  columns: {
    index: '№',
    package: 'Орын',
    item: 'Атауы',
    contents: 'Мазмұны',
    quantity: 'Саны',
    condition: 'Күйі',
    lotExpiry: 'Партия / мерзімі',
    unitWeight: 'Бірлік салмағы, кг',
    netKg: 'Таза салмағы, кг',
    grossKg: 'Жалпы салмағы, кг',
    weightKg: 'Салмағы, кг',
    dimensions: 'Ұ×Е×Б, см',
    volume: 'Көлемі, м³',
    hsCode: 'СЭҚ ТН коды',
    originCountry: 'Шығарылған елі',
    unitValue: 'Бірлік құны',
    value: 'Құны',
    sent: 'Жіберілді',
    receivedGood: 'Қабылданды (жарамды)',
    receivedDamaged: 'Зақымдалған',
    short: 'Жетіспейді',
    excess: 'Артық',
    reason: 'Себебі',
    bin: 'Ұяшық',
  },
  totals: {
    heading: 'Барлығы',
    packages: 'Орындар саны',
    lines: 'Позициялар саны',
    netWeight: 'Таза салмағы',
    grossWeight: 'Жалпы салмағы',
    volume: 'Жалпы көлемі',
    value: 'Кедендік мақсаттағы құны',
    received: 'Қабылданды (жарамды)',
    damaged: 'Зақымдалған',
    short: 'Жетіспейді',
    excess: 'Артық',
  },
  manifest: { title: 'Жүк манифесі', unitTitle: 'Көлік бірлігінің жүк манифесі', unitHeading: 'Орын' },
  waybill: {
    title: 'Гуманитарлық жүкке арналған жүкқұжат',
    signatureRows: { loadedBy: 'Тиеген', transportedBy: 'Тасымалдаған', receivedBy: 'Қабылдаған' },
    signatureColumns: {
      party: '',
      date: 'Күні',
      function: 'Лауазымы',
      name: 'Т. А. Ә.',
      signature: 'Қолы',
      condition: 'Жүктің күйі',
    },
    remarks: 'Қол қойылғанға дейін анықталған жетіспеушілік пен зақымдар',
  },
  packingList: { title: 'Қаптама парағы', packedBy: 'Қаптаған' },
  giftCertificate: {
    title: 'Сыйға тарту (қайырымдылық) сертификаты',
    statement:
      'Төменде көрсетілген тауарлар өтеусіз гуманитарлық көмек (қайырымдылық) болып табылады, коммерциялық құны жоқ және сатуға арналмаған.',
    customsOnly: 'Құны тек кедендік мақсаттар үшін көрсетілген.',
    donor: 'Донор ұйым',
    beneficiary: 'Алушы ұйым',
    signatory: 'Қол қойған (донор)',
    receivedBy: 'Қабылдаған (алушы)',
    placeAndDate: 'Орны мен күні',
  },
  goodsReceived: {
    title: 'Тауарды қабылдау актісі',
    receipt: 'Қабылдау',
    expectedOn: 'Күтілген күні',
    blind: 'Санау күтілген сандарды көрсетпей жүргізілді',
    deliveredBy: 'Тапсырған (тасымалдаушы)',
    receivedBy: 'Қабылдаған (қойма)',
    partial: 'Ішінара қабылдау',
  },
  label: { title: 'Гуманитарлық көмек', from: 'Кімнен', to: 'Кімге', weight: 'Салмағы' },
};

const RU: ShipmentLabels = {
  kinds: {
    inbound: 'Входящая международная',
    outbound: 'Исходящая международная',
    transfer: 'Перемещение между складами',
    delivery: 'Доставка другой организации',
  },
  modes: { road: 'автомобильный', rail: 'железнодорожный', sea: 'морской', air: 'воздушный' },
  handlingUnits: {
    pallet: 'Паллета',
    box: 'Коробка',
    bale: 'Кипа',
    bundle: 'Связка',
    crate: 'Ящик',
    bag: 'Мешок',
    other: 'Место',
  },
  extraUnits: { roll: 'рул.', sheet: 'лист' },
  fields: {
    shipment: 'Отправка',
    kind: 'Вид',
    shipper: 'Грузоотправитель',
    consignee: 'Грузополучатель',
    origin: 'Пункт отправления',
    destination: 'Пункт назначения',
    donors: 'Доноры',
    mode: 'Вид транспорта',
    carrier: 'Перевозчик',
    vehicle: 'Транспортное средство',
    truckPlate: 'Госномер тягача',
    trailerPlate: 'Госномер прицепа',
    driver: 'Водитель',
    container: 'Контейнер',
    containerType: 'Тип контейнера',
    seals: 'Пломбы',
    plannedDispatch: 'Плановая дата отправки',
    dispatchedOn: 'Дата отправки',
    arrivedOn: 'Дата прибытия',
    receivedOn: 'Дата приёмки',
    billOfLading: 'Коносамент',
    airWaybill: 'Авианакладная',
    cmr: 'Накладная CMR',
    customsDeclaration: 'Таможенная декларация',
    aidPermit: 'Разрешение на гуманитарную помощь',
    waybill: 'Накладная',
    transportUnit: 'Транспортная единица',
    verification: 'Код проверки',
    scanToVerify: 'Отсканируйте для проверки документа',
    declaredValue: 'Заявленная стоимость',
  },
  columns: {
    index: '№',
    package: 'Место',
    item: 'Наименование',
    contents: 'Содержимое',
    quantity: 'Количество',
    condition: 'Состояние',
    lotExpiry: 'Партия / срок',
    unitWeight: 'Вес ед., кг',
    netKg: 'Нетто, кг',
    grossKg: 'Брутто, кг',
    weightKg: 'Вес, кг',
    dimensions: 'Д×Ш×В, см',
    volume: 'Объём, м³',
    hsCode: 'Код ТН ВЭД',
    originCountry: 'Страна происхождения',
    unitValue: 'Цена за ед.',
    value: 'Стоимость',
    sent: 'Отправлено',
    receivedGood: 'Принято годным',
    receivedDamaged: 'Повреждено',
    short: 'Недостача',
    excess: 'Излишек',
    reason: 'Причина',
    bin: 'Ячейка',
  },
  totals: {
    heading: 'Итого',
    packages: 'Количество мест',
    lines: 'Позиций',
    netWeight: 'Вес нетто',
    grossWeight: 'Вес брутто',
    volume: 'Общий объём',
    value: 'Стоимость для таможенных целей',
    received: 'Принято годным',
    damaged: 'Повреждено',
    short: 'Недостача',
    excess: 'Излишек',
  },
  manifest: { title: 'Грузовой манифест', unitTitle: 'Грузовой манифест транспортной единицы', unitHeading: 'Место' },
  waybill: {
    title: 'Накладная на гуманитарный груз',
    signatureRows: { loadedBy: 'Погрузил', transportedBy: 'Перевёз', receivedBy: 'Принял' },
    signatureColumns: {
      party: '',
      date: 'Дата',
      function: 'Должность',
      name: 'Ф. И. О.',
      signature: 'Подпись',
      condition: 'Состояние груза',
    },
    remarks: 'Недостачи и повреждения, выявленные до подписания',
  },
  packingList: { title: 'Упаковочный лист', packedBy: 'Упаковал' },
  giftCertificate: {
    title: 'Сертификат дарения (пожертвования)',
    statement:
      'Перечисленные ниже товары являются безвозмездной гуманитарной помощью (пожертвованием), не имеют коммерческой ценности и не предназначены для продажи.',
    customsOnly: 'Стоимость указана только для таможенных целей.',
    donor: 'Организация-донор',
    beneficiary: 'Организация-получатель',
    signatory: 'Подписал (донор)',
    receivedBy: 'Получил (получатель)',
    placeAndDate: 'Место и дата',
  },
  goodsReceived: {
    title: 'Акт приёмки товара',
    receipt: 'Приёмка',
    expectedOn: 'Ожидаемая дата',
    blind: 'Пересчёт проведён без показа ожидаемых количеств',
    deliveredBy: 'Сдал (перевозчик)',
    receivedBy: 'Принял (склад)',
    partial: 'Частичная приёмка',
  },
  label: { title: 'Гуманитарная помощь', from: 'От', to: 'Кому', weight: 'Вес' },
};

const EN: ShipmentLabels = {
  kinds: {
    inbound: 'Inbound international',
    outbound: 'Outbound international',
    transfer: 'Transfer between warehouses',
    delivery: 'Delivery to another organisation',
  },
  modes: { road: 'Road', rail: 'Rail', sea: 'Sea', air: 'Air' },
  handlingUnits: {
    pallet: 'Pallet',
    box: 'Box',
    bale: 'Bale',
    bundle: 'Bundle',
    crate: 'Crate',
    bag: 'Bag',
    other: 'Package',
  },
  extraUnits: { roll: 'roll', sheet: 'sheet' },
  fields: {
    shipment: 'Shipment',
    kind: 'Kind',
    shipper: 'Shipper (consignor)',
    consignee: 'Consignee',
    origin: 'Origin',
    destination: 'Destination',
    donors: 'Donors',
    mode: 'Mode of transport',
    carrier: 'Carrier',
    vehicle: 'Vehicle',
    truckPlate: 'Truck plate',
    trailerPlate: 'Trailer plate',
    driver: 'Driver',
    container: 'Container',
    containerType: 'Container type',
    seals: 'Seals',
    plannedDispatch: 'Planned dispatch',
    dispatchedOn: 'Dispatched on',
    arrivedOn: 'Arrived on',
    receivedOn: 'Received on',
    billOfLading: 'Bill of lading',
    airWaybill: 'Air waybill',
    cmr: 'CMR consignment note',
    customsDeclaration: 'Customs declaration',
    aidPermit: 'Humanitarian aid permit',
    waybill: 'Waybill',
    transportUnit: 'Transport unit',
    verification: 'Verification reference',
    scanToVerify: 'Scan to verify this document',
    declaredValue: 'Declared value',
  },
  columns: {
    index: '#',
    package: 'Package',
    item: 'Item',
    contents: 'Contents',
    quantity: 'Quantity',
    condition: 'Condition',
    lotExpiry: 'Lot / expiry',
    unitWeight: 'Unit weight, kg',
    netKg: 'Net, kg',
    grossKg: 'Gross, kg',
    weightKg: 'Weight, kg',
    dimensions: 'L×W×H, cm',
    volume: 'Volume, m³',
    hsCode: 'HS code',
    originCountry: 'Country of origin',
    unitValue: 'Unit value',
    value: 'Value',
    sent: 'Sent',
    receivedGood: 'Received good',
    receivedDamaged: 'Damaged',
    short: 'Short',
    excess: 'Excess',
    reason: 'Reason',
    bin: 'Bin',
  },
  totals: {
    heading: 'Totals',
    packages: 'Packages',
    lines: 'Lines',
    netWeight: 'Net weight',
    grossWeight: 'Gross weight',
    volume: 'Total volume',
    value: 'Value for customs purposes',
    received: 'Received good',
    damaged: 'Damaged',
    short: 'Short',
    excess: 'Excess',
  },
  manifest: { title: 'Cargo manifest', unitTitle: 'Cargo manifest of a transport unit', unitHeading: 'Package' },
  waybill: {
    title: 'Waybill for humanitarian cargo',
    signatureRows: { loadedBy: 'Loaded by', transportedBy: 'Transported by', receivedBy: 'Received by' },
    signatureColumns: {
      party: '',
      date: 'Date',
      function: 'Function',
      name: 'Name',
      signature: 'Signature',
      condition: 'Condition of goods',
    },
    remarks: 'Shortages and damage noted before signing',
  },
  packingList: { title: 'Packing list', packedBy: 'Packed by' },
  giftCertificate: {
    title: 'Gift (donation) certificate',
    statement:
      'The goods listed below are a humanitarian donation, given free of charge, without commercial value and not for resale.',
    customsOnly: 'Values are stated for customs purposes only.',
    donor: 'Donor organisation',
    beneficiary: 'Beneficiary organisation',
    signatory: 'Signed for the donor',
    receivedBy: 'Received by (beneficiary)',
    placeAndDate: 'Place and date',
  },
  goodsReceived: {
    title: 'Goods received note',
    receipt: 'Receipt',
    expectedOn: 'Expected on',
    blind: 'Counted blind: the expected quantities were not shown to the counter',
    deliveredBy: 'Delivered by (carrier)',
    receivedBy: 'Received by (warehouse)',
    partial: 'Partial receipt',
  },
  label: { title: 'Humanitarian aid', from: 'From', to: 'To', weight: 'Weight' },
};

const SHIPMENT_LABELS: Readonly<Record<Lang, ShipmentLabels>> = { kk: KK, ru: RU, en: EN };

export function shipmentLabels(lang: Lang): ShipmentLabels {
  return SHIPMENT_LABELS[lang];
}
