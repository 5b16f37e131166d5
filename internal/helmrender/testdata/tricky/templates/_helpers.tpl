{{- define "tricky.port" -}}
{{ .Values.port }}
{{- end }}
