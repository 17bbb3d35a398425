import { renderCargoManifest } from '../../src/documents/cargo-manifest';
import { renderGiftCertificate } from '../../src/documents/gift-certificate';
import { renderGoodsReceivedNote } from '../../src/documents/goods-received-note';
import { renderHandlingUnitLabels } from '../../src/documents/handling-unit-labels';
import { LANGS, type Lang, labels } from '../../src/documents/labels';
import { renderPackingList } from '../../src/documents/packing-list';
import { shipmentLabels } from '../../src/documents/shipment-labels';
import { renderWaybill } from '../../src/documents/waybill';
import { normalizeSpaces, type PdfText, readPdfText, readPdfTexts } from './read-pdf';
import { baseData, pallets, trucks } from './shipment-fixtures';

const TRUCKS = trucks(2);
const PALLETS = pallets(6, 5, 2);
const TOTALS = {
  packages: 6,
  lines: 30,
  netKg: '12345.5',
  grossKg: '12495.5',
  volumeM3: '8.64',
  values: [{ amount: '540000', currency: 'KZT' }],
};

/** All the text on one line: table cells wrap, and a wrapped phrase still reads as one. */
function flat(text: PdfText): string {
  return text.pages.join('\n').replace(/\s+/g, ' ');
}

const RENDERERS = {
  manifest: (lang: Lang) =>
    renderCargoManifest({ ...baseData(), transportUnits: TRUCKS, handlingUnits: PALLETS, totals: TOTALS }, lang),
  unitManifest: (lang: Lang) =>
    renderCargoManifest(
      {
        ...baseData(),
        transportUnit: TRUCKS[1],
        transportUnits: [TRUCKS[1] as (typeof TRUCKS)[number]],
        handlingUnits: PALLETS.filter((p) => p.transportUnit === 'TRK-02'),
        totals: TOTALS,
      },
      lang,
    ),
  waybill: (lang: Lang) =>
    renderWaybill(
      {
        ...baseData(),
        vehicle: TRUCKS[0] as (typeof TRUCKS)[number],
        lines: PALLETS.flatMap((p) => p.lines),
        totals: TOTALS,
      },
      lang,
    ),
  packingList: (lang: Lang) =>
    renderPackingList(
      {
        ...baseData(),
        transportUnits: [
          ...TRUCKS,
          {
            code: 'CNT-1',
            kind: 'container',
            container: { number: 'CSQU3054383', type: '40ft', seals: ['KZ 001122'] },
          },
        ],
        handlingUnits: PALLETS,
        totals: TOTALS,
      },
      lang,
    ),
  gift: (lang: Lang) =>
    renderGiftCertificate(
      {
        ...baseData(),
        donor: baseData().shipper,
        beneficiary: baseData().consignee,
        lines: PALLETS.flatMap((p) => p.lines),
        totals: TOTALS,
        signatory: { name: 'Айгүл Серікқызы' },
        place: 'Алматы',
      },
      lang,
    ),
  grn: (lang: Lang) =>
    renderGoodsReceivedNote(
      {
        ...baseData(),
        receipt: {
          receivedOn: '2023-02-14',
          warehouse: baseData().destination,
          blind: true,
          partial: false,
          receivedBy: 'Әсел Нұрланқызы',
        },
        lines:
          PALLETS[0]?.lines.map((l, i) => ({
            name: l.name,
            sku: l.sku,
            unit: 'piece',
            sent: 10,
            good: i === 0 ? 7 : 10,
            damaged: i === 0 ? 2 : 0,
            short: i === 0 ? 1 : 0,
            excess: 0,
            reason: i === 0 ? 'жыртылған қаптама' : undefined,
            bin: 'A-01',
          })) ?? [],
        totals: { goodKg: '84.6', damagedKg: '3.6', shortKg: '1.8', excessKg: '0' },
      },
      lang,
    ),
  labels: (lang: Lang) =>
    renderHandlingUnitLabels({ ...baseData(), units: PALLETS.map((p) => ({ ...p, qr: `asar:hu:${p.code}` })) }, lang),
} as const;

type DocName = keyof typeof RENDERERS;
const NAMES = Object.keys(RENDERERS) as DocName[];

