// Package ports declares a port that belongs to data_dam, in webserver's
// code: one finding, here, however many places use it.
//
//portlint:component webserver
package ports

const DamPort = 28951 // want `port 28951 belongs to data_dam \(SE-W\), not webserver`
