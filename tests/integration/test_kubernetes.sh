#!/usr/bin/env bash
# The Kubernetes manifests of config/kubernetes, offline: kustomize renders
# them, every object is valid against the Kubernetes API schemas
# (kubernetes-models from npm), and they hang together: two replicas, probes
# on /readyz and /healthz, the Service and PodDisruptionBudget select the
# pods, the generated ConfigMap is the one mounted, and every secret file the
# configuration names is mounted from the Secret.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools kubectl node
PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null || fail "Debian's python3-yaml is not installed"
VALIDATE="$STRATA_SOURCE_DIR/tests/tools/validate-kubernetes.js"
[[ -d "$STRATA_SOURCE_DIR/tests/tools/node_modules/kubernetes-models" ]] ||
  fail "kubernetes-models is not installed: run scripts/setup.sh --tests"

# render DIR: the kustomization as a JSON array of objects.
render() {
  kubectl kustomize "$1" >"$WORK/rendered.yaml" 2>"$WORK/kustomize.err" ||
    { cat "$WORK/kustomize.err" >&2; fail "kubectl kustomize $1"; }
  "$PY" -c 'import json, sys, yaml; print(json.dumps([o for o in yaml.safe_load_all(sys.stdin) if o]))' \
    <"$WORK/rendered.yaml"
}

render "$STRATA_SOURCE_DIR/config/kubernetes" >"$WORK/objects.json"
ok "kubectl kustomize renders config/kubernetes"
NODE_PATH="$STRATA_SOURCE_DIR/tests/tools/node_modules" node "$VALIDATE" <"$WORK/objects.json" >"$WORK/valid.out" ||
  { cat "$WORK/valid.out" >&2; fail "the rendered objects are not valid Kubernetes objects"; }
expect_eq 4 "$(grep -c '^valid ' "$WORK/valid.out")" "four objects valid against the Kubernetes schemas"
expect_eq "ConfigMap Deployment PodDisruptionBudget Service" \
  "$(jq -r '[.[].kind] | sort | join(" ")' "$WORK/objects.json")" "ConfigMap, Deployment, PodDisruptionBudget, Service"

# The validator can fail: a Deployment with a replica count that is not a number.
jq '(.[] | select(.kind == "Deployment") | .spec.replicas) = "two"' "$WORK/objects.json" >"$WORK/broken.json"
if NODE_PATH="$STRATA_SOURCE_DIR/tests/tools/node_modules" node "$VALIDATE" <"$WORK/broken.json" >"$WORK/broken.out"; then
  fail "the validator accepted replicas: \"two\""
fi
expect_contains "$(cat "$WORK/broken.out")" "replicas must be integer" "a broken Deployment is rejected, by field"

obj() { jq -c --arg k "$1" '.[] | select(.kind == $k)' "$WORK/objects.json"; }
deployment="$(obj Deployment)"
container="$(jq -c '.spec.template.spec.containers[0]' <<<"$deployment")"
expect_eq 2 "$(jq .spec.replicas <<<"$deployment")" "the Deployment runs two replicas"
expect_eq "/readyz http" "$(jq -r '.readinessProbe.httpGet | "\(.path) \(.port)"' <<<"$container")" "readiness probe on /readyz"
expect_eq "/healthz http" "$(jq -r '.livenessProbe.httpGet | "\(.path) \(.port)"' <<<"$container")" "liveness probe on /healthz"
expect_eq 8080 "$(jq '.ports[] | select(.name == "http") | .containerPort' <<<"$container")" "port http is 8080"
expect_match "$(jq -r '.resources.requests.cpu + " " + .resources.requests.memory' <<<"$container")" '^[0-9]+m? [0-9]+[MG]i$' \
  "resource requests for CPU and memory"
pod_labels="$(jq -c '.spec.template.metadata.labels' <<<"$deployment")"
for kind in Service PodDisruptionBudget; do
  selector="$(obj "$kind" | jq -c 'if .kind == "Service" then .spec.selector else .spec.selector.matchLabels end')"
  expect_eq true "$(jq -n --argjson s "$selector" --argjson l "$pod_labels" '$s | to_entries | all(. as $e | $l[$e.key] == $e.value)')" \
    "the $kind selects the Deployment's pods"
done
expect_eq 1 "$(obj PodDisruptionBudget | jq .spec.minAvailable)" "the PodDisruptionBudget keeps one replica up"
expect_eq "http" "$(obj Service | jq -r '.spec.ports[0].targetPort')" "the Service targets port http"

