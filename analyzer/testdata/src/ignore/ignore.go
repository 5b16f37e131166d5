// Package ignore exercises //portlint:ignore directives in data_dam's code.
//
//portlint:component data_dam
package ignore

import "net"

func f() {
	net.Listen("tcp", ":20200") //portlint:ignore conflict shares the webserver's port during the 2.0 migration
	net.Listen("tcp", ":20201") // want `port 20201 belongs to webserver`

	//portlint:ignore conflict,retired legacy listener kept for old agents
	net.Listen("tcp", ":8099")

	//portlint:ignore all temporary, see ENG-1234
	net.Listen("tcp", ":15001")

	//portlint:ignore conflict // want `portlint:ignore conflict has no reason; say why the finding is acceptable \[directive\]`
	net.Listen("tcp", ":20201") // want `port 20201 belongs to webserver`

	//portlint:ignore conflicts typo in the name // want `portlint:ignore: unknown check "conflicts"`
	net.Listen("tcp", ":20300") // want `port 20300 belongs to etcd-engine`

	//portlint:ignore reserved nothing here is reserved // want `portlint:ignore directive suppresses nothing; remove it \[directive\]`
	net.Listen("tcp", ":28951")

	//portlint:ignore retired wrong check named // want `portlint:ignore directive suppresses nothing`
	net.Listen("tcp", ":20100") // want `port 20100 belongs to nexus`

	//portlint:ignore // want `portlint:ignore needs the checks to silence and a reason`

	// portlint:ignore conflict prose about a directive is not one
	net.Listen("tcp", ":20202") // want `port 20202 belongs to admin_dam`
}
