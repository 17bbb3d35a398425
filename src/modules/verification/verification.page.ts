/**
 * The public verification page, as HTML for a phone that scanned a QR code, or as JSON for a program. Everything
 * printed is escaped; the page loads nothing from elsewhere (it works on a local network without internet).
 */
import type { Lang } from '../../documents/labels';
import type { VerificationAnswer } from './verification.routes';

const TEXT = {
  genuine: { kk: 'Түпнұсқа құжат', ru: 'Подлинный документ', en: 'Genuine document' },
  notGenuine: { kk: 'Түпнұсқа емес', ru: 'Не подлинный', en: 'Not genuine' },
  unknown: {
    kk: 'Бұл код ешбір құжатқа сәйкес келмейді.',
    ru: 'Этот код не соответствует ни одному документу.',
    en: 'This code matches no document.',
  },
  revoked: {
    kk: 'Бұл құжаттың коды жойылған',
    ru: 'Код этого документа отозван',
    en: 'The code of this document was revoked',
  },
  journey: { kk: 'Қайырмалдықтың жолы', ru: 'Путь пожертвования', en: 'Where the donation went' },
} as const;

const JOURNEY_ROWS: [string, { kk: string; ru: string; en: string }][] = [
  ['received', { kk: 'Қабылданды', ru: 'Принято', en: 'Received' }],
  [
    'movedBetweenWarehouses',
    { kk: 'Қоймалар арасында', ru: 'Перемещено между складами', en: 'Moved between warehouses' },
  ],
  ['issued', { kk: 'Берілді', ru: 'Выдано', en: 'Issued' }],
  ['lost', { kk: 'Жоғалды', ru: 'Утеряно', en: 'Lost' }],
  ['damaged', { kk: 'Бүлінді', ru: 'Повреждено', en: 'Damaged' }],
  ['disposed', { kk: 'Жойылды', ru: 'Утилизировано', en: 'Disposed of' }],
  ['assembledIntoKits', { kk: 'Жиынтықтарға', ru: 'В наборы', en: 'Assembled into kits' }],
];

const html = (text: unknown): string =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

interface JourneyLine {
  item: { sku: string; name: Record<string, string | undefined> };
  baseUnit: string;
  inStock: { warehouse: string; quantity: string }[];
  shipped: { document: string; quantity: string }[];
  distributed: { document: string; quantity: string }[];
  [key: string]: unknown;
}

function journeyHtml(lines: JourneyLine[], lang: Lang): string {
  return lines
    .map((line) => {
      const rows = JOURNEY_ROWS.filter(([key]) => line[key] !== '0').map(
        ([key, label]) => `<tr><td>${html(label[lang])}</td><td>${html(line[key])} ${html(line.baseUnit)}</td></tr>`,
      );
      for (const s of line.inStock) rows.push(`<tr><td>${html(s.warehouse)}</td><td>${html(s.quantity)}</td></tr>`);
      for (const d of [...line.shipped, ...line.distributed])
        rows.push(`<tr><td>${html(d.document)}</td><td>${html(d.quantity)}</td></tr>`);
      const name = line.item.name[lang] ?? line.item.name.en ?? line.item.sku;
      return `<h3>${html(name)}</h3><table>${rows.join('')}</table>`;
    })
    .join('');
}

export function verificationHtml(answer: VerificationAnswer, lang: Lang): string {
  let body: string;
  if (answer.genuine) {
    const fields = Object.entries(answer.document.fields)
      .map(([key, value]) => `<tr><th>${html(key)}</th><td>${html(value)}</td></tr>`)
      .join('');
    const journey = answer.document.content?.journey as JourneyLine[] | undefined;
    body = `<h1 class="ok">✓ ${html(TEXT.genuine[lang])}</h1>
<h2>${html(answer.document.title[lang])}</h2><table>${fields}</table>
${journey ? `<h2>${html(TEXT.journey[lang])}</h2>${journeyHtml(journey, lang)}` : ''}`;
  } else {
    const why =
      answer.reason === 'revoked'
        ? `${TEXT.revoked[lang]}${answer.revokedAt ? ` (${answer.revokedAt.slice(0, 10)})` : ''}.`
        : TEXT.unknown[lang];
    body = `<h1 class="no">✗ ${html(TEXT.notGenuine[lang])}</h1><p>${html(why)}</p>`;
  }
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Asar — ${html(answer.genuine ? TEXT.genuine[lang] : TEXT.notGenuine[lang])}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}
.ok{color:#176b2c}.no{color:#a11}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem;border-bottom:1px solid #ddd}</style>
</head><body>${body}<p><small>${html(answer.code)}</small></p></body></html>`;
}
