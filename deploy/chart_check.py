#!/usr/bin/env python3
"""Offline checks of the Helm chart, run by scripts/deploy-check.sh.

For the default values and each PA's values file: render the chart (Helm 4
SDK as a library, helm-python-sdk), lint it strictly, validate every object
against the Kubernetes 1.32 schemas (kubernetes-validate, strict), and
assert the chart's properties (probes, resources, hardened security
contexts, every role present, NetworkPolicies, secrets by reference, the
migration hook, the first-party interlinkers' HTTP origins, the platform's
own key for its tokens to interlinkers, the notifications role's e-mail
settings with its SMTP URL from a Secret, and its webhook settings, the
federation role's public address and name, its signing key mounted from a
Secret and its declared peers; each pilot's peers exactly the other
pilots' feeds, all pinned alike). Every
file under deploy/tests/broken-values must be rejected. With --binary, each
role of the default rendering starts from the environment the chart gives it
(the migration Job's commands first; its Secret files made here, the
interlinker key with openssl), against the local PostgreSQL and NATS; an
interlinker must then answer `GET /healthz` on its HTTP port, and the
gateway serve the public half of that key; the notifications role starts
again from the environment the chart gives it with e-mail on, and with every
webhook setting off its default; and the federation role with its public
address, name, signing key (made with openssl: the binary's current key
with the thumbprint computed here, which `interlink federation-key-id`
prints too) and peers (trusted with their pinned keys) given.

Prints one line per check and a `test result:` line like cargo's; exits 1
on any failure.
"""

import argparse
import base64
import glob
import hashlib
import json
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
ROLES = [
    "gateway",
    "community",
    "catalogue",
    "coproduction",
    "monitoring",
    "notifications",
    "federation",
    "documents",
    "surveys",
]
# Every role but the gateway keeps a database.
SERVICES = ROLES[1:]
# The first-party interlinkers serve HTTP on an origin of their own (their
# pod's port below), not gRPC behind the gateway.
INTERLINKERS = {"documents": 8091, "surveys": 8092}
GRPC_SERVICES = [r for r in SERVICES if r not in INTERLINKERS]
# Custom resources have no schema in kubernetes-validate.
CUSTOM_KINDS = {"ServiceMonitor"}
# The release and namespace the chart is rendered as.
RELEASE = NAMESPACE = "interlink"
# The platform's own key for its tokens to interlinkers: mounted read-only
# from its Secret into the roles that sign with it (coproduction) and serve
# its public half (the gateway, at JWKS_PATH), named to them by these.
KEY_DIR = "/etc/interlink/interlinker-key"
KEY_FILE = f"{KEY_DIR}/interlinker-key.pem"
KEY_ENV = ("INTERLINK__AUTH__INTERLINKER_KEY_FILE", "INTERLINK__AUTH__INTERLINKER_ISSUER")
SIGNERS = ("gateway", "coproduction")
JWKS_PATH = "/.well-known/interlinker-jwks.json"
# The notifications role's e-mail settings (notifications.mail), its alone:
# the SMTP URL (it may carry the server's credentials) from a Secret, never
# inline; the links in e-mails open the gateway's public URL.
MAIL_ENV = (
    "INTERLINK__NOTIFICATIONS__SMTP_URL",
    "INTERLINK__NOTIFICATIONS__MAIL_FROM",
    "INTERLINK__NOTIFICATIONS__DIGEST_HOUR_UTC",
    "INTERLINK__NOTIFICATIONS__PUBLIC_URL",
)
# E-mail on over the default values (hour 0 and a key of its own: no
# default stands in for them).
MAIL_VALUES = {
    "notifications": {
        "mail": {
            "smtpSecret": "interlink-smtp",
            "smtpSecretKey": "url",
            "from": "Participa <participa@example.org>",
            "digestHourUtc": 0,
        }
    }
}
# The ports a mail server takes SMTP on (submission, submissions, relay).
SMTP_PORTS = {25, 465, 587}
# The notifications role's webhook settings (notifications.webhooks), its
# alone and always all five: env name -> values key.
WEBHOOK_ENV = {
    "INTERLINK__NOTIFICATIONS__WEBHOOK_ALLOW_HTTP": "allowHttp",
    "INTERLINK__NOTIFICATIONS__WEBHOOK_ALLOW_PRIVATE_NETWORKS": "allowPrivateNetworks",
    "INTERLINK__NOTIFICATIONS__WEBHOOK_TIMEOUT_MS": "timeoutMs",
    "INTERLINK__NOTIFICATIONS__WEBHOOK_RETRY_INITIAL_MS": "retryInitialMs",
    "INTERLINK__NOTIFICATIONS__WEBHOOK_RETRY_WINDOW_SECS": "retryWindowSecs",
}
# The numbers' ranges the binary takes (low, high; None: no bound).
WEBHOOK_RANGES = {"timeoutMs": (1, 60000), "retryInitialMs": (1, None), "retryWindowSecs": (1, None)}
# Every webhook setting off its default (both booleans true, the numbers at
# their bounds): no default stands in for them.
WEBHOOK_VALUES = {
    "notifications": {
        "webhooks": {
            "allowHttp": True,
            "allowPrivateNetworks": True,
            "timeoutMs": 60000,
            "retryInitialMs": 1,
            "retryWindowSecs": 1,
        }
    }
}
# The federation role's settings (federation.*), its alone, each only when
# given: env name -> values key.
FEDERATION_ENV = {
    "INTERLINK__FEDERATION__PUBLIC_URL": "publicUrl",
    "INTERLINK__FEDERATION__DISPLAY_NAME": "displayName",
}
# Its signing key (federation.signingKeySecret): mounted read-only from its
# Secret into the federation role's pods alone, named to it by this.
FEDERATION_KEY_DIR = "/etc/interlink/federation-key"
FEDERATION_KEY_FILE = f"{FEDERATION_KEY_DIR}/federation-key.pem"
FEDERATION_KEY_ENV = "INTERLINK__FEDERATION__SIGNING_KEY_FILE"
# Its declared peers (federation.peers): federation.peers[i] is the label
# peer_<i>, each field its own variable (the pinned keys comma-separated).
FEDERATION_PEER_ENV = re.compile(r"INTERLINK__FEDERATION__PEERS__PEER_(\d+)__(FEED_URL|PINNED_KEYS|DISPLAY_NAME)")
# Where a deployment's feed is, under its public address.
FEED_PATH = "/v1/federation/feed"
# A key id: an RFC 7638 SHA-256 thumbprint, base64url.
KEY_ID = re.compile(r"[A-Za-z0-9_-]{43}")
# All given (a name at the binary's 200-character bound, not ASCII alone:
# it counts characters, as the schema's maxLength does), with a signing key
# and two peers, one without a name of its own.
FEDERATION_VALUES = {
    "federation": {
        "publicUrl": "https://participa.example.org",
        "displayName": "Ayuntamiento de Zaragoza — " + "ñ" * 173,
        "signingKeySecret": {"name": "interlink-federation-key", "key": "signing.pem"},
        "peers": [
            {
                "feedUrl": "https://interlink.varam.example/v1/federation/feed",
                "pinnedKeys": ["cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"],
                "displayName": "VARAM — Latvija",
            },
            {
                "feedUrl": "https://interlink.mef.example/v1/federation/feed",
                "pinnedKeys": [
                    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
                    "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s",
                ],
            },
        ],
    }
}


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


