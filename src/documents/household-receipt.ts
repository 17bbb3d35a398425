/**
 * The household's receipt («Гуманитарлық көмек алушының қолхаты»): what a recipient was entitled to and received
 * at one hand-over, who received it (the head or a proxy) and who handed it over, with the proof (the signature
 * captured on a touch screen, or the number of the paper sheet it was signed on). A pure function of its data.
 * The IIN is printed masked (`******1234`), as everywhere else: a receipt travels.
 */
import { distributionLabels } from './distribution-labels';
import { type DecimalValue, formatDate, formatDecimal, toInstant } from './format';
import { type Lang, type LocalizedText, labels, pickText, type UnitCode, unitLabel } from './labels';
import {
  contentLeft,
  drawDocumentHeader,
  drawFieldGrid,
  drawParagraph,
  drawSignatureBlock,
  drawTable,
  ensureSpace,
  type Field,
  renderPdf,
} from './layout';

export interface HouseholdReceiptLine {
  readonly name: LocalizedText;
  readonly unit: UnitCode | LocalizedText;
  readonly entitled: DecimalValue;
  readonly received: DecimalValue;
}

export interface HouseholdReceiptData {
  readonly receiptNumber: string;
  readonly issuedAt: Date | string;
  readonly organisation: { readonly name: LocalizedText };
  readonly programme: LocalizedText;
  readonly round: LocalizedText;
  readonly site: LocalizedText;
  readonly recipient: {
    readonly kind: 'household' | 'institution';
    readonly number: string;
    /** The head of household's or the institution's name. */
    readonly name: string;
    readonly maskedIin?: string;
    readonly size: number;
    readonly settlement: string;
  };
  readonly outcome: 'all' | 'part' | 'none';
  readonly reason?: string;
  readonly receivedBy: { readonly name: string; readonly proxy: boolean; readonly maskedIin?: string };
  readonly deliveredBy: { readonly name: string };
  readonly proof: { readonly kind: 'paper'; readonly sheet: string } | { readonly kind: 'image'; readonly png: Buffer };
  readonly lines: readonly HouseholdReceiptLine[];
}

const SIGNATURE_IMAGE = { width: 160, height: 60 };

export async function renderHouseholdReceipt(data: HouseholdReceiptData, lang: Lang): Promise<Buffer> {
  const text = labels(lang);
  const t = distributionLabels(lang).householdReceipt;
  const issuedAt = toInstant(data.issuedAt);
  const organisationName = pickText(data.organisation.name, lang);
  const numbered = `${t.title} ${text.common.number} ${data.receiptNumber}`;
  return renderPdf(
    {
      lang,
      title: numbered,
      author: organisationName,
      createdAt: issuedAt,
      footerText: `${organisationName} · ${numbered}`,
    },
    (doc) => {
      drawDocumentHeader(doc, {
        organisation: { name: organisationName, details: [] },
        title: t.title,
        subtitle: `${text.common.number} ${data.receiptNumber}  ·  ${formatDate(issuedAt, lang, 'long')}`,
      });
      drawFieldGrid(doc, receiptFields(data, lang));
      drawParagraph(doc, t.statement);
      drawTable(doc, {
        columns: [
          { header: t.columns.index, weight: 5, align: 'right' },
          { header: t.columns.item, weight: 45 },
          { header: t.columns.unit, weight: 14 },
          { header: t.columns.entitled, weight: 18, align: 'right' },
          { header: t.columns.received, weight: 18, align: 'right' },
        ],
        rows: data.lines.map((line, i) => [
          String(i + 1),
          pickText(line.name, lang),
          unitLabel(line.unit, lang),
          formatDecimal(line.entitled, lang),
          formatDecimal(line.received, lang),
        ]),
      });
      const outcome = data.reason ? `${t.outcome[data.outcome]}. ${t.reason}: ${data.reason}` : t.outcome[data.outcome];
      drawParagraph(doc, outcome, { heading: t.proof.heading });
      if (data.proof.kind === 'paper') {
        drawParagraph(doc, t.proof.paper(data.proof.sheet));
      } else {
        ensureSpace(doc, SIGNATURE_IMAGE.height + 24);
        drawParagraph(doc, t.proof.captured, { muted: true });
        doc.image(data.proof.png, contentLeft(doc), doc.y, { fit: [SIGNATURE_IMAGE.width, SIGNATURE_IMAGE.height] });
        doc.y += SIGNATURE_IMAGE.height + 8;
      }
      const receivedTitle = `${t.receivedBy} (${data.receivedBy.proxy ? t.proxy : t.head})`;
      drawSignatureBlock(
        doc,
        [
          { title: receivedTitle, name: data.receivedBy.name },
          { title: t.deliveredBy, name: data.deliveredBy.name },
        ],
        text.signature,
      );
    },
  );
}

function receiptFields(data: HouseholdReceiptData, lang: Lang): Field[] {
  const t = distributionLabels(lang).householdReceipt;
  const { recipient } = data;
  const who = [recipient.name, recipient.maskedIin ? `${t.iin} ${recipient.maskedIin}` : ''].filter(Boolean).join(', ');
  const fields: Field[] = [
    { label: t.programme, value: pickText(data.programme, lang) },
    { label: t.round, value: pickText(data.round, lang) },
    { label: recipient.kind === 'household' ? t.household : t.institution, value: `${recipient.number} — ${who}` },
    { label: t.site, value: pickText(data.site, lang) },
    { label: t.settlement, value: recipient.settlement },
    { label: t.size, value: formatDecimal(recipient.size, lang) },
  ];
  if (data.receivedBy.proxy) {
    const proxy = [data.receivedBy.name, data.receivedBy.maskedIin ? `${t.iin} ${data.receivedBy.maskedIin}` : '']
      .filter(Boolean)
      .join(', ');
    fields.push({ label: `${t.receivedBy} (${t.proxy})`, value: proxy });
  }
  return fields;
}
