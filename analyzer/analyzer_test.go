package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/portlint/portlint"
	"github.com/portlint/portlint/analyzer"
)

func TestSmoke(t *testing.T) {
	reg, err := portlint.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), analyzer.New(reg), "smoke")
}
