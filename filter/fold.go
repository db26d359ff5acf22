package filter

import (
	"unicode"
	"unicode/utf8"
)

// foldRune maps a rune to the smallest rune of its simple case folding
// orbit (unicode.SimpleFold). Two runes are equal under simple case folding
// exactly when they fold to the same rune, so 'k', 'K' and the Kelvin sign
// U+212A all fold to 'K'.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < smallest {
			smallest = f
		}
	}
	return smallest
}

// foldText folds every rune of s. Invalid UTF-8 bytes become U+FFFD, one
// rune per byte, as a range loop decodes them.
func foldText(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return out
}

// containsFolded reports whether s contains the folded pattern under simple
// case folding. It folds s rune by rune while it scans instead of building
// a folded copy, so a match does not allocate. The cost is
// O(len(s)·len(pattern)), so filters use containsFoldedKMP; this one is
// kept as the reference that the KMP search is fuzzed against.
func containsFolded(s string, pattern []rune) bool {
	if len(pattern) == 0 {
		return true
	}
	for start := 0; start < len(s); {
		if prefixFolded(s[start:], pattern) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		start += size
	}
	return false
}

// prefixFolded reports whether s starts with the folded pattern.
func prefixFolded(s string, pattern []rune) bool {
	for _, want := range pattern {
		if s == "" {
			return false
		}
		r, size := utf8.DecodeRuneInString(s)
		if foldRune(r) != want {
			return false
		}
		s = s[size:]
	}
	return true
}

// likeToken is one element of a LIKE pattern: a folded literal rune, "_"
// (any one rune) or "%" (any run of runes, including none).
type likeToken struct {
	kind likeKind
	r    rune
}

type likeKind uint8

const (
	likeLiteral likeKind = iota
	likeOne
	likeAny
)

// compileLike splits a LIKE pattern into tokens. LIKE here has no escape
// character, so "%" and "_" are always wildcards. Runs of "%" collapse into
// one, which changes nothing the pattern matches.
func compileLike(pattern string) []likeToken {
	tokens := make([]likeToken, 0, len(pattern))
	for _, r := range pattern {
		switch r {
		case '%':
			if n := len(tokens); n == 0 || tokens[n-1].kind != likeAny {
				tokens = append(tokens, likeToken{kind: likeAny})
			}
		case '_':
			tokens = append(tokens, likeToken{kind: likeOne})
		default:
			tokens = append(tokens, likeToken{kind: likeLiteral, r: foldRune(r)})
		}
	}
	return tokens
}

// matchLike reports whether the whole of s matches the pattern. It is the
// usual wildcard matcher that, on a mismatch, moves back to the last "%"
// and lets it take one more rune. Only the last "%" needs a retry because
// it can absorb anything an earlier one could. The cost is
// O(len(s)·len(pattern)) at worst, so filters use likeMatcher; this one is
// kept as the reference that likeMatcher is fuzzed against.
func matchLike(s string, pattern []likeToken) bool {
	pos, tok := 0, 0
	retryTok, retryPos := -1, 0
	for pos < len(s) {
		if tok < len(pattern) && pattern[tok].kind == likeAny {
			retryTok, retryPos = tok, pos
			tok++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[pos:])
		if tok < len(pattern) && (pattern[tok].kind == likeOne || pattern[tok].r == foldRune(r)) {
			pos += size
			tok++
			continue
		}
		if retryTok < 0 {
			return false
		}
		_, skipped := utf8.DecodeRuneInString(s[retryPos:])
		retryPos += skipped
		pos, tok = retryPos, retryTok+1
	}
	for tok < len(pattern) && pattern[tok].kind == likeAny {
		tok++
	}
	return tok == len(pattern)
}
