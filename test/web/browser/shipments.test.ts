/**
 * Golden flow of a shipment between two organisations, in a real browser against the real server: the operator's
 * warehouse worker packs a delivery on a phone (pallets many at once, boxes on a pallet typed with a decimal comma,
 * a box moved to another pallet) and prints its labels; logistics dispatches it on a laptop; the partner NGO's
 * warehouse worker records the arrival and counts it in blind, in Russian, one box short, and posts the receipt.
 * The database is checked at each step: reservations, transit, and the stock that reached the NGO's shelves.
 */
import type { Page } from 'playwright-core';
import { Organisation } from '../../../src/modules/organisations/organisations.model';
import { Shipment } from '../../../src/modules/shipments/shipments.model';
import { StockBalance } from '../../../src/modules/stock/stock.model';
import { Warehouse } from '../../../src/modules/warehouses/warehouses.model';
import { readPdfText } from '../../documents/read-pdf';
import { FLOW_TIMEOUT, LAPTOP, PHONE, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();
const PARTNER_NGO_BIN = '091240005670';

async function pick(page: Page, testId: string, option: RegExp | string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option }).first().click();
}

/** Catches the next PDF the page downloads for printing, and its text. */
async function printed(page: Page, click: () => Promise<void>): Promise<string> {
  const body = new Promise<Buffer>((resolve) => {
    void page.route('**/*.pdf*', async (route) => {
      const answer = await route.fetch();
      const bytes = await answer.body();
      await route.fulfill({ response: answer, body: bytes });
      resolve(bytes);
    });
  });
  await click();
  const text = (await readPdfText(await body)).pages.join('\n');
  await page.unroute('**/*.pdf*');
  return text;
}