configmap="$(obj ConfigMap)"
expect_eq "$(jq -r .metadata.name <<<"$configmap")" \
  "$(jq -r '.spec.template.spec.volumes[] | select(.name == "config") | .configMap.name' <<<"$deployment")" \
  "the mounted ConfigMap is the generated one (its name carries its hash)"
jq -r '.data["strata.json"]' <<<"$configmap" >"$WORK/strata.json"
expect_eq "/etc/strata/strata.json" "$(jq -r '.args[2]' <<<"$container")" "strata serve reads the mounted configuration"
expect_eq "0.0.0.0:8080" "$(jq -r .listen "$WORK/strata.json")" "it listens on every interface, port http"
expect_eq "s3 postgresql" "$(jq -r '.storage.backend + " " + .database.backend' "$WORK/strata.json")" \
  "blobs in S3, metadata in PostgreSQL"

# Every secret file the configuration names is mounted from the Secret.
secret_dir="$(jq -r '.volumeMounts[] | select(.name == "secrets") | .mountPath' <<<"$container")"
mounted="$(jq -r --arg d "$secret_dir" '.spec.template.spec.volumes[] | select(.name == "secrets") | .secret.items[] | "\($d)/\(.path)"' <<<"$deployment" | sort)"
named="$(jq -r '[.storage.s3.secretAccessKeyFile, .database.postgresql.passwordFile, .auth.signingKeyFile] | .[]' "$WORK/strata.json" | sort)"
expect_eq "$named" "$mounted" "the S3 key, the PostgreSQL password and the signing key come from the Secret"
expect_eq "strata-secrets" "$(jq -r '.spec.template.spec.volumes[] | select(.name == "secrets") | .secret.secretName' <<<"$deployment")" \
  "the Secret is referenced, not defined (docs/deployment.md creates it)"
expect_not_contains "$(cat "$WORK/rendered.yaml")" "kind: Secret" "no secret is in the manifests"

# --- the variant without privileges: Strata as nobody, Nix in a nix-daemon container ----
render "$STRATA_SOURCE_DIR/config/kubernetes-nix-daemon" >"$WORK/daemon.json"
ok "kubectl kustomize renders config/kubernetes-nix-daemon"
NODE_PATH="$STRATA_SOURCE_DIR/tests/tools/node_modules" node "$VALIDATE" <"$WORK/daemon.json" >"$WORK/valid-daemon.out" ||
  { cat "$WORK/valid-daemon.out" >&2; fail "the nix-daemon variant's objects are not valid Kubernetes objects"; }
expect_eq 4 "$(grep -c '^valid ' "$WORK/valid-daemon.out")" "its four objects are valid against the Kubernetes schemas"
pod="$(jq -c '.[] | select(.kind == "Deployment") | .spec.template.spec' "$WORK/daemon.json")"
strata="$(jq -c '.containers[] | select(.name == "strata")' <<<"$pod")"
daemon="$(jq -c '.containers[] | select(.name == "nix-daemon")' <<<"$pod")"
expect_eq "65534 65534 true" "$(jq -r '.securityContext | "\(.runAsUser) \(.runAsGroup) \(.runAsNonRoot)"' <<<"$strata")" \
  "Strata runs as nobody"
expect_eq '{"drop":["ALL"]}' "$(jq -c '.securityContext.capabilities' <<<"$strata")" "with no capability at all"
expect_eq "--set nix.daemon=true" "$(jq -r '.args[3:] | join(" ")' <<<"$strata")" "and nix.daemon on"
expect_eq '["nix-daemon"] ["SYS_ADMIN"]' "$(jq -c '.command, .securityContext.capabilities.add' <<<"$daemon" | paste -sd' ')" \
  "the nix-daemon container has the sandbox's capability"
expect_eq "/nix /nix" "$(jq -r '[.containers[] | .volumeMounts[] | select(.name == "nix") | .mountPath] | join(" ")' <<<"$pod")" \
  "both share the nix volume (the store and the daemon's socket)"
expect_eq "65534 288" "$(jq -r '"\(.securityContext.fsGroup) \(.volumes[] | select(.name == "secrets") | .secret.defaultMode)"' <<<"$pod")" \
  "the secrets are readable by Strata's group (0440), the data folder writable (fsGroup)"
