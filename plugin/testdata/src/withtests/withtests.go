// Package withtests is checked with the tests setting on.
//
//portlint:component api
package withtests
