package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDiscover(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"deploy/web/deployment.yaml":    "apiVersion: apps/v1\nkind: Deployment\n",
		"deploy/web/service.yml":        "apiVersion: v1\nkind: Service\n",
		"docker-compose.yaml":           "services:\n  web: {image: x}\n",
		"config/app.json":               "{\"listen\": \":20200\"}\n",
		"config/app.yaml":               "server:\n  port: 20200\n",
		"envoy/bootstrap.yaml":          "static_resources: {}\n",
		"kuma/dp.yaml":                  "type: Dataplane\nmesh: default\n",
		"notes/readme.yaml":             "title: nothing here\nitems: [a, b]\n",
		"deploy/old/legacy.yaml":        "apiVersion: v1\nkind: Pod\n",
		"deploy/web/skip-me.yaml":       "apiVersion: v1\nkind: Pod\n",
		"vendor/x/k8s.yaml":             "apiVersion: v1\nkind: Pod\n",
		"testdata/k8s.yaml":             "apiVersion: v1\nkind: Pod\n",
		"node_modules/x/compose.yaml":   "services: {}\n",
		".git/config.yaml":              "port: 1\n",
		".github/workflows/ci.yml":      "jobs: {}\n",
		"charts/web/Chart.yaml":         "apiVersion: v2\nname: web\n",
		"charts/web/values.yaml":        "service:\n  port: 20200\n",
		"charts/web/templates/svc.yaml": "apiVersion: v1\nkind: Service\n",
		"main.go":                       "package main\n",
		"deploy/web/README.md":          "port: 20200\n",
		"package.json":                  "{\"port\": 3000}\n",
		"config/ENV.yaml":               "- HTTP_PORT=20200\n",
		"config/kafka.yaml":             "kafka:\n  brokers:\n    - localhost:9092\n",
		"config/pipeline.yaml":          "exporters: [kafka]\nprocessors: [batch]\n",
	}
	for p, s := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := Discover([]string{root, filepath.Join(root, "notes/readme.yaml")}, []string{"deploy/old/**", "skip-me.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(root, got[i])
		got[i] = filepath.ToSlash(got[i])
	}
	want := []string{
		"charts/web/templates/svc.yaml",
		"charts/web/values.yaml",
		"config/ENV.yaml",
		"config/app.json",
		"config/app.yaml",
		"config/kafka.yaml",
		"deploy/web/deployment.yaml",
		"deploy/web/service.yml",
		"docker-compose.yaml",
		"envoy/bootstrap.yaml",
		"kuma/dp.yaml",
		"notes/readme.yaml", // named as a root: kept whatever it holds
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover found\n%q\nwant\n%q", got, want)
	}
	if _, _, err := Discover([]string{filepath.Join(root, "missing")}, nil); err == nil {
		t.Error("Discover of a missing root gave no error")
	}
}
