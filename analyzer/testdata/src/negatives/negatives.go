// Package negatives holds things that look like ports but are not, beside
// real port uses, in webserver's code (engine.mgmt.apps [20200, 20300)).
// Every line without a want must stay silent.
//
//portlint:component webserver
package negatives

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Numbers about ports are not ports.
const (
	maxPort        = 65535 // 1: an upper bound
	minPort        = 1024  // 2: a lower bound
	portCount      = 20200 // 3: a count
	numPorts       = 20201 // 4: a count
	portRangeStart = 20200 // 5: a bound of a range
	portTimeout    = 20202 // 6: a timeout
	maxPorts       = 28952 // 7
)

// Numbers equal to port numbers that are something else.
const (
	defaultTimeout  = 20200 * time.Millisecond // 8: a timeout
	cacheSize       = 20200                    // 9: a size
	bufferSize      = 28952                    // 10
	maxConns        = 8080                     // 11: a count
	version         = 20200                    // 12: a version
	uid             = 20200                    // 13: a user id
	gid             = 28952                    // 14: a group id
	fileMode        = 0o644                    // 15: a file mode
	qps             = 8080                     // 16: queries per second
	burst           = 20300                    // 17
	statusCode      = 200                      // 18: an HTTP status
	retries         = 8099                     // 19
	portName        = "http"                   // 20: a port's name
	portEnv         = "HTTP_PORT"              // 21: an environment variable's name
	listenAddrFlag  = "listen-address"         // 22: a flag's name
	portPattern     = `^\d{1,5}$`              // 23: a pattern
	unixSOREUSEPORT = 15                       // 67: a socket option, not a port
	transportKind   = 8080                     // 68
)

var (
	workers   = 8080                                                        // 24
	ttl       = 20200 * time.Second                                         // 25
	transport = &http.Transport{MaxIdleConns: 8080}                         // 26: Transport is not a port
	exporter  = struct{ Report, Support int }{Report: 8080, Support: 20200} // 27
	validPort = regexp.MustCompile(`:(\d+)$`)                               // 28
)

const listenPort = 20270 // want `port 20270 is in webserver's range engine.mgmt.apps but not registered`

func traps(w http.ResponseWriter, port int, ports []int, table [20200]int) error {
	if port > 65535 || port < 1 { // 29: a validity check
		return errors.New("port out of range")
	}
	if port == 8099 { // 30: a comparison
		return nil
	}
	switch port {
	case 20200, 8080: // 31: case values
	}
	time.Sleep(8080 * time.Millisecond)                                                                   // 32: a duration
	_ = make([]byte, 20200)                                                                               // 33: a size
	_ = ports[20201%len(ports)]                                                                           // 34: an index
	_ = table[8099]                                                                                       // 35: an array index
	_ = os.Chown("/tmp/x", 20200, 28952)                                                                  // 36: uid and gid
	_ = os.Chmod("/tmp/x", 0o755)                                                                         // 37: a file mode
	w.WriteHeader(http.StatusTeapot)                                                                      // 38: a status code
	w.WriteHeader(404)                                                                                    // 39
	log.Printf("listening on :8099")                                                                      // 40: prose in a log line
	_ = fmt.Errorf("port %d is retired", 8099)                                                            // 41: prose in an error
	_ = "see http://example.com:8099/docs for details"                                                    // 42: prose with spaces
	_ = "12:30"                                                                                           // 43: a time of day
	_ = "16:9"                                                                                            // 44: a ratio
	_ = "nginx:1.25"                                                                                      // 45: an image tag
	_ = "busybox:20200"                                                                                   // 46: a name and a tag, no dotted host
	_ = "a:b:c"                                                                                           // 47
	_ = strings.Repeat("-", 8080)                                                                         // 48: a count
	_ = strings.HasSuffix("localhost:8099", ":8099")                                                      // 49: string handling
	flag.Int("workers", 8080, "number of worker goroutines")                                              // 50: a count flag
	flag.Duration("shutdown-timeout", 20200*time.Millisecond, "how long to wait for port 20200 to drain") // 51: help prose
	flag.Int("max-port", 65535, "highest port to scan")                                                   // 52: a bound
	flag.Int("port-retries", 8099, "how often to retry the port")                                         // 53: a count
	flag.String("name", "webserver:20200", "the name of the service")                                     // 54: not an address flag
	flag.Int("cache-size", 20200, "entries kept per port")                                                // 55
	l, _ := net.Listen("tcp", "127.0.0.1:0")                                                              // 56: any free port
	_ = &http.Server{Addr: ":0"}                                                                          // 57: any free port
	_ = net.JoinHostPort("localhost", "0")                                                                // 58
	counts := map[string]int{"workers": 8080, "replicas": 20200}                                          // 59: keys that are not ports
	var arr [8080]byte                                                                                    // 60: an array length
	_ = 20200                                                                                             // 61: a bare number
	_ = time.Duration(28952)                                                                              // 62
	// listen on :8099 and dial localhost:20201                             // 63: a comment
	_, _, _ = net.SplitHostPort("example.com" + ":80") // 66: parsing, not a use
	_, _, _ = l, counts, arr
	net.Listen("tcp", ":20271") // want `port 20271 is in webserver's range engine.mgmt.apps but not registered`
	return nil
}

