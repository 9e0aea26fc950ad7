package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestCommitOf(t *testing.T) {
	info := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i+1 < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	cases := []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "unknown"},
		{info(), true, "unknown"},
		{info("vcs.revision", "0123456789abcdef0123"), true, "0123456789ab"},
		{info("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true"), true, "0123456789ab-dirty"},
		{info("vcs.revision", "abc", "vcs.modified", "false"), true, "abc"},
	}
	for _, c := range cases {
		if got := commitOf(c.bi, c.ok); got != c.want {
			t.Errorf("commitOf(%v) = %q; want %q", c.bi, got, c.want)
		}
	}
}

func TestStringAndRelease(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "v1.4.2-rc1"
	if got := Release(); got != "1.4.2" {
		t.Errorf("Release() = %q; want 1.4.2", got)
	}
	s := String("kefu")
	if !strings.HasPrefix(s, "kefu v1.4.2-rc1 (commit ") || !strings.HasSuffix(s, ")") {
		t.Errorf("String = %q", s)
	}
}
