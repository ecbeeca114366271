#!/usr/bin/env python3
"""Offline checks of the Helm chart, run by scripts/deploy-check.sh.

For the default values and each PA's values file: render the chart (Helm 4
SDK as a library, helm-python-sdk), lint it strictly, validate every object
against the Kubernetes 1.32 schemas (kubernetes-validate, strict), and
assert the chart's properties (probes, resources, hardened security
contexts, every role present, NetworkPolicies, secrets by reference, the
migration hook, the first-party interlinkers' HTTP origins). Every file
under deploy/tests/broken-values must be rejected. With --binary, each role
of the default rendering starts from the environment the chart gives it (the
migration Job's commands first), against the local PostgreSQL and NATS; an
interlinker must then answer `GET /healthz` on its HTTP port.

Prints one line per check and a `test result:` line like cargo's; exits 1
on any failure.
"""

import argparse
import glob
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
import socket
import traceback
import urllib.parse
import urllib.request
import uuid

import helm_python as helm  # PyPI: helm-python-sdk
import kubernetes_validate as kv  # PyPI: kubernetes-validate
import yaml
from kubernetes_validate.utils import VersionNotSupportedError

CHART = "helm/interlink"
KUBE = "1.32.0"
ROLES = ["gateway", "community", "catalogue", "coproduction", "monitoring", "documents", "surveys"]
# Every role but the gateway keeps a database.
SERVICES = ROLES[1:]
# The first-party interlinkers serve HTTP on an origin of their own (their
# pod's port below), not gRPC behind the gateway.
INTERLINKERS = {"documents": 8091, "surveys": 8092}
GRPC_SERVICES = [r for r in SERVICES if r not in INTERLINKERS]
# Custom resources have no schema in kubernetes-validate.
CUSTOM_KINDS = {"ServiceMonitor"}


class Loader(yaml.SafeLoader):
    """Like Kubernetes' YAML: dates stay strings."""

    yaml_implicit_resolvers = {
        c: [r for r in rs if r[0] != "tag:yaml.org,2002:timestamp"]
        for c, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def merge(base, over):
    """Merges values files as repeated `helm -f` does."""
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def load_values(path):
    if path is None:
        return {}
    with open(path) as f:
        return helm.values_from_yaml(f.read())


def render(chart, values, namespace="interlink"):
    """Lints strictly and renders; returns the objects. Raises on any error."""
    report = helm.lint(chart, values, strict=True, namespace=namespace, kube_version="v" + KUBE)
    if report["errors"]:
        raise AssertionError("lint: " + "; ".join(report["errors"]))
    with helm.Chart.load(chart) as loaded:
        rendered = loaded.render(values, name="interlink", namespace=namespace)
    objects = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            continue
        for doc in yaml.load_all(text, Loader=Loader):
            if doc is not None:
                objects.append(doc)
    return objects


def validate(objects):
    """Validates every object against the Kubernetes schemas (strict)."""
    for obj in objects:
        what = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        if obj.get("kind") in CUSTOM_KINDS:
            continue
        try:
            kv.validate(obj, KUBE, strict=True)
        except kv.ValidationError as e:
            path = ".".join(map(str, e.path)) or "<root>"
            raise AssertionError(f"{what}: {path}: {e.message}") from None
        except (kv.SchemaNotFoundError, kv.InvalidSchemaError, VersionNotSupportedError) as e:
            raise AssertionError(f"{what}: {e.message}") from None


def by_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def component(obj):
    return obj["metadata"]["labels"].get("app.kubernetes.io/component")


def enabled_roles(values):
    defaults = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))
    merged = merge(defaults, values)
    return [r for r in ROLES if merged[r]["enabled"]], merged


def interlinker_url(merged, role):
    return merged[role]["publicUrl"].rstrip("/")