// validPortNumber is a predicate: its argument is being checked, not used.
func validPortNumber(p int) bool { return p > 0 && p < 65536 }

// isPortFree is a predicate too.
func isPortFree(p int) bool { return p != 20200 }

func callers() {
	_ = validPortNumber(20280) // 64
	_ = isPortFree(20281)      // 65
	useAddr(20282)             // want `port 20282 is in webserver's range`
}

func useAddr(port int) {}

type limit struct {
	name  string
	count int
	port  int
}

// Loops and tables whose numbers are not ports.
func tables() {
	_ = []limit{{"workers", 8080, 0}, {"replicas", 20200, 0}} // 67: unkeyed fields that are not ports; port 0
	for _, size := range []int{8080, 20200} {                 // 68: a loop over sizes
		_ = size
	}
	for _, port := range []string{"http", "https"} { // 69: port names, not numbers
		_ = port
	}
	for port := range []int{20200, 20201} { // 70: the key is an index, not the value
		_ = port
	}
	for port := range 20200 { // 71: a loop bound
		_ = port
	}
}

type pool struct{ port int }

// Arithmetic on a port and a client library's defaults.
func (p *pool) next(o *redis.Options) {
	p.port += 1               // 72: an increment, not port 1
	p.port -= 20200           // 73: an offset
	o.Addr = "localhost:6379" // 74: the customer's Redis, where a client connects
}

// RedirectPortSelection is an enumeration whose name says port: its values
// are choices, not port numbers.
type RedirectPortSelection int32

const (
	FromProtocolDefault RedirectPortSelection = 0
	FromRequestPort     RedirectPortSelection = 1
)

func (s RedirectPortSelection) String() string { return "choice" }

type httpRedirect struct {
	DerivePort RedirectPortSelection
	Port       int
}

func enums() {
	_ = httpRedirect{DerivePort: FromRequestPort} // a choice of how to derive the port
	_ = httpRedirect{Port: 20210}                 // want `port 20210 is in webserver's range engine.mgmt.apps but not registered`
	codes := fmt.Sprint(http.StatusOK) + ":1"     // a status code and its weight
	weights := "200:1,503:2"                      // status codes with weights, not host:port
	_, _ = codes, weights
}

func withDefaultPort(host, port string) string { return net.JoinHostPort(host, port) }

// A helper that fills in a default port for a dial: the port is the
// remote's, where the code connects.
func probe(host string) {
	net.DialTimeout("tcp", withDefaultPort(host, "80"), time.Second)
	withDefaultPort(host, "20211") // want `port 20211 is in webserver's range engine.mgmt.apps but not registered`
}

type jwks struct {
	UseSSL bool
	Port   int
}

// The default port of a URL scheme is the server's, where a client goes.
func parseJwks(scheme string) jwks {
	info := jwks{}
	switch scheme {
	case "http":
		info.Port = 80
	case "https":
		info.UseSSL, info.Port = true, 443
	default:
		info.Port = 20212 // want `port 20212 is in webserver's range engine.mgmt.apps but not registered`
	}
	if scheme == "wss" {
		info.Port = 443
	}
	return info
}

type prometheusScrapeConfig struct{ Port string }

// A scrape configuration's port is the target's.
func scrapeDefaults(prom *prometheusScrapeConfig) {
	if prom.Port == "" {
		prom.Port = "80"
	}
}

// Telling traffic to a port apart names the port and claims nothing.
func plaintext(addr, name string) bool {
	_ = strings.HasSuffix(name, ":20213") // a name, not an address
	return strings.HasSuffix(addr, ":15010")
}

func defaultPort(hostMaybePort, dp string) string { return net.JoinHostPort(hostMaybePort, dp) }

// A helper named for a port, whose result a dial connects to.
func ping(host string) {
	net.DialTimeout("tcp", defaultPort(host, "80"), time.Second)
}

// The collector a tracer sends spans to is where the code connects.
const DefaultDistributedTracingAddress = "localhost:4317"

var tracingAddr = flag.String("experimental-distributed-tracing-address", DefaultDistributedTracingAddress, "address for distributed tracing")
