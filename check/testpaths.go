package check

import (
	"path"
	"strings"
)

// testDirs are the directory (and package) names that hold test code and
// test resources outside _test.go files: helpers, fakes, mocks, sample
// resources and end-to-end suites. Their ports are test fixtures, not the
// product's: like _test.go files, they are checked only with -test.
var testDirs = map[string]bool{
	"test": true, "tests": true, "testutil": true, "testutils": true,
	"testhelper": true, "testhelpers": true, "testdata": true, "testenv": true,
	"fake": true, "fakes": true, "mock": true, "mocks": true, "e2e": true, "fixtures": true,
}

// IsTestDir reports whether a slash-separated directory path, relative to
// the module or project root, lies in a directory named for tests: test/,
// tests/, testutil/, testdata/, fake/, fakes/, mock/, mocks/, e2e/ and the
// like, or one whose name ends in "_test", "-tests" or "-e2e"
// (integration_test/, e2e-tests/). For a package, pass its import path
// below the module path.
func IsTestDir(rel string) bool {
	for _, p := range strings.Split(path.Clean(rel), "/") {
		l := strings.ToLower(p)
		if testDirs[l] {
			return true
		}
		for _, suf := range []string{"_test", "-test", "_tests", "-tests", "_e2e", "-e2e"} {
			if strings.HasSuffix(l, suf) && len(l) > len(suf) {
				return true
			}
		}
	}
	return false
}

// IsTestFile reports whether a slash-separated file path, relative to the
// project root, lies in a test directory (see IsTestDir).
func IsTestFile(rel string) bool { return IsTestDir(path.Dir(rel)) }