def render(chart, values, namespace=NAMESPACE):
    """Lints strictly and renders; returns the objects. Raises on any error."""
    report = helm.lint(chart, values, strict=True, namespace=namespace, kube_version="v" + KUBE)
    if report["errors"]:
        raise AssertionError("lint: " + "; ".join(report["errors"]))
    with helm.Chart.load(chart) as loaded:
        rendered = loaded.render(values, name=RELEASE, namespace=namespace)
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


def interlinker_key(merged):
    """The platform's own key for its tokens to interlinkers: its Secret's
    name, the key within it and the tokens' issuer; None without one."""
    key = merged["auth"].get("interlinkerKey") or {}
    if not key.get("secretName"):
        return None
    return key["secretName"], key["key"], key["issuer"] or merged["gateway"]["web"]["publicUrl"]


def gateway_jwks(service):
    """Where the interlinkers' pods fetch the platform's keys: the gateway's
    Service, in the cluster."""
    port = service["spec"]["ports"][0]["port"]
    host = f"{service['metadata']['name']}.{NAMESPACE}.svc" + ("" if port == 80 else f":{port}")
    return f"http://{host}{JWKS_PATH}"


def check_signer(role, spec, container, env, merged):
    """A role with the platform's own key for interlinkers (or without one):
    the PEM file mounted read-only from the Secret, and its env."""
    key = interlinker_key(merged) if role in SIGNERS else None
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    if key is None:
        assert not [k for k in KEY_ENV if k in env], f"{role}: an interlinker key's env"
        assert "interlinker-key" not in volumes and "interlinker-key" not in mounts, f"{role}: an interlinker key"
        return
    secret_name, secret_key, issuer = key
    assert issuer, f"{role}: no interlinker issuer"
    assert env[KEY_ENV[0]] == {"name": KEY_ENV[0], "value": KEY_FILE}, env[KEY_ENV[0]]
    assert env[KEY_ENV[1]] == {"name": KEY_ENV[1], "value": issuer}, env[KEY_ENV[1]]
    # The PA's OIDC provider never signs the platform's tokens.
    assert issuer != merged["auth"]["issuer"], f"{role}: the OIDC issuer as the interlinker issuer"
    mount = mounts["interlinker-key"]
    assert mount == {"name": "interlinker-key", "mountPath": KEY_DIR, "readOnly": True}, mount
    secret = volumes["interlinker-key"]["secret"]
    assert secret["secretName"] == secret_name, secret
    assert secret["items"] == [{"key": secret_key, "path": os.path.basename(KEY_FILE)}], secret
    # Not world-readable: the pod's group (fsGroup) reads it.
    assert secret["defaultMode"] & 0o007 == 0 and secret["defaultMode"] & 0o040, oct(secret["defaultMode"])


def mail_settings(merged):
    """The notifications role's e-mail settings (notifications.mail); None
    without e-mail (no Secret named, or the role off)."""
    mail = merged["notifications"].get("mail") or {}
    if not merged["notifications"]["enabled"] or not mail.get("smtpSecret"):
        return None
    return mail


