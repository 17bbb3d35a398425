/**
 * The three cases of the shipments issue, end to end through HTTP, checking the database and reading every PDF
 * back: the outbound Türkiye convoy, the inbound Crossroads container, transfers between warehouses and a delivery
 * to another organisation. Then the rules around them: states, permissions, idempotency, validation.
 */
import { Types } from 'mongoose';
import { HandlingUnit, Shipment, ShipmentDocument, ShipmentReceipt } from '../../src/modules/shipments/shipments.model';
import { LedgerEntry, StockBalance, StockReservation } from '../../src/modules/stock/stock.model';
import { TRANSIT_LOCATION } from '../../src/modules/stock/stock.transit';
import { type PdfText, readPdfTexts } from '../documents/read-pdf';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

// Each case renders and reads back several PDFs (about a second each on a loaded 2-core machine): a whole flow is
// one test, with room for that.
jest.setTimeout(120_000);

const KAZAKH_LETTERS = [...'ӘҚҰ', ...'әғқңөұүі'];

function flat(text: PdfText): string {
  return text.pages.join('\n').replace(/\s+/g, ' ');
}

async function organisationWithStaff(name: string) {
  const organisation = await given.organisation({ name });
  const logistics = bearer(
    (await given.user({ role: 'logistics', organisationId: organisation.id, name: 'Ерлан Жақсыбеков' })).token,
  );
  const warehouse = bearer(
    (await given.user({ role: 'warehouse', organisationId: organisation.id, name: 'Әсел Нұрланқызы' })).token,
  );
  const viewer = bearer((await given.user({ role: 'viewer', organisationId: organisation.id })).token);
  return { organisation, logistics, warehouse, viewer };
}

