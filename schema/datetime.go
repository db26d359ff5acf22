package schema

import "time"

// ParseDate reads the calendar date of "2026-01-05", or of a datetime text
// in the forms ParseDateTime accepts, dropping the time part as written
// (so "2026-01-05T23:00:00-05:00" is 2026-01-05). The result is midnight
// UTC of that date.
func ParseDate(s string) (time.Time, bool) {
	p, ok := parseCalendar(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(p.year, time.Month(p.month), p.day, 0, 0, 0, 0, time.UTC), true
}

// ParseDateTime reads an instant from "2026-01-01", "2026-01-01T10:00:00"
// with optional fractional seconds, and either form of the latter with "Z"
// or an offset such as "+03:00". A text without an offset is read in loc.
// An instant whose year is outside 0000-9999 in UTC or in loc is rejected.
func ParseDateTime(s string, loc *time.Location) (time.Time, bool) {
	p, ok := parseCalendar(s)
	if !ok {
		return time.Time{}, false
	}
	var t time.Time
	if p.hasOffset {
		// Subtracting the offset from the wall clock read as UTC gives the
		// instant without allocating a zone per value.
		t = time.Date(p.year, time.Month(p.month), p.day, p.hour, p.minute, p.second, p.nanos, time.UTC)
		t = t.Add(-time.Duration(p.offset) * time.Second)
	} else {
		t = time.Date(p.year, time.Month(p.month), p.day, p.hour, p.minute, p.second, p.nanos, loc)
	}
	// An instant must have a four-digit year both in UTC, where group keys
	// are written, and in loc, where output is written, so that its
	// canonical text reads back.
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return time.Time{}, false
	}
	if y := t.In(loc).Year(); y < 0 || y > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// FormatDate writes a date value as "2006-01-02".
func FormatDate(t time.Time) string {
	return t.Format("2006-01-02")
}

// FormatDateTime writes an instant in loc as "2006-01-02T15:04:05+03:00",
// with "+00:00" for UTC and fractional seconds only when not zero.
func FormatDateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02T15:04:05.999999999-07:00")
}

type calendar struct {
	year, month, day     int
	hour, minute, second int
	nanos                int
	hasOffset            bool
	offset               int // seconds east of UTC
}

// parseCalendar reads YYYY-MM-DD[THH:MM:SS[.fraction][Z|±HH:MM]] and checks
// that every part is in range, so "2026-02-30" and "25:00:00" are rejected.
func parseCalendar(s string) (calendar, bool) {
	var p calendar
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return p, false
	}
	var ok bool
	if p.year, ok = digits(s[0:4]); !ok {
		return p, false
	}
	if p.month, ok = digits(s[5:7]); !ok || p.month < 1 || p.month > 12 {
		return p, false
	}
	if p.day, ok = digits(s[8:10]); !ok || p.day < 1 || p.day > daysIn(p.year, p.month) {
		return p, false
	}
	rest := s[10:]
	if rest == "" {
		return p, true
	}

	if len(rest) < 9 || rest[0] != 'T' || rest[3] != ':' || rest[6] != ':' {
		return p, false
	}
	if p.hour, ok = digits(rest[1:3]); !ok || p.hour > 23 {
		return p, false
	}
	if p.minute, ok = digits(rest[4:6]); !ok || p.minute > 59 {
		return p, false
	}
	if p.second, ok = digits(rest[7:9]); !ok || p.second > 59 {
		return p, false
	}
	rest = rest[9:]

	if rest != "" && rest[0] == '.' {
		i := 1
		scale := 100_000_000
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			// Digits past nanoseconds are read and dropped.
			p.nanos += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 {
			return p, false
		}
		rest = rest[i:]
	}

	switch {
	case rest == "":
		return p, true
	case rest == "Z":
		p.hasOffset = true
		return p, true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		hours, okH := digits(rest[1:3])
		minutes, okM := digits(rest[4:6])
		if !okH || !okM || hours > 23 || minutes > 59 {
			return p, false
		}
		p.hasOffset = true
		p.offset = hours*3600 + minutes*60
		if rest[0] == '-' {
			p.offset = -p.offset
		}
		return p, true
	}
	return p, false
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
