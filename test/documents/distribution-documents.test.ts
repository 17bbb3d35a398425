import { type DistributionListData, renderDistributionList } from '../../src/documents/distribution-list';
import { type HouseholdReceiptData, renderHouseholdReceipt } from '../../src/documents/household-receipt';
import { LANGS } from '../../src/documents/labels';
import { makeQrCode } from '../../src/documents/layout';
import { normalizeSpaces, readPdfText, readPdfTexts } from './read-pdf';

const KAZAKH_LETTERS = [...'ӘҒҚҢӨҰҮҺІ', ...'әғқңөұүһі'];

function givenReceipt(overrides: Partial<HouseholdReceiptData> = {}): HouseholdReceiptData {
  return {
    receiptNumber: 'HO-2026-000042',
    issuedAt: '2024-05-20T06:00:00Z',
    organisation: { name: { kk: '«Қамқор» қоғамдық қоры', ru: 'ОФ «Камкор»', en: 'Kamkor Foundation' } },
    programme: 'Су тасқыны 2024, Қарағанды облысы',
    round: 'Бірінші кезең: ҚАҢТАР–ҰЛЫТАУ',
    site: 'Талғар, мәдениет үйі',
    recipient: {
      kind: 'household',
      number: 'HH-2026-000007',
      name: 'Мамырбаев Айдар',
      maskedIin: '******0017',
      size: 5,
      settlement: 'Талғар',
    },
    outcome: 'part',
    reason: 'Көрпе жетпеді (Һ, Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, І; һ ә ғ қ ң ө ұ ү і)',
    receivedBy: { name: 'Мамырбаева Әсел', proxy: true, maskedIin: '******1234' },
    deliveredBy: { name: 'Ержан Сейітқали' },
    proof: { kind: 'paper', sheet: 'DL-7/3' },
    lines: [
      {
        name: { kk: 'Азық-түлік себеті', ru: 'Продуктовый набор', en: 'Food basket' },
        unit: 'kit',
        entitled: 1,
        received: 1,
      },
      { name: { kk: 'Көрпе', ru: 'Одеяло', en: 'Blanket' }, unit: 'piece', entitled: 5, received: 3 },
    ],
    ...overrides,
  };
}

function givenList(): DistributionListData {
  const rows = (settlement: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      householdNumber: `HH-2026-${String(i + 1).padStart(6, '0')}`,
      head: `${settlement} Отбасы ${i + 1}`,
      size: (i % 5) + 1,
      entitlement: 'Азық-түлік себеті 1 жиынтық',
    }));
  return {
    listNumber: 'DL-2026-000003',
    date: '2024-05-20',
    organisation: { name: 'Love Kazakhstan' },
    site: 'Қарасу, мектеп №2',
    programme: 'Су тасқыны 2024',
    round: 'Бірінші кезең',
    settlements: [
      { name: 'Қарасу', rows: rows('Қарасу', 30) },
      { name: 'Талапкер', rows: rows('Талапкер', 12) },
    ],
    itemTotals: ['Азық-түлік себеті: 42'],
  };
}

describe('the household receipt', () => {
  test('when rendered in each language, then its title, the items and the proof read back, with every Kazakh letter', async () => {
    const pdfs = await Promise.all(LANGS.map((lang) => renderHouseholdReceipt(givenReceipt(), lang)));
    const [kk, ru, en] = (await readPdfTexts(pdfs)).map((t) => normalizeSpaces(t.pages.join('\n')));
    expect(kk).toContain('Гуманитарлық көмек алушының қолхаты');
    expect(ru).toContain('Расписка получателя гуманитарной помощи');
    expect(en).toContain('Humanitarian aid recipient’s receipt');
    for (const letter of KAZAKH_LETTERS) expect(kk).toContain(letter);
    expect(kk).toContain('Азық-түлік себеті');
    expect(en).toContain('Signed on paper, sheet No. DL-7/3');
    expect(en).toContain('Received in part');
    expect(en).toContain('******0017');
    expect(en).not.toContain('900101300017');
  });

  test('when the proof is a captured signature, then the image is embedded and the page count stays one', async () => {
    const png = await makeQrCode('a signature stand-in');
    const pdf = await renderHouseholdReceipt(givenReceipt({ proof: { kind: 'image', png } }), 'en');
    const text = await readPdfText(pdf);
    expect(text.total).toBe(1);
    expect(normalizeSpaces(text.pages[0] ?? '')).toContain('Signature captured on a touch screen');
    expect(pdf.includes(Buffer.from('/Subtype /Image'))).toBe(true);
  });

  test('when the same data is rendered twice, then the bytes are identical', async () => {
    const [a, b] = await Promise.all([
      renderHouseholdReceipt(givenReceipt(), 'kk'),
      renderHouseholdReceipt(givenReceipt(), 'kk'),
    ]);
    expect(a.equals(b)).toBe(true);
  });
});

describe('the distribution list', () => {
  test('when a site has two settlements, then each has its rows and subtotal, the totals add up and a signature column is printed', async () => {
    const text = await readPdfText(await renderDistributionList(givenList(), 'kk'));
    const all = normalizeSpaces(text.pages.join('\n'));
    expect(all).toContain('Гуманитарлық көмекті тарату тізімі');
    expect(all).toContain('Елді мекен: Қарасу');
    expect(all).toContain('Елді мекен: Талапкер');
    expect(all).toContain('Қолы / саусақ ізі');
    expect(all).toContain('Елді мекен бойынша барлығы: Қарасу');
    expect(all).toMatch(/Отбасылар\s*42/);
    expect(all).toContain('Куәгер 1');
    expect(all).toContain('Талапкер Отбасы 12');
    expect(text.total).toBeGreaterThan(1);
  });

  test('when rendered in Russian and English, then the column headers read back in that language', async () => {
    const [ru, en] = await readPdfTexts(
      await Promise.all([renderDistributionList(givenList(), 'ru'), renderDistributionList(givenList(), 'en')]),
    );
    // A header may wrap inside its column: compare with line breaks folded into spaces.
    const words = (text: string) => text.replace(/\s+/g, ' ');
    expect(words(ru?.pages.join('\n') ?? '')).toContain('Подпись / отпечаток');
    expect(words(en?.pages.join('\n') ?? '')).toContain('Signature / thumbprint');
  });
});
