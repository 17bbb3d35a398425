import { Types } from 'mongoose';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { Item } from '../../src/modules/catalog/catalog.model';
import { Import } from '../../src/modules/imports/imports.model';
import { LedgerEntry } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { asText } from '../support/csv-response';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const BOM = '\uFEFF';
const warehouseStaff = async () => bearer((await given.user({ role: 'warehouse' })).token);

function upload(headers: Record<string, string>, kind: string, csv: string) {
  return t.api
    .post(`/api/v1/imports/${kind}?filename=${kind}.csv`)
    .set(headers)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from(csv, 'utf8'));
}

async function untilFinished(headers: Record<string, string>, id: string) {
  for (let i = 0; i < 100; i += 1) {
    const res = await t.api.get(`/api/v1/imports/${id}`).set(headers);
    if (['done', 'failed'].includes(res.body.status)) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the import did not finish');
}

// As Excel in a Russian or Kazakh locale saves it: BOM, semicolons, CRLF, decimal commas.
const ITEMS_CSV = `${BOM}SKU;Name KK;Name RU;Name EN;Category;Base unit;Weight kg\r
FLOUR-1;Ұн;Мука;Flour;food;kg;\r
BLANKET-1;Көрпе;Одеяло;Blanket;bedding;piece;1,8\r
TENT-1;Шатыр;Палатка;Tent;shelter;piece;abc\r
SOAP-1;Сабын;Мыло;Soap;spaceships;piece;0,1\r
HAT-1;Бөрік;Шапка\r
`;

describe('CSV import', () => {
  test('when a file has bad rows, then the dry run reports each with row and column, and all-or-nothing writes nothing', async () => {
    const headers = await warehouseStaff();
    const res = await upload(headers, 'items', ITEMS_CSV);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'validated', delimiter: ';', total: 5, valid: 2, errorCount: 3 });
    expect(res.body.errors).toEqual([
      { row: 4, column: 'weight_kg', message: expect.stringContaining('"weight_kg" must be a decimal number') },
      { row: 5, column: 'category', message: expect.stringContaining('"category" must be one of') },
      { row: 6, column: null, message: 'Row has 3 fields where the header has 7' },
    ]);
    expect(await Item.countDocuments()).toBe(0);

    const start = await t.api
      .post(`/api/v1/imports/${res.body.id}/start`)
      .set(headers)
      .send({ mode: 'all_or_nothing' });
    expect(start.status).toBe(422);
    expect(start.body.error).toMatchObject({ code: 'UNPROCESSABLE', details: { errorCount: 3 } });
    expect(start.body.error.details.errors[0]).toMatchObject({ row: 4, column: 'weight_kg' });
    expect(await Item.countDocuments()).toBe(0);
    expect((await Import.findById(res.body.id).lean())?.status).toBe('rejected');
  });

  test('when the valid rows only are imported, then they are written in the background with progress to poll', async () => {
    const headers = await warehouseStaff();
    const { body } = await upload(headers, 'items', ITEMS_CSV);
    const start = await t.api.post(`/api/v1/imports/${body.id}/start`).set(headers).send({ mode: 'valid_only' });
    expect(start.status).toBe(202);
    const finished = await untilFinished(headers, body.id);
    expect(finished).toMatchObject({ status: 'done', progress: { rowsDone: 5, total: 5, written: 2, percent: 100 } });
    const items = await Item.find().sort({ sku: 1 }).lean();
    expect(items.map((i) => [i.sku, i.name.kk, i.weightGramsPerUnit])).toEqual([
      ['BLANKET-1', 'Көрпе', 1800],
      ['FLOUR-1', 'Ұн', 1000], // a kg item weighs what it measures
    ]);
    // The same file again: SKUs exist now, so every row is reported.
    const again = await upload(headers, 'items', ITEMS_CSV);
    expect(again.body.errors.filter((e: { column: string }) => e.column === 'sku')).toHaveLength(2);
  });

  test('when opening stock is imported all-or-nothing from a comma file without BOM, then it is received through the ledger', async () => {
    const headers = await warehouseStaff();
    const flour = await givenInventory.item({ sku: 'FLOUR-25', baseUnit: 'kg', packs: [], weightKgPerUnit: null });
    const blanket = await givenInventory.item({ sku: 'BLANKET-2' });
    const warehouse = await givenInventory.warehouse({ code: 'ALA-1' });
    const csv = [
      'warehouse,bin,sku,quantity,unit,lot,expiry_date,condition',
      'ALA-1,A-01,FLOUR-25,"1,5",t,,,new',
      'ALA-1,,BLANKET-2,3,box,,,good',
      'ALA-1,B-01,BLANKET-2,7,,,,',
    ].join('\n');
    const { body } = await upload(headers, 'opening_stock', csv);
    expect(body).toMatchObject({ delimiter: ',', total: 3, valid: 3, errorCount: 0 });
    await t.api.post(`/api/v1/imports/${body.id}/start`).set(headers).send({ mode: 'all_or_nothing' });
    expect(await untilFinished(headers, body.id)).toMatchObject({ status: 'done', progress: { written: 3 } });
    const entries = await LedgerEntry.find({ 'source.type': 'opening_stock', 'source.id': body.id }).lean();
    const byItem = (id: string) => entries.filter((e) => String(e.itemId) === id).reduce((s, e) => s + e.quantity, 0);
    expect(byItem(flour.id)).toBe(1_500_000); // grams
    expect(byItem(blanket.id)).toBe(36 + 7);
    expect(entries.every((e) => String(e.warehouseId) === warehouse.id)).toBe(true);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when an import stopped after committing its first rows, then resuming writes every other row once', async () => {
    const headers = await warehouseStaff();
    const csv = ['sku,name_en,category,base_unit', 'A-1,Rice,food,kg', 'A-2,Tea,food,kg', 'A-3,Oil,food,l'].join('\n');
    const { body } = await upload(headers, 'items', csv);
    // What a crash leaves: a batch and the progress past it commit in one transaction, so the rows written are
    // exactly the first `rowsDone` (here row 2, A-1); a batch in flight left nothing.
    const { createItem } = await import('../../src/modules/catalog/catalog.service');
    const { SYSTEM_ACTOR } = await import('../../src/modules/access/permissions');
    await createItem({ sku: 'A-1', name: { en: 'Rice' }, category: 'food', baseUnit: 'kg' }, SYSTEM_ACTOR);
    await Import.updateOne(
      { _id: new Types.ObjectId(body.id) },
      {
        $set: {
          status: 'running',
          mode: 'all_or_nothing',
          rowsDone: 1,
          written: 1,
          holder: 'dead',
          leaseUntil: new Date(0),
        },
      },
    );
    const run = await t.api
      .post('/api/v1/jobs/imports-resume/run')
      .set(bearer((await given.user({ role: 'operator' })).token));
    expect(run.body).toMatchObject({ status: 'succeeded', result: { resumed: 1 } });
    expect(await untilFinished(headers, body.id)).toMatchObject({
      status: 'done',
      progress: { rowsDone: 3, written: 3 },
    });
    expect((await Item.find().lean()).map((i) => i.sku).sort()).toEqual(['A-1', 'A-2', 'A-3']);
    expect(await AuditEntry.countDocuments({ action: 'item.create' })).toBe(3);
  });

  test('when a row turns bad between the dry run and the import, then all-or-nothing stops without writing its batch and valid-only skips it', async () => {
    const headers = await warehouseStaff();
    const csv = ['sku,name_en,category,base_unit', 'B-1,Rice,food,kg', 'B-2,Tea,food,kg', 'B-3,Oil,food,l'].join('\n');
    const strict = await upload(headers, 'items', csv);
    const lenient = await upload(headers, 'items', `${csv}\n`); // another file: its own import
    expect([strict.body.valid, lenient.body.valid]).toEqual([3, 3]);
    const { createItem } = await import('../../src/modules/catalog/catalog.service');
    const { SYSTEM_ACTOR } = await import('../../src/modules/access/permissions');
    await createItem({ sku: 'B-2', name: { en: 'Green tea' }, category: 'food', baseUnit: 'kg' }, SYSTEM_ACTOR);

    await t.api.post(`/api/v1/imports/${strict.body.id}/start`).set(headers).send({ mode: 'all_or_nothing' });
    const stopped = await untilFinished(headers, strict.body.id);
    expect(stopped).toMatchObject({ status: 'failed', progress: { rowsDone: 0, written: 0 } });
    expect(stopped.failure).toMatch(/Row 3 is no longer valid \(SKU B-2 already exists\)/);
    expect((await Item.find().lean()).map((i) => i.sku)).toEqual(['B-2']);

    await t.api.post(`/api/v1/imports/${lenient.body.id}/start`).set(headers).send({ mode: 'valid_only' });
    expect(await untilFinished(headers, lenient.body.id)).toMatchObject({
      status: 'done',
      progress: { rowsDone: 3, written: 2 },
    });
    expect((await Item.find().lean()).map((i) => [i.sku, i.name.en]).sort()).toEqual([
      ['B-1', 'Rice'],
      ['B-2', 'Green tea'],
      ['B-3', 'Oil'],
    ]);
  });

  test('when the upload is not CSV or the kind is unknown, then 400 names the problem', async () => {
    const headers = await warehouseStaff();
    const json = await t.api.post('/api/v1/imports/items').set(headers).send({ sku: 'x' });
    expect(json.status).toBe(400);
    expect(json.body.error.details[0].field).toBe('content-type');
    const unknown = await upload(headers, 'spaceships', 'a,b\n1,2');
    expect(unknown.status).toBe(400);
    const quote = await upload(headers, 'items', 'sku,name_en,category,base_unit\n"A-1,Rice,food,kg\n');
    expect(quote.status).toBe(201);
    expect(quote.body.errors[0].message).toMatch(/not valid CSV/);
  });
});

describe('CSV export', () => {
  test('when the ledger is exported, then every entry streams out as a CSV row with a BOM and a header', async () => {
    const headers = await warehouseStaff();
    const { item } = await givenInventory.stockOf({ quantity: 4 });
    await givenInventory.stockOf({ item, quantity: 6 });
    const res = await asText(t.api.get('/api/v1/exports/ledger?delimiter=;').set(headers));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = (res.body as string).trimEnd().split(/\r?\n/);
    expect(lines[0].startsWith(`${BOM}at;type;warehouse`)).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => l.split(';')[8])).toEqual(['4', '6']);
  });
});
