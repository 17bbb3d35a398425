/**
 * Every module's routes, in one list that src/app.ts registers. A new module adds its `xxxRoutes()` here.
 */
import type { RouteDefinition } from '../http/route-registry';
import { jobRoutes } from '../jobs/jobs.routes';
import { alertRoutes } from './alerts/alerts.routes';
import { apiKeyRoutes } from './api-keys/api-keys.routes';
import { auditRoutes } from './audit/audit.routes';
import { authRoutes } from './auth/auth.routes';
import { catalogRoutes } from './catalog/catalog.routes';
import { distributionRoutes } from './distributions/distributions.routes';
import { donationRoutes } from './donations/donations.routes';
import { donorRoutes } from './donors/donors.routes';
import { householdRoutes } from './households/households.routes';
import { importRoutes } from './imports/imports.routes';
import { organisationRoutes } from './organisations/organisations.routes';
import { programmeRoutes } from './programmes/programmes.routes';
import { reportRoutes } from './reports/reports.routes';
import { shipmentRoutes } from './shipments/shipments.routes';
import { stockRoutes } from './stock/stock.routes';
import { userRoutes } from './users/users.routes';
import { verificationRoutes } from './verification/verification.routes';
import { warehouseRoutes } from './warehouses/warehouses.routes';

export function allRoutes(): RouteDefinition[] {
  return [
    ...authRoutes(),
    ...organisationRoutes(),
    ...userRoutes(),
    ...apiKeyRoutes(),
    ...auditRoutes(),
    ...catalogRoutes(),
    ...warehouseRoutes(),
    ...donorRoutes(),
    ...donationRoutes(),
    ...stockRoutes(),
    ...shipmentRoutes(),
    ...householdRoutes(),
    ...programmeRoutes(),
    ...distributionRoutes(),
    ...alertRoutes(),
    ...jobRoutes(),
    ...verificationRoutes(),
    ...importRoutes(),
    ...reportRoutes(),
  ];
}
