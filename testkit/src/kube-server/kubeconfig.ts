/** Client configuration pointing at a test server, as client-node `loadFromOptions` input and as kubeconfig YAML. */

export interface KubeConfigOptions {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string; token: string }[];
  contexts: { name: string; cluster: string; user: string; namespace: string }[];
  currentContext: string;
}

export function kubeConfigOptions(server: string): KubeConfigOptions {
  return {
    clusters: [{ name: 'rocketry-test', server, skipTLSVerify: true }],
    users: [{ name: 'rocketry-test', token: 'test' }],
    contexts: [{ name: 'rocketry-test', cluster: 'rocketry-test', user: 'rocketry-test', namespace: 'default' }],
    currentContext: 'rocketry-test',
  };
}

export function kubeconfigYaml(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: rocketry-test',
    '  cluster:',
    `    server: ${JSON.stringify(server)}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: rocketry-test',
    '  user:',
    '    token: test',
    'contexts:',
    '- name: rocketry-test',
    '  context:',
    '    cluster: rocketry-test',
    '    user: rocketry-test',
    '    namespace: default',
    'current-context: rocketry-test',
    '',
  ].join('\n');
}
