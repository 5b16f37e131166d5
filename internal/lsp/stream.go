package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// maxMessage bounds one message's body: a larger one is discarded unread
// and answered with an error, so that a client cannot make the server
// hold more than this at once.
const maxMessage = 32 << 20

// maxHeader bounds one header line.
const maxHeader = 4 << 10

// A frameStream reads and writes LSP base-protocol messages
// (Content-Length framing) for jsonrpc2. Unlike jsonrpc2's own stream, a
// message it cannot decode does not end the session: the client gets a
// JSON-RPC error (-32700 parse error, -32600 invalid request) with a null
// id, the problem is logged, and reading goes on with the next frame. A
// malformed header, or a body longer or shorter than its Content-Length,
// costs at most that message and the one it runs into: the reader skips
// to the next header it recognises.
type frameStream struct {
	r      *bufio.Reader
	w      io.Writer
	closer io.Closer
	log    func(format string, args ...any)

	mu sync.Mutex // serializes writes
}

func newFrameStream(rwc io.ReadWriteCloser, log func(string, ...any)) *frameStream {
	return &frameStream{r: bufio.NewReaderSize(rwc, 64<<10), w: rwc, closer: rwc, log: log}
}

// WriteObject implements jsonrpc2.ObjectStream.
func (s *frameStream) WriteObject(obj any) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return s.writeBody(data)
}

func (s *frameStream) writeBody(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.w, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err := s.w.Write(data)
	return err
}

// Close implements jsonrpc2.ObjectStream.
func (s *frameStream) Close() error { return s.closer.Close() }

// ReadObject implements jsonrpc2.ObjectStream: it returns the next message
// that decodes into v, answering those that do not. Only the end of the
// stream (or a read error) ends it.
func (s *frameStream) ReadObject(v any) error {
	for {
		body, err := s.readFrame()
		if err != nil {
			return err
		}
		if body == nil {
			continue // answered already
		}
		if err := json.Unmarshal(body, v); err != nil {
			code, what := int64(-32600), "invalid request"
			if !json.Valid(body) {
				code, what = -32700, "parse error"
			}
			s.log("%s: %v (message of %d bytes)", what, err, len(body))
			s.replyError(code, fmt.Sprintf("%s: %v", what, err))
			continue
		}
		return nil
	}
}

// readFrame reads one frame's body. It returns nil, nil for a frame it
// answered itself (too large), and an error only when the stream fails.
func (s *frameStream) readFrame() ([]byte, error) {
	length := -1
	seen := false // a header line was read
	for {
		line, err := s.readLine()
		if err != nil {
			return nil, err
		}
		if line == "" {
			if length >= 0 {
				break
			}
			if seen {
				s.log("a message without Content-Length: skipped")
				s.replyError(-32600, "invalid request: no Content-Length header")
			}
			seen = false
			continue
		}
		if i := strings.Index(asciiLower(line), "content-length:"); i > 0 {
			// the header of the next message after what a body
			// shorter or longer than its length left on the line
			s.log("skipping %d bytes before a message header", i)
			line = line[i:]
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			// not a header: what a body longer than its length left,
			// or garbage; skip to the next header
			s.log("skipping %d bytes that are not a message header", len(line))
			continue
		}
		seen = true
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				s.log("bad Content-Length %q: skipped", value)
				length = -1
				continue
			}
			length = n
		}
	}
	if length > maxMessage {
		s.log("a message of %d bytes is over the limit of %d: discarded", length, maxMessage)
		if _, err := io.CopyN(io.Discard, s.r, int64(length)); err != nil {
			return nil, err
		}
		s.replyError(-32600, fmt.Sprintf("invalid request: a message of %d bytes is over the limit of %d", length, maxMessage))
		return nil, nil
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(s.r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// readLine reads one header line without its CRLF (or LF), keeping at most
// maxHeader bytes of it.
func (s *frameStream) readLine() (string, error) {
	var b []byte
	for {
		chunk, err := s.r.ReadSlice('\n')
		if len(b) < maxHeader {
			b = append(b, chunk[:min(len(chunk), maxHeader-len(b))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", err
		}
		return string(bytes.TrimRight(b, "\r\n")), nil
	}
}

// replyError writes an error response with a null id: the request's id is
// not known when the message did not decode.
func (s *frameStream) replyError(code int64, msg string) {
	data, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
	if err := s.writeBody(data); err != nil {
		s.log("writing an error response: %v", err)
	}
}

// asciiLower lowers ASCII letters only, so that offsets in the result are
// offsets in s (strings.ToLower can change the length of other text).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
