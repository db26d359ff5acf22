package jsonscan

import "io"

// NewTiny returns a Scanner whose buffer starts at one byte and that reads
// as little as it can, so that records cross buffer ends everywhere.
func NewTiny(r io.Reader) *Scanner {
	s := New(r)
	s.buf = make([]byte, 1)
	s.minRead = 1
	return s
}
