/**
 * Golden flow of a stock count in a cold store without signal: blind counting on a phone, the counted quantities
 * queued on the device while offline and sent when the connection returns, then the differences shown and posted
 * as adjustments.
 */

import { StockBalance } from '../../../src/modules/stock/stock.model';
import { StockCount } from '../../../src/modules/stock/stock-count.model';
import { FLOW_TIMEOUT, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();

test(
  'when a bin is counted blind while offline, then the count reaches the server once online and posts the difference',
  async () => {
    const context = await world.newContext(undefined, 'ru');
    const page = await context.newPage();
    await signIn(page);
    await page.goto('/counts');
    await page.getByTestId('count-warehouse').click();
    await page.getByRole('option', { name: /^AST-01/ }).click();
    await page.getByTestId('count-bin').click();
    await page.getByRole('option', { name: /^A-01/ }).click();
    await page.getByTestId('start-count').click();
    await page.getByTestId('count-status').filter({ hasText: 'Открыта' }).waitFor();

    // Blind: what the books expect is not shown.
    expect(await page.getByTestId('expected').count()).toBe(0);
    const lines = page.locator('[data-testid^="count-line-"][data-testid$="-counted"]');
    const flourLine = page.locator('[data-testid^="count-line-"]').filter({ hasText: 'FOOD-FLOUR' }).first();
    await flourLine.waitFor();
    expect(await lines.count()).toBeGreaterThan(0);

    await context.setOffline(true);
    await flourLine.getByRole('textbox').fill('299,5');
    await page.getByTestId('save-count').click();
    await page.getByTestId('count-message').filter({ hasText: 'Нет связи' }).waitFor();
    await page.getByTestId('queue-badge').filter({ hasText: 'Ожидают: 1' }).waitFor();

    const saved = page.waitForResponse((r) => r.url().includes('/lines') && r.request().method() === 'POST');
    await context.setOffline(false);
    expect((await saved).status()).toBe(200);
    await page.getByTestId('queue-badge').waitFor({ state: 'detached' });

    const [count] = await StockCount.find({}).lean();
    const flour = count.lines.find((line) => line.counted !== null);
    expect(flour?.counted).toBe(299500);
    expect(flour?.expected).toBe(300000);

    await page.reload();
    await page.getByTestId('blind').click({ force: true });
    await page.getByTestId('expected').first().waitFor();
    const text = (await flourLine.innerText()).replace(/\s/g, ' ');
    expect(text).toContain('300 кг');
    expect(text).toContain('-0,5 кг');

    await page.getByTestId('post-count').click();
    await page.getByTestId('count-status').filter({ hasText: 'Проведена' }).waitFor();
    const balance = await StockBalance.findOne({ _id: flour?.balanceId }).lean();
    expect(balance?.onHand).toBe(299500);
  },
  FLOW_TIMEOUT,
);
