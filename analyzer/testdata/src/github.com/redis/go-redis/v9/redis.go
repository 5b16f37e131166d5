// Package redis is a stub of github.com/redis/go-redis/v9 for analyzer fixtures.
package redis

type Options struct {
	Addr     string
	Password string
	DB       int
}

type Client struct{}

func NewClient(o *Options) *Client { return nil }