def check_interlinker(role, container, env, merged, values):
    """A first-party interlinker: its HTTP port, probes on `/healthz`, its
    origin and the platform's tokens (never the pod's own dev key)."""
    port = INTERLINKERS[role]
    key = f"INTERLINK__{role.upper()}__"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports.get("http") == port and "grpc" not in ports, f"{role}: {ports}"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, f"{role}: {probe}"
    assert env[key + "LISTEN"]["value"] == f"0.0.0.0:{port}", env[key + "LISTEN"]
    assert env["INTERLINK__GRPC__LISTEN"]["value"].startswith("127.0.0.1:"), f"{role}: gRPC outside the pod"
    public_url = env[key + "PUBLIC_URL"]["value"]
    assert public_url == interlinker_url(merged, role), public_url
    assert re.fullmatch(r"https?://[^/\s]+", public_url), f"{role}: public URL {public_url}"
    origin = merged[role]["platformOrigin"] or merged["gateway"]["web"]["publicUrl"]
    if origin:
        assert env[key + "PLATFORM_ORIGIN"]["value"] == origin.rstrip("/"), env[key + "PLATFORM_ORIGIN"]
        assert public_url != origin.rstrip("/"), f"{role}: the platform's own origin"
    else:
        assert key + "PLATFORM_ORIGIN" not in env
    issuer = merged[role]["issuer"] or merged["auth"]["issuer"]
    jwks = merged[role]["jwksUrl"] or merged["auth"]["jwksUrl"]
    assert env[key + "ISSUER"]["value"] == issuer and issuer, f"{role}: issuer"
    assert env[key + "JWKS_URL"]["value"] == jwks and jwks, f"{role}: jwks"
    if merged[role]["audience"]:
        assert env[key + "AUDIENCE"]["value"] == merged[role]["audience"]
    else:
        assert key + "AUDIENCE" not in env
    if values:
        # A PA's values name its own hosts, not the chart's example.
        assert values.get(role, {}).get("publicUrl"), f"{role}: no publicUrl in the PA's values"


