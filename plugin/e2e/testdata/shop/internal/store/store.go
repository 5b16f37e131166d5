// Package store holds the worker's storage settings.
package store

// Addr is where the worker finds its store.
const Addr = "db.shop.svc:5432"

// DefaultPort is the port the store's admin endpoint listens on.
const DefaultPort = 7150
