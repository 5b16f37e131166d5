{{- define "web.name" -}}
{{ .Chart.Name }}
{{- end }}
{{- define "web.labels" -}}
app.kubernetes.io/name: {{ include "web.name" . }}
{{- end }}