def check_properties(objects, values):
    roles, merged = enabled_roles(values)
    deployments = {component(d): d for d in by_kind(objects, "Deployment")}
    services = {component(s): s for s in by_kind(objects, "Service")}
    assert sorted(deployments) == sorted(roles), f"deployments {sorted(deployments)} != roles {roles}"
    assert sorted(services) == sorted(roles), f"services {sorted(services)}"
    assert not by_kind(objects, "Secret"), "the chart must not carry secrets"
    config = by_kind(objects, "ConfigMap")
    assert len(config) == 1
    for role, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        spec = pod["spec"]
        assert pod["metadata"]["annotations"].get("checksum/config"), f"{role}: no config checksum"
        assert spec["securityContext"]["runAsNonRoot"] is True, role
        assert spec["automountServiceAccountToken"] is False, role
        (container,) = spec["containers"]
        assert container["args"] == ["serve", role], container["args"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert probe in container, f"{role}: no {probe}"
        if role == "gateway":
            assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
        elif role not in INTERLINKERS:
            assert container["readinessProbe"]["grpc"]["port"] == 50051
        resources = container["resources"]
        assert resources.get("requests") and resources.get("limits"), f"{role}: resources"
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, role
        assert security["allowPrivilegeEscalation"] is False, role
        assert security["capabilities"]["drop"] == ["ALL"], role
        env = {e["name"]: e for e in container.get("env", [])}
        for item in env.values():
            value = item.get("value", "")
            assert not re.fullmatch(r"[0-9.]+e\+[0-9]+", value), f"{role}: {item['name']} = {value}"
        if role == "gateway":
            upstreams = sorted(k for k in env if k.startswith("INTERLINK__GATEWAY__UPSTREAMS__"))
            expected = sorted(f"INTERLINK__GATEWAY__UPSTREAMS__{r.upper()}" for r in roles if r in GRPC_SERVICES)
            assert upstreams == expected, upstreams
            ref = env["INTERLINK__GATEWAY__WEB__SESSION_KEY"]["valueFrom"]["secretKeyRef"]
            assert ref == merged["gateway"]["web"]["sessionKeySecret"], ref
            oidc = merged["gateway"]["web"]["oidc"]
            if oidc["clientId"]:
                assert env["INTERLINK__GATEWAY__WEB__OIDC_CLIENT_ID"]["value"] == oidc["clientId"]
                secret = env.get("INTERLINK__GATEWAY__WEB__OIDC_CLIENT_SECRET")
                if oidc.get("clientSecretSecret") is None:
                    assert secret is None, secret
                else:
                    # The secret by reference only, never a value in the chart.
                    assert secret["valueFrom"]["secretKeyRef"] == oidc["clientSecretSecret"], secret
            else:
                assert "INTERLINK__GATEWAY__WEB__OIDC_CLIENT_ID" not in env
        else:
            ref = env["INTERLINK__DATABASE__URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": merged["database"]["existingSecret"], "key": role}, ref
        if role in INTERLINKERS:
            check_interlinker(role, container, env, merged, values)
        if role == "catalogue":
            # The seed points its editor and survey builder at them.
            for interlinker in INTERLINKERS:
                name = f"INTERLINK__{interlinker.upper()}__PUBLIC_URL"
                if interlinker in roles:
                    assert env[name]["value"] == interlinker_url(merged, interlinker), env[name]
                else:
                    assert name not in env, name
        elif role not in INTERLINKERS:
            assert not [k for k in env if k.startswith(("INTERLINK__DOCUMENTS__", "INTERLINK__SURVEYS__"))], role
        hpa = merged[role]["hpa"]["enabled"]
        assert ("replicas" in deployment["spec"]) != hpa, f"{role}: replicas with an HPA"
    for role, service in services.items():
        ports = [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"] if p["name"] != "metrics"]
        if role in INTERLINKERS or role == "gateway":
            assert ports == [("http", merged[role]["service"]["port"], "http")], f"{role}: {ports}"
        else:
            assert ports == [("grpc", 50051, "grpc")], f"{role}: {ports}"
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind(objects, "HorizontalPodAutoscaler")}
    assert hpas == {deployments[r]["metadata"]["name"] for r in roles if merged[r]["hpa"]["enabled"]}
    pdbs = {component(p) for p in by_kind(objects, "PodDisruptionBudget")}
    assert pdbs == {r for r in roles if merged[r]["pdb"]["enabled"]}, pdbs
    if merged["networkPolicy"]["enabled"]:
        policies = {component(p): p for p in by_kind(objects, "NetworkPolicy")}
        assert sorted(policies) == sorted(roles), sorted(policies)
        scraped = merged["telemetry"]["prometheus"]["enabled"]
        for role, policy in policies.items():
            ingress = policy["spec"]["ingress"]
            assert len(ingress) == (2 if scraped else 1), role
            if scraped:
                assert ingress[1]["ports"] == [{"port": "metrics", "protocol": "TCP"}], role
            if role in INTERLINKERS:
                # An HTTP origin of its own: from the ingress (or the listed peers).
                assert ingress[0]["ports"] == [{"port": "http", "protocol": "TCP"}], role
                peers = merged["networkPolicy"].get("interlinkersFrom") or None
                assert ingress[0].get("from") == peers, f"{role}: {ingress[0].get('from')}"
            elif role != "gateway":
                (peer,) = ingress[0]["from"]
                labels = peer["podSelector"]["matchLabels"]
                assert labels["app.kubernetes.io/component"] == "gateway", labels
                assert ingress[0]["ports"] == [{"port": "grpc", "protocol": "TCP"}]
    # Metrics served for scraping: a port on every pod and Service, the
    # address in the configuration, and the ServiceMonitor on that port.
    if merged["telemetry"]["prometheus"]["enabled"]:
        port = merged["telemetry"]["prometheus"]["port"]
        (configmap,) = config
        assert configmap["data"]["INTERLINK__TELEMETRY__PROMETHEUS_LISTEN"] == f"0.0.0.0:{port}"
        for role, deployment in deployments.items():
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            assert ports.get("metrics") == port, f"{role}: {ports}"
        for role, service in services.items():
            names = [p["name"] for p in service["spec"]["ports"]]
            assert "metrics" in names, f"{role}: {names}"
        if merged["serviceMonitor"]["enabled"]:
            (monitor,) = by_kind(objects, "ServiceMonitor")
            assert [e["port"] for e in monitor["spec"]["endpoints"]] == ["metrics"]
    else:
        assert "INTERLINK__TELEMETRY__PROMETHEUS_LISTEN" not in config[0]["data"]
    jobs = by_kind(objects, "Job")
    if merged["migrations"]["enabled"]:
        (job,) = jobs
        hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
        assert hooks == ["pre-install", "pre-upgrade"], hooks
        migrated = [c["args"] for c in job["spec"]["template"]["spec"]["initContainers"]]
        assert migrated == [["migrate", r] for r in roles if r != "gateway"], migrated


# ---------------------------------------------------------------------------
# Role start-up from the chart's environment


def psql(sql):
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def container_env(container, config, databases, overrides):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    for source in container.get("envFrom", []):
        assert source["configMapRef"]["name"] == config["metadata"]["name"]
        env.update(config["data"])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif item["name"] in ("INTERLINK__GATEWAY__WEB__SESSION_KEY", "INTERLINK__GATEWAY__WEB__OIDC_CLIENT_SECRET"):
            env[item["name"]] = secrets.token_hex(32)
        else:
            key = item["valueFrom"]["secretKeyRef"]["key"]
            env[item["name"]] = databases[key]
    env.update(overrides)
    return env


def run_roles(objects, binary, nats_url):
    unique = uuid.uuid4().hex[:12]
    databases = {}
    for role in SERVICES:
        name = f"chart_{role}_{unique}"
        psql(f"CREATE DATABASE {name}")
        databases[role] = f"postgres://postgres@127.0.0.1:5432/{name}"
    data = tempfile.mkdtemp(prefix="interlink-chart-")
    # Each interlinker's HTTP port: a free one, to ask its /healthz.
    ports = {role: free_port() for role in INTERLINKERS}
    overrides = {
        **{f"INTERLINK__{role.upper()}__LISTEN": f"127.0.0.1:{port}" for role, port in ports.items()},
        "INTERLINK__DATA_DIR": data,
        "INTERLINK__GRPC__LISTEN": "127.0.0.1:0",
        "INTERLINK__GATEWAY__LISTEN": "127.0.0.1:0",
        "INTERLINK__NATS__URL": nats_url,
        "INTERLINK__NATS__STREAM": f"CHART_{unique}",
        "INTERLINK__NATS__SUBJECT_ROOT": f"chart{unique}",
    }
    (config,) = by_kind(objects, "ConfigMap")
    # The hook's env is inline (it runs before the ConfigMap exists).
    config_for_job = {"metadata": config["metadata"], "data": {}}
    try:
        (job,) = by_kind(objects, "Job")
        for container in job["spec"]["template"]["spec"]["initContainers"]:
            env = container_env(container, config_for_job, databases, overrides)
            done = subprocess.run([binary, *container["args"]], env=env, capture_output=True, timeout=120)
            assert done.returncode == 0, f"{container['args']}: {done.stderr.decode()[-2000:]}"
        for deployment in by_kind(objects, "Deployment"):
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            env = container_env(container, config, databases, overrides)
            role = container["args"][1]
            start_and_stop(binary, container["args"], env, ports.get(role))
    finally:
        for name in databases.values():
            psql(f"DROP DATABASE IF EXISTS {name.rsplit('/', 1)[1]} WITH (FORCE)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(port):
    """An interlinker's readiness, as its probes ask it: `GET /healthz` on
    its HTTP port answers 200 `ok`."""
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.time() + 10
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                body = answer.read()
                assert answer.status == 200 and body.strip() == b"ok", f"{url}: {answer.status} {body[:100]!r}"
                return
        except OSError:
            if time.time() > deadline:
                raise


def start_and_stop(binary, args, env, http_port=None):
    # Unbuffered: select() must see every line readline() has not taken.
    process = subprocess.Popen(
        [binary, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
    )
    try:
        deadline = time.time() + 60
        line = b""
        lines = []
        while time.time() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                line = process.stdout.readline()
                lines.append(line)
                if line.startswith(b"serving role"):
                    break
            if process.poll() is not None:
                raise AssertionError(f"{args} exited: {process.stderr.read().decode()[-2000:]}")
        assert line.startswith(b"serving role"), f"{args} did not start"
        if http_port is not None:
            # An interlinker says where it is reached, then serves HTTP.
            role = args[1]
            public_url = env[f"INTERLINK__{role.upper()}__PUBLIC_URL"]
            said = [x for x in lines if x.startswith(f"{role}: ".encode())]
            assert said and said[0].split()[1].decode() == public_url, f"{args}: {lines}"
            healthz(http_port)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, f"{args} did not stop cleanly"
    finally:
        if process.poll() is None:
            process.kill()


def check_compose(path="deploy/compose.yaml"):
    """The compose stack runs every role as `serve <role>` after the
    migrations, with PostgreSQL, NATS, the collector, Prometheus and Grafana."""
    with open(path) as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    for infra in ["postgres", "nats", "otel-collector", "prometheus", "grafana", "migrate"]:
        assert infra in services, f"no {infra}"
    migrated = re.search(r"for role in ([a-z ]+); do", services["migrate"]["command"][0])
    assert migrated and migrated.group(1).split() == SERVICES, "migrate: not every service's database"
    with open("deploy/postgres-init.sql") as f:
        created = re.findall(r"CREATE DATABASE (\w+);", f.read())
    assert created == [f"interlink_{r}" for r in SERVICES], created
    for role in ROLES:
        service = services[role]
        assert service["command"] == ["serve", role], service["command"]
        assert service["read_only"] is True and service["user"] == "10001:10001", role
        env = service["environment"]
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317", role
        if role == "gateway":
            upstreams = sorted(k for k in env if k.startswith("INTERLINK__GATEWAY__UPSTREAMS__"))
            assert upstreams == sorted(f"INTERLINK__GATEWAY__UPSTREAMS__{r.upper()}" for r in GRPC_SERVICES)
        else:
            assert env["INTERLINK__DATABASE__URL"].endswith(f"/interlink_{role}"), role
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        if role in INTERLINKERS:
            # Its own origin, published, and the same URL inside the stack
            # (a network alias) for the platform's calls.
            port = INTERLINKERS[role]
            key = f"INTERLINK__{role.upper()}__"
            assert env[key + "LISTEN"] == f"0.0.0.0:{port}", role
            url = urllib.parse.urlsplit(env[key + "PUBLIC_URL"])
            assert url.port == port and url.hostname in service["networks"]["default"]["aliases"], role
            assert service["ports"] == [f"127.0.0.1:{port}:{port}"], service["ports"]
            assert env[key + "PLATFORM_ORIGIN"] == "http://127.0.0.1:8080", role
            assert services["catalogue"]["environment"][key + "PUBLIC_URL"] == env[key + "PUBLIC_URL"], role
    with open("deploy/otel-collector.yaml") as f:
        collector = yaml.safe_load(f)
    assert "prometheus" in collector["service"]["pipelines"]["metrics"]["exporters"]
    mounts = " ".join(services["grafana"]["volumes"])
    assert "provisioning" in mounts and "dashboards" in mounts


# ---------------------------------------------------------------------------


def main():
    global CHART
    parser = argparse.ArgumentParser()
    parser.add_argument("--chart", default="helm/interlink")
    parser.add_argument("--binary", help="the interlink binary: start each role as the chart does")
    parser.add_argument("--nats-url", default=os.environ.get("INTERLINK_TEST_NATS_URL", "nats://127.0.0.1:4222"))
    args = parser.parse_args()
    CHART = args.chart
    checks = []
    pa_files = sorted(glob.glob(os.path.join(CHART, "values-*.yaml")))
    assert pa_files, "no PA values files"
    for path in [None, *pa_files]:
        name = os.path.basename(path) if path else "values.yaml"

        def check(path=path):
            values = load_values(path)
            objects = render(CHART, values)
            validate(objects)
            check_properties(objects, values)

        checks.append((f"chart renders, lints and validates with {name}", check))
    for path in sorted(glob.glob("deploy/tests/broken-values/*.yaml")):

        def broken(path=path):
            try:
                validate(render(CHART, load_values(path)))
            except (helm.HelmError, AssertionError) as e:
                print(f"    rejected as expected: {str(e).splitlines()[0][:160]}")
                return
            raise AssertionError(f"{path} was accepted")

        checks.append((f"broken values are rejected: {os.path.basename(path)}", broken))
    checks.append(("the compose stack runs every role with its infrastructure", check_compose))
    if args.binary:
        checks.append(
            (
                "every role starts from the chart's environment",
                lambda: run_roles(render(CHART, {}), args.binary, args.nats_url),
            )
        )
    passed = failed = 0
    for name, check in checks:
        try:
            check()
            print(f"test {name} ... ok")
            passed += 1
        except Exception:  # noqa: BLE001 — report every failure, then go on
            print(f"test {name} ... FAILED")
            traceback.print_exc()
            failed += 1
    status = "ok" if failed == 0 else "FAILED"
    print(f"\ntest result: {status}. {passed} passed; {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
