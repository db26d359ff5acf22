package engine

import (
	"time"

	"github.com/crmagg/crmagg/filter"
	"github.com/crmagg/crmagg/money"
)

// Defaults applied where an Options field is zero. They are the HTTP API's
// behaviour.
const (
	DefaultRecordLimit    = 5000
	DefaultAvgPlaces      = 10
	DefaultMaxGroups      = 100_000
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxRecordBytes = 1 << 20
)

// Options configure compilation and execution. The zero value means the
// API's defaults: at most 5000 records aggregated, avg rounded to 10
// places, datetimes in UTC, lenient about unknown keys.
type Options struct {
	// RecordLimit is how many matching records are aggregated; records past
	// it are still counted. 0 means DefaultRecordLimit and a negative value
	// means no limit.
	RecordLimit int

	// Strict rejects unknown request keys and fails a run on the first
	// invalid value that aggregation or grouping reads.
	Strict bool

	// Location is the time zone of datetimes written without an offset and
	// of datetime group keys in the output; nil means UTC.
	Location *time.Location

	// AvgPlaces is the number of fractional digits avg is rounded to, half
	// to even. 0 means DefaultAvgPlaces; a negative value rounds to whole
	// numbers.
	AvgPlaces int

	// MaxGroups caps the distinct groups of one run; a run that would pass
	// it fails with TOO_MANY_GROUPS. 0 means DefaultMaxGroups and a negative
	// value means no cap.
	MaxGroups int

	// GroupLimit is how many groups a result returns, in group order; 0
	// means all of them.
	GroupLimit int

	// MaxBodyBytes caps the request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int

	// MaxExponent bounds the written exponent of numbers and amounts; 0
	// means money.DefaultMaxExponent.
	MaxExponent int

	// MaxDigits bounds the significant digits of numbers and amounts; 0
	// means money.DefaultMaxDigits (1000). A longer number is an invalid
	// value.
	MaxDigits int

	// MaxFilterDepth, MaxFilterConditions and MaxListValues bound a filter;
	// 0 means the filter package's defaults (16, 1,000 and 10,000).
	MaxFilterDepth      int
	MaxFilterConditions int
	MaxListValues       int

	// UnknownUFHint, when set, is appended to the message of an unknown
	// user field error. The command-line tool uses it to say that the
	// schema has no UFs until a fields file is given.
	UnknownUFHint string
}

func (o *Options) recordLimit() int64 {
	switch {
	case o.RecordLimit == 0:
		return DefaultRecordLimit
	case o.RecordLimit < 0:
		return -1
	}
	return int64(o.RecordLimit)
}

func (o *Options) avgPlaces() int32 {
	switch {
	case o.AvgPlaces == 0:
		return DefaultAvgPlaces
	case o.AvgPlaces < 0:
		return 0
	}
	return int32(o.AvgPlaces)
}

func (o *Options) maxGroups() int {
	switch {
	case o.MaxGroups == 0:
		return DefaultMaxGroups
	case o.MaxGroups < 0:
		return -1
	}
	return o.MaxGroups
}

func (o *Options) maxBodyBytes() int {
	if o.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}
	return o.MaxBodyBytes
}

func (o *Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o *Options) filterOptions() filter.Options {
	return filter.Options{
		Location:      o.location(),
		Money:         money.Parser{MaxExponent: o.MaxExponent, MaxDigits: o.MaxDigits},
		MaxDepth:      o.MaxFilterDepth,
		MaxConditions: o.MaxFilterConditions,
		MaxListValues: o.MaxListValues,
	}
}