async function ok<T = Record<string, unknown>>(
  request: PromiseLike<{ status: number; body: unknown }>,
  status = 200,
): Promise<T> {
  const res = await request;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

interface ShipmentBody {
  id: string;
  number: string;
  status: string;
  transportUnits: { id: string; code: string }[];
  totals: { packages: number; lines: number; netKg: string; grossKg: string; volumeM3: string };
}

interface UnitBody {
  id: string;
  code: string;
  number: number;
  of: number;
  kind: string;
  parentId: string | null;
  transportUnitId: string | null;
  lines: { id: string; baseQuantity: number }[];
}

async function pdfs(requests: PromiseLike<{ status: number; body: unknown; headers: Record<string, string> }>[]) {
  const answers = await Promise.all(requests);
  for (const res of answers) {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
  }
  return readPdfTexts(answers.map((res) => res.body as Buffer));
}

async function turkiyeConvoy() {
  const shipper = await organisationWithStaff('«Асар» қоғамдық қоры');
  const almaty = await givenInventory.warehouse(
    { code: 'ALA-01', name: 'Алматы орталық қоймасы' },
    { organisationId: shipper.organisation.id },
  );
  const blanket = await ok<{ id: string }>(
    t.api
      .post('/api/v1/items')
      .set(shipper.warehouse)
      .send({
        sku: 'BLANKET-W',
        name: { kk: 'Әжелерге арналған жылы көрпе', ru: 'Тёплое одеяло', en: 'Warm blanket' },
        category: 'bedding',
        baseUnit: 'piece',
        packs: [{ unit: 'bale', quantity: 20, of: 'piece' }],
        weightKgPerUnit: '1.8',
        volumeM3PerUnit: '0.012',
        hsCode: '6301.40.100 0',
        originCountry: 'kz',
        unitValue: { amount: '4500', currency: 'KZT' },
      }),
    201,
  );
  const flour = await givenInventory.item({
    sku: 'FLOUR-FG',
    baseUnit: 'kg',
    category: 'food',
    name: { kk: 'Қазақстан ұны, бірінші сорт', ru: 'Мука первого сорта', en: 'Flour, first grade' },
    packs: [{ unit: 'bag', quantity: 50, of: 'kg' }],
    hsCode: '1101001500',
    originCountry: 'KZ',
    unitValue: { amount: '350', currency: 'KZT' },
  });
  const yurt = await givenInventory.item({
    sku: 'YURT-ULY',
    baseUnit: 'kit',
    category: 'shelter',
    name: { kk: 'Ұлытау киіз үйі (жиынтық)', ru: 'Юрта «Улытау»', en: 'Ulytau yurt (kit)' },
    packs: [],
    weightKgPerUnit: '533',
    hsCode: '6306220000',
    originCountry: 'KZ',
    unitValue: { amount: '1500000', currency: 'KZT' },
  });
  await givenInventory.stockOf({ warehouse: almaty, item: { id: blanket.id } as never, quantity: 1000 });
  await givenInventory.stockOf({ warehouse: almaty, item: flour, quantity: 20, unit: 't' });
  await givenInventory.stockOf({ warehouse: almaty, item: yurt, quantity: 10 });
  return { shipper, almaty, blanket, flour, yurt };
}

describe('outbound international: the Türkiye convoy', () => {
  test('when a convoy is planned, packed, dispatched and delivered, then stock, transit and documents agree', async () => {
    const { shipper, almaty, blanket, flour, yurt } = await turkiyeConvoy();

    // Plan: two trucks, consigned to the receiving agency abroad.
    const planned = await ok<ShipmentBody>(
      t.api
        .post('/api/v1/shipments')
        .set(shipper.logistics)
        .set('Idempotency-Key', 'turkiye-convoy-0001')
        .send({
          kind: 'outbound',
          consignee: { name: 'AFAD — Afet ve Acil Durum Yönetimi Başkanlığı', country: 'TR', address: 'Ankara' },
          origin: { warehouseId: almaty.id },
          destination: { name: 'AFAD Gaziantep lojistik deposu', country: 'TR', address: 'Gaziantep' },
          mode: 'road',
          plannedDispatchAt: '2023-02-10',
          references: { cmr: 'CMR-KZ-4471', aidPermit: 'ГП-2023/17' },
          declaredValue: { amount: '12500000', currency: 'KZT' },
          transportUnits: [
            {
              kind: 'vehicle',
              vehicle: {
                truckPlate: '123 ABC 02',
                trailerPlate: '45 QQ 02',
                driverName: 'Серік Әбенов',
                driverPhone: '+7 701 555 12 34',
                carrier: 'ТОО «Қазтранс»',
              },
            },
            { kind: 'vehicle', vehicle: { truckPlate: '777 KZ 02', driverName: 'Нұрлан Қасым' } },
          ],
        }),
      201,
    );
    expect(planned.status).toBe('draft');
    expect(planned.transportUnits.map((u) => u.code)).toEqual(['TRK-01', 'TRK-02']);
    const [truck1, truck2] = planned.transportUnits as unknown as [{ id: string }, { id: string }];

    // Pack: pallets on each truck, added many at once; 3 boxes of blankets then moved onto another pallet.
    const added = await ok<{ handlingUnits: UnitBody[] }>(
      t.api
        .post(`/api/v1/shipments/${planned.id}/units`)
        .set(shipper.warehouse)
        .send({
          units: [
            {
              kind: 'pallet',
              count: 2,
              transportUnitId: truck1.id,
              lines: [
                { itemId: blanket.id, quantity: 2, unit: 'bale' },
                { itemId: flour.id, quantity: 10, unit: 'bag' },
              ],
              tareKg: 25,
              dimensions: { lengthCm: 120, widthCm: 80, heightCm: 150 },
            },
            {
              kind: 'pallet',
              count: 2,
              transportUnitId: truck2.id,
              lines: [{ itemId: yurt.id, quantity: 1 }],
              tareKg: '25',
            },
          ],
        }),
      201,
    );
    expect(added.handlingUnits.map((u) => `${u.number}/${u.of}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const pallets = added.handlingUnits;
    const boxes = await ok<{ handlingUnits: UnitBody[] }>(
      t.api
        .post(`/api/v1/shipments/${planned.id}/units`)
        .set(shipper.warehouse)
        .send({
          units: [
            {
              kind: 'box',
              count: 3,
              parentId: pallets[0]?.id,
              lines: [{ itemId: blanket.id, quantity: 5 }],
              tareKg: '0.5',
            },
          ],
        }),
      201,
    );
    expect(boxes.handlingUnits.map((u) => `${u.number}/${u.of}`)).toEqual(['1/3', '2/3', '3/3']);
    const moved = await ok<UnitBody>(
      t.api
        .post(`/api/v1/shipments/${planned.id}/units/${boxes.handlingUnits[2]?.id}/move`)
        .set(shipper.warehouse)
        .send({ parentId: pallets[2]?.id }),
    );
    expect(moved.parentId).toBe(pallets[2]?.id);
    expect(moved.transportUnitId).toBe(truck2.id);

    const packed = await ok<ShipmentBody>(
      t.api.post(`/api/v1/shipments/${planned.id}/pack`).set(shipper.warehouse).send(),
    );
    expect(packed.status).toBe('packed');
    // 2×(40 blankets + 500 kg flour) + 2 yurts + 15 blankets in boxes: 80×1.8 + 1000 + 1066 + 27 = 2237 kg net.
    expect(packed.totals).toMatchObject({ packages: 4, lines: 9, netKg: '2237' });
    // Gross adds 4 pallets × 25 kg and 3 boxes × 0.5 kg.
    expect(packed.totals.grossKg).toBe('2338.5');
    expect(await HandlingUnit.countDocuments({ shipmentId: planned.id, status: 'sealed' })).toBe(7);
    // Packing reserved the goods at the origin: 95 blankets, 1 t of flour, 2 yurts, held until dispatch.
    const reserved = async (itemId: string) =>
      (
        await StockBalance.find({
          warehouseId: new Types.ObjectId(almaty.id),
          itemId: new Types.ObjectId(itemId),
        }).lean()
      ).reduce((s, b) => s + (b.reserved ?? 0), 0);
    expect([await reserved(blanket.id), await reserved(flour.id), await reserved(yurt.id)]).toEqual([95, 1_000_000, 2]);
    expect(await StockReservation.countDocuments({ 'source.id': planned.id, status: 'open' })).toBe(3);

    // Dispatch: the whole shipment leaves the origin into transit in one ledger operation.
    const beforeEntries = await LedgerEntry.countDocuments();
    const dispatched = await ok<ShipmentBody>(
      t.api
        .post(`/api/v1/shipments/${planned.id}/dispatch`)
        .set(shipper.logistics)
        .set('Idempotency-Key', 'turkiye-dispatch-01')
        .send(),
    );
    expect(dispatched.status).toBe('dispatched');
    const replay = await t.api
      .post(`/api/v1/shipments/${planned.id}/dispatch`)
      .set(shipper.logistics)
      .set('Idempotency-Key', 'turkiye-dispatch-01')
      .send();
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const entries = await LedgerEntry.find({ 'source.type': 'shipment', 'source.id': planned.id }).lean();
    expect(await LedgerEntry.countDocuments()).toBe(beforeEntries + entries.length);
    expect(new Set(entries.map((e) => String(e.operationId))).size).toBe(1);
    const out = entries.filter((e) => String(e.warehouseId) === almaty.id);
    const into = entries.filter((e) => String(e.warehouseId) === planned.id);
    expect(out.every((e) => e.type === 'transfer_out' && e.quantity < 0)).toBe(true);
    expect(into.every((e) => e.type === 'transfer_in' && e.locationCode === TRANSIT_LOCATION)).toBe(true);
    const balance = async (warehouseId: string, itemId: string) =>
      (
        await StockBalance.find({
          warehouseId: new Types.ObjectId(warehouseId),
          itemId: new Types.ObjectId(itemId),
        }).lean()
      ).reduce((s, b) => s + b.onHand, 0);
    expect(await balance(almaty.id, blanket.id)).toBe(1000 - 95);
    expect(await balance(almaty.id, flour.id)).toBe(20_000_000 - 1_000_000);
    expect(await balance(planned.id, blanket.id)).toBe(95);
    expect(await balance(planned.id, yurt.id)).toBe(2);
    expect([await reserved(blanket.id), await reserved(flour.id), await reserved(yurt.id)]).toEqual([0, 0, 0]);
    expect(await StockReservation.countDocuments({ 'source.id': planned.id, status: 'open' })).toBe(0);
    // Goods in transit are on no warehouse's shelf: the stock list does not show them.
    const listed = await ok<{ data: { warehouse: { id: string } | null }[] }>(
      t.api.get('/api/v1/stock').set(shipper.viewer),
    );
    expect(listed.data.every((b) => b.warehouse?.id === almaty.id)).toBe(true);

    // Documents, in Kazakh and Russian; each numbered once and reprinted identically.
    const base = `/api/v1/shipments/${planned.id}`;
    const docs = await pdfs([
      t.api.get(`${base}/manifest.pdf?lang=kk`).set(shipper.viewer),
      t.api.get(`${base}/transport-units/${truck1.id}/waybill.pdf?lang=kk`).set(shipper.viewer),
      t.api.get(`${base}/transport-units/${truck2.id}/manifest.pdf?lang=ru`).set(shipper.viewer),
      t.api.get(`${base}/packing-list.pdf?lang=ru`).set(shipper.viewer),
      t.api.get(`${base}/gift-certificate.pdf?lang=en`).set(shipper.viewer),
      t.api.get(`${base}/labels.pdf?lang=kk`).set(shipper.viewer),
    ]);
    const [manifest, waybill, unitManifest, packingList, gift, labels] = docs.map(flat) as string[];
    for (const letter of KAZAKH_LETTERS) expect(`${manifest}${waybill}${labels}`).toContain(letter);
    for (let n = 1; n <= 4; n += 1) expect(manifest).toContain(`Паллет ${n} / 4`);
    expect(manifest).toContain('Қорап 3 / 3');
    expect(manifest).toContain('2 338,5 кг');
    expect(manifest).toContain('10 қап = 500 кг');
    expect(waybill).toContain('123 ABC 02');
    expect(waybill).toContain('Серік Әбенов');
    expect(waybill).toContain('Тиеген');
    expect(unitManifest).toContain('777 KZ 02');
    expect(unitManifest).toContain('Паллета 3 / 4');
    expect(unitManifest).not.toContain('Паллета 1 / 4');
    expect(packingList).toContain('Коробка 1 / 3');
    expect(gift).toContain('without commercial value');
    expect(gift).toContain('6301401000');
    expect(gift).toContain('Kazakhstan');
    expect(docs[5]?.total).toBe(7);
    expect(await ShipmentDocument.countDocuments({ shipmentId: planned.id })).toBe(6);
    const first = await t.api.get(`${base}/manifest.pdf?lang=kk`).set(shipper.viewer);
    const second = await t.api.get(`${base}/manifest.pdf?lang=kk`).set(shipper.viewer);
    expect(Buffer.compare(first.body as Buffer, second.body as Buffer)).toBe(0);
    expect(await ShipmentDocument.countDocuments({ shipmentId: planned.id })).toBe(6);
    // The code printed under the manifest's QR code opens the public verification page of that very document.
    const code = manifest.match(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/)?.[0];
    expect(code).toBeDefined();
    const verified = await ok<{
      documentType: string;
      document: { fields: Record<string, string>; content: { packages: number; grossKg: string } };
    }>(t.api.get(`/api/v1/verification/${code}`));
    const manifestRecord = await ShipmentDocument.findOne({ shipmentId: planned.id, type: 'manifest' }).lean();
    const now = await ok<ShipmentBody>(t.api.get(base).set(shipper.viewer));
    expect(verified.documentType).toBe('shipment_manifest');
    expect(verified.document.fields).toMatchObject({ number: manifestRecord?.number, shipment: planned.number });
    expect(manifest).toContain(manifestRecord?.number as string);
    expect(verified.document.content).toMatchObject({ packages: now.totals.packages, grossKg: now.totals.grossKg });

    // Delivered abroad: the shipper's staff record the consignee's signed receipt; the goods leave the system.
    await ok(t.api.post(`${base}/arrive`).set(shipper.warehouse).send());
    const receipt = await ok<{ id: string; lines: { id: string; expected: number }[] }>(
      t.api.post(`${base}/receipts`).set(shipper.warehouse).send({ deliveredBy: 'Серік Әбенов' }),
      201,
    );
    await ok(
      t.api
        .post(`${base}/receipts/${receipt.id}/counts`)
        .set(shipper.warehouse)
        .send({ lines: receipt.lines.map((l) => ({ lineId: l.id, good: l.expected, unit: undefined })) }),
    );
    const posted = await ok<{ number: string; shipmentStatus: string }>(
      t.api.post(`${base}/receipts/${receipt.id}/post`).set(shipper.warehouse).send({ final: true }),
    );
    expect(posted.shipmentStatus).toBe('received');
    expect(await balance(planned.id, blanket.id)).toBe(0);
    // Everything that went into transit left it as an issue to the consignee abroad: nothing stays on any shelf.
    const delivered = await LedgerEntry.find({ 'source.id': planned.id, type: 'issue' }).lean();
    const intoTransit = await LedgerEntry.find({
      warehouseId: new Types.ObjectId(planned.id),
      type: 'transfer_in',
    }).lean();
    expect(delivered.reduce((s, e) => s + e.quantity, 0)).toBe(-intoTransit.reduce((s, e) => s + e.quantity, 0));
    expect(intoTransit.length).toBeGreaterThan(0);
  });
});

describe('inbound international: the Crossroads container', () => {
  test('when a container is expected, arrives and is counted blind in two receipts, then damaged and short goods are recorded', async () => {
    const salem = await organisationWithStaff('«Салем» әлеуметтік ауылы');
    const village = await givenInventory.warehouse(
      { code: 'SLM-01', name: 'Салем ауылының қоймасы', city: 'Талғар' },
      { organisationId: salem.organisation.id },
    );
    const clothing = await givenInventory.item({
      sku: 'CLOTH-MIX',
      baseUnit: 'kg',
      category: 'clothing',
      packs: [],
      name: { kk: 'Киім-кешек (аралас)', ru: 'Одежда (смешанная)', en: 'Clothing (mixed)' },
    });
    const bed = await givenInventory.item({
      sku: 'BED-1',
      category: 'furniture',
      packs: [],
      weightKgPerUnit: '35',
      volumeM3PerUnit: '0.4',
      name: { kk: 'Төсек', ru: 'Кровать', en: 'Bed' },
    });
    const mattress = await givenInventory.item({
      sku: 'MATTRESS',
      category: 'furniture',
      packs: [],
      weightKgPerUnit: '12',
      name: { kk: 'Матрас', ru: 'Матрас', en: 'Mattress' },
    });
    const blanket = await givenInventory.item({
      sku: 'BLANKET-HK',
      name: { kk: 'Жүн көрпе', ru: 'Шерстяное одеяло', en: 'Wool blanket' },
    });

    const bad = await t.api
      .post('/api/v1/shipments')
      .set(salem.logistics)
      .send({
        kind: 'inbound',
        shipper: { name: 'Crossroads Foundation', country: 'HK' },
        consignee: { organisationId: salem.organisation.id },
        origin: { name: 'Hong Kong', country: 'HK' },
        destination: { warehouseId: village.id },
        transportUnits: [{ kind: 'container', container: { number: 'CSQU3054384', type: '40ft' } }],
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('transportUnits[0].container.number');
    expect(await Shipment.countDocuments()).toBe(0);

    const created = await ok<ShipmentBody>(
      t.api
        .post('/api/v1/shipments')
        .set(salem.logistics)
        .send({
          kind: 'inbound',
          shipper: {
            name: 'Crossroads Foundation',
            country: 'HK',
            address: 'Tuen Mun, Hong Kong',
            contact: 'logistics@crossroads.example',
          },
          consignee: { organisationId: salem.organisation.id },
          origin: { name: 'Port of Hong Kong', country: 'HK' },
          destination: { warehouseId: village.id },
          mode: 'sea',
          plannedArrivalAt: '2024-04-20',
          references: { billOfLading: 'HKG-ALA-2024-0042', customsDeclaration: '10005020/200424/0004512' },
          transportUnits: [
            { kind: 'container', container: { number: 'csqu 305438-3', type: '40ft', seals: ['HK 778812'] } },
          ],
        }),
      201,
    );
    expect(created.status).toBe('expected');
    const container = created.transportUnits[0] as { id: string };
    const base = `/api/v1/shipments/${created.id}`;
    const units = await ok<{ handlingUnits: UnitBody[] }>(
      t.api
        .post(`${base}/units`)
        .set(salem.warehouse)
        .send({
          units: [
            {
              kind: 'bale',
              count: 2,
              transportUnitId: container.id,
              lines: [{ itemId: clothing.id, quantity: '0.25', unit: 't' }],
            },
            { kind: 'pallet', transportUnitId: container.id, lines: [{ itemId: bed.id, quantity: 6 }], grossKg: '230' },
            { kind: 'pallet', transportUnitId: container.id, lines: [{ itemId: mattress.id, quantity: 10 }] },
            { kind: 'pallet', transportUnitId: container.id, lines: [{ itemId: blanket.id, quantity: 100 }] },
          ],
        }),
      201,
    );
    expect(units.handlingUnits.map((u) => `${u.kind} ${u.number}/${u.of}`)).toEqual([
      'bale 1/2',
      'bale 2/2',
      'pallet 1/3',
      'pallet 2/3',
      'pallet 3/3',
    ]);

    // The pipeline: incoming, never available.
    const incoming = await ok<{ data: { itemId: string; quantity: number }[] }>(
      t.api.get('/api/v1/shipments/incoming').set(salem.viewer),
    );
    expect(incoming.data.find((l) => l.itemId === clothing.id)?.quantity).toBe(500_000);
    expect(await StockBalance.countDocuments({ warehouseId: new Types.ObjectId(village.id) })).toBe(0);

    for (const [type, at] of [
      ['entry', '2024-04-18T06:00:00Z'],
      ['hold', '2024-04-18T09:00:00Z'],
      ['release', '2024-04-19T11:00:00Z'],
    ] as const) {
      await ok(t.api.post(`${base}/customs-events`).set(salem.logistics).send({ type, at, reference: 'ТД-4512' }), 201);
    }
    const manifest = flat((await pdfs([t.api.get(`${base}/manifest.pdf?lang=ru`).set(salem.viewer)]))[0] as PdfText);
    expect(manifest).toContain('CSQU3054383');
    expect(manifest).toContain('HK 778812');
    expect(manifest).toContain('HKG-ALA-2024-0042');
    // Declared in tonnes and m³: 2 bales × 250 kg + 6 beds × 35 kg + 10 × 12 kg + 100 × 1.8 kg; beds 6 × 0.4 m³.
    expect(manifest).toContain('1 010 кг 1,01 т');
    expect(manifest).toContain('1 030 кг 1,03 т');
    expect(manifest).toContain('2,4 м³');
    expect(manifest).toContain('0,25 т = 250 кг');

    await ok(t.api.post(`${base}/arrive`).set(salem.warehouse).send());
    const stored = await Shipment.findById(created.id).lean();
    expect(stored?.customsEvents.map((e) => e.type)).toEqual(['entry', 'hold', 'release']);
    expect(stored?.status).toBe('arrived');

    // First receipt, blind: the counter sees lines without expected figures; bales and beds counted.
    const first = await ok<{ id: string; lines: { id: string; handlingUnitId: string; expected?: number }[] }>(
      t.api.post(`${base}/receipts`).set(salem.warehouse).send({ blind: true, deliveredBy: 'ТОО «Жетісу Транс»' }),
      201,
    );
    expect(first.lines).toHaveLength(5);
    expect(first.lines.every((l) => l.expected === undefined)).toBe(true);
    const lineOf = (unit: UnitBody | undefined, receipt = first) =>
      receipt.lines.find((l) => l.handlingUnitId === unit?.id)?.id;
    const [bale1, bale2, beds, mattresses, blankets] = units.handlingUnits;
    await ok(
      t.api
        .post(`${base}/receipts/${first.id}/counts`)
        .set(salem.warehouse)
        .send({
          lines: [
            { lineId: lineOf(bale1), good: 250, unit: 'kg', locationCode: 'A-01' },
            { lineId: lineOf(bale2), good: '0.24', damaged: '0.01', unit: 't', reason: 'намокла упаковка' },
            { lineId: lineOf(beds), good: 6, locationCode: 'B-01' },
          ],
        }),
    );
    const firstPosted = await ok<{ number: string; shipmentStatus: string }>(
      t.api.post(`${base}/receipts/${first.id}/post`).set(salem.warehouse).send(),
    );
    expect(firstPosted.number).toMatch(/^GRN-\d{4}-\d{6}$/);
    expect(firstPosted.shipmentStatus).toBe('arrived');

    // Second receipt: only what is still expected; mattresses partly damaged, the blanket pallet never came.
    const second = await ok<{ id: string; lines: { id: string; handlingUnitId: string; expected?: number }[] }>(
      t.api.post(`${base}/receipts`).set(salem.warehouse).send({}),
      201,
    );
    expect(second.lines.map((l) => l.expected)).toEqual([10, 100]);
    await ok(
      t.api
        .post(`${base}/receipts/${second.id}/counts`)
        .set(salem.warehouse)
        .send({ lines: [{ lineId: lineOf(mattresses, second), good: 8, damaged: 2, reason: 'порваны' }] }),
    );
    const secondPosted = await ok<{ number: string; shipmentStatus: string }>(
      t.api.post(`${base}/receipts/${second.id}/post`).set(salem.warehouse).send({ final: true }),
    );
    expect(secondPosted.shipmentStatus).toBe('received_with_discrepancies');

    // Stock: what was counted, damaged goods in their condition; the missing pallet never reached stock.
    const balances = await StockBalance.find({ warehouseId: new Types.ObjectId(village.id) }).lean();
    const on = (itemId: string, condition: string) =>
      balances
        .filter((b) => String(b.itemId) === itemId && b.condition === condition)
        .reduce((s, b) => s + b.onHand, 0);
    expect(on(clothing.id, 'good')).toBe(490_000);
    expect(on(clothing.id, 'damaged')).toBe(10_000);
    expect(on(bed.id, 'good')).toBe(6);
    expect(on(mattress.id, 'good')).toBe(8);
    expect(on(mattress.id, 'damaged')).toBe(2);
    expect(on(blanket.id, 'good') + on(blanket.id, 'damaged')).toBe(0);
    const receipts = await ShipmentReceipt.find({ shipmentId: created.id }).sort({ createdAt: 1 }).lean();
    expect(receipts.map((r) => r.status)).toEqual(['posted', 'posted']);
    const short = receipts[1]?.lines.find((l) => String(l.handlingUnitId) === blankets?.id);
    expect(short).toMatchObject({ expected: 100, good: 0, short: 100 });
    expect(await HandlingUnit.countDocuments({ shipmentId: created.id, status: 'received' })).toBe(5);

    // The goods received notes read back with their figures.
    const [grn1, grn2] = (
      await pdfs([
        t.api.get(`${base}/receipts/${first.id}/grn.pdf?lang=kk`).set(salem.viewer),
        t.api.get(`${base}/receipts/${second.id}/grn.pdf?lang=ru`).set(salem.viewer),
      ])
    ).map(flat) as [string, string];
    expect(grn1).toContain('Тауарды қабылдау актісі');
    expect(grn1).toContain(firstPosted.number);
    expect(grn1).toContain('Киім-кешек (аралас)');
    expect(grn1).toContain('Санау күтілген сандарды көрсетпей жүргізілді');
    expect(grn2).toContain(secondPosted.number);
    expect(grn2).toContain('порваны');
    expect(grn2).toMatch(/Шерстяное одеяло BLANKET-HK .*100 шт\. 0 0 100 0/);
  });
});

describe('between warehouses and organisations', () => {
  test('when goods are transferred from Astana to Almaty, then they are in transit until received and land where counted', async () => {
    const asar = await organisationWithStaff('«Асар» қоры');
    const own = { organisationId: asar.organisation.id };
    const astana = await givenInventory.warehouse(
      { code: 'AST-01', name: 'Астана қоймасы', city: 'Astana', region: 'astana' },
      own,
    );
    const almaty = await givenInventory.warehouse({ code: 'ALA-02', name: 'Алматы қоймасы' }, own);
    const { item } = await givenInventory.stockOf({ warehouse: astana, quantity: 100 });
    const created = await ok<ShipmentBody>(
      t.api
        .post('/api/v1/shipments')
        .set(asar.logistics)
        .send({
          kind: 'transfer',
          origin: { warehouseId: astana.id },
          destination: { warehouseId: almaty.id },
          consignee: { organisationId: asar.organisation.id },
        }),
      201,
    );
    const base = `/api/v1/shipments/${created.id}`;
    await ok(
      t.api
        .post(`${base}/units`)
        .set(asar.warehouse)
        .send({ units: [{ kind: 'box', count: 4, lines: [{ itemId: item.id, quantity: 1, unit: 'box' }] }] }),
      201,
    );
    // A step out of order answers 409 naming the state.
    const early = await t.api.post(`${base}/dispatch`).set(asar.logistics).send();
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'draft' } });
    await ok(t.api.post(`${base}/pack`).set(asar.warehouse).send());
    await ok(t.api.post(`${base}/dispatch`).set(asar.logistics).send());
    const onHand = async (warehouseId: string) =>
      (
        await StockBalance.find({
          warehouseId: new Types.ObjectId(warehouseId),
          itemId: new Types.ObjectId(item.id),
        }).lean()
      ).reduce((s, b) => s + b.onHand, 0);
    expect([await onHand(astana.id), await onHand(created.id), await onHand(almaty.id)]).toEqual([52, 48, 0]);
    // After dispatch only loss or a reversal: cancelling is refused.
    expect((await t.api.post(`${base}/cancel`).set(asar.logistics).send()).status).toBe(409);
    await ok(t.api.post(`${base}/arrive`).set(asar.warehouse).send());
    const receipt = await ok<{ id: string; lines: { id: string }[] }>(
      t.api.post(`${base}/receipts`).set(asar.warehouse).send(),
      201,
    );
    await ok(
      t.api
        .post(`${base}/receipts/${receipt.id}/counts`)
        .set(asar.warehouse)
        .send({
          lines: receipt.lines.map((l, i) => ({
            lineId: l.id,
            good: i === 0 ? 10 : 12,
            damaged: i === 0 ? 2 : 0,
            locationCode: 'A-01',
          })),
        }),
    );
    const posted = await ok<{ shipmentStatus: string }>(
      t.api.post(`${base}/receipts/${receipt.id}/post`).set(asar.warehouse).send({ final: true }),
    );
    expect(posted.shipmentStatus).toBe('received_with_discrepancies');
    expect([await onHand(astana.id), await onHand(created.id), await onHand(almaty.id)]).toEqual([52, 0, 48]);
    const damaged = await StockBalance.findOne({
      warehouseId: new Types.ObjectId(almaty.id),
      condition: 'damaged',
    }).lean();
    expect(damaged).toMatchObject({ onHand: 2, locationCode: 'A-01' });
    await ok(t.api.post(`${base}/close`).set(asar.logistics).send());
    expect((await Shipment.findById(created.id).lean())?.status).toBe('closed');
  });

  test('when the village delivers to the NGO’s store, then the NGO sees it only from dispatch on, receives it, and it becomes its stock', async () => {
    const village = await organisationWithStaff('«Салем» әлеуметтік ауылы');
    const ngo = await organisationWithStaff('«Love Kazakhstan» ҚБ');
    const stranger = await organisationWithStaff('Басқа ұйым');
    const villageStore = await givenInventory.warehouse(
      { code: 'SLM-02', name: 'Салем қоймасы' },
      { organisationId: village.organisation.id },
    );
    const ngoStore = await givenInventory.warehouse(
      { code: 'LKZ-01', name: 'Love Kazakhstan дүкені' },
      { organisationId: ngo.organisation.id },
    );
    const { item } = await givenInventory.stockOf({ warehouse: villageStore, quantity: 30 });
    const created = await ok<ShipmentBody>(
      t.api
        .post('/api/v1/shipments')
        .set(village.logistics)
        .set('Idempotency-Key', 'delivery-to-ngo-0001')
        .send({
          kind: 'delivery',
          origin: { warehouseId: villageStore.id },
          destination: { name: 'Love Kazakhstan дүкені', address: 'Алматы, Абай даңғылы 10' },
          consignee: { organisationId: ngo.organisation.id },
        }),
      201,
    );
    // One click twice makes one shipment.
    const again = await t.api
      .post('/api/v1/shipments')
      .set(village.logistics)
      .set('Idempotency-Key', 'delivery-to-ngo-0001')
      .send({
        kind: 'delivery',
        origin: { warehouseId: villageStore.id },
        destination: { name: 'Love Kazakhstan дүкені', address: 'Алматы, Абай даңғылы 10' },
        consignee: { organisationId: ngo.organisation.id },
      });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(created.id);
    expect(await Shipment.countDocuments()).toBe(1);
    const base = `/api/v1/shipments/${created.id}`;
    await ok(
      t.api
        .post(`${base}/units`)
        .set(village.warehouse)
        .send({ units: [{ kind: 'bundle', lines: [{ itemId: item.id, quantity: 20 }] }] }),
      201,
    );
    await ok(t.api.post(`${base}/pack`).set(village.warehouse).send());
    // Before dispatch the consignee sees nothing, not even that it exists; a stranger never does.
    expect((await t.api.get(base).set(ngo.viewer)).status).toBe(404);
    expect((await ok<{ data: unknown[] }>(t.api.get('/api/v1/shipments').set(ngo.viewer))).data).toHaveLength(0);
    await ok(t.api.post(`${base}/dispatch`).set(village.logistics).send());
    const seen = await ok<{ id: string; status: string }>(t.api.get(base).set(ngo.viewer));
    expect(seen.status).toBe('dispatched');
    expect((await t.api.get(base).set(stranger.viewer)).status).toBe(404);
    expect(
      (
        await ok<{ data: { id: string }[] }>(t.api.get('/api/v1/shipments?direction=incoming').set(ngo.viewer))
      ).data.map((s) => s.id),
    ).toEqual([created.id]);
    // The village's own transfer between its warehouses is none of the NGO's business.
    const villageOther = await givenInventory.warehouse(
      { code: 'SLM-03' },
      { organisationId: village.organisation.id },
    );
    const ownTransfer = await ok<ShipmentBody>(
      t.api
        .post('/api/v1/shipments')
        .set(village.logistics)
        .send({
          kind: 'transfer',
          origin: { warehouseId: villageStore.id },
          destination: { warehouseId: villageOther.id },
          consignee: { organisationId: village.organisation.id },
        }),
      201,
    );
    const ngoList = await ok<{ data: { id: string }[] }>(t.api.get('/api/v1/shipments').set(ngo.viewer));
    expect(ngoList.data.map((s) => s.id)).toEqual([created.id]);
    expect((await t.api.get(`/api/v1/shipments/${ownTransfer.id}`).set(ngo.viewer)).status).toBe(404);
    const strangerList = await ok<{ data: unknown[] }>(t.api.get('/api/v1/shipments').set(stranger.viewer));
    expect(strangerList.data).toEqual([]);
    // The consignee cannot change the shipper's plan; the shipper cannot receive for the consignee.
    expect((await t.api.post(`${base}/cancel`).set(ngo.logistics).send()).status).toBe(404);
    await ok(t.api.post(`${base}/arrive`).set(ngo.warehouse).send());
    expect((await t.api.post(`${base}/receipts`).set(village.warehouse).send({})).status).toBe(403);
    // The NGO names which of its warehouses takes the goods; the village's is not one of them.
    const intoVillage = await t.api.post(`${base}/receipts`).set(ngo.warehouse).send({ warehouseId: villageStore.id });
    expect(intoVillage.status).toBe(404);
    expect(intoVillage.body.error.details[0].field).toBe('warehouseId');
    const receipt = await ok<{ id: string; organisationId: string; lines: { id: string }[] }>(
      t.api.post(`${base}/receipts`).set(ngo.warehouse).send({ warehouseId: ngoStore.id }),
      201,
    );
    expect(receipt.organisationId).toBe(ngo.organisation.id);
    await ok(
      t.api
        .post(`${base}/receipts/${receipt.id}/counts`)
        .set(ngo.warehouse)
        .send({ lines: [{ lineId: receipt.lines[0]?.id, good: 20 }] }),
    );
    const posted = await ok<{ shipmentStatus: string }>(
      t.api.post(`${base}/receipts/${receipt.id}/post`).set(ngo.warehouse).send({ final: true }),
    );
    expect(posted.shipmentStatus).toBe('received');
    const ngoStock = await StockBalance.find({ warehouseId: new Types.ObjectId(ngoStore.id) }).lean();
    expect(ngoStock.reduce((s, b) => s + b.onHand, 0)).toBe(20);
    // The goods are the NGO's now: its balances and the ledger entries that put them there are owned by it; the
    // village's transit balance (owned by the village) is empty and its own shelf is down by what it sent.
    expect(ngoStock.every((b) => String(b.organisationId) === ngo.organisation.id)).toBe(true);
    const arrivedEntries = await LedgerEntry.find({ warehouseId: new Types.ObjectId(ngoStore.id) }).lean();
    expect(arrivedEntries.map((e) => [e.type, e.quantity, String(e.organisationId)])).toEqual([
      ['transfer_in', 20, ngo.organisation.id],
    ]);
    const transit = await StockBalance.find({ warehouseId: new Types.ObjectId(created.id) }).lean();
    expect(transit.map((b) => [b.onHand, String(b.organisationId)])).toEqual([[0, village.organisation.id]]);
    const villageShelf = await StockBalance.find({ warehouseId: new Types.ObjectId(villageStore.id) }).lean();
    expect(villageShelf.map((b) => [b.onHand, b.reserved])).toEqual([[10, 0]]);
    // The NGO's stock answers through its own API; the village's stock list does not show the NGO's shelf.
    const ngoBalances = await ok<{ data: { warehouseId: string; onHand: number }[] }>(
      t.api.get(`/api/v1/stock?warehouseId=${ngoStore.id}`).set(ngo.viewer),
    );
    expect(ngoBalances.data.map((b) => b.onHand)).toEqual([20]);
    const villageView = await ok<{ data: unknown[] }>(
      t.api.get(`/api/v1/stock?warehouseId=${ngoStore.id}`).set(village.viewer),
    );
    expect(villageView.data).toEqual([]);
    // The village sees the NGO's receipt of what it sent; a stranger sees neither the shipment nor the receipt.
    const seenByShipper = await ok<{ data: { id: string; number: string }[] }>(
      t.api.get(`${base}/receipts`).set(village.viewer),
    );
    expect(seenByShipper.data.map((r) => r.id)).toEqual([receipt.id]);
    expect((await t.api.get(`${base}/receipts/${receipt.id}`).set(stranger.viewer)).status).toBe(404);
    expect(await ShipmentReceipt.countDocuments({ organisationId: ngo.organisation.id })).toBe(1);
    // The NGO reads its goods received note; the village's other shipments stay invisible to it.
    const [grn] = (await pdfs([t.api.get(`${base}/receipts/${receipt.id}/grn.pdf?lang=kk`).set(ngo.viewer)])).map(flat);
    expect(grn).toContain('«Love Kazakhstan» ҚБ');
    expect(grn).toContain('Тауарды қабылдау актісі');
  });
});
