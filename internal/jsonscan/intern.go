package jsonscan

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// Interning: record fields such as a status id, a currency or a user id
// take a few values over and over. For each slot, the scanner keeps the
// interface value of each short string and number that it hands over. When
// the same text comes back in that slot, it hands over the same interface
// value, so such values cost no allocation. A slot whose
// values keep being new (an amount, a comment) stops being interned after
// internMisses misses (and drops its table), and all tables together stop
// growing at internTotal entries.
const (
	internMaxLen = 64
	internSlots  = 4096
	internMisses = 1024
	internTotal  = 1 << 14
)

type interner struct {
	seed maphash.Seed
	// key is the seed of the hash of short texts.
	key    uint64
	tables []*internTable // by slot
	total  int
	// smallInts holds json.Number values of the integers 0 to
	// len(smallInts)-1, which need no hashing.
	smallInts []any
}

const smallInts = 4096

// internTable is an open-addressing hash table of one slot's values.
type internTable struct {
	entries []internEntry // a power of two long, at most half full
	used    int
	misses  int
}

type internEntry struct {
	hash   uint64 // 0 for an empty entry
	text   string
	value  any
	number bool
}

// table returns the table of slot, or nil when values of n bytes in that
// slot are not interned.
func (t *interner) table(slot, n int) *internTable {
	if n > internMaxLen || uint(slot) >= internSlots {
		return nil
	}
	if slot >= len(t.tables) {
		if t.tables == nil {
			t.seed = maphash.MakeSeed()
			t.key = maphash.Comparable(t.seed, 0) | 1
		}
		t.tables = append(t.tables, make([]*internTable, slot+1-len(t.tables))...)
	}
	tab := t.tables[slot]
	if tab == nil {
		tab = &internTable{entries: make([]internEntry, 16)}
		t.tables[slot] = tab
	}
	if tab.misses >= internMisses {
		return nil
	}
	return tab
}

// lookup returns the value held for text, or nil and the place to add it.
func (tab *internTable) lookup(h uint64, text []byte, number bool) (any, *internEntry) {
	mask := uint64(len(tab.entries) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		e := &tab.entries[j]
		if e.hash == 0 {
			return nil, e
		}
		if e.hash == h && e.number == number && e.text == string(text) {
			return e.value, nil
		}
	}
}

// add keeps value for text at the empty entry e that lookup returned.
func (t *interner) add(tab *internTable, e *internEntry, h uint64, text string, value any, number bool) {
	tab.misses++
	if tab.misses >= internMisses {
		// The slot is done with interning: table returns nil from now
		// on, and the entries can go.
		t.total -= tab.used
		tab.entries, tab.used = nil, 0
		return
	}
	if t.total >= internTotal {
		return
	}
	*e = internEntry{hash: h, text: text, value: value, number: number}
	tab.used++
	t.total++
	if 2*tab.used > len(tab.entries) {
		old := tab.entries
		tab.entries = make([]internEntry, 2*len(old))
		mask := uint64(len(tab.entries) - 1)
		for _, e := range old {
			if e.hash == 0 {
				continue
			}
			j := e.hash & mask
			for tab.entries[j].hash != 0 {
				j = (j + 1) & mask
			}
			tab.entries[j] = e
		}
	}
}

// hash hashes a text for the tables; texts up to 16 bytes, which most
// interned values are, are hashed inline.
func (t *interner) hash(text []byte) uint64 {
	n := len(text)
	var lo, hi uint64
	switch {
	case n > 16:
		return maphash.Bytes(t.seed, text) | 1
	case n >= 8:
		lo, hi = binary.LittleEndian.Uint64(text), binary.LittleEndian.Uint64(text[n-8:])
	case n >= 4:
		lo, hi = uint64(binary.LittleEndian.Uint32(text)), uint64(binary.LittleEndian.Uint32(text[n-4:]))
	case n > 0:
		lo = uint64(text[0])<<16 | uint64(text[n>>1])<<8 | uint64(text[n-1])
	}
	// The two halves, which cover every byte, are mixed with the key by
	// a full 128-bit product, folded.
	h, l := bits.Mul64(lo^t.key, hi^uint64(n)^0x9e3779b97f4a7c15)
	return (h ^ l) | 1
}

// internString returns the decoded string body as an interface value.
func (s *Scanner) internString(body []byte, slot int) any {
	t := &s.intern
	tab := t.table(slot, len(body))
	if tab == nil {
		return string(body)
	}
	h := t.hash(body)
	v, e := tab.lookup(h, body, false)
	if e == nil {
		return v
	}
	str := string(body)
	v = str
	t.add(tab, e, h, str, v, false)
	return v
}

// internNumber returns the number text as a json.Number interface value.
func (s *Scanner) internNumber(text []byte, slot int) any {
	t := &s.intern
	if n := len(text); n <= 4 && (text[0] != '0' || n == 1) {
		v := 0
		for _, c := range text {
			if !isDigit(c) {
				v = -1
				break
			}
			v = v*10 + int(c-'0')
		}
		if uint(v) < smallInts {
			if t.smallInts == nil {
				t.smallInts = make([]any, smallInts)
			}
			if t.smallInts[v] == nil {
				t.smallInts[v] = number(text)
			}
			return t.smallInts[v]
		}
	}
	tab := t.table(slot, len(text))
	if tab == nil {
		return number(text)
	}
	h := t.hash(text)
	v, e := tab.lookup(h, text, true)
	if e == nil {
		return v
	}
	str := string(text)
	v = number(str)
	t.add(tab, e, h, str, v, true)
	return v
}
