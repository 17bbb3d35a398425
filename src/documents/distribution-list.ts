/**
 * The distribution list of a site, the paper fallback of a distribution day: one table per settlement (number,
 * household number, head of household, size, entitlement, received, a signature column wide enough to sign in),
 * a subtotal after each settlement, the totals, and the witnesses' signatures. A pure function of its data; the
 * sheet number printed in the footer is what the clerk types in when the signed sheet is filled in later.
 */
import { distributionLabels } from './distribution-labels';
import { type CalendarDate, formatDate, formatDecimal } from './format';
import { type Lang, type LocalizedText, labels, pickText } from './labels';
import {
  drawDocumentHeader,
  drawFieldGrid,
  drawParagraph,
  drawSignatureBlock,
  drawSummary,
  drawTable,
  renderPdf,
  type SummaryRow,
} from './layout';

export interface DistributionListRow {
  readonly householdNumber: string;
  readonly head: string;
  readonly size: number;
  /** The entitlement in words: "Food basket 1 kit; Blanket 4 pcs". */
  readonly entitlement: string;
  /** Filled when the hand-over is already recorded; blank for the recipient to fill in. */
  readonly received?: string;
}

export interface DistributionListData {
  readonly listNumber: string;
  readonly date: CalendarDate;
  readonly organisation: { readonly name: LocalizedText };
  readonly site: LocalizedText;
  readonly programme: LocalizedText;
  readonly round: LocalizedText;
  readonly settlements: readonly { readonly name: string; readonly rows: readonly DistributionListRow[] }[];
  /** Totals per item over the whole list, in words ("Food basket: 120 kits"). */
  readonly itemTotals: readonly string[];
}

export async function renderDistributionList(data: DistributionListData, lang: Lang): Promise<Buffer> {
  const text = labels(lang);
  const t = distributionLabels(lang).distributionList;
  const organisationName = pickText(data.organisation.name, lang);
  const numbered = `${t.title} ${text.common.number} ${data.listNumber}`;
  const createdAt = new Date(`${data.date}T00:00:00Z`);
  let index = 0;
  let households = 0;
  let people = 0;
  return renderPdf(
    {
      lang,
      title: numbered,
      author: organisationName,
      createdAt,
      footerText: `${organisationName} · ${numbered}`,
      runningHeader: numbered,
    },
    (doc) => {
      drawDocumentHeader(doc, {
        organisation: { name: organisationName, details: [] },
        title: t.title,
        subtitle: `${text.common.number} ${data.listNumber}  ·  ${formatDate(data.date, lang, 'long')}`,
      });
      drawFieldGrid(
        doc,
        [
          { label: t.site, value: pickText(data.site, lang) },
          { label: t.date, value: formatDate(data.date, lang, 'long') },
          { label: t.programme, value: pickText(data.programme, lang) },
          { label: t.round, value: pickText(data.round, lang) },
        ],
        2,
      );
      drawParagraph(doc, t.instruction, { muted: true });
      for (const settlement of data.settlements) {
        const settlementPeople = settlement.rows.reduce((sum, row) => sum + row.size, 0);
        drawParagraph(doc, '', { heading: `${t.settlement}: ${settlement.name}` });
        drawTable(doc, {
          columns: [
            { header: t.columns.index, weight: 4, align: 'right' },
            { header: t.columns.number, weight: 15 },
            { header: t.columns.head, weight: 20 },
            { header: t.columns.size, weight: 7, align: 'right' },
            { header: t.columns.entitlement, weight: 21 },
            { header: t.columns.received, weight: 12 },
            { header: t.columns.signature, weight: 21 },
          ],
          rows: settlement.rows.map((row) => {
            index += 1;
            // Two lines of height in the signature column: room to sign and write the name under it.
            return [
              String(index),
              row.householdNumber,
              row.head,
              String(row.size),
              row.entitlement,
              row.received ?? '',
              ' \n ',
            ];
          }),
        });
        households += settlement.rows.length;
        people += settlementPeople;
        drawSummary(doc, `${t.subtotal}: ${settlement.name}`, [
          { label: t.households, values: [formatDecimal(settlement.rows.length, lang)] },
          { label: t.people, values: [formatDecimal(settlementPeople, lang)] },
        ]);
      }
      const totals: SummaryRow[] = [
        { label: t.households, values: [formatDecimal(households, lang)] },
        { label: t.people, values: [formatDecimal(people, lang)] },
      ];
      if (data.itemTotals.length > 0) totals.push({ label: t.columns.entitlement, values: data.itemTotals });
      drawSummary(doc, t.total, totals);
      drawParagraph(doc, '', { heading: t.witnesses });
      drawSignatureBlock(
        doc,
        [{ title: t.distributor }, { title: t.witness(1) }, { title: t.witness(2) }],
        text.signature,
      );
    },
  );
}
