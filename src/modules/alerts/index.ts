/**
 * The alerts module's face: what other modules may use.
 */
export { type AlertSighting, syncAlerts } from './alerts.service';
export { minimumLevelsByWarehouse, organisationOfWarehouse } from './minimum-levels.service';
export { sendDueDeliveries } from './webhooks.service';
