import Joi from 'joi';
import type { Lang } from '../../documents/labels';
import { idParams } from '../../http/joi-rules';
import { type RouteDefinition, route } from '../../http/route-registry';
import { hubScope, ownScope } from './report-scope';
import { type ReportFormat, renderReport } from './report-table';
import {
  type HouseholdsGrouping,
  householdsServedReport,
  type InflowGrouping,
  inflowsReport,
  type OutflowGrouping,
  outflowsReport,
  type Period,
  type ShippedGrouping,
  type StockGrouping,
  shippedReport,
  stockReport,
} from './reports.service';

interface Rendering {
  format: ReportFormat;
  lang: Lang;
}

const rendering = {
  format: Joi.string().valid('json', 'csv', 'pdf').default('json'),
  lang: Joi.string().valid('kk', 'ru', 'en').default('en'),
};

const period = {
  from: Joi.date().iso(),
  to: Joi.date()
    .iso()
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional rule is spelled `then`.
    .when('from', { is: Joi.exist(), then: Joi.date().iso().greater(Joi.ref('from')) }),
};

function grouping<G extends string>(values: readonly G[], fallback: G) {
  return Joi.string()
    .valid(...values)
    .default(fallback);
}

const SUMMARY = {
  stock: 'Stock on hand by {groups}, in pieces, kg, tonnes and m³ (JSON, CSV or PDF in kk/ru/en)',
  inflows: 'Donations received by {groups} over a period (JSON, CSV or PDF in kk/ru/en)',
  outflows: 'Goods issued from stock (distributions, direct issues) by {groups} over a period',
  shipped: 'Tonnage shipped (dispatched shipments: kg, tonnes, m³) by {groups} over a period',
  households:
    'Households served (a hand-over of all or part of their due) and people in them by {groups} over a period; counts only',
};
const summary = (what: keyof typeof SUMMARY, groups: readonly string[], hub = false) =>
  `${hub ? "The hub's members' totals: " : ''}${SUMMARY[what].replace('{groups}', groups.join(', '))}`;

const OWN = {
  stock: ['region', 'warehouse', 'category'] as const satisfies readonly StockGrouping[],
  inflows: ['donor', 'donor_type', 'month'] as const satisfies readonly InflowGrouping[],
  outflows: [
    'purpose',
    'region',
    'warehouse',
    'month',
    'programme',
    'round',
  ] as const satisfies readonly OutflowGrouping[],
  shipped: ['country', 'kind', 'month'] as const satisfies readonly ShippedGrouping[],
  households: ['region', 'round', 'vulnerability'] as const satisfies readonly HouseholdsGrouping[],
};
// A hub sees totals, never a member's warehouse or donor.
const HUB = {
  stock: ['region', 'category'] as const satisfies readonly StockGrouping[],
  inflows: ['donor_type', 'month'] as const satisfies readonly InflowGrouping[],
  outflows: ['purpose', 'region', 'month', 'programme', 'round'] as const satisfies readonly OutflowGrouping[],
  shipped: ['country', 'kind', 'month'] as const satisfies readonly ShippedGrouping[],
  households: ['region', 'round', 'vulnerability'] as const satisfies readonly HouseholdsGrouping[],
};

