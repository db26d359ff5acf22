package engine

// The loops below switch on the code width once per block and then run
// over the typed slice, so the hot loops never widen codes they do not
// use.

// truthWords sets bit j of words when truth[code of row bs+j] is 1, for
// rows [bs, be).
func (v *codeVec) truthWords(bs, be int, truth []uint8, words []uint64) {
	switch {
	case v.u32 != nil:
		truthWordsOf(v.u32[bs:be], truth, words)
	case v.u16 != nil:
		truthWordsOf(v.u16[bs:be], truth, words)
	default:
		truthWordsOf(v.u8[bs:be], truth, words)
	}
}

func truthWordsOf[T uint8 | uint16 | uint32](codes []T, truth []uint8, words []uint64) {
	for w := range words {
		base := w * 64
		block := codes[base:min(base+64, len(codes))]
		var word uint64
		for j, c := range block {
			word |= uint64(truth[c]) << j
		}
		words[w] = word
	}
}

// addKeys adds each selected row's share of the packed group key.
func (v *codeVec) addKeys(bs int, sel []uint16, tab []uint64, keys []uint64) {
	switch {
	case v.u32 != nil:
		addKeysOf(v.u32[bs:], sel, tab, keys)
	case v.u16 != nil:
		addKeysOf(v.u16[bs:], sel, tab, keys)
	default:
		addKeysOf(v.u8[bs:], sel, tab, keys)
	}
}

func addKeysOf[T uint8 | uint16 | uint32](codes []T, sel []uint16, tab []uint64, keys []uint64) {
	for k, j := range sel {
		keys[k] += tab[codes[j]]
	}
}

// countCode returns how many selected rows hold code, and the first of
// them in sel order or -1.
func (v *codeVec) countCode(bs int, sel []uint16, code uint32) (int, int) {
	switch {
	case v.u32 != nil:
		return countCodeOf(v.u32[bs:], sel, code)
	case v.u16 != nil:
		return countCodeOf(v.u16[bs:], sel, code)
	default:
		return countCodeOf(v.u8[bs:], sel, code)
	}
}

func countCodeOf[T uint8 | uint16 | uint32](codes []T, sel []uint16, code uint32) (int, int) {
	count, first := 0, -1
	want := T(code)
	for k, j := range sel {
		if codes[j] == want {
			if first < 0 {
				first = k
			}
			count++
		}
	}
	return count, first
}