describe('shipment documents', () => {
  const texts = new Map<string, PdfText>();
  const pdfs = new Map<string, Buffer>();

  // 21 documents rendered and read back once for the whole file: about a second each on a loaded 2-core machine.
  beforeAll(async () => {
    const jobs = NAMES.flatMap((name) => LANGS.map((lang) => ({ name, lang })));
    const rendered = await Promise.all(jobs.map(({ name, lang }) => RENDERERS[name](lang)));
    const read = await readPdfTexts(rendered);
    jobs.forEach(({ name, lang }, i) => {
      texts.set(`${name}:${lang}`, read[i] as PdfText);
      pdfs.set(`${name}:${lang}`, rendered[i] as Buffer);
    });
  }, 120_000);

  const text = (name: DocName, lang: Lang) => flat(texts.get(`${name}:${lang}`) as PdfText);

  test.each(LANGS)('when rendered in %s, then each document reads back its title and the shipment number', (lang) => {
    const t = shipmentLabels(lang);
    const titles: Record<DocName, string> = {
      manifest: t.manifest.title,
      unitManifest: t.manifest.unitTitle,
      waybill: t.waybill.title,
      packingList: t.packingList.title,
      gift: t.giftCertificate.title,
      grn: t.goodsReceived.title,
      labels: t.label.title,
    };
    for (const name of NAMES) {
      expect(text(name, lang)).toContain(titles[name]);
      expect(text(name, lang)).toContain('SH-2023-000042');
    }
  });

  test.each(NAMES)('when %s is rendered in every language, then every page says "page X of N"', (name) => {
    for (const lang of LANGS) {
      const { pages, total } = texts.get(`${name}:${lang}`) as PdfText;
      expect(pages).toHaveLength(total);
      pages.forEach((page, i) => {
        expect(normalizeSpaces(page)).toContain(labels(lang).common.pageOf(i + 1, total));
      });
    }
  });

  test('when rendered in Kazakh, then the Kazakh letters and names survive text extraction', () => {
    const all = NAMES.map((name) => text(name, 'kk')).join('\n');
    for (const letter of ['Ә', 'ә', 'Ғ', 'ғ', 'Қ', 'қ', 'Ң', 'ң', 'Ө', 'ө', 'Ұ', 'ұ', 'Ү', 'ү', 'Һ', 'І', 'і']) {
      expect(all).toContain(letter);
    }
    expect(text('manifest', 'kk')).toContain('Әжелерге арналған жылы көрпе');
    expect(text('manifest', 'kk')).toContain('Ұлытау киіз үйі');
    expect(text('waybill', 'kk')).toContain('Ерлан Сәрсенбаев 1');
  });

  test('pallets are numbered n / N in the manifest, the packing list and on the labels', () => {
    for (const lang of LANGS) {
      const pallet = shipmentLabels(lang).handlingUnits.pallet;
      for (let n = 1; n <= 6; n += 1) {
        expect(text('manifest', lang)).toContain(`${pallet} ${n} / 6`);
        expect(text('packingList', lang)).toContain(`${pallet} ${n} / 6`);
      }
    }
    const labelPages = (texts.get('labels:ru') as PdfText).pages.map(normalizeSpaces);
    expect(labelPages).toHaveLength(6);
    labelPages.forEach((page, i) => {
      expect(page).toContain(`Паллета ${i + 1} / 6`);
    });
  });

  test('the totals print kg, tonnes and m³ in each language’s number format', () => {
    expect(text('manifest', 'ru')).toContain('12 345,5 кг');
    expect(text('manifest', 'ru')).toContain('12,3455 т');
    expect(text('manifest', 'en')).toContain('12,345.5 kg');
    expect(text('manifest', 'en')).toContain('12.3455 t');
    expect(text('packingList', 'kk')).toContain('8,64 м³');
    expect(text('gift', 'en')).toContain('₸540,000.00');
  });

  test('quantities show the base unit too, with unit names translated', () => {
    expect(text('manifest', 'kk')).toContain('1 қап = 0,05 т');
    expect(text('manifest', 'ru')).toContain('1 меш. = 0,05 т');
    expect(text('manifest', 'en')).toContain('1 bag = 0.05 t');
    expect(text('manifest', 'ru')).toMatch(/\d коробка|\d кор\. = \d+ л/);
  });

  test('the per-vehicle manifest names its truck and lists only its pallets', () => {
    const en = text('unitManifest', 'en');
    expect(en).toContain('TRK-02');
    expect(en).toContain('101 ABC 02');
    expect(en).toContain('Pallet 2 / 6');
    expect(en).not.toContain('Pallet 1 / 6');
  });

  test('the waybill carries the vehicle, the driver and the signature grid with room for shortages', () => {
    for (const lang of LANGS) {
      const t = shipmentLabels(lang).waybill;
      const body = text('waybill', lang);
      for (const row of Object.values(t.signatureRows)) expect(body).toContain(row);
      for (const column of [t.signatureColumns.date, t.signatureColumns.function, t.signatureColumns.signature]) {
        expect(body).toContain(column);
      }
      expect(body).toContain(t.remarks);
      expect(body).toContain('100 ABC 02');
      expect(body).toContain('+7 701 555 12 34');
    }
  });

  test('the packing list names the container and its seals', () => {
    expect(text('packingList', 'en')).toContain('CSQU3054383');
    expect(text('packingList', 'en')).toContain('KZ 001122');
    expect(text('packingList', 'en')).toContain("40'");
  });

  test('the gift certificate states the donation without commercial value, HS codes and origin', () => {
    for (const lang of LANGS) {
      const g = shipmentLabels(lang).giftCertificate;
      expect(text('gift', lang)).toContain(g.statement.slice(0, 40));
      expect(text('gift', lang)).toContain(g.customsOnly);
    }
    expect(text('gift', 'en')).toContain('6301400000');
    expect(text('gift', 'ru')).toContain('Казахстан');
  });

  test('the goods received note shows sent, good, damaged, short and excess, and says it was counted blind', () => {
    const ru = text('grn', 'ru');
    for (const column of ['Отправлено', 'Принято годным', 'Повреждено', 'Недостача', 'Излишек', 'Причина']) {
      expect(ru).toContain(column);
    }
    expect(ru).toContain('жыртылған қаптама');
    expect(ru).toContain(shipmentLabels('ru').goodsReceived.blind);
  });

  test('column headers never break inside a word', () => {
    for (const lang of LANGS) {
      const c = shipmentLabels(lang).columns;
      const words = [c.quantity, c.netKg, c.grossKg, c.sent, c.receivedGood, c.receivedDamaged, c.unitWeight]
        .flatMap((h) => h.split(' '))
        .filter((w) => w.length > 3);
      const all = NAMES.map((name) => (texts.get(`${name}:${lang}`) as PdfText).pages.join('\n')).join('\n');
      const tokens = new Set(normalizeSpaces(all).split(/\s+/));
      for (const word of words) expect({ word, whole: tokens.has(word) }).toEqual({ word, whole: true });
    }
  });

  test('the same data renders to the same bytes (a reprint is identical)', async () => {
    const again = await RENDERERS.manifest('kk');
    expect(again.equals(pdfs.get('manifest:kk') as Buffer)).toBe(true);
    expect(again.toString('latin1')).toContain('(D:20230210050000Z)');
  });

  test('when a manifest runs over many pages, then the signatures share the last page with the last lines', async () => {
    const many = pallets(120, 5, 4);
    const pdf = await renderCargoManifest(
      {
        ...baseData(),
        transportUnits: trucks(4),
        handlingUnits: many,
        totals: { ...TOTALS, packages: 120, lines: 600 },
      },
      'kk',
    );
    const { pages, total } = await readPdfText(pdf);
    expect(total).toBeGreaterThan(5);
    const last = normalizeSpaces(pages[total - 1] as string);
    expect(last).toContain(labels('kk').signature.signature);
    expect(last).toMatch(/L-\d{4}/);
    const all = pages.join('\n').replace(/\s+/g, ' ');
    for (let n = 1; n <= 120; n += 1) expect(all).toContain(`Паллет ${n} / 120`);
    expect(all.split('L-1599').length - 1).toBe(1);
  }, 60_000);
});
