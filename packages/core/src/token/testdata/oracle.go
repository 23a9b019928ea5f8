// Command oracle prints how Go reads the digest part of a Swarm join token: SwarmKit's
// ParseJoinToken (ca/config.go) calls big.Int.SetString(digest, 36), ignores whether it
// succeeded, and formats the value as a 64-digit hex SHA-256 digest, which go-digest
// refuses when it is longer. Run it with `go run oracle.go > go-oracle.json`; see README.md.
package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"runtime"
	"strings"
)

type digestCase struct {
	Digest string `json:"digest"`
	// What SetString says.
	Accepted bool `json:"accepted"`
	// The value SetString leaves, in hex, whether or not it accepted.
	Hex string `json:"hex"`
	// What ParseJoinToken yields for a token with this digest: the digest, or its error.
	Root  string `json:"root,omitempty"`
	Error string `json:"error,omitempty"`
}

var hex64 = regexp.MustCompile(`^[a-f0-9]{64}$`)

func main() {
	worked := "04u4pfuuas7f5vbsi6bekf6kvmnl8j324xk5112ry4yi1sr4sp"
	digests := []string{
		worked,
		strings.ToUpper(worked),
		"04U4pfuuas7f5vbsi6bekf6kvmnl8j324xk5112ry4yi1sr4sP",
		"+" + worked[1:],
		"+" + strings.ToUpper(worked[1:]),
		"++" + worked[2:],
		"+",
		worked[:49] + "+",
		worked[:10] + "_" + worked[11:],
		"_" + worked[1:],
		worked[:20] + "!" + worked[21:],
		" " + worked[1:],
		worked[:49] + " ",
		"0x" + worked[2:],
		"é" + worked[2:],
		strings.Repeat("0", 50),
		strings.Repeat("z", 50),
		strings.Repeat("Z", 50),
		"1" + strings.Repeat("0", 49),
		"0" + strings.Repeat("z", 49),
		"+" + strings.Repeat("z", 49),
	}
	var out []digestCase
	for _, d := range digests {
		var n big.Int
		_, ok := n.SetString(d, 36)
		c := digestCase{Digest: d, Accepted: ok, Hex: n.Text(16)}
		encoded := fmt.Sprintf("%0[1]*s", 64, n.Text(16))
		switch {
		case len(d) != 50:
			c.Error = "invalid join token"
		case len(encoded) != 64:
			c.Error = "invalid checksum digest length"
		case !hex64.MatchString(encoded):
			c.Error = "invalid checksum digest format"
		default:
			c.Root = "sha256:" + encoded
		}
		out = append(out, c)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"go": runtime.Version(), "digests": out}); err != nil {
		panic(err)
	}
}
