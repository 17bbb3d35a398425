/**
 * Golden flow in a real browser: a warehouse worker signs in on a phone, sees the home screen, and finds stock by
 * warehouse, category and item, with on hand / reserved / available and kg/tonnes, then opens a balance's ledger.
 */
import { FLOW_TIMEOUT, setupBrowserWorld, signIn } from './harness';

const world = setupBrowserWorld();

test(
  'when a warehouse worker signs in on a phone and filters the stock, then the balances and a ledger show',
  async () => {
    const context = await world.newContext();
    const page = await context.newPage();

    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await page.locator('input[type="email"]').fill('warehouse@asar.demo');
    await page.locator('input[type="password"]').fill('wrong password!');
    await page.locator('button[type="submit"]').click();
    await expectText(page.getByTestId('sign-in-error'), 'Пошта немесе құпиясөз қате.');

    await signIn(page);
    await page.getByTestId('home-lines').waitFor();
    await page.goto('/stock');
    await page.getByTestId('balance').first().waitFor();
    const all = Number((await page.getByTestId('stock-count').innerText()).match(/(\d+)\s*ішінен/)?.[1]);
    expect(all).toBeGreaterThan(5);

    await page.getByTestId('filter-warehouse').click();
    await page.getByRole('option', { name: /^AST-01/ }).click();
    await page.getByTestId('filter-category').click();
    await page.getByRole('option', { name: 'Азық-түлік' }).click();
    await page.waitForURL(/category=food/);
    await page.locator('[data-testid="stock-list"][aria-busy="false"]').waitFor();
    const flour = page.getByTestId('balance').filter({ hasText: 'Бидай ұны' });
    await flour.first().waitFor();
    const text = await flour.first().innerText();
    expect(text).toContain('Қолда бар');
    expect(text).toContain('Брондалған');
    expect(text).toContain('Қолжетімді');
    expect(text).toMatch(/кг · [\d\s,]+ т/);
    // Every card is in AST-01 once both filters apply. The list re-renders when the second filter's answer arrives,
    // so the cards are read in one pass inside the page rather than one locator at a time.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="balance"]')].every((card) => card.textContent?.includes('AST-01')),
    );
    const cards = await page.getByTestId('balance').allInnerTexts();
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect(card).toContain('AST-01');

    await flour.first().getByRole('link').click();
    await page.getByTestId('ledger').waitFor();
    expect(await page.getByTestId('ledger').innerText()).toContain('Кіріс');
  },
  FLOW_TIMEOUT,
);

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.waitFor();
  expect(await locator.innerText()).toContain(text);
}

test(
  'when a signed-in phone reloads Asar without a connection, then the app still opens from its offline copy',
  async () => {
    const context = await world.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.goto('/stock');
    await page.getByTestId('balance').first().waitFor();
    // The service worker controls the page once it has activated.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Қалдықтар' }).waitFor();
    expect(await page.getByTestId('connection').textContent()).toBe('Байланыс жоқ');
    await context.setOffline(false);
  },
  FLOW_TIMEOUT,
);
