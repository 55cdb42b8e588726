package human

import "fmt"

// Plural counts n of noun for a message: "1 blob", "2 blobs", "0 blobs".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
