import {
  type DonationReceiptData,
  type DonationReceiptLine,
  renderDonationReceipt,
} from '../../src/documents/donation-receipt';
import { LANGS, type Lang, labels } from '../../src/documents/labels';
import { normalizeSpaces, type PdfText, readPdfText, readPdfTexts } from './read-pdf';

/** Every letter Kazakh adds to the Russian alphabet, upper and lower case. */
const KAZAKH_LETTERS = [...'ӘҒҚҢӨҰҮҺІ', ...'әғқңөұүһі'];

// Item names chosen so that, between them, every Kazakh letter appears in both cases.
const KAZAKH_LINES: DonationReceiptLine[] = [
  {
    name: { kk: 'Гуманитарлық көмек: азық-түлік себеті', ru: 'Продуктовый набор', en: 'Food basket' },
    quantity: { value: 20, unit: 'kit' },
    condition: 'new',
    lot: 'FB-2024-03',
    expiry: '2025-03-01',
    weightKg: '300',
    estimatedValue: { amount: '500000', currency: 'KZT' },
  },
  {
    name: 'Қазақстан ұны, бірінші сорт',
    quantity: { value: '0.25', unit: 'tonne' },
    condition: 'new',
    weightKg: '250',
    estimatedValue: { amount: '112500', currency: 'KZT' },
  },
  {
    name: 'Әжелерге арналған жылы көрпе',
    quantity: { value: 40, unit: 'piece' },
    condition: 'good',
    weightKg: '60',
    estimatedValue: { amount: '400', currency: 'USD' },
  },
  { name: 'Ғимаратқа арналған жылытқыш', quantity: { value: 3, unit: 'piece' }, condition: 'used', weightKg: '15' },
  { name: 'ТАҢҒЫ АС ЖИЫНТЫҒЫ', quantity: { value: 10, unit: 'box' }, condition: 'new', weightKg: '40' },
  { name: 'ҮЙ ЖИҺАЗЫ: КЕРЕУЕТ, ӨСКЕМЕН', quantity: { value: 2, unit: 'piece' }, condition: 'damaged' },
  {
    name: 'Ішуге арналған су, Өскемен',
    quantity: { value: '120.5', unit: 'litre' },
    condition: 'new',
    weightKg: '120.5',
  },
  { name: 'Ұлытау киіз үйі (жиынтық), жиһаз', quantity: { value: 1, unit: 'kit' }, condition: 'good', weightKg: '450' },
  { name: 'Жаңа туған сәбилерге тоқыма қалпақ', quantity: { value: 50, unit: 'piece' }, condition: 'new' },
];

function givenReceipt(overrides: Partial<DonationReceiptData> = {}): DonationReceiptData {
  return {
    receiptNumber: 'DR-2024-000123',
    issuedAt: '2024-03-15T04:30:00Z',
    organisation: {
      name: { kk: '«Асар» қоғамдық қоры', ru: 'Общественный фонд «Асар»', en: 'Asar Public Foundation' },
      bin: '180940012345',
      address: {
        kk: 'Астана, Мәңгілік Ел даңғылы, 55',
        ru: 'Астана, пр. Мангилик Ел, 55',
        en: 'Astana, Mangilik El Ave 55',
      },
      phone: '+7 701 234 56 78',
    },
    verification: { reference: 'VRF-7F3K-92QX', url: 'https://asar.example/verify/VRF-7F3K-92QX' },
    donor: {
      name: 'ТОО «Өскемен Ойл»',
      bin: '010140000143',
      country: { kk: 'Қазақстан', ru: 'Казахстан', en: 'Kazakhstan' },
    },
    warehouse: {
      name: { kk: 'Астана орталық қоймасы', ru: 'Центральный склад Астаны', en: 'Astana central warehouse' },
      code: 'AST-01',
    },
    receivedOn: '2024-03-14',
    receivedBy: { name: 'Әсел Нұрланқызы' },
    lines: KAZAKH_LINES,
    totals: {
      pieces: 126,
      weight: { value: '1.2355', unit: 'tonne' },
      values: [
        { amount: '612500', currency: 'KZT' },
        { amount: '400', currency: 'USD' },
      ],
    },
    notes: {
      kk: 'Жиһаз келесі аптада Ұлытауға жеткізіледі.',
      ru: 'Мебель доставят в Улытау на следующей неделе.',
      en: 'Furniture goes to Ulytau next week.',
    },
    ...overrides,
  };
}

