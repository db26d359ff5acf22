// Package apierr defines the error codes of the VibeCode Entity API, the
// HTTP status that belongs to each, and Error, the typed error that the
// filter compiler, the engine and an HTTP handler return for a request the
// API would reject.
//
// Every rejected request maps to exactly one Code. Code.HTTPStatus is the
// only place that ties a code to its status, so a server that embeds the
// engine writes the same status the real API does.
package apierr

import (
	"errors"
	"net/http"
)

// Code is an API error code as it appears in the error envelope.
type Code string

// Codes returned by the aggregate endpoint.
const (
	InvalidParams         Code = "INVALID_PARAMS"
	InvalidFilterOperator Code = "INVALID_FILTER_OPERATOR"
	TooManyGroups         Code = "TOO_MANY_GROUPS"
	InvalidRecord         Code = "INVALID_RECORD"
	PayloadTooLarge       Code = "PAYLOAD_TOO_LARGE"
	UnsupportedMediaType  Code = "UNSUPPORTED_MEDIA_TYPE"
	MethodNotAllowed      Code = "METHOD_NOT_ALLOWED"
	EntityNotFound        Code = "ENTITY_NOT_FOUND"
	NotFound              Code = "NOT_FOUND"
	MissingAPIKey         Code = "MISSING_API_KEY"
	InvalidAPIKey         Code = "INVALID_API_KEY"
	InvalidAppKey         Code = "INVALID_APP_KEY"
	TokenMissing          Code = "TOKEN_MISSING"
	ScopeDenied           Code = "SCOPE_DENIED"
	InternalError         Code = "INTERNAL_ERROR"
)

// HTTPStatus returns the HTTP status the API sends with the code, or 500
// for a code it does not know.
func (c Code) HTTPStatus() int {
	switch c {
	case InvalidParams, InvalidFilterOperator, TooManyGroups:
		return http.StatusBadRequest
	case MissingAPIKey, InvalidAPIKey, InvalidAppKey, TokenMissing:
		return http.StatusUnauthorized
	case ScopeDenied:
		return http.StatusForbidden
	case EntityNotFound, NotFound:
		return http.StatusNotFound
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case PayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

// ErrRejected is the sentinel that every *Error wraps, so that
// errors.Is(err, apierr.ErrRejected) distinguishes an API rejection from an
// I/O or input error.
var ErrRejected = errors.New("request rejected")

// Error is a request the API rejects: the code, the message the envelope
// carries, and where in the request the problem is.
type Error struct {
	Code    Code
	Message string

	// Pointer is the JSON Pointer (RFC 6901) of the offending node in the
	// request body, such as "/filter/amount/$gte", or "" when the whole
	// body is at fault.
	Pointer string

	// Field is the field name as the request spelled it, when one is
	// involved.
	Field string
}

// New returns an *Error with the given code and message.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

func (e *Error) Error() string {
	return string(e.Code) + ": " + e.Message
}

// Unwrap returns ErrRejected.
func (e *Error) Unwrap() error { return ErrRejected }

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