def check_mail(role, env, merged, gateway_env):
    """E-mail settings on the notifications role only, and only with
    notifications.mail.smtpSecret: then all four, the SMTP URL by reference
    to that Secret's key, the links to the gateway's web public URL."""
    mail = mail_settings(merged) if role == "notifications" else None
    present = sorted(k for k in env if k.startswith("INTERLINK__NOTIFICATIONS__") and k not in WEBHOOK_ENV)
    if mail is None:
        assert not present, f"{role}: e-mail settings without notifications.mail.smtpSecret: {present}"
        return
    assert present == sorted(MAIL_ENV), f"{role}: {present}"
    smtp = env[MAIL_ENV[0]]
    # By reference only: the URL may carry the server's credentials.
    assert "value" not in smtp, f"{role}: the SMTP URL inline"
    ref = {"name": mail["smtpSecret"], "key": mail["smtpSecretKey"]}
    assert smtp["valueFrom"] == {"secretKeyRef": ref}, smtp
    assert env[MAIL_ENV[1]]["value"] == mail["from"] and "@" in mail["from"], env[MAIL_ENV[1]]
    hour = env[MAIL_ENV[2]]["value"]
    assert hour == str(mail["digestHourUtc"]) and 0 <= int(hour) <= 23, env[MAIL_ENV[2]]
    public_url = merged["gateway"]["web"]["publicUrl"]
    assert public_url and env[MAIL_ENV[3]]["value"] == public_url, env[MAIL_ENV[3]]
    if gateway_env is not None:
        # The same address as the gateway's own pages.
        served = gateway_env["INTERLINK__GATEWAY__WEB__PUBLIC_URL"]["value"]
        assert env[MAIL_ENV[3]]["value"] == served, f"{role}: links to {env[MAIL_ENV[3]]}, the pages at {served}"


def check_webhooks(role, env, merged):
    """Webhook settings on the notifications role only, and there always:
    all five, inline, as notifications.webhooks gives them (a false boolean
    stays false: no default stands in for it)."""
    present = sorted(k for k in env if k in WEBHOOK_ENV)
    if role != "notifications":
        assert not present, f"{role}: webhook settings: {present}"
        return
    assert present == sorted(WEBHOOK_ENV), f"{role}: {present}"
    webhooks = merged["notifications"]["webhooks"]
    for name, key in WEBHOOK_ENV.items():
        given, item = webhooks[key], env[name]
        assert set(item) == {"name", "value"}, item
        value = item["value"]
        if key in WEBHOOK_RANGES:
            low, high = WEBHOOK_RANGES[key]
            assert isinstance(given, int) and not isinstance(given, bool), f"{key}: {given!r}"
            assert value == str(given), f"{name} = {value!r}, notifications.webhooks.{key}: {given}"
            assert int(value) >= low and (high is None or int(value) <= high), f"{name} = {value}"
        else:
            assert isinstance(given, bool), f"{key}: {given!r}"
            assert value == str(given).lower(), f"{name} = {value!r}, notifications.webhooks.{key}: {given}"


def federation_key(merged):
    """The federation role's signing key: its Secret's name and the key
    within it; None without one (the role makes its own)."""
    secret = merged["federation"].get("signingKeySecret") or {}
    if not secret.get("name"):
        return None
    return secret["name"], secret["key"]


def feed_url(merged):
    """Where a deployment's feed is: its federation public address (else
    its site's) and the feed's path."""
    public_url = merged["federation"].get("publicUrl") or merged["gateway"]["web"]["publicUrl"]
    return public_url.rstrip("/") + FEED_PATH


def check_federation_key(role, spec, container, env, merged):
    """The federation role's signing key, its alone: the PEM file mounted
    read-only from its Secret, named by its env; nothing of it elsewhere."""
    key = federation_key(merged) if role == "federation" else None
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    if key is None:
        assert FEDERATION_KEY_ENV not in env, f"{role}: a federation key's env"
        assert "federation-key" not in volumes and "federation-key" not in mounts, f"{role}: a federation key"
        return
    secret_name, secret_key = key
    assert env[FEDERATION_KEY_ENV] == {"name": FEDERATION_KEY_ENV, "value": FEDERATION_KEY_FILE}, env[FEDERATION_KEY_ENV]
    mount = mounts["federation-key"]
    assert mount == {"name": "federation-key", "mountPath": FEDERATION_KEY_DIR, "readOnly": True}, mount
    secret = volumes["federation-key"]["secret"]
    assert secret["secretName"] == secret_name, secret
    assert secret["items"] == [{"key": secret_key, "path": os.path.basename(FEDERATION_KEY_FILE)}], secret
    # Not world-readable: the pod's group (fsGroup) reads it.
    assert secret["defaultMode"] & 0o007 == 0 and secret["defaultMode"] & 0o040, oct(secret["defaultMode"])


