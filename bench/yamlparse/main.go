// Command yamlparse is the floor of portlint's manifest benchmark: it only
// reads the files it is given and decodes every YAML document of each to
// a yaml.Node with go.yaml.in/yaml/v3, as yq does, and prints how many
// files, documents and bytes it read and how many files did not parse.
// With -list DIR it prints instead, one per line, the manifests portlint
// discovers under DIR (manifest.Discover: the files portlint scans), so
// that both read the same files.
//
//	go run ./bench/yamlparse -list DIR > files
//	go run ./bench/yamlparse [-j N] < files
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/manifest"
)

func main() {
	list := flag.String("list", "", "print the manifests portlint discovers under `dir` and exit")
	workers := flag.Int("j", 1, "files decoded at once (0: GOMAXPROCS)")
	flag.Parse()
	if *list != "" {
		files, skips, err := manifest.Discover([]string{*list}, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "yamlparse:", err)
			os.Exit(1)
		}
		for _, s := range skips {
			fmt.Fprintf(os.Stderr, "yamlparse: %s: %s\n", s.Path, s.Reason)
		}
		w := bufio.NewWriter(os.Stdout)
		for _, f := range files {
			fmt.Fprintln(w, f)
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, "yamlparse:", err)
			os.Exit(1)
		}
		return
	}
	var files []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() != "" {
			files = append(files, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "yamlparse: reading the list of files:", err)
		os.Exit(1)
	}
	n := *workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var docs, size, broken atomic.Int64
	next := make(chan string)
	var wg sync.WaitGroup
	var readErr atomic.Value
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				data, err := os.ReadFile(p)
				if err != nil {
					readErr.CompareAndSwap(nil, err)
					continue
				}
				size.Add(int64(len(data)))
				d, err := decode(data)
				docs.Add(int64(d))
				if err != nil {
					broken.Add(1)
				}
			}
		}()
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	if err, _ := readErr.Load().(error); err != nil {
		fmt.Fprintln(os.Stderr, "yamlparse:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d documents, %d bytes; %d files not valid YAML\n", len(files), docs.Load(), size.Load(), broken.Load())
}

// decode decodes every document of data, as far as the first error, and
// returns how many it decoded.
func decode(data []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml.v3 panicked: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