test(
  'when a delivery is packed, dispatched and counted in blind at the partner NGO with a box short, then the shortage is recorded and the rest is on its shelves',
  async () => {
    const ngo = await Organisation.findOne({ bin: PARTNER_NGO_BIN }).lean();
    if (!ngo) throw new Error('the seed has no partner NGO');
    const origin = await Warehouse.findOne({ code: 'AST-01' }).lean();
    if (!origin) throw new Error('the seed has no AST-01');
    // The NGO's storeroom in the demo seed, and what is already on its shelves.
    const talgar = await Warehouse.findOne({ code: 'TLG-01', organisationId: ngo._id }).lean();
    if (!talgar) throw new Error('the seed has no TLG-01 for the partner NGO');
    const onShelves = async () =>
      (await StockBalance.find({ warehouseId: talgar._id }).lean()).reduce((sum, b) => sum + b.onHand, 0);
    const ngoStockBefore = await onShelves();
    // Planned by logistics on a laptop, in Russian: a delivery to the NGO, picked from the organisations that share
    // the demo hub with the operator organisation.
    const desk = await world.newContext(LAPTOP, 'ru');
    const deskPage = await desk.newPage();
    await signIn(deskPage, 'logistics@asar.demo');
    await deskPage.goto('/shipments');
    await deskPage.getByTestId('plan-shipment').click();
    await pick(deskPage, 'shipment-kind', 'Доставка партнёру');
    await pick(deskPage, 'origin', /^AST-01/);
    // Sent without a consignee: said under the field, nothing created.
    const shipmentsBefore = await Shipment.countDocuments({});
    await deskPage.getByTestId('submit-plan').click();
    await deskPage.locator('[data-testid="consignee-organisation"][aria-invalid="true"]').waitFor();
    expect(await Shipment.countDocuments({})).toBe(shipmentsBefore);
    await pick(deskPage, 'consignee-organisation', /Zhanuya/);
    // The place defaults to the organisation's name; logistics says which of its stores.
    expect(await deskPage.getByTestId('destination-name').inputValue()).toContain('Zhanuya');
    await deskPage.getByTestId('destination-name').fill('Talgar, foundation warehouse');
    await world.screenshot(deskPage, 'ru-laptop-shipment-plan-delivery');
    await deskPage.getByTestId('submit-plan').click();
    await deskPage.getByTestId('shipment-status').filter({ hasText: 'Черновик' }).waitFor();
    const plannedId = new URL(deskPage.url()).pathname.split('/').pop();
    const plannedRecord = await Shipment.findById(plannedId).lean();
    if (!plannedRecord) throw new Error('the planned shipment is not in the database');
    expect(plannedRecord).toMatchObject({ kind: 'delivery', status: 'draft' });
    expect(String(plannedRecord.consigneeOrganisationId)).toBe(String(ngo._id));
    const planned = { id: String(plannedRecord._id), number: plannedRecord.number };
    const flourBefore = await StockBalance.find({ warehouseId: origin._id }).lean();

    // Packing on a phone, in Kazakh.
    const packer = await world.newContext(PHONE, 'kk');
    const page = await packer.newPage();
    await signIn(page, 'warehouse@asar.demo');
    await page.goto('/shipments');
    await page.getByTestId('shipment-row').filter({ hasText: planned.number }).getByRole('link').click();
    await page.getByTestId('shipment-status').filter({ hasText: 'Жоба' }).waitFor();
    // Two pallets at once, each with a bag of flour scanned by its pack code.
    await pick(page, 'unit-kind', 'Паллет');
    await page.getByTestId('unit-count').fill('2');
    await page.getByTestId('pack-scan').fill('FOOD-FLOUR/BAG');
    await page.getByTestId('pack-scan').press('Enter');
    await page.getByTestId('add-units').click();
    await page.getByTestId('handling-unit').nth(1).waitFor();
    // Three boxes on the first pallet, 12,5 kg each, typed with a decimal comma.
    await pick(page, 'unit-kind', 'Қорап');
    await page.getByTestId('unit-count').fill('3');
    await page.getByTestId('unit-parent').click();
    await page.getByRole('option').first().click();
    await pick(page, 'pack-line-0-item', /FOOD-FLOUR/);
    await page.getByTestId('pack-line-0-quantity').fill('12,5');
    await page.getByTestId('add-units').click();
    await page.locator('[data-testid="handling-unit"]').nth(4).waitFor();
    expect(await page.locator('[data-testid="handling-unit"][data-kind="box"]').count()).toBe(3);
    // The third box moves onto the second pallet.
    const thirdBox = page.locator('[data-testid^="move-"]').last();
    await thirdBox.click();
    const moved = page.waitForResponse((r) => r.url().includes('/move') && r.request().method() === 'POST');
    await page.getByRole('option').filter({ hasText: '2/2' }).click();
    expect((await moved).status()).toBe(200);
    // The box now stands on the second pallet.
    await page
      .locator('[data-testid="handling-unit"][data-kind="pallet"]')
      .nth(1)
      .locator('[data-kind="box"]')
      .waitFor();
    await world.screenshot(page, 'kk-phone-shipment-packing');

    await page.getByTestId('step-pack').click();
    await page.getByTestId('shipment-status').filter({ hasText: 'Қапталды' }).waitFor();
    const totals = await page.getByTestId('shipment-totals').innerText();
    expect(totals).toContain('137,5 кг');
    const labels = await printed(page, () => page.getByTestId('print-labels').click());
    expect(labels).toContain(planned.number);
    const reservedNow = (await StockBalance.find({ warehouseId: origin._id }).lean()).reduce(
      (sum, b) => sum + (b.reserved ?? 0),
      0,
    );
    expect(reservedNow - flourBefore.reduce((sum, b) => sum + (b.reserved ?? 0), 0)).toBe(137_500);

    // Dispatch on the laptop, by logistics.
    await deskPage.goto(`/shipments/${planned.id}`);
    await deskPage.getByTestId('step-dispatch').click();
    await deskPage.getByTestId('shipment-status').filter({ hasText: 'Отправлена' }).waitFor();
    expect((await Shipment.findById(planned.id).lean())?.status).toBe('dispatched');

    // The NGO receives it, blind, in Russian: one box is 2,5 kg short.
    const dock = await world.newContext(PHONE, 'ru');
    const dockPage = await dock.newPage();
    await signIn(dockPage, 'ngo-warehouse@asar.demo');
    await dockPage.goto('/shipments');
    await dockPage.getByTestId('direction').getByText('Входящие').click();
    await dockPage.getByTestId('shipment-row').filter({ hasText: planned.number }).getByRole('link').click();
    await dockPage.getByTestId('step-arrive').click();
    await dockPage.getByTestId('shipment-status').filter({ hasText: 'Прибыла' }).waitFor();
    await dockPage.getByTestId('go-receive').click();
    await pick(dockPage, 'receipt-warehouse', /^TLG-01/);
    await dockPage.getByTestId('open-receipt').click();
    const lines = dockPage.getByTestId('receipt-line');
    await lines.nth(4).waitFor();
    // Blind: what was sent is not shown.
    expect(await dockPage.getByText('Отправлено').count()).toBe(0);
    await world.screenshot(dockPage, 'ru-phone-shipment-receiving');
    const pallets = dockPage.locator('[data-testid="receipt-line"][data-unit-kind="pallet"]');
    const boxes = dockPage.locator('[data-testid="receipt-line"][data-unit-kind="box"]');
    for (const index of [0, 1]) await pallets.nth(index).getByTestId('receipt-good').fill('50');
    for (const index of [0, 1]) await boxes.nth(index).getByTestId('receipt-good').fill('12,5');
    await boxes.nth(2).getByTestId('receipt-good').fill('10');
    await boxes.nth(2).getByTestId('receipt-reason').fill('Коробка надорвана, часть муки высыпалась');
    await dockPage.getByTestId('save-receipt').click();
    await dockPage.getByTestId('receipt-message').filter({ hasText: 'Подсчёт сохранён' }).waitFor();
    await dockPage.getByTestId('post-receipt').click();
    await dockPage.getByTestId('receipt-status').filter({ hasText: 'Проведена' }).waitFor();
    await dockPage.getByTestId('discrepancy').first().waitFor();
    expect(await dockPage.getByTestId('short').innerText()).toContain('2,5 кг');
    await world.screenshot(dockPage, 'ru-phone-shipment-received');

    const received = await Shipment.findById(planned.id).lean();
    expect(received?.status).toBe('received_with_discrepancies');
    // 137,5 kg sent, 2,5 kg short: 135 kg more on the NGO's shelves.
    expect((await onShelves()) - ngoStockBefore).toBe(135_000);
  },
  2 * FLOW_TIMEOUT,
);