def check_federation_peers(role, env, merged):
    """The declared peers, on the federation role only: each of
    federation.peers as its own variables, inline, in the binary's format
    (the label peer_<i>, the pinned keys comma-separated, the name only
    when given)."""
    present = {k: v for k, v in env.items() if k.startswith("INTERLINK__FEDERATION__PEERS__")}
    if role != "federation":
        assert not present, f"{role}: federation peers: {sorted(present)}"
        return
    peers = merged["federation"].get("peers") or []
    expected = {}
    for i, peer in enumerate(peers):
        assert peer["feedUrl"].startswith("https://"), f"peer {i}: {peer['feedUrl']}"
        assert 1 <= len(peer["pinnedKeys"]) <= 10, f"peer {i}: {peer['pinnedKeys']}"
        assert all(KEY_ID.fullmatch(k) for k in peer["pinnedKeys"]), f"peer {i}: {peer['pinnedKeys']}"
        label = f"INTERLINK__FEDERATION__PEERS__PEER_{i}__"
        expected[label + "FEED_URL"] = peer["feedUrl"]
        expected[label + "PINNED_KEYS"] = ",".join(peer["pinnedKeys"])
        if peer.get("displayName"):
            expected[label + "DISPLAY_NAME"] = peer["displayName"]
    assert len({p["feedUrl"] for p in peers}) == len(peers), "a peer listed twice"
    for name, item in present.items():
        assert FEDERATION_PEER_ENV.fullmatch(name), name
        assert set(item) == {"name", "value"}, f"{name}: not inline"
    assert {k: v["value"] for k, v in present.items()} == expected, f"{role}: {present} != {expected}"


def check_federation(role, env, merged, values):
    """The federation role's settings on the federation role only, each
    inline, the site's address and name when not given; a PA's
    values name its public address, the site's, and its name."""
    present = sorted(
        k
        for k in env
        if k.startswith("INTERLINK__FEDERATION__")
        and k != FEDERATION_KEY_ENV
        and not k.startswith("INTERLINK__FEDERATION__PEERS__")
    )
    if role != "federation":
        assert not present, f"{role}: federation settings: {present}"
        return
    federation = dict(merged["federation"])
    # Empty: the site's own address and name.
    web = merged["gateway"]["web"]
    federation["publicUrl"] = federation.get("publicUrl") or web.get("publicUrl")
    federation["displayName"] = federation.get("displayName") or web.get("siteName")
    expected = sorted(name for name, key in FEDERATION_ENV.items() if federation.get(key))
    assert present == expected, f"{role}: {present} != {expected}"
    for name in present:
        given, item = federation[FEDERATION_ENV[name]], env[name]
        assert item == {"name": name, "value": given}, item
    public_url = federation.get("publicUrl")
    if public_url:
        assert re.fullmatch(r"https?://[^/\s]+/?", public_url), f"{role}: public URL {public_url}"
    assert len(federation.get("displayName") or "") <= 200, f"{role}: display name too long"
    if values:
        # A PA's values name its own address (its site's) and name.
        given = values.get("federation", {})
        assert given.get("publicUrl"), f"{role}: no publicUrl in the PA's values"
        assert given.get("displayName"), f"{role}: no displayName in the PA's values"
        site = merged["gateway"]["web"]["publicUrl"]
        assert public_url.rstrip("/") == site.rstrip("/"), f"{role}: {public_url}, the site at {site}"
        # Its own signing key, so its key id is known to its peers before
        # it starts; its peers exactly the other pilots' feeds.
        key = federation_key(merged)
        assert key and merged["pa"]["name"] in key[0], f"{role}: the federation key Secret {key}"
        others = {name: feed_url(other) for name, other in pilots().items() if name != merged["pa"]["name"]}
        declared = sorted(p["feedUrl"] for p in given.get("peers") or [])
        assert declared == sorted(others.values()), f"{role}: peers {declared}, the other pilots {others}"


def pilots():
    """Each pilot's merged values, by its PA's name."""
    defaults = os.path.join(CHART, "values.yaml")
    merged = {}
    for path in sorted(glob.glob(os.path.join(CHART, "values-*.yaml"))):
        with open(defaults) as f:
            values = merge(yaml.safe_load(f), load_values(path))
        merged[values["pa"]["name"]] = values
    return merged


def check_pilots_federated():
    """The pilots are federated with one another: each reads every other
    one's feed (and nothing else), pinned to well-formed key ids, and
    every pilot pins the same key ids for a given peer (the ones its PA
    published), each pilot with a signing key of its own."""
    all_pilots = pilots()
    assert len(all_pilots) >= 2, sorted(all_pilots)
    feeds = {name: feed_url(values) for name, values in all_pilots.items()}
    assert len(set(feeds.values())) == len(feeds), feeds
    pinned = {}
    for name, values in all_pilots.items():
        assert federation_key(values), f"{name}: no federation.signingKeySecret"
        peers = values["federation"].get("peers") or []
        by_feed = {p["feedUrl"]: p for p in peers}
        assert len(by_feed) == len(peers), f"{name}: a peer listed twice"
        assert sorted(by_feed) == sorted(f for other, f in feeds.items() if other != name), f"{name}: {sorted(by_feed)}"
        for other, feed in feeds.items():
            if other == name:
                continue
            keys = by_feed[feed]["pinnedKeys"]
            assert keys and all(KEY_ID.fullmatch(k) for k in keys), f"{name} pins {other}: {keys}"
            pinned.setdefault(other, set()).add(tuple(sorted(keys)))
    for other, sets in pinned.items():
        assert len(sets) == 1, f"the pilots pin {other} to different keys: {sorted(sets)}"
    own = [keys for (keys,) in pinned.values()]
    assert len({k for keys in own for k in keys}) == sum(map(len, own)), "two pilots pinned to one key"


