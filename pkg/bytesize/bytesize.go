// Package bytesize owns how vodflow writes sizes: decimal megabytes
// (1 MB = 1,000,000 bytes), with two decimals, everywhere the tool prints
// a size (build, deploy, bench).
package bytesize

import "fmt"

// Megabyte is the unit sizes are printed in: 10^6 bytes (not 2^20).
const Megabyte = 1_000_000

// MB writes n bytes in decimal megabytes: 3115717 is "3.12 MB".
func MB(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/Megabyte) }

// SignedMB is MB with a sign, for a growth: "+0.25 MB", "-1.00 MB".
func SignedMB(n int64) string { return fmt.Sprintf("%+.2f MB", float64(n)/Megabyte) }
