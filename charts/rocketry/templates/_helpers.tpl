{{/*
Named templates of the chart. operator/src/install/ renders the same objects in TypeScript for
`rocketry operator manifests`; operator/src/install/chart-agreement.test.ts checks that both agree.
Only the constructs that test's evaluator knows may be used here (see operator/src/install/helm-template.fixture.ts).
*/}}

{{/* Labels on every object of the chart. */}}
{{- define "rocketry.labels" -}}
app.kubernetes.io/name: rocketry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: rocketry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector of the operator pods: never changes for a release. */}}
{{- define "rocketry.operatorSelector" -}}
app.kubernetes.io/name: rocketry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Selector of the API pods. */}}
{{- define "rocketry.apiSelector" -}}
app.kubernetes.io/name: rocketry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/* The rocketry image: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "rocketry.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Image of the broker and name-server pods the operator creates. */}}
{{- define "rocketry.brokerImage" -}}
{{- if .Values.operator.brokerImage }}
{{- .Values.operator.brokerImage }}
{{- else }}
{{- include "rocketry.image" . }}
{{- end }}
{{- end }}

{{/*
What the operator may do in the namespaces it watches: nothing with a wildcard, Secrets never updated or deleted
(the admin Secret is created once; owner references delete it with its cluster), pods only read and deleted (rolls).
*/}}
{{- define "rocketry.operatorRules" -}}
- apiGroups: ["rocketry.io"]
  resources: ["brokerclusters", "topics", "consumergroups", "eventrules"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["rocketry.io"]
  resources: ["brokerclusters/status", "topics/status", "consumergroups/status", "eventrules/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["rocketry.io"]
  resources: ["brokerclusters/finalizers", "topics/finalizers", "consumergroups/finalizers", "eventrules/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments/scale", "statefulsets/scale"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["keda.sh"]
  resources: ["scaledobjects"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end }}