def check_interlinker(role, container, env, merged, values, gateway):
    """A first-party interlinker: its HTTP port, probes on `/healthz`, its
    origin and the platform's tokens (never the pod's own dev key, nor the
    PA's OIDC provider: by default the platform's own key, whose public half
    the gateway's Service serves)."""
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
    if merged[role]["issuer"]:
        issuer, jwks = merged[role]["issuer"], merged[role]["jwksUrl"]
    else:
        issuer, jwks = interlinker_key(merged)[2], gateway_jwks(gateway)
        assert issuer != merged["auth"]["issuer"] and jwks != merged["auth"]["jwksUrl"], f"{role}: the OIDC provider's"
    assert env[key + "ISSUER"]["value"] == issuer and issuer, f"{role}: issuer {env[key + 'ISSUER']}"
    assert env[key + "JWKS_URL"]["value"] == jwks and jwks, f"{role}: jwks {env[key + 'JWKS_URL']}"
    if merged[role]["audience"]:
        assert env[key + "AUDIENCE"]["value"] == merged[role]["audience"]
    else:
        assert key + "AUDIENCE" not in env
    if values:
        # A PA's values name its own hosts, not the chart's example.
        assert values.get(role, {}).get("publicUrl"), f"{role}: no publicUrl in the PA's values"


def check_properties(objects, values, pa=None):
    """The chart's properties; `pa`: the values are a PA's (by default when
    there are any), which name their own Secrets and hosts."""
    if pa is None:
        pa = bool(values)
    roles, merged = enabled_roles(values)
    deployments = {component(d): d for d in by_kind(objects, "Deployment")}
    services = {component(s): s for s in by_kind(objects, "Service")}
    assert sorted(deployments) == sorted(roles), f"deployments {sorted(deployments)} != roles {roles}"
    assert sorted(services) == sorted(roles), f"services {sorted(services)}"
    assert not by_kind(objects, "Secret"), "the chart must not carry secrets"
    config = by_kind(objects, "ConfigMap")
    assert len(config) == 1
    assert not [k for k in config[0]["data"] if k in KEY_ENV], "the interlinker key for every role"
    assert not [k for k in config[0]["data"] if k.startswith("INTERLINK__NOTIFICATIONS__")], "e-mail for every role"
    assert not [k for k in config[0]["data"] if k.startswith("INTERLINK__FEDERATION__")], "federation for every role"
    if pa and mail_settings(merged):
        # A PA's values name its own Secret, not the chart's example.
        named = merged["notifications"]["mail"]["smtpSecret"]
        assert merged["pa"]["name"] in named, f"the SMTP Secret {named} is not {merged['pa']['name']}'s"
    if any(r in INTERLINKERS for r in roles):
        # Their tokens need the platform's own key.
        key = interlinker_key(merged)
        assert key, "interlinkers enabled without auth.interlinkerKey"
        if pa:
            # A PA's values name its own Secret, not the chart's example.
            chart_default = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))["auth"]["interlinkerKey"]
            named = values.get("auth", {}).get("interlinkerKey", {}).get("secretName")
            assert named and named != chart_default["secretName"], f"the PA's interlinker key Secret: {named}"
            assert merged["pa"]["name"] in named, f"the interlinker key Secret {named} is not {merged['pa']['name']}'s"
    gateway_env = None
    if "gateway" in deployments:
        (gateway,) = deployments["gateway"]["spec"]["template"]["spec"]["containers"]
        gateway_env = {e["name"]: e for e in gateway.get("env", [])}
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
        check_signer(role, spec, container, env, merged)
        check_federation_key(role, spec, container, env, merged)
        check_federation_peers(role, env, merged)
        check_mail(role, env, merged, gateway_env)
        check_webhooks(role, env, merged)
        check_federation(role, env, merged, values if pa else {})
        if role in INTERLINKERS:
            check_interlinker(role, container, env, merged, values if pa else {}, services.get("gateway"))
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
        interlinkers = [r for r in roles if r in INTERLINKERS]
        for role, policy in policies.items():
            ingress = policy["spec"]["ingress"]
            fetching = role == "gateway" and bool(interlinkers)
            assert len(ingress) == 1 + fetching + scraped, role
            if scraped:
                assert ingress[-1]["ports"] == [{"port": "metrics", "protocol": "TCP"}], role
            if role == "gateway":
                # From outside (or the listed peers), and from the
                # interlinkers' pods fetching the platform's keys.
                assert ingress[0]["ports"] == [{"port": "http", "protocol": "TCP"}], role
                peers = merged["networkPolicy"].get("gatewayFrom") or None
                assert ingress[0].get("from") == peers, f"{role}: {ingress[0].get('from')}"
                if fetching:
                    (peer,) = ingress[1]["from"]
                    assert peer["podSelector"] == {
                        "matchLabels": {"app.kubernetes.io/name": "interlink", "app.kubernetes.io/instance": RELEASE},
                        "matchExpressions": [
                            {"key": "app.kubernetes.io/component", "operator": "In", "values": interlinkers}
                        ],
                    }, peer
                    assert ingress[1]["ports"] == [{"port": "http", "protocol": "TCP"}], role
            elif role in INTERLINKERS:
                # An HTTP origin of its own: from the ingress (or the listed peers).
                assert ingress[0]["ports"] == [{"port": "http", "protocol": "TCP"}], role
                peers = merged["networkPolicy"].get("interlinkersFrom") or None
                assert ingress[0].get("from") == peers, f"{role}: {ingress[0].get('from')}"
            elif role != "gateway":
                (peer,) = ingress[0]["from"]
                labels = peer["podSelector"]["matchLabels"]
                assert labels["app.kubernetes.io/component"] == "gateway", labels
                assert ingress[0]["ports"] == [{"port": "grpc", "protocol": "TCP"}]
        if "notifications" in policies:
            # The notifications pod reaches the organizations' webhook
            # endpoints, on any host and port: its egress stays open.
            policy = policies["notifications"]["spec"]
            if "Egress" in policy["policyTypes"]:
                open_rules = [r for r in policy.get("egress") or [] if not r.get("ports") and not r.get("to")]
                assert open_rules, "notifications: egress restricted, webhook endpoints are on any host and port"
        if mail_settings(merged):
            # The notifications pod reaches its SMTP server: egress left
            # open, or open to the SMTP ports.
            policy = policies["notifications"]["spec"]
            if "Egress" in policy["policyTypes"]:
                allowed = set()
                for rule in policy.get("egress") or []:
                    ports = rule.get("ports")
                    if not ports:
                        # Any port.
                        allowed |= SMTP_PORTS
                        continue
                    allowed |= {p.get("port") for p in ports if p.get("protocol", "TCP") == "TCP"}
                assert allowed & SMTP_PORTS, f"notifications: no SMTP egress ({sorted(map(str, allowed))})"
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


