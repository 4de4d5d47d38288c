package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// readBuildInfo is debug.ReadBuildInfo, or nil without build information.
func readBuildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// versionLine describes the build: the module version ("(devel)" for a
// build from a checkout), the VCS commit, its time and whether the tree
// was modified (when the go command stamped them), and the Go toolchain.
func versionLine(bi *debug.BuildInfo) string {
	version, goVersion := "(devel)", runtime.Version()
	var rev, at, modified string
	if bi != nil {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", modified"
				}
			}
		}
	}
	line := "vodflow " + version
	if rev != "" {
		line += fmt.Sprintf(" (commit %s", rev)
		if at != "" {
			line += " of " + at
		}
		line += modified + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", line, goVersion, runtime.GOOS, runtime.GOARCH)
}
