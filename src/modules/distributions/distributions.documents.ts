/**
 * The distribution documents' data: gathers a hand-over (or a batch) with its recipient, items, programme and
 * organisation, and hands them to the pure renderers in src/documents. Names appear on these documents because they
 * are the owning organisation's own paper (the list is signed by the people on it); IINs appear masked only.
 */
import type { DocumentFile } from '../../core/document-file';
import { renderDistributionList } from '../../documents/distribution-list';
import { renderHouseholdReceipt } from '../../documents/household-receipt';
import type { Lang, UnitCode } from '../../documents/labels';
import { mask, openOrNull } from '../../personal-data/personal-data';
import type { Actor } from '../access';
import type { ItemRecord } from '../catalog';
import { formatRatio, itemsByIds, unitFamily } from '../catalog';
import { requireHousehold } from '../households';
import { organisationParty } from '../organisations';
import { requireRound } from '../programmes';
import { dueList, recipientName, requireBatch, requireHandOver, signatureImage } from './distributions.service';

/** Sub-units as the recipient reads them: grams as kg, millilitres as litres, pieces as pieces. */
function quantityIn(item: ItemRecord | undefined, subUnits: number): { value: string; unit: UnitCode } {
  const family = item ? unitFamily(item.baseUnit) : 'count';
  if (family === 'mass') return { value: formatRatio(subUnits, 1000), unit: 'kg' };
  if (family === 'volume') return { value: formatRatio(subUnits, 1000), unit: 'litre' };
  return { value: String(subUnits), unit: (item?.baseUnit as UnitCode) ?? 'piece' };
}

async function organisationName(id: unknown): Promise<string> {
  return (await organisationParty(String(id)))?.name ?? '';
}

export async function handOverReceiptPdf(id: string, lang: Lang, actor: Actor): Promise<DocumentFile> {
  const handOver = await requireHandOver(id, actor);
  const batch = await requireBatch(String(handOver.batchId), actor);
  const household = await requireHousehold(String(handOver.householdId), actor);
  const { programme, round } = await requireRound(String(batch.programmeId), String(batch.roundId), actor);
  const items = new Map((await itemsByIds(handOver.lines.map((l) => l.itemId))).map((i) => [String(i._id), i]));
  const png = await signatureImage(handOver, actor);
  const pdf = await renderHouseholdReceipt(
    {
      receiptNumber: handOver.number,
      issuedAt: handOver.handedOverAt,
      organisation: { name: await organisationName(handOver.organisationId) },
      programme: programme.name,
      round: round.name,
      site: `${batch.site.name}, ${batch.site.settlement}`,
      recipient: {
        kind: household.kind,
        number: household.number,
        name: recipientName(household),
        maskedIin: household.head ? (mask(openOrNull(household.head.iin, 'iin')) ?? undefined) : undefined,
        size: household.size,
        settlement: household.address.settlement,
      },
      outcome: handOver.outcome,
      reason: handOver.reason ?? undefined,
      receivedBy: {
        name: handOver.receivedBy.name ?? '',
        proxy: handOver.receivedBy.kind === 'proxy',
        maskedIin: mask(openOrNull(handOver.receivedBy.iin, 'iin')) ?? undefined,
      },
      deliveredBy: { name: handOver.recordedBy.name },
      proof: png
        ? { kind: 'image', png }
        : { kind: 'paper', sheet: handOver.proof.kind === 'paper' ? handOver.proof.sheet : '—' },
      lines: handOver.lines.map((line) => {
        const item = items.get(String(line.itemId));
        const entitled = quantityIn(item, line.entitled);
        return {
          name: item?.name ?? String(line.itemId),
          unit: entitled.unit,
          entitled: entitled.value,
          received: quantityIn(item, line.received).value,
        };
      }),
    },
    lang,
  );
  return { file: pdf, filename: `${handOver.number}-${lang}.pdf`, contentType: 'application/pdf' };
}

export async function distributionListPdf(batchId: string, lang: Lang, actor: Actor): Promise<DocumentFile> {
  const { batch, rows } = await dueList(batchId, actor);
  const { programme, round } = await requireRound(batch.programmeId, batch.roundId, actor);
  const itemIds = [...new Set(rows.flatMap((r) => r.lines.map((l) => l.itemId)))];
  const items = new Map((await itemsByIds(itemIds)).map((i) => [String(i._id), i]));
  const nameOf = (itemId: string) => {
    const name = items.get(itemId)?.name;
    return (name && (name[lang] || name.ru || name.en)) || itemId;
  };
  const describe = (itemId: string, quantity: number) => {
    const q = quantityIn(items.get(itemId), quantity);
    return `${nameOf(itemId)} ${q.value}`;
  };
  const totals = new Map<string, number>();
  for (const row of rows)
    for (const line of row.lines) totals.set(line.itemId, (totals.get(line.itemId) ?? 0) + line.reserved);
  const settlements = new Map<string, typeof rows>();
  for (const row of rows) settlements.set(row.settlement, [...(settlements.get(row.settlement) ?? []), row]);
  const pdf = await renderDistributionList(
    {
      listNumber: batch.number,
      date: batch.plannedOn.toISOString().slice(0, 10),
      organisation: { name: await organisationName(batch.organisationId) },
      site: `${batch.site.name}, ${batch.site.settlement}`,
      programme: programme.name,
      round: round.name,
      settlements: [...settlements.entries()].map(([name, list]) => ({
        name,
        rows: list.map((row) => ({
          householdNumber: row.householdNumber,
          head: row.head,
          size: row.size,
          entitlement: row.lines.map((l) => describe(l.itemId, l.reserved)).join('; '),
          received:
            row.status === 'handed_over' ? row.lines.map((l) => describe(l.itemId, l.issued)).join('; ') : undefined,
        })),
      })),
      itemTotals: [...totals.entries()].map(
        ([itemId, quantity]) => `${nameOf(itemId)}: ${quantityIn(items.get(itemId), quantity).value}`,
      ),
    },
    lang,
  );
  return { file: pdf, filename: `${batch.number}-${lang}.pdf`, contentType: 'application/pdf' };
}
