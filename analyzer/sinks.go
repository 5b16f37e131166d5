package analyzer

import "github.com/portlint/portlint/check"

// sinkKind says how a sink's argument holds the port.
type sinkKind uint8

const (
	sinkAddr    sinkKind = iota // "host:port"
	sinkURL                     // a URL with an explicit port (or host:port)
	sinkTCPAddr                 // a *net.TCPAddr / *net.UDPAddr value
)

// A sink is a function whose argument is an address the code listens on or
// dials.
type sink struct {
	arg   int // index of the address argument
	netw  int // index of the network argument ("tcp", "udp"), -1 when fixed
	role  check.Role
	kind  sinkKind
	proto string // the protocol when there is no network argument
}

// sinks maps a callee ("pkg/path.Func" or "pkg/path.Type.Method") to where
// its address is.
var sinks = map[string]sink{
	"net.Listen":                         {1, 0, check.Listen, sinkAddr, ""},
	"net.ListenPacket":                   {1, 0, check.Listen, sinkAddr, ""},
	"net.ListenTCP":                      {1, 0, check.Listen, sinkTCPAddr, ""},
	"net.ListenUDP":                      {1, 0, check.Listen, sinkTCPAddr, ""},
	"net.ListenMulticastUDP":             {2, 0, check.Listen, sinkTCPAddr, ""},
	"net.ListenConfig.Listen":            {2, 1, check.Listen, sinkAddr, ""},
	"net.ListenConfig.ListenPacket":      {2, 1, check.Listen, sinkAddr, ""},
	"crypto/tls.Listen":                  {1, 0, check.Listen, sinkAddr, ""},
	"net/http.ListenAndServe":            {0, -1, check.Listen, sinkAddr, "tcp"},
	"net/http.ListenAndServeTLS":         {0, -1, check.Listen, sinkAddr, "tcp"},
	"net.Dial":                           {1, 0, check.Dial, sinkAddr, ""},
	"net.DialTimeout":                    {1, 0, check.Dial, sinkAddr, ""},
	"net.Dialer.Dial":                    {1, 0, check.Dial, sinkAddr, ""},
	"net.Dialer.DialContext":             {2, 1, check.Dial, sinkAddr, ""},
	"net.DialTCP":                        {2, 0, check.Dial, sinkTCPAddr, ""},
	"net.DialUDP":                        {2, 0, check.Dial, sinkTCPAddr, ""},
	"crypto/tls.Dial":                    {1, 0, check.Dial, sinkAddr, ""},
	"crypto/tls.DialWithDialer":          {2, 1, check.Dial, sinkAddr, ""},
	"crypto/tls.Dialer.Dial":             {1, 0, check.Dial, sinkAddr, ""},
	"crypto/tls.Dialer.DialContext":      {2, 1, check.Dial, sinkAddr, ""},
	"net/rpc.Dial":                       {1, 0, check.Dial, sinkAddr, ""},
	"net/rpc.DialHTTP":                   {1, 0, check.Dial, sinkAddr, ""},
	"net/smtp.Dial":                      {0, -1, check.Dial, sinkAddr, "tcp"},
	"net/smtp.SendMail":                  {0, -1, check.Dial, sinkAddr, "tcp"},
	"net/http.Get":                       {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Head":                      {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Post":                      {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.PostForm":                  {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.NewRequest":                {1, -1, check.Dial, sinkURL, "tcp"},
	"net/http.NewRequestWithContext":     {2, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Client.Get":                {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Client.Head":               {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Client.Post":               {0, -1, check.Dial, sinkURL, "tcp"},
	"net/http.Client.PostForm":           {0, -1, check.Dial, sinkURL, "tcp"},
	"google.golang.org/grpc.Dial":        {0, -1, check.Dial, sinkURL, "tcp"},
	"google.golang.org/grpc.DialContext": {1, -1, check.Dial, sinkURL, "tcp"},
	"google.golang.org/grpc.NewClient":   {0, -1, check.Dial, sinkURL, "tcp"},
	// web frameworks that listen themselves
	"github.com/gin-gonic/gin.Engine.Run":               {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/gin-gonic/gin.Engine.RunTLS":            {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/labstack/echo/v4.Echo.Start":            {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/labstack/echo/v4.Echo.StartTLS":         {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/labstack/echo.Echo.Start":               {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/gofiber/fiber/v2.App.Listen":            {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/gofiber/fiber/v2.App.ListenTLS":         {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/gofiber/fiber/v3.App.Listen":            {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/valyala/fasthttp.ListenAndServe":        {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/valyala/fasthttp.ListenAndServeTLS":     {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/valyala/fasthttp.Server.ListenAndServe": {0, -1, check.Listen, sinkAddr, "tcp"},
	"github.com/valyala/fasthttp.Dial":                  {0, -1, check.Dial, sinkAddr, "tcp"},
	"github.com/miekg/dns.Exchange":                     {1, -1, check.Dial, sinkAddr, "udp"},
	"github.com/miekg/dns.Client.Exchange":              {1, -1, check.Dial, sinkAddr, "udp"},
	"golang.org/x/net/websocket.Dial":                   {0, -1, check.Dial, sinkURL, "tcp"},
	"github.com/gorilla/websocket.Dialer.Dial":          {0, -1, check.Dial, sinkURL, "tcp"},
}

// resolvers are functions that turn an address string into an address
// value; where it points depends on its host.
var resolvers = map[string]sink{
	"net.ResolveTCPAddr": {1, 0, check.Default, sinkAddr, ""},
	"net.ResolveUDPAddr": {1, 0, check.Default, sinkAddr, ""},
}

// quietFuncs print, log, compare or take apart strings: an address literal
// passed to them is not a port use.
var quietPkgs = map[string]bool{
	"fmt": true, "log": true, "log/slog": true, "errors": true, "strings": true, "bytes": true,
	"regexp": true, "testing": true, "github.com/pkg/errors": true, "github.com/sirupsen/logrus": true,
	"go.uber.org/zap": true, "k8s.io/klog/v2": true, "k8s.io/klog": true, "github.com/go-kit/log/level": true,
	"github.com/go-kit/log": true, "github.com/go-logr/logr": true, "github.com/rs/zerolog": true,
	"github.com/stretchr/testify/assert": true, "github.com/stretchr/testify/require": true,
	"net": false, "path": true, "path/filepath": true, "os": true, "text/template": true, "html/template": true,
}

// quietFuncs take addresses apart: a literal passed to them is being parsed,
// not used ("missing port" handling appends ":80" to split a host).
var quietFuncs = map[string]bool{
	"net.SplitHostPort": true,
	"net.ParseCIDR":     true,
	"net.LookupPort":    true,
}
