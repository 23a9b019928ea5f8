// Command oracle prints what Go's standard library answers for the edge cases that
// Rampart's constraint code must reproduce: case folding (strings.EqualFold,
// unicode.SimpleFold) and node.ip matching (net.ParseIP, net.ParseCIDR,
// IPNet.Contains, IP.Equal, arranged as SwarmKit's NodeMatches arranges them).
// Run it with `go run oracle.go > go-oracle.json`; see README.md.
package main

import (
	"encoding/json"
	"net"
	"os"
	"runtime"
	"strings"
	"unicode"
)

type foldCase struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Equal bool   `json:"equal"`
}

type ipCase struct {
	Value  string `json:"value"`
	Addr   string `json:"addr"`
	Parsed string `json:"parsed"`
	Eq     bool   `json:"eq"`
	Neq    bool   `json:"neq"`
}

// nodeIPMatches restates the node.ip branch of SwarmKit's NodeMatches for one operator.
func nodeIPMatches(value, addr string, eq bool) (string, bool) {
	nodeIP := net.ParseIP(addr)
	if ip := net.ParseIP(value); ip != nil {
		return "ip", ip.Equal(nodeIP) == eq
	}
	if _, subnet, err := net.ParseCIDR(value); err == nil {
		return "cidr", subnet.Contains(nodeIP) == eq
	}
	return "neither", false
}

func main() {
	pairs := [][2]string{
		{"ß", "ss"}, {"ss", "ß"}, {"ß", "SS"}, {"ẞ", "ß"}, {"ẞ", "ss"},
		{"ı", "i"}, {"ı", "I"}, {"İ", "i"}, {"İ", "I"}, {"İ", "i̇"}, {"ı", "ı"},
		{"\u212a", "k"}, {"\u212a", "K"}, {"k", "K"}, {"ſ", "s"}, {"ſ", "S"}, {"node.labelſ", "node.labels"},
		{"µ", "μ"}, {"µ", "Μ"}, {"Σ", "ς"}, {"σ", "ς"}, {"ǅ", "ǆ"}, {"ǅ", "Ǆ"}, {"ǈ", "ǉ"},
		{"\u212b", "å"}, {"\u2126", "ω"}, {"ϑ", "θ"}, {"ϑ", "Θ"}, {"ᲀ", "в"}, {"ꭰ", "Ꭰ"}, {"ﬀ", "ff"},
		{"\u0390", "\u1fd3"}, {"\ufb05", "\ufb06"}, {"Ⰰ", "ⰰ"}, {"𐐀", "𐐨"}, {"Ą", "ą"}, {"ǰ", "J̌"},
		{"ABC", "abc"}, {"abc", "abd"}, {"", ""}, {"a", ""}, {"Straße", "STRASSE"}, {"ƛ", "ƛ"},
	}
	var folds []foldCase
	for _, p := range pairs {
		folds = append(folds, foldCase{p[0], p[1], strings.EqualFold(p[0], p[1])})
	}

	// Every orbit with more than one member, each listed once, from its smallest rune.
	var orbits [][]rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		next := unicode.SimpleFold(r)
		if next == r {
			continue
		}
		orbit := []rune{r}
		smallest := true
		for f := next; f != r; f = unicode.SimpleFold(f) {
			if f < r {
				smallest = false
				break
			}
			orbit = append(orbit, f)
		}
		if smallest {
			orbits = append(orbits, orbit)
		}
	}

	values := []string{
		"10.0.0.1", "::ffff:10.0.0.1", "::ffff:a00:1", "::a00:1", "2001:db8::2", "2001:db8:0::2", "2001:DB8::2",
		"010.0.0.1", "10.0.0.1.", "fe80::1%eth0", "::", "0.0.0.0",
		"::/0", "0.0.0.0/0", "10.0.0.0/8", "10.9.9.9/8", "10.0.0.0/08", "10.0.0.0/0008", "10.0.0.0/000000000000000000000000000008",
		"10.0.0.0/+8", "10.0.0.0/-8", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/032", "10.0.0.0/8/8",
		"10.0.0.0/16777215", "10.0.0.0/16777216", "10.0.0.0/99999999999", "10.0.0.0/0x8",
		"::/128", "::1/128", "::ffff:0:0/96", "::ffff:0:0/95", "::ffff:0:0/88", "::ffff:0:0/80", "::ffff:0:0/0096",
		"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/120", "::ffff:10.0.0.1/128", "::a00:0/104",
		"2001:db8::/32", "2001:DB8::/032", "2001:db8::/129", "fe80::%eth0/64", "010.0.0.0/8",
		"266.17.9.41", "186.17.9.41/34", "not_ip_addr",
	}
	addrs := []string{"10.0.0.1", "::ffff:10.0.0.1", "10.1.2.3", "192.168.1.1", "::a00:1", "2001:db8::2", "::1", "::", "0.0.0.0", ""}
	var ips []ipCase
	for _, v := range values {
		for _, a := range addrs {
			parsed, eq := nodeIPMatches(v, a, true)
			_, neq := nodeIPMatches(v, a, false)
			ips = append(ips, ipCase{v, a, parsed, eq, neq})
		}
	}

	out := map[string]any{
		"go":         runtime.Version(),
		"unicode":    unicode.Version,
		"equal_fold": folds,
		"orbits":     orbits,
		"node_ip":    ips,
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
