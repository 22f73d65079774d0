import type { Project } from '../../../model/project.js';
import { labels, object, type K8sObject } from './meta.js';
import { waitJobsAccount } from './workload.js';

/** What an init container needs to `kubectl wait` for a Job: read jobs in its namespace. */
export function waitJobsRbac(project: Project): K8sObject[] {
  const name = waitJobsAccount(project);
  const l = labels(project.name, name, 'depends-on');
  return [
    object('v1', 'ServiceAccount', name, l, {}),
    object('rbac.authorization.k8s.io/v1', 'Role', name, l, {
      rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
    }),
    object('rbac.authorization.k8s.io/v1', 'RoleBinding', name, l, {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name }],
    }),
  ];
}
