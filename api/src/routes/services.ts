import type { ApiKeyService } from '../services/api-keys.service.js';
import type { AuditService } from '../services/audit.service.js';
import type { ClusterService } from '../services/clusters.service.js';
import type { GroupService } from '../services/groups.service.js';
import type { InstanceService } from '../services/instances.service.js';
import type { TenantService } from '../services/tenants.service.js';
import type { TopicService } from '../services/topics.service.js';

export interface Services {
  readonly tenants: TenantService;
  readonly apiKeys: ApiKeyService;
  readonly clusters: ClusterService;
  readonly instances: InstanceService;
  readonly topics: TopicService;
  readonly groups: GroupService;
  readonly audit: AuditService;
}