def psql_rows(database, sql):
    """The rows `sql` answers in `database` (a postgres:// URL), each a
    list of its columns as text."""
    done = subprocess.run(
        ["psql", database, "-v", "ON_ERROR_STOP=1", "-AtF", "\t", "-c", sql],
        check=True,
        capture_output=True,
    )
    return [line.split("\t") for line in done.stdout.decode().splitlines()]


def thumbprint(public):
    """The RFC 7638 SHA-256 thumbprint of a P-256 key's public point (a
    JWK's x and y): its key id."""
    canonical = json.dumps({"crv": "P-256", "kty": "EC", **public}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def make_interlinker_key(directory, name="interlinker-key.pem"):
    """A P-256 key as a PA makes it (README: the interlinker key Secret, the
    federation key Secret), and its public point as a JWK's x and y."""
    path = os.path.join(directory, name)
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path],
        check=True,
        capture_output=True,
    )
    der = subprocess.run(
        ["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    # SubjectPublicKeyInfo ends with the uncompressed point 04 || x || y.
    point = der[-65:]
    assert point[0] == 4, der.hex()

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    with open(path, "rb") as f:
        return f.read(), {"x": b64(point[1:33]), "y": b64(point[33:])}


def secret_mounts(spec, container, secret_files, directory):
    """The container's Secret volumes as local directories, as the kubelet
    mounts them: {mountPath: local directory} with each item's file from
    `secret_files` ({(Secret name, key): bytes})."""
    volumes = {v["name"]: v for v in spec["volumes"]}
    local = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if secret is None:
            continue
        assert mount.get("readOnly") is True, mount
        target = tempfile.mkdtemp(prefix="secret-", dir=directory)
        for item in secret["items"]:
            content = secret_files[(secret["secretName"], item["key"])]
            with open(os.path.join(target, item["path"]), "wb") as f:
                f.write(content)
            os.chmod(os.path.join(target, item["path"]), secret["defaultMode"])
        local[mount["mountPath"]] = target
    return local


def container_env(container, config, databases, overrides, mounts=None, secret_values=None):
    """The environment a container gets: its ConfigMap and env, each Secret
    reference from `secret_values` ({(Secret name, key): value}), else a
    made-up web secret, else its database."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    for source in container.get("envFrom", []):
        assert source["configMapRef"]["name"] == config["metadata"]["name"]
        env.update(config["data"])
    for item in container.get("env", []):
        ref = item.get("valueFrom", {}).get("secretKeyRef", {})
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif (ref.get("name"), ref.get("key")) in (secret_values or {}):
            env[item["name"]] = secret_values[(ref["name"], ref["key"])]
        elif item["name"] in ("INTERLINK__GATEWAY__WEB__SESSION_KEY", "INTERLINK__GATEWAY__WEB__OIDC_CLIENT_SECRET"):
            env[item["name"]] = secrets.token_hex(32)
        else:
            key = item["valueFrom"]["secretKeyRef"]["key"]
            env[item["name"]] = databases[key]
    # Paths in mounted Secrets: where they are here.
    for name, value in env.items():
        for mount_path, local in (mounts or {}).items():
            if value.startswith(mount_path + "/"):
                env[name] = local + value[len(mount_path) :]
    env.update(overrides)
    return env


def run_roles(objects, binary, nats_url, only=None, secret_values=None, secret_files=None, after=None):
    """Migrates, then starts and stops each role (those of `only`, else
    all) from the rendered objects' environment; Secret references come from
    `secret_values` ({(Secret name, key): value}) or are made here, mounted
    Secrets' files from `secret_files` ({(Secret name, key): bytes}) besides
    the interlinker key made here. `after` is given the roles' database
    URLs (by role) once they have stopped, before they are dropped."""
    unique = uuid.uuid4().hex[:12]
    databases = {}
    for role in SERVICES if only is None else [r for r in SERVICES if r in only]:
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
    # The Secrets the pods mount: the platform's own key for its tokens to
    # interlinkers, made as the README says.
    _, merged = enabled_roles({})
    secret_name, secret_key, _ = interlinker_key(merged)
    pem, public = make_interlinker_key(data)
    secret_files = {(secret_name, secret_key): pem, **(secret_files or {})}
    # The hook's env is inline (it runs before the ConfigMap exists).
    config_for_job = {"metadata": config["metadata"], "data": {}}
    try:
        (job,) = by_kind(objects, "Job")
        for container in job["spec"]["template"]["spec"]["initContainers"]:
            if only is not None and container["args"][1] not in only:
                continue
            env = container_env(container, config_for_job, databases, overrides)
            done = subprocess.run([binary, *container["args"]], env=env, capture_output=True, timeout=120)
            assert done.returncode == 0, f"{container['args']}: {done.stderr.decode()[-2000:]}"
        started = []
        for deployment in by_kind(objects, "Deployment"):
            spec = deployment["spec"]["template"]["spec"]
            (container,) = spec["containers"]
            role = container["args"][1]
            if only is not None and role not in only:
                continue
            mounts = secret_mounts(spec, container, secret_files, data)
            env = container_env(container, config, databases, overrides, mounts, secret_values)
            check = (lambda address: served_key(address, public)) if role == "gateway" else None
            start_and_stop(binary, container["args"], env, ports.get(role), check)
            started.append(role)
        if only is None:
            assert "gateway" in started and "coproduction" in started, started
        else:
            assert sorted(started) == sorted(only), started
        if after is not None:
            after(databases)
    finally:
        for name in databases.values():
            psql(f"DROP DATABASE IF EXISTS {name.rsplit('/', 1)[1]} WITH (FORCE)")


def run_notifications_with_mail(binary, nats_url):
    """The notifications role starts from the chart's environment with
    e-mail on: its SMTP URL from the Secret (nothing is due, so no mail
    goes out), sender, digest hour and links' address taken as given."""
    objects = render(CHART, MAIL_VALUES)
    (deployment,) = [d for d in by_kind(objects, "Deployment") if component(d) == "notifications"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert MAIL_ENV[0] in {e["name"] for e in container["env"]}, "no e-mail in the rendering"
    mail = MAIL_VALUES["notifications"]["mail"]
    smtp_url = f"smtp://127.0.0.1:{free_port()}"
    run_roles(
        objects,
        binary,
        nats_url,
        only=["notifications"],
        secret_values={(mail["smtpSecret"], mail["smtpSecretKey"]): smtp_url},
    )


def run_notifications_with_webhooks(binary, nats_url):
    """The notifications role starts from the chart's environment with every
    webhook setting off its default: the binary takes each env name and
    value the chart gives it."""
    objects = render(CHART, WEBHOOK_VALUES)
    (deployment,) = [d for d in by_kind(objects, "Deployment") if component(d) == "notifications"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    rendered = {e["name"] for e in container["env"]}
    assert set(WEBHOOK_ENV) <= rendered, "no webhook settings in the rendering"
    run_roles(objects, binary, nats_url, only=["notifications"])


def run_federation_with_settings(binary, nats_url):
    """The federation role starts from the chart's environment with its
    public address, name, signing key and peers given: the binary takes
    each env name and value the chart gives it, makes the mounted key (one
    a PA makes with openssl) its current key, with the thumbprint computed
    here, and trusts each declared peer with its pinned keys."""
    objects = render(CHART, FEDERATION_VALUES)
    (deployment,) = [d for d in by_kind(objects, "Deployment") if component(d) == "federation"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    rendered = {e["name"] for e in container["env"]}
    assert set(FEDERATION_ENV) <= rendered, "no federation settings in the rendering"
    assert FEDERATION_KEY_ENV in rendered, "no federation key in the rendering"
    federation = FEDERATION_VALUES["federation"]
    secret = federation["signingKeySecret"]
    with tempfile.TemporaryDirectory() as directory:
        pem, public = make_interlinker_key(directory, "federation-key.pem")
        key_id = thumbprint(public)
        made = subprocess.run([binary, "federation-key-id", os.path.join(directory, "federation-key.pem")], capture_output=True)
        assert made.returncode == 0 and made.stdout.decode().strip() == key_id, f"federation-key-id: {made}"

    def trusted(databases):
        current = psql_rows(databases["federation"], "SELECT kid FROM signing_keys WHERE retired_at IS NULL")
        assert current == [[key_id]], f"current key {current}, the file's {key_id}"
        peers = psql_rows(databases["federation"], "SELECT feed_url, pinned_keys, display_name, paused FROM peers")
        declared = sorted(
            [p["feedUrl"], json.dumps(p["pinnedKeys"], separators=(",", ":")), p.get("displayName", ""), "f"]
            for p in federation["peers"]
        )
        assert sorted(peers) == declared, f"{peers} != {declared}"

    run_roles(
        objects,
        binary,
        nats_url,
        only=["federation"],
        secret_files={(secret["name"], secret["key"]): pem},
        after=trusted,
    )


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


def served_key(address, public):
    """The gateway serves the public half of the mounted interlinker key."""
    with urllib.request.urlopen(f"{address}{JWKS_PATH}", timeout=5) as answer:
        assert answer.status == 200, answer.status
        served = json.load(answer)
    (key,) = served["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256", key
    assert {"x": key["x"], "y": key["y"]} == public, f"not the mounted key: {key}"
    assert key["kid"].startswith("platform-"), key["kid"]


def start_and_stop(binary, args, env, http_port=None, check=None):
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
        if check is not None:
            # `serving role <role> on http: <address>`
            check(line.decode().split()[-1])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, f"{args} did not stop cleanly"
    finally:
        if process.poll() is None:
            process.kill()


def check_compose(path="deploy/compose.yaml"):
    """The compose stack runs every role as `serve <role>` after the
    migrations, with PostgreSQL, NATS, the collector, Prometheus, Grafana
    and a mail catcher for the notifications role's e-mails."""
    with open(path) as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    # A trial on the dev signer: one dev key (the shared `keys` volume) signs
    # people's tokens and the platform's for the interlinkers, which trust
    # it there; no key of the platform's own, no JWKS URL to fetch.
    shared = compose["x-environment"]
    assert shared["INTERLINK__AUTH__DEV_SIGNER"] == "true", shared
    assert "INTERLINK__AUTH__JWKS_URL" not in shared, shared
    for role in ROLES:
        env = services[role]["environment"]
        assert not [k for k in env if k in KEY_ENV], f"{role}: an interlinker key with the dev signer"
        assert "keys:/var/lib/interlink" in services[role]["volumes"], f"{role}: not the shared dev key"
        for interlinker in INTERLINKERS:
            for name in ("ISSUER", "JWKS_URL"):
                assert f"INTERLINK__{interlinker.upper()}__{name}" not in env, f"{role}: {interlinker} {name}"
    for infra in ["postgres", "nats", "otel-collector", "prometheus", "grafana", "migrate", "mail"]:
        assert infra in services, f"no {infra}"
    # The notifications role alone sends e-mail: to the mail catcher (plain
    # SMTP inside the stack), its links to the gateway's published address.
    assert not [k for k in shared if k.startswith("INTERLINK__NOTIFICATIONS__")], "e-mail for every role"
    assert not [k for k in shared if k.startswith("INTERLINK__FEDERATION__")], "federation for every role"
    for role in ROLES:
        env = services[role]["environment"]
        mail_keys = [k for k in env if k.startswith("INTERLINK__NOTIFICATIONS__")]
        if role != "notifications":
            assert not mail_keys, f"{role}: {mail_keys}"
        federation_keys = [k for k in env if k.startswith("INTERLINK__FEDERATION__")]
        if role != "federation":
            assert not federation_keys, f"{role}: {federation_keys}"
    catcher = " ".join(services["mail"]["command"])
    assert "aiosmtpd" in catcher and "aiosmtpd.handlers.Debugging" in catcher, catcher
    listen = re.search(r"-l 0\.0\.0\.0:(\d+)", catcher)
    assert listen, f"mail: listens where? {catcher}"
    assert "ports" not in services["mail"], "mail: published"
    notifications = services["notifications"]
    env = notifications["environment"]
    assert env["INTERLINK__NOTIFICATIONS__SMTP_URL"] == f"smtp://mail:{listen.group(1)}", env
    (published,) = services["gateway"]["ports"]
    host, port, _ = published.rsplit(":", 2)
    assert env["INTERLINK__NOTIFICATIONS__PUBLIC_URL"] == f"http://{host}:{port}", env
    assert "mail" in notifications["depends_on"], notifications["depends_on"]
    # The federation role's feed is issued as the gateway's published address.
    env = services["federation"]["environment"]
    assert env["INTERLINK__FEDERATION__PUBLIC_URL"] == f"http://{host}:{port}", env
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

    def mail():
        objects = render(CHART, MAIL_VALUES)
        validate(objects)
        check_properties(objects, MAIL_VALUES, pa=False)
        (notifications,) = [d for d in by_kind(objects, "Deployment") if component(d) == "notifications"]
        (container,) = notifications["spec"]["template"]["spec"]["containers"]
        assert MAIL_ENV[0] in {e["name"] for e in container["env"]}, "no e-mail with notifications.mail.smtpSecret"

    checks.append(("chart gives the notifications role e-mail with notifications.mail", mail))

    def webhooks():
        objects = render(CHART, WEBHOOK_VALUES)
        validate(objects)
        check_properties(objects, WEBHOOK_VALUES, pa=False)

    checks.append(("chart gives the notifications role its webhook settings from notifications.webhooks", webhooks))

    def federation():
        objects = render(CHART, FEDERATION_VALUES)
        validate(objects)
        check_properties(objects, FEDERATION_VALUES, pa=False)

    checks.append(
        (
            "chart gives the federation role its public address, name, signing key and peers from federation",
            federation,
        )
    )
    checks.append(("the pilots' values federate each pilot with the other two", check_pilots_federated))
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
        checks.append(
            (
                "the notifications role starts with the chart's e-mail settings",
                lambda: run_notifications_with_mail(args.binary, args.nats_url),
            )
        )
        checks.append(
            (
                "the notifications role starts with the chart's webhook settings",
                lambda: run_notifications_with_webhooks(args.binary, args.nats_url),
            )
        )
        checks.append(
            (
                "the federation role starts with the chart's federation settings, key and peers",
                lambda: run_federation_with_settings(args.binary, args.nats_url),
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
