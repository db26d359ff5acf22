package filter

import "testing"

// FuzzSearchAgainstBacktracking checks the linear searches against the
// backtracking matchers they replaced, which are simple enough to trust.
func FuzzSearchAgainstBacktracking(f *testing.F) {
	for _, seed := range [][2]string{
		{"Hello World", "%o w%"}, {"abcabd", "%abd"}, {"aaaa", "a%a"}, {"Straße", "STRASSE"},
		{"ÉCOLE", "é%"}, {"abc", "_b_"}, {"abc", "%"}, {"", "%"}, {"a_b", "a%_"}, {"xyzxyz", "%y%y%"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, value, pattern string) {
		tokens := compileLike(pattern)
		if got, want := newLikeMatcher(tokens).match(value), matchLike(value, tokens); got != want {
			t.Fatalf("LIKE %q on %q: linear %v, backtracking %v", pattern, value, got, want)
		}
		folded := foldText(pattern)
		if got, want := containsFoldedKMP(value, folded, kmpTable(folded)), containsFolded(value, folded); got != want {
			t.Fatalf("contains %q in %q: KMP %v, naive %v", pattern, value, got, want)
		}
	})
}