export function reportRoutes(): RouteDefinition[] {
  return [
    route('GET /reports/stock', {
      summary: summary('stock', OWN.stock),
      access: 'reports:read',
      schemas: {
        query: Joi.object<Rendering & { groupBy: StockGrouping }>({
          ...rendering,
          groupBy: grouping(OWN.stock, 'region'),
        }),
      },
      run: async ({ query, actor }) =>
        renderReport(await stockReport(ownScope(actor), query), query.format, query.lang),
    }),
    route('GET /reports/inflows', {
      summary: summary('inflows', OWN.inflows),
      access: 'reports:read',
      schemas: {
        query: Joi.object<Rendering & Period & { groupBy: InflowGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(OWN.inflows, 'month'),
        }),
      },
      run: async ({ query, actor }) =>
        renderReport(await inflowsReport(ownScope(actor), query), query.format, query.lang),
    }),
    route('GET /reports/outflows', {
      summary: summary('outflows', OWN.outflows),
      access: 'reports:read',
      schemas: {
        query: Joi.object<Rendering & Period & { groupBy: OutflowGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(OWN.outflows, 'month'),
        }),
      },
      run: async ({ query, actor }) =>
        renderReport(await outflowsReport(ownScope(actor), query), query.format, query.lang),
    }),
    route('GET /reports/shipped', {
      summary: summary('shipped', OWN.shipped),
      access: 'reports:read',
      schemas: {
        query: Joi.object<Rendering & Period & { groupBy: ShippedGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(OWN.shipped, 'country'),
        }),
      },
      run: async ({ query, actor }) =>
        renderReport(await shippedReport(ownScope(actor), query), query.format, query.lang),
    }),
    route('GET /reports/households', {
      summary: summary('households', OWN.households),
      access: 'reports:read',
      schemas: {
        query: Joi.object<Rendering & Period & { groupBy: HouseholdsGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(OWN.households, 'region'),
        }),
      },
      run: async ({ query, actor }) =>
        renderReport(await householdsServedReport(ownScope(actor), query), query.format, query.lang),
    }),
    route('GET /organisations/:id/reports/stock', {
      summary: summary('stock', HUB.stock, true),
      tag: 'reports',
      access: 'reports:read',
      schemas: {
        params: idParams,
        query: Joi.object<Rendering & { groupBy: StockGrouping }>({
          ...rendering,
          groupBy: grouping(HUB.stock, 'region'),
        }),
      },
      run: async ({ params, query, actor }) =>
        renderReport(await stockReport(await hubScope(params.id, actor), query), query.format, query.lang),
    }),
    route('GET /organisations/:id/reports/inflows', {
      summary: summary('inflows', HUB.inflows, true),
      tag: 'reports',
      access: 'reports:read',
      schemas: {
        params: idParams,
        query: Joi.object<Rendering & Period & { groupBy: InflowGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(HUB.inflows, 'month'),
        }),
      },
      run: async ({ params, query, actor }) =>
        renderReport(await inflowsReport(await hubScope(params.id, actor, query), query), query.format, query.lang),
    }),
    route('GET /organisations/:id/reports/outflows', {
      summary: summary('outflows', HUB.outflows, true),
      tag: 'reports',
      access: 'reports:read',
      schemas: {
        params: idParams,
        query: Joi.object<Rendering & Period & { groupBy: OutflowGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(HUB.outflows, 'month'),
        }),
      },
      run: async ({ params, query, actor }) =>
        renderReport(await outflowsReport(await hubScope(params.id, actor, query), query), query.format, query.lang),
    }),
    route('GET /organisations/:id/reports/shipped', {
      summary: summary('shipped', HUB.shipped, true),
      tag: 'reports',
      access: 'reports:read',
      schemas: {
        params: idParams,
        query: Joi.object<Rendering & Period & { groupBy: ShippedGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(HUB.shipped, 'country'),
        }),
      },
      run: async ({ params, query, actor }) =>
        renderReport(await shippedReport(await hubScope(params.id, actor, query), query), query.format, query.lang),
    }),
    route('GET /organisations/:id/reports/households', {
      summary: summary('households', HUB.households, true),
      tag: 'reports',
      access: 'reports:read',
      schemas: {
        params: idParams,
        query: Joi.object<Rendering & Period & { groupBy: HouseholdsGrouping }>({
          ...rendering,
          ...period,
          groupBy: grouping(HUB.households, 'region'),
        }),
      },
      run: async ({ params, query, actor }) =>
        renderReport(
          await householdsServedReport(await hubScope(params.id, actor, query), query),
          query.format,
          query.lang,
        ),
    }),
  ];
}
