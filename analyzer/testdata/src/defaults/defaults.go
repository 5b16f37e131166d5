// Package defaults exercises configuration defaults in webserver's code.
// webserver owns 20200 and 20201 in range engine.mgmt.apps [20200, 20300).
//
//portlint:component webserver
package defaults

import (
	"cmp"
	"flag"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"github.com/urfave/cli/v2"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Constants and variables whose names say port or address.
const DefaultPort = 20200 // its own port

const metricsPort = 20210 // want `port 20210 is in webserver's range engine.mgmt.apps but not registered \[unregistered\]`

const legacyPort = 8299 // want `port 8299 is retired: webserver moved to 20200; no fix: webserver already listens on 20200`

var listenAddr = "0.0.0.0:20211" // want `port 20211 is in webserver's range`

var healthAddr string = ":20212" // want `port 20212 is in webserver's range`

type Port int

const adminDefault Port = 20213 // want `port 20213 is in webserver's range`

// a reference to another component's port names it: not a claim
const dataDamPort = 28951

var webserverURL = "http://localhost:20201/api"

type Config struct {
	ListenPort  int
	BindAddress string
	Ports       []int
	Name        string
	Replicas    int
	Target      intstr.IntOrString
	HealthPort  intstr.IntOrString
}

// Struct tags: defaults on fields that say port, by name or by setting.
type Settings struct {
	HTTPPort    int    `env:"HTTP_PORT" envDefault:"20214"`                // want `port 20214 is in webserver's range`
	Metrics     string `env:"METRICS_ADDR" default:":20215"`               // want `port 20215 is in webserver's range`
	AdminListen string `yaml:"admin_listen" env-default:"127.0.0.1:20216"` // want `port 20216 is in webserver's range`
	Workers     int    `env:"WORKERS" envDefault:"20200"`                  // not a port
	Timeout     int    `default:"20201"`                                   // not a port
}

func configs(cmd *cobra.Command, fs *pflag.FlagSet) {
	flag.Int("port", 20220, "port to serve the UI on") // want `port 20220 is in webserver's range`
	var p int
	flag.IntVar(&p, "metrics-port", 20221, "metrics port")          // want `port 20221 is in webserver's range`
	flag.String("listen-address", ":20222", "address to listen on") // want `port 20222 is in webserver's range`
	var s string
	flag.StringVar(&s, "http", "127.0.0.1:20223", "the address to serve HTTP on") // want `port 20223 is in webserver's range`
	flag.Int("p", 20224, "port to listen on")                                     // want `port 20224 is in webserver's range`
	flag.Int("workers", 20225, "how many workers")                                // not a port
	flag.Duration("port-timeout", 20226*time.Millisecond, "how long to wait")     // not a port

	cmd.Flags().IntP("grpc-port", "g", 20230, "gRPC port")                      // want `port 20230 is in webserver's range`
	cmd.PersistentFlags().StringVarP(&s, "bind", "b", ":20231", "bind address") // want `port 20231 is in webserver's range`
	fs.Uint16("debug-port", 20232, "pprof port")                                // want `port 20232 is in webserver's range`
	fs.StringSlice("listen", []string{":20233", ":20234"}, "listeners")         // want `port 20233 is in webserver's range` `port 20234 is in webserver's range`
	pflag.Int("port-count", 20235, "ports to reserve")                          // not a port: a count

	app := kingpin.New("web", "")
	app.Flag("web.listen-address", "Address to listen on for UI and API.").Default(":20236").String() // want `port 20236 is in webserver's range`
	kingpin.Flag("scrape-interval", "How often to scrape the port.").Default("20237").Duration()      // not a port

	_ = []cli.Flag{
		&cli.IntFlag{Name: "port", Value: 20238, Usage: "port to serve"},                              // want `port 20238 is in webserver's range`
		&cli.StringFlag{Name: "upstream", Value: "http://localhost:20200", Usage: "where to forward"}, // a target: fine
		&cli.IntFlag{Name: "retries", Value: 20239},                                                   // not a port
	}

	viper.SetDefault("server.port", 20240) // want `port 20240 is in webserver's range`
	v := viper.New()
	v.SetDefault("http.listen_addr", ":20241") // want `port 20241 is in webserver's range`
	v.SetDefault("server.read_timeout", 20242) // not a port

	_ = Config{
		ListenPort:  20243,               // want `port 20243 is in webserver's range`
		BindAddress: "0.0.0.0:20244",     // want `port 20244 is in webserver's range`
		Ports:       []int{20200, 20245}, // want `port 20245 is in webserver's range`
		Name:        "web:20246",         // a name, not an address
		Replicas:    20247,               // not a port
		Target:      intstr.FromInt(20248),
		HealthPort:  intstr.FromInt(20249), // want `port 20249 is in webserver's range`
	}
	cfg := map[string]any{
		"port":    20250, // want `port 20250 is in webserver's range`
		"workers": 20251,
	}
	cfg["admin_port"] = 20252 // want `port 20252 is in webserver's range`
	var c Config
	c.ListenPort = 20253 // want `port 20253 is in webserver's range`
	port := "20254"      // want `port 20254 is in webserver's range`
	if port == "" {
		port = "20255" // want `port 20255 is in webserver's range`
	}
	startServer(20256) // want `port 20256 is in webserver's range`
	serve(nil, 20257)  // not a port: the parameter says count
	WithPort(20258)    // want `port 20258 is in webserver's range`
	_ = isValidPort(20259)
	_, _, _ = c, port, cfg
}

// Environment lookups with defaults, client options, protocols.
func more() {
	port := cmp.Or(os.Getenv("PORT"), "20261")                  // want `port 20261 is in webserver's range`
	_ = getEnv("HTTP_PORT", "20262")                            // want `port 20262 is in webserver's range`
	_ = getEnv("WORKERS", "20263")                              // not a port
	_ = getEnv("LISTEN_ADDR", ":20264")                         // want `port 20264 is in webserver's range`
	_ = redis.NewClient(&redis.Options{Addr: "localhost:6379"}) // a client of the customer's Redis
	_ = ContainerPort{ContainerPort: 20265, Protocol: "UDP"}    // want `port 20265/udp is in webserver's range`
	_ = port
}

type endpoint struct {
	name string
	port int
}

// Tables of ports: unkeyed struct literals and loops over literal lists.
var endpoints = []endpoint{{"http", 20266}, {"grpc", 20267}} // want `port 20266 is in webserver's range` `port 20267 is in webserver's range`

type receiverConfig struct{ Endpoint string }

// An endpoint on all addresses is where the process listens (an
// OpenTelemetry receiver); one on a host is where it connects.
var (
	receiver = receiverConfig{Endpoint: "0.0.0.0:20273"} // want `port 20273 is in webserver's range`
	exporter = receiverConfig{Endpoint: "localhost:20274"}
)

func loops() {
	for _, port := range []int{20268, 20269} { // want `port 20268 is in webserver's range` `port 20269 is in webserver's range`
		startServer(port)
	}
	for _, addr := range [...]string{":20270", "127.0.0.1:20271"} { // want `port 20270 is in webserver's range` `port 20271 is in webserver's range`
		_ = addr
	}
}

// Statsd is a metrics client; its address is where it sends.
type Statsd struct{ Address string }

// SetDefaults points it at the agent on the host.
func (s *Statsd) SetDefaults() {
	s.Address = "localhost:8125" // a client's target: no finding
}

func getEnv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

type ContainerPort struct {
	ContainerPort int32
	Protocol      string
}

func startServer(port int)         {}
func serve(_ any, workerCount int) {}
func WithPort(p int) func()        { return nil }
func isValidPort(p int) bool       { return p > 0 && p < 65536 }

func defaultAdminPort() int {
	return 20260 // want `port 20260 is in webserver's range`
}
