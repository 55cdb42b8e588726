package human

import "fmt"

// Plural returns noun in the plural. krust's nouns (blob, referrer,
// string, image manifest...) are regular: an s is added.
func Plural(noun string) string { return noun + "s" }

// Noun returns noun as n of it: in the plural unless n is 1.
func Noun(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return Plural(noun)
}

// Count returns n and noun agreeing with it: "1 blob", "0 blobs",
// "2 blobs".
func Count(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, Noun(n, noun))
}
