package export

import (
	"errors"
	"io"

	"github.com/portlint/portlint/registry"
)

// HTML writes the port map.
func HTML(w io.Writer, reg *registry.Registry, opts Options) error {
	return errors.New("the html port map is not written yet")
}