function manyLines(count: number): DonationReceiptLine[] {
  return Array.from({ length: count }, (_, i) => ({
    name: {
      kk: `Гуманитарлық көмек, Өскемен (${i + 1})`,
      ru: `Гуманитарная помощь (${i + 1})`,
      en: `Humanitarian aid (${i + 1})`,
    },
    sku: `SKU-${String(i + 1).padStart(4, '0')}`,
    quantity: { value: i + 1, unit: 'piece' },
    condition: 'new',
    weightKg: '1.5',
    estimatedValue: { amount: '1000', currency: 'KZT' },
  }));
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function flat(text: PdfText): string {
  return normalizeSpaces(text.pages.join('\n'));
}

describe('donation receipt PDF', () => {
  let texts: Record<Lang, PdfText>;

  beforeAll(async () => {
    // Kazakh first, then Russian and English in the same process: this also guards against font state leaking
    // between documents (a shared parsed font once dropped Latin letters from the text of later PDFs).
    const pdfs = await Promise.all(LANGS.map((lang) => renderDonationReceipt(givenReceipt(), lang)));
    const read = await readPdfTexts(pdfs);
    texts = Object.fromEntries(LANGS.map((lang, i) => [lang, read[i]])) as Record<Lang, PdfText>;
  });

  test.each(LANGS)(
    'when rendered in %s, then the title, number, donor and warehouse read back in that language',
    (lang) => {
      const text = flat(texts[lang]);
      expect(text).toContain(labels(lang).donationReceipt.title);
      expect(text).toContain('DR-2024-000123');
      expect(text).toContain('VRF-7F3K-92QX');
      expect(text).toContain('ТОО «Өскемен Ойл»');
      expect(text).toContain(
        { kk: 'Астана орталық қоймасы', ru: 'Центральный склад Астаны', en: 'Astana central warehouse' }[lang],
      );
      expect(text).toContain(labels(lang).donationReceipt.columns.condition);
    },
  );

  test('the titles are the agreed wording in each language', () => {
    expect(flat(texts.kk)).toContain('Қайырымдылық көмекті қабылдау түбіртегі');
    expect(flat(texts.ru)).toContain('Квитанция о приёме пожертвования');
    expect(flat(texts.en)).toContain('Donation receipt');
  });

  test('when rendered in Kazakh, then every Kazakh letter survives text extraction, in both cases', () => {
    const text = flat(texts.kk);
    for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);
    for (const word of [
      'Қазақстан',
      'Өскемен',
      'Ұлытау',
      'Гуманитарлық көмек',
      'ТАҢҒЫ АС',
      'ЖИҺАЗЫ',
      'Ішуге',
      'Әжелерге',
    ]) {
      expect(text).toContain(word);
    }
  });

  test('the totals are printed with each language’s number and currency format', () => {
    const expected: Record<Lang, string[]> = {
      kk: ['612 500,00 ₸', '400,00 $', '1,2355 т', '126'],
      ru: ['612 500,00 ₸', '400,00 $', '1,2355 т', '126'],
      en: ['₸612,500.00', '$400.00', '1.2355 t', '126'],
    };
    for (const lang of LANGS) {
      const text = flat(texts[lang]);
      expect(text).toContain(labels(lang).donationReceipt.totals.heading);
      for (const value of expected[lang]) expect(text).toContain(value);
    }
  });

  test('line quantities keep exact decimals and show the unit and condition in the reader’s language', () => {
    expect(flat(texts.en)).toMatch(/120\.5 l New/);
    expect(flat(texts.ru)).toMatch(/120,5 л новое/);
    expect(flat(texts.kk)).toMatch(/120,5 л жаңа/);
    expect(flat(texts.en)).toMatch(/0\.25 t New/);
    expect(flat(texts.ru)).toContain('повреждено');
  });

  test('a name given only in Kazakh is used for every language; one given per language is translated', () => {
    expect(flat(texts.en)).toContain('Қазақстан ұны, бірінші сорт');
    expect(flat(texts.en)).toContain('Food basket');
    expect(flat(texts.ru)).toContain('Продуктовый набор');
  });

  test.each(LANGS)('when rendered in %s, then every page has a "page X of N" footer', (lang) => {
    const { pages, total } = texts[lang];
    expect(pages).toHaveLength(total);
    pages.forEach((page, i) => {
      expect(normalizeSpaces(page)).toContain(labels(lang).common.pageOf(i + 1, total));
    });
  });

  test('when the donor is anonymous, then the receipt says so and names nobody', async () => {
    const text = flat(
      await readPdfText(await renderDonationReceipt(givenReceipt({ donor: { anonymous: true } }), 'ru')),
    );
    expect(text).toContain('Анонимный жертвователь');
    expect(text).not.toContain('Өскемен Ойл');
  });

  test('when a receipt has 200 lines, then it spans several pages and each page repeats the header row', async () => {
    const lang: Lang = 'kk';
    const pdf = await renderDonationReceipt(givenReceipt({ lines: manyLines(200) }), lang);
    const { pages, total } = await readPdfText(pdf);
    const columns = labels(lang).donationReceipt.columns;
    const headerRow = `${columns.index} ${columns.item} ${columns.quantity}`;

    expect(total).toBeGreaterThanOrEqual(3);
    const normalized = pages.map(normalizeSpaces);
    // The table runs onto every page but possibly the last, which may hold only totals and signatures.
    const tablePages = normalized.filter((page) => page.includes('SKU-'));
    expect(tablePages.length).toBeGreaterThanOrEqual(total - 1);
    for (const page of tablePages) expect(occurrences(page, headerRow)).toBe(1);
    normalized.forEach((page, i) => {
      expect(page).toContain(labels(lang).common.pageOf(i + 1, total));
    });

    // Every line is printed exactly once, in order, across the pages.
    const all = normalized.join('\n');
    const positions = manyLines(200).map((line) => {
      expect(occurrences(all, line.sku ?? '')).toBe(1);
      return all.indexOf(line.sku ?? '');
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(all).toContain(`${labels(lang).donationReceipt.totals.lines} 200`);
  });

  test('the QR code is embedded as an image', async () => {
    const pdf = await renderDonationReceipt(givenReceipt(), 'en');
    const raw = pdf.toString('latin1');
    expect(raw.startsWith('%PDF-')).toBe(true);
    expect(raw).toMatch(/\/Subtype \/Image/);
    expect(raw).toMatch(/\/XObject/);
  });

  test('the same data renders to the same bytes, dated by the data rather than the clock', async () => {
    const first = await renderDonationReceipt(givenReceipt(), 'kk');
    const second = await renderDonationReceipt(givenReceipt(), 'kk');
    expect(first.equals(second)).toBe(true);
    // PDFKit writes the info values as indirect objects: /CreationDate n 0 R ... (D:20240315043000Z)
    expect(first.toString('latin1')).toContain('(D:20240315043000Z)');
  });

  test('the renderer does not modify its input', async () => {
    const data = givenReceipt();
    const before = JSON.stringify(data);
    await renderDonationReceipt(data, 'ru');
    expect(JSON.stringify(data)).toBe(before);
  });

  test('when issuedAt is not a date, then rendering fails instead of printing "Invalid Date"', async () => {
    await expect(renderDonationReceipt(givenReceipt({ issuedAt: 'yesterday' }), 'en')).rejects.toThrow(TypeError);
  });
});
