// Command crmagg answers aggregate requests of the VibeCode Entity API
// (POST /v1/{entity}/aggregate) from the embedded demo portal or from the
// user's own records, once from the command line or as a mock HTTP server.
//
// Usage:
//
//	crmagg query [flags] [REQUEST]
//	crmagg serve [flags]
//
// Exit status of query: 0 on success, 3 when the request is rejected with
// an API error (both print the response envelope on stdout), 1 on an input
// or I/O error and 2 on a usage error (both print one message on stderr).
// serve exits 0 after a graceful shutdown, 1 when its data cannot be
// loaded and 2 on a usage error.
package main

import (
	"fmt"
	"io"
	"os"

	_ "time/tzdata" // --tz must work on machines without a zone database
)

// Exit statuses.
const (
	exitOK       = 0
	exitInput    = 1
	exitUsage    = 2
	exitRejected = 3
)

const usage = `crmagg answers aggregate requests of the VibeCode Entity API in process.

Usage:

  crmagg query [flags] [REQUEST]   run one aggregate request and print the response
  crmagg serve [flags]             serve the aggregate API over HTTP; 'crmagg serve -h' for its flags

Run 'crmagg query -h' for the flags of query.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "query":
		return runQuery(args[1:], stdin, stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "crmagg: unknown command %q; the commands are query and serve. Run 'crmagg help' for usage.\n", args[0])
	return exitUsage
}
