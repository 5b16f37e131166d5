package check

import (
	"strings"
	"unicode"
)

// Words splits an identifier, flag name, struct tag key or config key into
// lowercase words: "defaultListenAddr" -> default listen addr,
// "web.listen-address" -> web listen address, "HTTP_PORT" -> http port.
func Words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r):
			// a new word starts at an upper-case letter after a lower-case
			// one or a digit ("listenPort"), or before the last capital of
			// an acronym ("HTTPPort" -> http port)
			if i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])) {
				flush()
			} else if i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// names reports whether the words of a use's names include every word of
// name: "agentAddr" names agent, "adminDamPort" names admin_dam.
func namesComponent(useWords map[string]bool, name string) bool {
	ws := Words(name)
	if len(ws) == 0 || len(useWords) == 0 {
		return false
	}
	for _, w := range ws {
		if !useWords[w] {
			return false
		}
	}
	return true
}

// wordSet returns the words of all names.
func wordSet(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		for _, w := range Words(n) {
			m[w] = true
		}
	}
	return m
}
