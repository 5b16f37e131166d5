{{- define "lib.probe" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
{{- end }}
