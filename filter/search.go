package filter

// The searches below keep $contains and LIKE linear in the value's length
// for literal patterns: a pattern of 16,000 runes against a value of
// 128,000 runes must not cost their product.

// kmpTable returns the failure function of the Knuth-Morris-Pratt search
// for pattern: next[i] is the length of the longest proper prefix of
// pattern[:i+1] that is also its suffix.
func kmpTable(pattern []rune) []int {
	next := make([]int, len(pattern))
	k := 0
	for i := 1; i < len(pattern); i++ {
		for k > 0 && pattern[i] != pattern[k] {
			k = next[k-1]
		}
		if pattern[i] == pattern[k] {
			k++
		}
		next[i] = k
	}
	return next
}

// containsFoldedKMP reports whether the folded runes of s contain pattern,
// reading s once.
func containsFoldedKMP(s string, pattern []rune, next []int) bool {
	if len(pattern) == 0 {
		return true
	}
	k := 0
	for _, r := range s {
		r = foldRune(r)
		for k > 0 && r != pattern[k] {
			k = next[k-1]
		}
		if r == pattern[k] {
			k++
			if k == len(pattern) {
				return true
			}
		}
	}
	return false
}

// likeSegment is the part of a LIKE pattern between two "%": literal runes
// and "_". A segment without "_" is searched with its KMP table.
type likeSegment struct {
	tokens   []likeToken
	literal  []rune
	next     []int
	wildcard bool
}

// likeMatcher matches a LIKE pattern split at its "%" wildcards. The first
// segment must match at the start of the value unless the pattern starts
// with "%". The last must match at the end unless the pattern ends with
// "%". The others are found left to right, each at its leftmost place
// after the previous one, which is safe because a "%" on both sides can
// absorb whatever lies between.
type likeMatcher struct {
	segments      []likeSegment
	anchoredStart bool
	anchoredEnd   bool
	hasAny        bool
}

func newLikeMatcher(tokens []likeToken) likeMatcher {
	m := likeMatcher{anchoredStart: true, anchoredEnd: true}
	var current []likeToken
	flush := func() {
		seg := likeSegment{tokens: current}
		for _, tok := range current {
			if tok.kind == likeOne {
				seg.wildcard = true
			}
			seg.literal = append(seg.literal, tok.r)
		}
		if !seg.wildcard {
			seg.next = kmpTable(seg.literal)
		}
		m.segments = append(m.segments, seg)
		current = nil
	}
	for i, tok := range tokens {
		if tok.kind != likeAny {
			current = append(current, tok)
			continue
		}
		m.hasAny = true
		if i == 0 {
			m.anchoredStart = false
		}
		if i == len(tokens)-1 {
			m.anchoredEnd = false
		}
		flush()
	}
	flush()
	return m
}

// match reports whether the whole of s matches.
func (m likeMatcher) match(s string) bool {
	var buf [256]rune
	value := buf[:0]
	for _, r := range s {
		value = append(value, foldRune(r))
	}
	if !m.hasAny {
		seg := m.segments[0]
		return len(value) == len(seg.tokens) && seg.matchesAt(value, 0)
	}

	first, last := m.segments[0], m.segments[len(m.segments)-1]
	start, end := 0, len(value)
	if len(first.tokens) > len(value) || !first.matchesAt(value, 0) {
		return false
	}
	start = len(first.tokens)
	if len(last.tokens) > end-start || !last.matchesAt(value, end-len(last.tokens)) {
		return false
	}
	end -= len(last.tokens)
	for _, seg := range m.segments[1 : len(m.segments)-1] {
		at := seg.find(value[start:end])
		if at < 0 {
			return false
		}
		start += at + len(seg.tokens)
	}
	return true
}

// matchesAt reports whether the segment matches value at position at.
func (seg likeSegment) matchesAt(value []rune, at int) bool {
	if at+len(seg.tokens) > len(value) {
		return false
	}
	for i, tok := range seg.tokens {
		if tok.kind == likeLiteral && value[at+i] != tok.r {
			return false
		}
	}
	return true
}

// find returns the leftmost position of the segment in value, or -1.
func (seg likeSegment) find(value []rune) int {
	if len(seg.tokens) == 0 {
		return 0
	}
	if seg.wildcard {
		// NOTE: a segment holding "_" is searched naively, so its cost is
		// the product of its length and the value's.
		for at := 0; at+len(seg.tokens) <= len(value); at++ {
			if seg.matchesAt(value, at) {
				return at
			}
		}
		return -1
	}
	k := 0
	for i, r := range value {
		for k > 0 && r != seg.literal[k] {
			k = seg.next[k-1]
		}
		if r == seg.literal[k] {
			k++
			if k == len(seg.literal) {
				return i - k + 1
			}
		}
	}
	return -1
}
