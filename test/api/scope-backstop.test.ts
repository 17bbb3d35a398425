import { route } from '../../src/http/route-registry';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
import { setupTestApp } from '../support/app';

const t = setupTestApp({
  routes: [route('GET /probe/unscoped', { summary: 'x', access: 'public', run: () => Warehouse.countDocuments({}) })],
});

test('when a request runs a query naming no organisation, then it fails', async () => {
  expect(await Warehouse.countDocuments({})).toBe(0);
  const res = await t.api.get('/api/v1/probe/unscoped');
  expect(res.status).toBe(500);
});
