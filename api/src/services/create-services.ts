import type { Logger } from 'pino';
import type { Db } from '../db/transaction.js';
import type { Services } from '../routes/services.js';
import { ApiKeyService } from './api-keys.service.js';
import { AuditService } from './audit.service.js';
import { ClusterService } from './clusters.service.js';
import { GroupService } from './groups.service.js';
import { InstanceService } from './instances.service.js';
import { DataplaneProvisioning, type Provisioning } from './provisioning.js';
import { TenantService } from './tenants.service.js';
import { TopicService } from './topics.service.js';

export interface ServiceOptions {
  /** Server-side secret of the API-key HMAC. */
  readonly keyPepper: string;
  readonly log: Logger;
  /** How topics and groups reach the brokers; the broker admin API by default. */
  readonly provisioning?: Provisioning;
}

export function createServices(db: Db, options: ServiceOptions): Services {
  const tenants = new TenantService(db);
  const instances = new InstanceService(db, tenants);
  const provisioning =
    options.provisioning ?? new DataplaneProvisioning(db, options.log.child({ component: 'provisioning' }));
  return {
    tenants,
    apiKeys: new ApiKeyService(db, options.keyPepper, tenants),
    clusters: new ClusterService(db),
    instances,
    topics: new TopicService(db, instances, provisioning),
    groups: new GroupService(db, instances, provisioning),
    audit: new AuditService(db),
  };
}
