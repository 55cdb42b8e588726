// Package human formats quantities for the messages people read: sizes,
// and counts of things, with the one rule krust pluralises nouns by.
package human

import "fmt"

// Bytes formats n as docker does in its progress lines: B, kB, MB or GB
// with one decimal, in powers of 1024.
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
