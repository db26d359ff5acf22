package demo

import (
	"math/bits"
	"math/rand/v2"
)

// pcgStream is the second PCG seed word shared by every entity. Each entity
// has its own first seed word, so changing one entity's generator leaves the
// records of the others unchanged.
const pcgStream = 0x6372_6d61_6767_6465

// generator is the source of every random choice made for one entity.
//
// It reads only Uint64 from the PCG source and derives every other draw
// with integer arithmetic. The PCG sequence for a seed is fixed by its
// algorithm, while the documentation of math/rand/v2 does not state that
// IntN, Float64 and the other helpers keep their output across Go releases.
// Deriving the draws here keeps the committed files tied to PCG alone.
type generator struct {
	rng *rand.Rand
}

func newGenerator(seed uint64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, pcgStream))}
}

// intn returns a number in [0, n) by taking the high word of a 64×64-bit
// product. The bias of that mapping is below n/2^64 and does not matter here.
func (g *generator) intn(n int) int {
	if n <= 0 {
		panic("demo: intn called with a non-positive bound")
	}
	hi, _ := bits.Mul64(g.rng.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi], both ends included.
func (g *generator) between(lo, hi int) int {
	return lo + g.intn(hi-lo+1)
}

// between64 is between for int64 bounds, which amounts in hundredths of a
// currency need where int has 32 bits.
func (g *generator) between64(lo, hi int64) int64 {
	hi64, _ := bits.Mul64(g.rng.Uint64(), uint64(hi-lo+1))
	return lo + int64(hi64)
}

// chance reports true with probability perMille/1000.
func (g *generator) chance(perMille int) bool {
	return g.intn(1000) < perMille
}

func (g *generator) pick(values []string) string {
	return values[g.intn(len(values))]
}

// skewed returns a number in [0, n) whose density rises linearly towards n
// when grow is true (the larger of two uniform draws) and falls linearly
// away from 0 when grow is false (the smaller of the two).
func (g *generator) skewed(n int, grow bool) int {
	a, b := g.intn(n), g.intn(n)
	if grow == (a < b) {
		return b
	}
	return a
}

// choice is one value of a weighted vocabulary.
type choice struct {
	value  string
	weight int
}

// choose returns the value of one choice, drawn in proportion to the weights.
func (g *generator) choose(choices []choice) string {
	weights := make([]int, len(choices))
	for i, c := range choices {
		weights[i] = c.weight
	}
	return choices[g.weightedIndex(weights)].value
}

// weightedIndex returns i with probability weights[i]/sum(weights).
func (g *generator) weightedIndex(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := g.intn(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	panic("demo: weightedIndex ran past the end of its weights")
}

// zipfChoices gives the value of rank k (counting from 1) a weight
// proportional to 1/k^1.5, so the first few values take most of the draws:
// with 40 values the first one takes about 43% and the first five about 76%.
// Integer arithmetic keeps the weights identical on every platform.
func zipfChoices(values []string) []choice {
	choices := make([]choice, len(values))
	for i, v := range values {
		k := uint64(i + 1)
		// isqrt(k*10^4) is 100·√k rounded down, so the divisor is about
		// 100·k^1.5. The weights of 40 values add up to about 2.3 million,
		// which keeps their sum within a 32-bit int.
		weight := 100_000_000 / (k * isqrt(k*10_000))
		choices[i] = choice{value: v, weight: int(weight)}
	}
	return choices
}

func isqrt(n uint64) uint64 {
	r := uint64(0)
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
