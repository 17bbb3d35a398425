import Joi from 'joi';
import type { Lang } from '../../documents/labels';
import { arrayOf, objectId } from '../../http/joi-rules';
import { type RouteDefinition, route } from '../../http/route-registry';
import { type ReportFormat, type ReportTable, reportCsv, reportPdf } from './report-table';
import { type InflowGrouping, inflowsReport, type StockGrouping, stockReport } from './reports.service';

interface Common {
  format: ReportFormat;
  lang: Lang;
  organisationIds?: string[];
}

const common = {
  format: Joi.string().valid('json', 'csv', 'pdf').default('json'),
  lang: Joi.string().valid('kk', 'ru', 'en').default('en'),
  organisationIds: arrayOf(objectId(), 500).single(),
};

/** JSON answers the table; CSV and PDF answer it as a file. */
async function render(table: ReportTable, query: Common) {
  if (query.format === 'csv') return reportCsv(table, query.lang);
  if (query.format === 'pdf') return reportPdf(table, query.lang);
  return table;
}

export function reportRoutes(): RouteDefinition[] {
  return [
    route('GET /reports/stock', {
      summary: 'Stock on hand by region, warehouse or category, in kg, tonnes and m³ (JSON, CSV or PDF in kk/ru/en)',
      access: 'reports:read',
      schemas: {
        query: Joi.object<Common & { groupBy: StockGrouping }>({
          ...common,
          groupBy: Joi.string().valid('region', 'warehouse', 'category').default('region'),
        }),
      },
      run: async ({ query, actor }) => render(await stockReport(query, actor), query),
    }),
    route('GET /reports/inflows', {
      summary: 'Donations received by donor, donor type or month (JSON, CSV or PDF in kk/ru/en)',
      access: 'reports:read',
      schemas: {
        query: Joi.object<Common & { groupBy: InflowGrouping; from?: Date; to?: Date }>({
          ...common,
          groupBy: Joi.string().valid('donor', 'donor_type', 'month').default('month'),
          from: Joi.date().iso(),
          to: Joi.date().iso(),
        }),
      },
      run: async ({ query, actor }) => render(await inflowsReport(query, actor), query),
    }),
  ];
}
