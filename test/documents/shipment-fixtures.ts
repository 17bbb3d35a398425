/**
 * Shipment document data for renderer tests and the benchmark: the outbound Türkiye case (trucks, pallets numbered
 * n/N, Kazakh item names) at any size.
 */
import type {
  DocHandlingUnit,
  DocLine,
  DocTransportUnit,
  ShipmentDocumentBase,
} from '../../src/documents/shipment-document';

export const ITEMS = [
  {
    name: { kk: 'Әжелерге арналған жылы көрпе', ru: 'Тёплое одеяло', en: 'Warm blanket' },
    sku: 'BLK-01',
    unit: 'piece',
    kgPerUnit: 1.8,
  },
  {
    name: { kk: 'Қазақстан ұны, ТАҢДАУЛЫ сорт', ru: 'Мука первого сорта', en: 'Flour, first grade' },
    sku: 'FLR-50',
    unit: 't',
    kgPerUnit: 1000,
  },
  {
    name: { kk: 'Ұлытау киіз үйі (жиынтық)', ru: 'Юрта «Улытау» (комплект)', en: 'Ulytau yurt (kit)' },
    sku: 'YRT-01',
    unit: 'kit',
    kgPerUnit: 533,
  },
  {
    name: { kk: 'Ішуге арналған су, Өскемен', ru: 'Питьевая вода', en: 'Drinking water' },
    sku: 'WTR-05',
    unit: 'l',
    kgPerUnit: 1,
  },
  {
    name: { kk: 'Ғимарат ЖИҺАЗЫ, жиһаз: ҮЙ жиынтығы', ru: 'Гигиенический набор', en: 'Hygiene kit' },
    sku: 'HYG-01',
    unit: 'kit',
    kgPerUnit: 2.5,
  },
] as const;

export function baseData(overrides: Partial<ShipmentDocumentBase> = {}): ShipmentDocumentBase {
  return {
    documentNumber: 'MAN-2023-000007',
    issuedAt: '2023-02-10T05:00:00Z',
    organisation: {
      name: { kk: '«Асар» қоғамдық қоры', ru: 'Общественный фонд «Асар»', en: 'Asar Public Foundation' },
      bin: '180940012345',
      address: {
        kk: 'Астана, Мәңгілік Ел даңғылы, 55',
        ru: 'Астана, пр. Мангилик Ел, 55',
        en: 'Astana, Mangilik El 55',
      },
    },
    verification: { reference: 'VRF-TR23-8K2Q', url: 'asar:document:MAN-2023-000007:VRF-TR23-8K2Q' },
    shipment: {
      number: 'SH-2023-000042',
      kind: 'outbound',
      mode: 'road',
      plannedDispatch: '2023-02-10',
      dispatchedOn: '2023-02-10',
      references: { cmr: 'CMR-KZ-4471', customsDeclaration: '10005020/100223/0001234', aidPermit: 'ГП-2023/17' },
    },
    shipper: {
      name: { kk: '«Асар» қоғамдық қоры', ru: 'Фонд «Асар»', en: 'Asar Foundation' },
      bin: '180940012345',
      country: 'Қазақстан',
    },
    consignee: {
      name: 'AFAD — Afet ve Acil Durum Yönetimi Başkanlığı',
      country: { kk: 'Түркия', ru: 'Турция', en: 'Türkiye' },
      address: 'Ankara',
    },
    origin: {
      name: { kk: 'Алматы орталық қоймасы', ru: 'Центральный склад Алматы', en: 'Almaty central warehouse' },
      code: 'ALA-01',
    },
    destination: { name: 'AFAD Gaziantep lojistik deposu', address: 'Gaziantep, Türkiye' },
    donors: [{ name: 'ТОО «Өскемен Ойл»', bin: '010140000143' }],
    ...overrides,
  };
}

export function line(i: number): DocLine {
  const item = ITEMS[i % ITEMS.length] as (typeof ITEMS)[number];
  const count = (i % 7) + 1;
  const quantity =
    item.unit === 't'
      ? { value: 1, unit: 'bag', base: { value: '0.05', unit: 't' } }
      : item.unit === 'l'
        ? { value: count, unit: 'box', base: { value: count * 12, unit: 'l' } }
        : { value: count, unit: item.unit };
  const net = item.unit === 't' ? 50 : item.unit === 'l' ? count * 12 : count * item.kgPerUnit;
  return {
    name: item.name,
    sku: item.sku,
    quantity,
    condition: 'new',
    lot: `L-${1000 + i}`,
    expiry: item.unit === 'l' ? '2024-06-30' : undefined,
    unitWeightKg: item.kgPerUnit,
    netKg: String(net),
    hsCode: '6301400000',
    originCountry: { kk: 'Қазақстан', ru: 'Казахстан', en: 'Kazakhstan' },
    unitValue: { amount: '4500', currency: 'KZT' },
    value: { amount: String(4500 * count), currency: 'KZT' },
  };
}

export function trucks(count: number): DocTransportUnit[] {
  return Array.from({ length: count }, (_, i) => ({
    code: `TRK-${String(i + 1).padStart(2, '0')}`,
    kind: 'vehicle' as const,
    vehicle: {
      truckPlate: `${String(100 + i)} ABC 02`,
      trailerPlate: `${String(10 + i)} QQ 02`,
      driverName: `Ерлан Сәрсенбаев ${i + 1}`,
      driverPhone: '+7 701 555 12 34',
      carrier: 'ТОО «Қазтранс Логистик»',
    },
  }));
}

export function pallets(count: number, linesPerPallet: number, truckCount: number): DocHandlingUnit[] {
  return Array.from({ length: count }, (_, p) => {
    const lines = Array.from({ length: linesPerPallet }, (_, l) => line(p * linesPerPallet + l));
    const net = lines.reduce((sum, l) => sum + Number(l.netKg), 0);
    return {
      kind: 'pallet' as const,
      number: p + 1,
      of: count,
      code: `P-${String(p + 1).padStart(4, '0')}`,
      transportUnit: `TRK-${String((p % truckCount) + 1).padStart(2, '0')}`,
      lines,
      netKg: String(net),
      grossKg: String(net + 25),
      dimensionsCm: { length: 120, width: 80, height: 150 },
      volumeM3: '1.44',
    };
  });
}
