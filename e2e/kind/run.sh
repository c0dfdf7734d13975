#!/usr/bin/env bash
# The kind suite: builds the rocketry image, creates a kind cluster, installs charts/rocketry with Helm, then drives a
# BrokerCluster, a Topic and ConsumerGroups with the official client, scales and drains, and autoscales a consumer
# Deployment. Needs docker (with a running daemon), kind, kubectl, helm and node on PATH. See README.md.
#
#   e2e/kind/run.sh                  everything, then deletes the cluster
#   KEEP_CLUSTER=1 e2e/kind/run.sh   leaves the cluster for inspection (kind delete cluster --name rocketry-e2e)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/e2e/kind"
CLUSTER=${KIND_CLUSTER:-rocketry-e2e}
IMAGE=${IMAGE:-rocketry:e2e}
NS=${E2E_NAMESPACE:-rocketry-e2e}
OPERATOR_NS=rocketry-system
TIMEOUT=${E2E_TIMEOUT:-300s}
PIDS=()

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ $code -ne 0 ]]; then
    kubectl -n "$OPERATOR_NS" logs deployment/rocketry-operator --tail=200 2>/dev/null || true
    kubectl -n "$NS" get brokerclusters,topics,consumergroups,statefulsets,pods -o wide 2>/dev/null || true
  fi
  if [[ "${KEEP_CLUSTER:-0}" != 1 ]]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
  exit "$code"
}
trap cleanup EXIT

for tool in docker kind kubectl helm node; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done
docker info >/dev/null 2>&1 || fail "the docker daemon is not reachable"

# A port-forward in the background; waits until the local port answers.
forward() { # namespace target local:remote
  kubectl -n "$1" port-forward "$2" "$3" >/dev/null 2>&1 &
  PIDS+=("$!")
  local port=${3%%:*}
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "port-forward $2 $3 did not open"
}

# Runs e2e/kind/client.mjs (the official client) in a Job in the cluster and prints its output. The client runs inside
# the cluster because routes name the brokers by their stable in-cluster DNS names, which a client on the host behind
# a port-forward cannot resolve.
client() { # job-name client-args...
  local name=$1
  shift
  local args
  args=$(printf ', "%s"' "$@")
  kubectl -n "$NS" delete job "$name" --ignore-not-found --wait >/dev/null
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $name
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: client
          image: $IMAGE
          imagePullPolicy: IfNotPresent
          command: ["node", "/app/e2e-client/client.mjs"$args]
          env:
            - name: ROCKETRY_ENDPOINT
              value: demo-brokers.$NS.svc:8081
          volumeMounts:
            - name: client
              mountPath: /app/e2e-client
      volumes:
        - name: client
          configMap:
            name: e2e-client
YAML
  if ! kubectl -n "$NS" wait --for=condition=complete "job/$name" --timeout=240s >/dev/null; then
    kubectl -n "$NS" logs "job/$name" || true
    fail "client job $name ($*)"
  fi
  kubectl -n "$NS" logs "job/$name"
}

