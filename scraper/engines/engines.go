// Package engines registers every built-in forum engine. Import it for its side
// effect wherever pages are extracted; each engine is one file that registers itself.
package engines
