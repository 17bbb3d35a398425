/**
 * Times the donation receipt renderer for a 5-line and a 200-line receipt (median of N runs after a warm-up) and
 * prints a table. The target is a 200-line receipt under 500 ms; `npm run bench:stock` folds this in.
 *
 *   npx tsx scripts/bench-documents.ts [runs]
 */
import { type DonationReceiptData, renderDonationReceipt } from '../src/documents/donation-receipt';
import type { Lang } from '../src/documents/labels';

const ITEMS = [
  { kk: 'Гуманитарлық көмек: азық-түлік себеті', ru: 'Продуктовый набор', en: 'Food basket' },
  { kk: 'Әжелерге арналған жылы көрпе', ru: 'Тёплое одеяло', en: 'Warm blanket' },
  { kk: 'Ұлытау киіз үйі (жиынтық)', ru: 'Юрта «Улытау» (комплект)', en: 'Ulytau yurt (kit)' },
  { kk: 'Ішуге арналған су, Өскемен', ru: 'Питьевая вода, Усть-Каменогорск', en: 'Drinking water, Oskemen' },
] as const;

export function benchReceiptData(lineCount: number): DonationReceiptData {
  return {
    receiptNumber: `R-2024-${String(lineCount).padStart(6, '0')}`,
    issuedAt: '2024-03-15T09:30:00Z',
    organisation: { name: { kk: '«Асар» қоғамдық қоры', ru: 'Общественный фонд «Асар»', en: 'Asar Foundation' } },
    verification: { reference: 'ASR-BENCH-0001', url: 'https://asar.example/verify/ASR-BENCH-0001' },
    donor: { name: 'ТОО «Қазақстан Ойл»', bin: '010140000143' },
    warehouse: { name: 'Астана орталық қоймасы', code: 'AST-01' },
    receivedOn: '2024-03-14',
    lines: Array.from({ length: lineCount }, (_, i) => ({
      name: ITEMS[i % ITEMS.length] ?? 'item',
      quantity: { value: String(i + 1), unit: 'piece' as const },
      condition: 'new' as const,
      lot: `L-${i}`,
      expiry: '2026-01-31',
      weightKg: '2.5',
      estimatedValue: { amount: '4500', currency: 'KZT' },
    })),
    totals: {
      pieces: lineCount,
      weight: { value: 2.5 * lineCount, unit: 'kg' },
      values: [{ amount: 4500 * lineCount, currency: 'KZT' }],
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Wall time is what a client waits for; CPU time is reported too because on a shared 2-core machine other
 * processes inflate wall time while the renderer's own work stays the same.
 */
async function measure(
  data: DonationReceiptData,
  lang: Lang,
  runs: number,
): Promise<{ wallMs: number; cpuMs: number; bytes: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const pdf = await renderDonationReceipt(data, lang);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    bytes = pdf.length;
  }
  return { wallMs: median(wall), cpuMs: median(cpu), bytes };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  await renderDonationReceipt(benchReceiptData(5), 'kk'); // warm-up: font files, Intl formatters, JIT
  const rows = [];
  for (const lines of [5, 200]) {
    const { wallMs, cpuMs, bytes } = await measure(benchReceiptData(lines), 'kk', runs);
    rows.push({
      document: 'donation receipt (kk)',
      lines,
      'median ms': Number(wallMs.toFixed(1)),
      'median CPU ms': Number(cpuMs.toFixed(1)),
      KiB: Math.round(bytes / 1024),
      runs,
      'target ms': lines === 200 ? 500 : '',
    });
  }
  console.table(rows);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
