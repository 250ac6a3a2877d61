package region

import (
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
)

func TestPlaceScope(t *testing.T) {
	const (
		home = "622926100001" // a village of 东乡县 锁南镇
		town = "622926100"
	)
	tests := []struct {
		home, place, want string
	}{
		// Same county, at any depth.
		{home, home, ScopeInCounty},
		{home, "622926100002", ScopeInCounty},
		{home, "622926101", ScopeInCounty},
		{home, "622926", ScopeInCounty},
		// Same province, other county, even in the same city.
		{home, "622921", ScopeInProvince},
		{home, "622921100001", ScopeInProvince},
		{home, "620102", ScopeInProvince},
		{home, "6201", ScopeInProvince}, // another city: no county can be home's
		// Other provinces, at any level.
		{home, "44", ScopeOutProvince},
		{home, "4401", ScopeOutProvince},
		{home, "440103", ScopeOutProvince},
		{home, "440103001101", ScopeOutProvince},
		// A county or town home works like a village one.
		{"622926", "622926100001", ScopeInCounty},
		{town, "622927", ScopeInProvince},
		// Undetermined: too coarse inside the home city, or malformed.
		{home, "62", ""},
		{home, "6229", ""},
		{home, "", ""},
		{home, "62292", ""},
		{home, "62292a", ""},
		{"6229", "622926", ""},
		{"", "622926", ""},
	}
	s := New(nil)
	for _, tt := range tests {
		if got := PlaceScope(tt.home, tt.place); got != tt.want {
			t.Errorf("PlaceScope(%q, %q) = %q, want %q", tt.home, tt.place, got, tt.want)
		}
		if got := s.PlaceScope(tt.home, tt.place); got != tt.want {
			t.Errorf("Service.PlaceScope(%q, %q) = %q", tt.home, tt.place, got)
		}
		// Both ways: between two codes of county level or deeper the scope
		// does not depend on which one is home.
		if model.LevelOf(tt.home) >= model.LevelCounty && model.LevelOf(tt.place) >= model.LevelCounty && tt.want != "" {
			if got := PlaceScope(tt.place, tt.home); got != tt.want {
				t.Errorf("PlaceScope(%q, %q) = %q, want %q (swapped)", tt.place, tt.home, got, tt.want)
			}
		}
	}
	for _, sc := range []string{ScopeInCounty, ScopeInProvince, ScopeOutProvince} {
		if model.PlaceScopes.Label(sc) == "" {
			t.Errorf("%s is not in model.PlaceScopes", sc)
		}
	}
}
