import Joi from 'joi';
import { objectId, paginationKeys } from '../../http/joi-rules';
import type { AuditQuery } from './audit.service';

const code = Joi.string().trim().max(100);

export const listAuditSchemas = {
  query: Joi.object<AuditQuery>({
    actorId: Joi.string().trim().max(100),
    actorKind: Joi.string().valid('user', 'apiKey', 'system', 'anonymous'),
    organisationId: objectId(),
    targetType: code,
    targetId: Joi.string().trim().max(100),
    action: code,
    from: Joi.date().iso(),
    to: Joi.date()
      .iso()
      // biome-ignore lint/suspicious/noThenProperty: Joi's conditional rule is spelled `then`.
      .when('from', { is: Joi.exist(), then: Joi.date().greater(Joi.ref('from')) }),
    ...paginationKeys,
  }),
};
