# Prints, for each benchmark in `go test -bench` output, the median and the
# range of ns/record, the median MB/s and allocs/record, and the number of
# runs, as a Markdown table.
/^Benchmark/ {
  name = $1
  sub(/-[0-9]+$/, "", name)
  for (i = 2; i < NF; i++) {
    if ($(i+1) == "ns/record") ns[name] = ns[name] " " $i
    if ($(i+1) == "MB/s") mb[name] = mb[name] " " $i
    if ($(i+1) == "allocs/record") al[name] = al[name] " " $i
  }
  if (!(name in seen)) {
    seen[name] = 1
    order[++n] = name
  }
}

function sorted(list, a,   m, k, j, v) {
  m = split(list, a, " ")
  for (k = 2; k <= m; k++) {
    v = a[k]
    for (j = k - 1; j > 0 && a[j] + 0 > v + 0; j--) a[j+1] = a[j]
    a[j+1] = v
  }
  return m
}

function median(list,   a, m) {
  m = sorted(list, a)
  return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
}

function range(list,   a, m) {
  m = sorted(list, a)
  return sprintf("%.0f–%.0f", a[1], a[m])
}

END {
  print "| benchmark | ns/record (median) | ns/record (range) | MB/s (median) | allocs/record | runs |"
  print "|---|---:|---:|---:|---:|---:|"
  for (k = 1; k <= n; k++) {
    nm = order[k]
    runs = split(ns[nm], unused, " ")
    printf "| %s | %.0f | %s | %.0f | %.2f | %d |\n", nm, median(ns[nm]), range(ns[nm]), median(mb[nm]), median(al[nm]), runs
  }
}
