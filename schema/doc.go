// Package schema describes the fields of a CRM entity and reads record
// values as their fields' types.
//
// # Fields
//
// A Schema is an ordered list of fields. Each Field has a declared Bitrix
// type ("crm_status", "money", "iblock_7", an application's "rest_12_geo")
// and a Kind that follows from it: reference types holding ids read as
// integers, every unknown type reads as a string. Standard fields have a
// Role (categorical, numeric or filter-only); user fields (UF) may always be
// grouped by and counted, and summed when their kind is a number.
//
// Builtin returns the standard fields of contacts, deals and tasks. Load
// reads the body of GET /v1/{entity}/fields, envelope or bare data object;
// its standard fields take their role from the built-in schema of the same
// entity and are filter-only for any other entity.
//
// # Names
//
// Portals spell one UF several ways: UF_CRM_LTV or ufCrmLtv,
// UF_CRM_44_1721812915476 or ufCrm44_1721812915476. Lookup resolves a name
// to the field with exactly that name, else to the one UF whose name is
// equal once case and underscores are ignored, and reports an ambiguous
// name with every UF it matches. Record keys resolve the same way.
//
// # Values
//
// A Reader turns the raw values encoding/json produces into typed Values
// that are Empty, Valid or Invalid:
//
//   - empty: a missing key, null, "", [] or a money value with no amount;
//   - numbers (integer, double, enumeration ids and money amounts) are read
//     exactly from JSON numbers or numeric strings with the amount grammar
//     of package money; an integer field rejects 1.5 but takes 1.0 and 1E+1;
//   - booleans: true, false, 1, 0, "Y", "N", "1", "0", "true", "false";
//   - dates: "2026-01-05", or a datetime text whose time part is dropped as
//     written; datetimes: "2026-01-05", "2026-01-05T10:00:00" with optional
//     fractional seconds and an optional "Z" or "+03:00", read in the
//     Reader's time zone when no offset is written;
//   - strings: a string, or the text of a JSON number as written. A JSON
//     boolean, an object or a non-empty array in a single-value field is
//     Invalid.
//
// ReadElements reads a multiple field: a scalar is one element, empty
// elements are dropped, and invalid ones are dropped and counted.
package schema
