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

// gatherSelected writes the codes of the selected rows bs+sel[i] to dst.
func (v *codeVec) gatherSelected(bs int, sel []uint16, dst []uint32) []uint32 {
	dst = dst[:len(sel)]
	switch {
	case v.u32 != nil:
		gatherOf(v.u32[bs:], sel, dst)
	case v.u16 != nil:
		gatherOf(v.u16[bs:], sel, dst)
	default:
		gatherOf(v.u8[bs:], sel, dst)
	}
	return dst
}

func gatherOf[T uint8 | uint16 | uint32](codes []T, sel []uint16, dst []uint32) {
	for i, j := range sel {
		dst[i] = uint32(codes[j])
	}
}