admin() { node "$ROOT/bin/rocketry.js" admin --server http://127.0.0.1:18082 --token "$TOKEN" "$@"; }

step "build the rocketry image ($IMAGE) and the CLI"
docker build -t "$IMAGE" "$ROOT"
(cd "$ROOT" && npm run build --silent)

step "create the kind cluster $CLUSTER"
if ! kind get clusters | grep -qx "$CLUSTER"; then kind create cluster --name "$CLUSTER" --wait 120s; fi
kubectl config use-context "kind-$CLUSTER" >/dev/null
kind load docker-image "$IMAGE" --name "$CLUSTER"

step "install the chart"
helm upgrade --install rocketry "$ROOT/charts/rocketry" --namespace "$OPERATOR_NS" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=IfNotPresent --wait --timeout 5m
kubectl -n "$OPERATOR_NS" rollout status deployment/rocketry-operator --timeout="$TIMEOUT"
forward "$OPERATOR_NS" deployment/rocketry-operator 18090:8090
curl -fsS http://127.0.0.1:18090/readyz >/dev/null || fail "operator /readyz"
curl -fsS http://127.0.0.1:18090/metrics | grep -q '^# TYPE' || fail "operator /metrics"

step "the chart and \`rocketry operator manifests\` describe the same install"
node "$ROOT/bin/rocketry.js" operator manifests --namespace "$OPERATOR_NS" --image "$IMAGE" \
  | kubectl apply --dry-run=server -f - >/dev/null || fail "manifests do not apply over the Helm release"

step "a BrokerCluster, a Topic and a ConsumerGroup"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n "$NS" create configmap e2e-client --from-file=client.mjs="$HERE/client.mjs" --dry-run=client -o yaml \
  | kubectl apply -f - >/dev/null
kubectl -n "$NS" apply -f "$HERE/manifests/cluster.yaml"
kubectl -n "$NS" wait --for=condition=Ready brokercluster/demo --timeout="$TIMEOUT"
kubectl -n "$NS" wait --for=condition=Ready topic/orders consumergroup/workers --timeout="$TIMEOUT"
TOKEN=$(kubectl -n "$NS" get secret demo-admin -o jsonpath='{.data.token}' | base64 -d)
forward "$NS" service/demo-broker-0 18082:8082
admin topic get orders

step "produce and consume with the official client"
client subscribe subscribe orders workers
client produce-1 produce orders 100
client consume-1 consume orders workers 100
admin group lag workers

step "scale to two broker groups"
kubectl -n "$NS" patch brokercluster demo --type merge -p '{"spec":{"brokers":{"groups":2}}}'
kubectl -n "$NS" wait --for=jsonpath='{.status.readyGroups}'=2 brokercluster/demo --timeout="$TIMEOUT"
kubectl -n "$NS" wait --for=condition=Ready brokercluster/demo --timeout="$TIMEOUT"
client produce-2 produce orders 200
client consume-2 consume orders workers 200

step "scale down: the second group drains, then goes"
client produce-3 produce orders 50
kubectl -n "$NS" patch brokercluster demo --type merge -p '{"spec":{"brokers":{"groups":1}}}'
# While messages wait on it, the leaving group turns read-only and stays.
kubectl -n "$NS" wait --for=jsonpath='{.status.groups[1].writable}'=false brokercluster/demo --timeout="$TIMEOUT"
kubectl -n "$NS" get statefulset demo-broker-1 >/dev/null || fail "demo-broker-1 went before its lag was consumed"
client consume-3 consume orders workers 50
kubectl -n "$NS" wait --for=delete statefulset/demo-broker-1 --timeout="$TIMEOUT"
kubectl -n "$NS" wait --for=jsonpath='{.status.readyGroups}'=1 brokercluster/demo --timeout="$TIMEOUT"

step "autoscale a consumer Deployment on lag"
sed "s|__IMAGE__|$IMAGE|" "$HERE/manifests/autoscale.yaml" | kubectl -n "$NS" apply -f -
kubectl -n "$NS" wait --for=condition=Ready consumergroup/order-workers --timeout="$TIMEOUT"
client subscribe-workers subscribe orders order-workers
client produce-4 produce orders 300
kubectl -n "$NS" wait --for=jsonpath='{.spec.replicas}'=3 deployment/order-workers --timeout="$TIMEOUT"
client consume-4 consume orders order-workers 300
kubectl -n "$NS" wait --for=jsonpath='{.spec.replicas}'=1 deployment/order-workers --timeout="$TIMEOUT"

step "delete: entities first, then the cluster"
kubectl -n "$NS" delete consumergroup --all --wait --timeout="$TIMEOUT"
kubectl -n "$NS" delete topic --all --wait --timeout="$TIMEOUT"
kubectl -n "$NS" delete brokercluster demo --wait --timeout="$TIMEOUT"

printf '\nkind suite passed\n'
