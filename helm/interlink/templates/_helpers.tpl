{{/* The release's base name. */}}
{{- define "interlink.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The roles, in start-up order; services keep a database. The gRPC
services sit behind the gateway; the first-party interlinkers (documents,
surveys) serve HTTP on an origin of their own, not through the gateway. */}}
{{- define "interlink.grpcServices" -}}community catalogue coproduction monitoring notifications federation{{- end -}}
{{- define "interlink.interlinkers" -}}documents surveys{{- end -}}
{{- define "interlink.services" -}}community catalogue coproduction monitoring notifications federation documents surveys{{- end -}}
{{- define "interlink.roles" -}}gateway community catalogue coproduction monitoring notifications federation documents surveys{{- end -}}

{{/* The HTTP port an interlinker listens on in its pod. */}}
{{- define "interlink.interlinkerPort" -}}
{{- if eq . "documents" -}}8091{{- else -}}8092{{- end -}}
{{- end -}}

{{/* An interlinker's public URL: pass (dict "root" $ "role" $role). */}}
{{- define "interlink.interlinkerUrl" -}}
{{- $values := index .root.Values .role -}}
{{- required (printf "%s.publicUrl is required with %s.enabled: the address people and the platform reach the %s interlinker at (its own origin, e.g. its ingress host)" .role .role .role) $values.publicUrl | trimSuffix "/" -}}
{{- end -}}

{{/* The platform's own key for its tokens to interlinkers
(auth.interlinkerKey): where coproduction and the gateway find the PEM file
mounted from its Secret. */}}
{{- define "interlink.interlinkerKeyDir" -}}/etc/interlink/interlinker-key{{- end -}}
{{- define "interlink.interlinkerKeyFile" -}}interlinker-key.pem{{- end -}}

{{/* The federation role's signing key (federation.signingKeySecret): where
its pods find the PEM file mounted from its Secret. */}}
{{- define "interlink.federationKeyDir" -}}/etc/interlink/federation-key{{- end -}}
{{- define "interlink.federationKeyFile" -}}federation-key.pem{{- end -}}

{{/* The Secret of that key: its name, or empty (no key of its own); fails
when an enabled first-party interlinker needs it, as it does in every
deployment of this chart (people sign in with the PA's OIDC provider, which
never signs the platform's tokens for interlinkers). */}}
{{- define "interlink.interlinkerKeySecret" -}}
{{- $key := .Values.auth.interlinkerKey | default dict -}}
{{- if and (not $key.secretName) (or .Values.documents.enabled .Values.surveys.enabled) -}}
{{- fail "auth.interlinkerKey.secretName is required with documents or surveys enabled: the existing Secret holding the platform's own P-256 key (PKCS#8 PEM, under auth.interlinkerKey.key) for its tokens to interlinkers — openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out interlinker-key.pem; kubectl create secret generic <name> --from-file=interlinker-key.pem" -}}
{{- end -}}
{{- $key.secretName | default "" -}}
{{- end -}}

{{/* The `iss` of the platform's tokens for interlinkers: auth.interlinkerKey.issuer,
else gateway.web.publicUrl (call only with a key). */}}
{{- define "interlink.interlinkerIssuer" -}}
{{- required "auth.interlinkerKey.issuer is required when gateway.web.publicUrl is empty: the `iss` of the platform's tokens for interlinkers (its public address)" (default .Values.gateway.web.publicUrl .Values.auth.interlinkerKey.issuer) -}}
{{- end -}}

{{/* Where the gateway serves the public half of that key inside the
cluster: its Service, for the interlinkers' pods. */}}
{{- define "interlink.interlinkerJwksUrl" -}}
{{- if not .Values.gateway.enabled -}}
{{- fail "documents.jwksUrl and surveys.jwksUrl (with their issuer) are required with gateway.enabled false: the gateway serves the platform's keys for interlinkers" -}}
{{- end -}}
{{- $port := int64 .Values.gateway.service.port -}}
{{- printf "http://%s-gateway.%s.svc%s/.well-known/interlinker-jwks.json" (include "interlink.fullname" .) .Release.Namespace (ternary "" (printf ":%d" $port) (eq $port 80)) -}}
{{- end -}}

{{- define "interlink.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: interlink
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role: pass (dict "root" $ "role" $role). */}}
{{- define "interlink.selectorLabels" -}}
app.kubernetes.io/name: interlink
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "interlink.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Hardened pod and container security contexts. */}}
{{- define "interlink.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "interlink.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Settings every role reads, as INTERLINK__SECTION__KEY variables. */}}
{{- define "interlink.env" -}}
INTERLINK__DATA_DIR: /var/lib/interlink
INTERLINK__GRPC__LISTEN: "0.0.0.0:50051"
INTERLINK__GATEWAY__LISTEN: "0.0.0.0:8080"
INTERLINK__NATS__URL: {{ .Values.nats.url | quote }}
INTERLINK__NATS__STREAM: {{ .Values.nats.stream | quote }}
INTERLINK__NATS__SUBJECT_ROOT: {{ .Values.nats.subjectRoot | quote }}
INTERLINK__DATABASE__MAX_CONNECTIONS: {{ .Values.database.maxConnections | int64 | quote }}
INTERLINK__AUTH__ISSUER: {{ required "auth.issuer is required (the PA's OIDC issuer)" .Values.auth.issuer | quote }}
INTERLINK__AUTH__JWKS_URL: {{ required "auth.jwksUrl is required" .Values.auth.jwksUrl | quote }}
INTERLINK__AUTH__AUDIENCE: {{ .Values.auth.audience | quote }}
INTERLINK__AUTH__ADMIN_CLAIM: {{ .Values.auth.adminClaim | quote }}
INTERLINK__TELEMETRY__FORMAT: {{ .Values.telemetry.logFormat | quote }}
INTERLINK__TELEMETRY__FILTER: {{ .Values.telemetry.logFilter | quote }}
OTEL_RESOURCE_ATTRIBUTES: {{ printf "service.namespace=%s,interlink.pa=%s,interlink.languages=%s" .Release.Namespace .Values.pa.name (join "%2C" .Values.pa.languages) | quote }}
{{- with .Values.telemetry.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- if .Values.telemetry.prometheus.enabled }}
INTERLINK__TELEMETRY__PROMETHEUS_LISTEN: {{ printf "0.0.0.0:%d" (int64 .Values.telemetry.prometheus.port) | quote }}
{{- end }}
{{- end -}}

{{/* The database URL of a service role, from the existing Secret. */}}
{{- define "interlink.databaseEnv" -}}
- name: INTERLINK__DATABASE__URL
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.database.existingSecret }}
      key: {{ .role }}
{{- end -}}
