{{/* The release's resource name: fullnameOverride, else the release name. */}}
{{- define "helpdesk.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride -}}
{{- end -}}

{{/* Selector labels: fixed for the life of a release (a Deployment's selector cannot change). */}}
{{- define "helpdesk.selectorLabels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "helpdesk.labels" -}}
{{ include "helpdesk.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* The Secret the pod reads its tokens, DATABASE_URL and portals.yaml from. */}}
{{- define "helpdesk.secretName" -}}
{{- default (include "helpdesk.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "helpdesk.replicas" -}}
{{- if eq .Values.slack.mode "socket" -}}
{{- .Values.replicaCount | default 1 -}}
{{- else -}}
{{- .Values.replicaCount | default 2 -}}
{{- end -}}
{{- end -}}

{{- define "helpdesk.checkMode" -}}
{{- if not (or (eq .Values.slack.mode "http") (eq .Values.slack.mode "socket")) -}}
{{- fail "slack.mode must be http or socket" -}}
{{- end -}}
{{- end -}}
