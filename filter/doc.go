// Package filter compiles the "filter" of an aggregate request into a tree
// of typed predicates and matches records against it.
//
// Compile takes the JSON text of the filter object and CompileURL the
// query-string form. Both resolve field names, operators and values once,
// so Filter.Match only reads each needed record value with a
// schema.Reader and compares it: it does no name lookups and no JSON work.
//
// # Syntaxes
//
// The keys of a filter object are conditions joined with AND. Three
// syntaxes mix freely, at any level:
//
//   - Operator objects: {"amount": {"$gte": 100, "$lt": 500}}. The
//     operators are $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains
//     and $notContains, and several on one field are joined with AND. A
//     plain value means $eq and a plain array means $in.
//   - Bitrix key prefixes, of which the longest one a key starts with is
//     used. "=" is equal, and "!" and "!=" are not equal. With an array, the
//     three mean in and not in. ">", ">=", "<" and "<=" compare by order,
//     "@" is in and "!@" not in, "%" is contains and "!%" not contains.
//     "=%" and "%=" are LIKE, "!=%" and "!%=" are NOT LIKE, and "><" and
//     "!><" are between and not between two inclusive bounds.
//   - Logic groups: "$or" and "$and" take an array of filter objects. In the
//     Bitrix form, {"0": {"logic": "OR", "0": {...}, "name": "x"}}, any
//     object holding "logic" (AND or OR, in any case) joins its other keys
//     with that logic, whatever its own key is. A key made only of digits
//     whose value is an object without "logic" is a sub-filter joined with
//     AND. The filter object itself may hold "logic" too. An empty OR
//     matches nothing and an empty AND everything.
//
// # Values
//
// Values are read by the field's type with the rules package schema uses
// for record values, so "42" and 42 are the same integer:
//
//   - integer, double and enumeration fields compare numerically and
//     exactly. An integer or enumeration field accepts any decimal in a
//     filter, so {"$gt": 1.5} works.
//   - money compares amounts. A filter value is a number, a numeric string
//     or "1500|RUB"; with a currency, only record values in that currency
//     match.
//   - date fields compare calendar dates, and a time part is dropped as
//     written. Datetime fields compare instants, and a text without an
//     offset is read in Options.Location.
//   - boolean fields take true, false, 1, 0, "Y", "N", "1", "0", "true" and
//     "false", and have no order.
//   - string fields compare by code point. A JSON number stands for its
//     text as written, so 1.50 matches "1.50" and not "1.5".
//
// Empty means missing, null, "", an empty array or a money value with no
// amount. A record value that cannot be read as its field's type counts as
// empty here. {"f": null} and {"f": ""} match empty values, and a list may
// name empty values with null or "". Ordered comparisons, contains and LIKE
// never match an empty value, and neither does 0 or false. Every negation
// ($ne, $nin, $notContains, "!", "!=", "!@", "!%", NOT LIKE, "!><")
// matches exactly the records its positive form does not, empty ones
// included unless the positive form matched them.
//
// A multiple field matches when any element matches, and its negation
// matches when no element does. Between needs one element inside the
// range, while {"$gte": a, "$lte": b} may be met by two elements.
//
// $contains, "%" and LIKE work on string fields with a non-empty JSON
// string. They ignore case by Unicode simple case folding, so "ß" does not
// match "ss". LIKE has no escape character: "%" stands for any run of
// characters and "_" for exactly one, and the pattern must match the whole
// value.
//
// # Limits
//
// A filter may nest 16 levels deep: the filter object is level 1, and an
// operator object, a group, a sub-filter or a member of $or or $and is one
// level below the object holding it. It may hold 1,000 conditions, one per
// field and operator and one per prefixed key, and 10,000 values in one
// list. Options changes each limit.
//
// # Errors
//
// Compile and CompileURL return an *apierr.Error, and the first problem in
// the order the keys appear is the one reported. Pointer is the JSON Pointer
// of the offending node relative to the filter object, such as
// "/$or/1/amount/$gte", and Field is the field name as the filter spelled
// it. The codes are:
//
//   - INVALID_PARAMS: malformed JSON, a repeated key, a filter that is not
//     an object, an unknown field (the message lists every field of the
//     schema, or every user field when the name looks like one), an
//     ambiguous user field spelling, "$or" or "$and" that is not an array of
//     objects, and a limit exceeded.
//   - INVALID_FILTER_OPERATOR: an unknown operator, an operator that does
//     not fit the field's type ($gt on a boolean, $contains on a number), a
//     value of the wrong JSON type for its operator ($in with a string, $eq
//     with an array), a value the field's type cannot read ("abc" for a
//     number, an enumeration label, null with $gt), a "logic" other than
//     AND or OR, an empty operator object, a prefixed key with an operator
//     object, and any other "$" key where a field belongs.
//
// # Concurrency
//
// A Filter is immutable once compiled. Match may be called from many
// goroutines at once.
//
// # Usage
//
//	s, _ := schema.Builtin("deals")
//	f, err := filter.Compile(s, []byte(`{">=amount": 1000, "closed": "N"}`), filter.Options{})
//	if err != nil {
//		return err // an *apierr.Error
//	}
//	values := make([]any, len(s.Fields)) // values[i] is the record's s.Fields[i]
//	if f.Match(values) {
//		// aggregate the record
//	}
package filter
