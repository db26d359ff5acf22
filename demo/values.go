package demo

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Raw JSON texts of the empty values. omitted is not JSON: recordWriter.set
// leaves a key whose value is omitted out of the record.
const (
	omitted     = ""
	jsonNull    = "null"
	emptyString = `""`
)

// The portal's clock: records are created from portalStart until snapshot,
// the moment the export was taken. The portal runs on Moscow time, which has
// been UTC+03:00 all year since October 2014, so a day is always 86,400
// seconds.
var (
	moscow      = time.FixedZone("MSK", 3*3600)
	portalStart = time.Date(2023, time.January, 1, 0, 0, 0, 0, moscow).Unix()
	snapshot    = time.Date(2026, time.April, 1, 10, 0, 0, 0, moscow).Unix()
)

const (
	day  = 24 * 3600
	hour = 3600
)

// Offsets other than +03:00 that some datetimes are written with. Users in
// another time zone read the same instants in their own offset.
var otherZones = []*time.Location{
	time.FixedZone("UTC", 0),
	time.FixedZone("ALMT", 5*3600),
	time.FixedZone("CET", 1*3600),
}

const datetimeLayout = "2006-01-02T15:04:05-07:00"

// quote returns s as a JSON string.
func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic("demo: a Go string failed to encode as JSON: " + err.Error())
	}
	return string(b)
}

// blank returns one of the ways the API writes an empty value: "", null or
// a missing key.
func (g *generator) blank() string {
	switch r := g.intn(10); {
	case r < 5:
		return emptyString
	case r < 8:
		return jsonNull
	default:
		return omitted
	}
}

// integer writes n as a JSON number, or now and then as a numeric string, as
// the API mixes both.
func (g *generator) integer(n int) string {
	return g.numberText(strconv.Itoa(n), 50)
}

// id writes a record or reference id. Ids are strings a little less often
// than other integers.
func (g *generator) id(n int) string {
	return g.numberText(strconv.Itoa(n), 30)
}

// numberText writes a number given as its text: a JSON number, or in
// perMilleString of the calls a JSON string.
func (g *generator) numberText(text string, perMilleString int) string {
	if g.chance(perMilleString) {
		return quote(text)
	}
	return text
}

// boolean writes "Y" or "N", and sometimes a JSON true or false.
func (g *generator) boolean(b bool) string {
	if g.chance(60) {
		return strconv.FormatBool(b)
	}
	if b {
		return `"Y"`
	}
	return `"N"`
}

// creationTime draws the moment a record was created. Later days are more
// likely, as the portal gains users, and most records are created on
// weekdays during office hours.
func (g *generator) creationTime() int64 {
	days := int((snapshot - portalStart) / day)
	d := g.skewed(days, true)
	weekday := time.Unix(portalStart+int64(d)*day, 0).In(moscow).Weekday()
	if (weekday == time.Saturday || weekday == time.Sunday) && g.chance(750) {
		d = g.skewed(days, true)
	}
	second := g.intn(day)
	if g.chance(880) {
		second = 9*hour + g.intn(10*hour)
	}
	t := portalStart + int64(d)*day + int64(second)
	return min(t, snapshot)
}

// later returns a moment drawn uniformly from the span seconds after t, cut
// short at the snapshot.
func (g *generator) later(t int64, span int) int64 {
	span = min(span, int(snapshot-t))
	return t + int64(g.intn(span+1))
}

// datetime writes a Bitrix datetime. Most are in the portal's +03:00 offset
// and a few show the same instant in another offset.
func (g *generator) datetime(t int64) string {
	zone := moscow
	if g.chance(30) {
		zone = otherZones[g.intn(len(otherZones))]
	}
	return quote(time.Unix(t, 0).In(zone).Format(datetimeLayout))
}

// date writes the calendar date of t in Moscow time, "2024-05-17".
func date(t int64) string {
	return quote(time.Unix(t, 0).In(moscow).Format(time.DateOnly))
}

// userFieldDate writes a date user field. A few are written as midnight
// datetimes, which readers of a date field must accept by dropping the time
// part.
func (g *generator) userFieldDate(t int64) string {
	local := time.Unix(t, 0).In(moscow)
	if g.chance(30) {
		midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, moscow)
		return quote(midnight.Format(datetimeLayout))
	}
	return quote(local.Format(time.DateOnly))
}

// creationTimes draws n creation moments and sorts them, so that ids, which
// grow with every record, also follow the order of creation.
func (g *generator) creationTimes(n int) []int64 {
	times := make([]int64, n)
	for i := range times {
		times[i] = g.creationTime()
	}
	slices.Sort(times)
	return times
}

// nextID returns the id after previous. About 3% of the time it skips a few
// ids, which belonged to records that were deleted later.
func (g *generator) nextID(previous int) int {
	if g.chance(30) {
		return previous + g.between(2, 6)
	}
	return previous + 1
}

// text writes a word from values, or an empty value in perMilleBlank of
// the calls.
func (g *generator) text(values []string, perMilleBlank int) string {
	if g.chance(perMilleBlank) {
		return g.blank()
	}
	return quote(g.pick(values))
}

// category writes a weighted vocabulary value, or an empty value in
// perMilleBlank of the calls.
func (g *generator) category(choices []choice, perMilleBlank int) string {
	if g.chance(perMilleBlank) {
		return g.blank()
	}
	return quote(g.choose(choices))
}

// user writes a user id drawn from the ranked ids with a Zipf-like skew, or
// an empty value in perMilleBlank of the calls.
func (g *generator) user(ranked []choice, perMilleBlank int) string {
	if g.chance(perMilleBlank) {
		return g.blank()
	}
	return g.numberText(g.choose(ranked), 30)
}

// stringArray writes a JSON array of count distinct values, in the order
// they were drawn.
func (g *generator) stringArray(values []string, count int) string {
	chosen := make([]string, 0, count)
	for len(chosen) < min(count, len(values)) {
		v := g.pick(values)
		if !slices.Contains(chosen, v) {
			chosen = append(chosen, v)
		}
	}
	quoted := make([]string, len(chosen))
	for i, v := range chosen {
		quoted[i] = quote(v)
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// tenthsText writes n/10 with one fractional digit, or none when it is zero:
// 735 is "73.5" and 730 is "73".
func tenthsText(n int) string {
	if n%10 == 0 {
		return strconv.Itoa(n / 10)
	}
	return strconv.Itoa(n/10) + "." + strconv.Itoa(n%10)
}
